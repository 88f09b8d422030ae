"""helpers.evaluation: corpus scores with every reference."""

from __future__ import annotations

import pytest

from helpers import evaluation as ev


def test_corpus_scores() -> None:
    perfect = ev.corpus_scores(["Va !", "Salut !"], [["Va !"], ["Salut !"]])
    assert perfect.chrf == pytest.approx(100) and perfect.exact_match == 100
    multi = ev.corpus_scores(["Marche.", "Salut !"], [["Va !", "Marche."], ["Salut !"]])
    assert multi.exact_match == 100  # any reference counts
    wrong = ev.corpus_scores(["Bonjour", "Merci"], [["Va !"], ["Salut !"]])
    assert wrong.chrf < 20 and wrong.exact_match == 0
    with pytest.raises(ValueError):
        ev.corpus_scores(["a"], [])
    with pytest.raises(ValueError):
        ev.corpus_scores(["a"], [[]])


def test_references_by_source() -> None:
    refs = ev.references_by_source([("Go.", "Va !"), ("Go.", "Marche."), ("Hi.", "Salut !")])
    assert refs == {"Go.": ["Va !", "Marche."], "Hi.": ["Salut !"]}
