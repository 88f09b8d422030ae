"""Notebook 05 § 8 writes out the augmentation of training pairs in full: it must be the same
code as ``helpers.augmentation`` (compared as syntax trees, docstrings included) and draw the
same pairs from the same random generator."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from helpers import augmentation as aug
from tests.notebook_tools import (
    assert_same_code,
    helper_definition,
    notebook_definition,
    taught,
)

NAMES = ["lower_case", "drop_final_punctuation", "add_typo", "made_up_name", "varied_name",
         "names_in", "swap_names", "augment_pair"]
PAIRS = [("Tom is hungry.", "Tom a faim."), ("Mary and Tom left.", "Marie et Tom sont partis."),
         ("Where is John?", "Où est John ?"), ("I am cold.", "J'ai froid."), ("Go!", "Va !")]


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_writes_the_helpers_code(name: str) -> None:
    assert_same_code(f"helpers.augmentation.{name}", getattr(aug, name))


def test_a_changed_line_is_caught() -> None:
    changed = helper_definition(aug.drop_final_punctuation)
    changed.body[-1] = ast.parse("return text").body[0]
    assert ast.dump(changed) != ast.dump(
        notebook_definition("helpers.augmentation.drop_final_punctuation"))


def test_the_notebook_draws_the_same_pairs() -> None:
    mine = taught("helpers.augmentation.augment_pair")
    rates = {**aug.AUGMENT_PROBABILITIES, "names": 0.9, "typo": 0.5, "varied_names": 0.7}
    ours, theirs = np.random.default_rng(5), np.random.default_rng(5)
    for _ in range(40):
        for english, french in PAIRS:
            assert mine(english, french, ours, probabilities=rates) == aug.augment_pair(
                english, french, theirs, probabilities=rates)


def test_the_notebook_makes_the_same_names_and_typos() -> None:
    for name in ("made_up_name", "varied_name"):
        mine = taught(f"helpers.augmentation.{name}")
        assert [mine(np.random.default_rng(s)) for s in range(30)] == [
            getattr(aug, name)(np.random.default_rng(s)) for s in range(30)]
    mine_typo = taught("helpers.augmentation.add_typo")
    for kind in ("swap", "drop", "double", "replace"):
        assert mine_typo("Where did you go?", np.random.default_rng(1), kind=kind) == \
            aug.add_typo("Where did you go?", np.random.default_rng(1), kind=kind)
    assert taught("helpers.augmentation.lower_case")("Tom IS here.") == "tom is here."
    assert taught("helpers.augmentation.names_in")("Mary met Tom.", "Marie a vu Tom.") == \
        aug.names_in("Mary met Tom.", "Marie a vu Tom.")
    assert taught("helpers.augmentation.swap_names")("Tom ran.", "Tom a couru.", {"Tom": "Ada"}) \
        == ("Ada ran.", "Ada a couru.")


def test_the_notebook_drops_the_final_mark_and_renames_like_the_helpers() -> None:
    mine = taught("helpers.augmentation.drop_final_punctuation")
    for text in ("Where are you?", "Go!", "Wait…", "Hi. ", "?", "No"):
        assert mine(text) == aug.drop_final_punctuation(text)
    made_up = taught("helpers.augmentation.made_up_name")
    varied = taught("helpers.augmentation.varied_name")
    assert made_up(np.random.default_rng(2)) == aug.made_up_name(np.random.default_rng(2))
    assert varied(np.random.default_rng(2)) == aug.varied_name(np.random.default_rng(2))
