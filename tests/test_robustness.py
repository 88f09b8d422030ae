"""helpers.robustness: the held-out sentences as people type them, renamed with unseen names,
and everyday sentences that are not in the corpus; scored the same way every run."""

from __future__ import annotations

import re

import pytest

from helpers import data, evaluation, robustness
from helpers.augmentation import CORPUS_NAMES, HELD_OUT_NAMES


def test_variants_change_only_what_they_say() -> None:
    sources = ["Tom is hungry.", "Where are you?", "I am so cold."]
    assert robustness.variant(sources, "clean") == sources
    assert robustness.variant(sources, "lower") == [s.lower() for s in sources]
    assert robustness.variant(sources, "nopunct") == ["Tom is hungry", "Where are you",
                                                      "I am so cold"]
    typos = robustness.variant(sources, "typo")
    assert typos == robustness.variant(sources, "typo")  # the same typos every run
    for source, typo in zip(sources, typos, strict=True):
        assert typo != source and sorted(typo) == sorted(source) and len(typo) == len(source)
    with pytest.raises(ValueError, match="which must be one of"):
        robustness.variant(sources, "upper")


def test_names_carried_counts_whole_names_only() -> None:
    outputs = ["Kofi a faim.", "Kofia a faim.", "Yuki et Kofi sont là.", "Yuki est là."]
    names = [("Kofi",), ("Kofi",), ("Yuki", "Kofi"), ("Yuki", "Kofi")]
    assert robustness.names_carried(outputs, names) == 50.0


@pytest.fixture(scope="module")
def named():
    return robustness.named_set()


def test_the_named_set_renames_sources_and_references_alike(named) -> None:
    assert len(named.sources) >= 100
    old = re.compile(r"\b(" + "|".join(n for forms in CORPUS_NAMES.values() for n in forms)
                     + r")\b")
    for source, refs, new in zip(named.sources, named.references, named.names, strict=True):
        assert not old.search(source), source
        assert all(n in HELD_OUT_NAMES and re.search(rf"\b{n}\b", source) for n in new)
        assert any(all(re.search(rf"\b{n}\b", ref) for n in new) for ref in refs), (source, refs)
    assert len(set(named.names)) > 40  # the names take turns


def test_novel_sentences_are_not_in_the_corpus_and_have_references() -> None:
    english = {e for e, _ in data.load_fra_eng()}
    assert len(robustness.NOVEL_SENTENCES) >= 40
    for source, refs in robustness.NOVEL_SENTENCES:
        assert source not in english, source
        assert refs and all(isinstance(r, str) and r for r in refs)


def test_robustness_scores_tell_a_clean_only_system_from_a_robust_one(named) -> None:
    sources, references = evaluation.heldout_set("course", 50)
    answer = {s: refs[0] for s, refs in zip(sources, references, strict=True)}
    answer.update({s: refs[0] for s, refs in
                   zip(named.clean_sources, named.clean_references, strict=True)})
    answer.update({s: refs[0] for s, refs in robustness.NOVEL_SENTENCES})

    def clean_only(texts: list[str]) -> list[str]:
        return [answer.get(t, "Je ne sais pas.") for t in texts]

    scores = robustness.robustness_scores(clean_only, count=50)
    assert scores["clean"]["exact match %"] == 100.0
    assert scores["names_clean"]["exact match %"] == 100.0
    assert scores["novel"]["exact match %"] == 100.0
    assert scores["lower"]["chrF"] < 30 and scores["lower"]["same as clean %"] < 10
    assert scores["names"]["carried %"] == 0.0
    assert scores["clean"]["sentences"] == 50
