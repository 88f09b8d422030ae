"""The lookup baseline: the French of the most similar training sentence."""

from __future__ import annotations

import pytest

from helpers.baselines import LookupBaseline, char_ngrams

PAIRS = [("I am cold.", "J'ai froid."), ("I am hungry.", "J'ai faim."),
         ("Open the door.", "Ouvre la porte."), ("Open the door.", "Ouvrez la porte."),
         ("The cat is black.", "Le chat est noir.")]


def test_char_ngrams_pad_and_lower_case() -> None:
    assert char_ngrams("Go") == {" go": 1, "go ": 1}
    with pytest.raises(TypeError):
        char_ngrams(None)


def test_an_exact_sentence_gets_its_first_translation_and_a_near_one_its_neighbour() -> None:
    lookup = LookupBaseline(PAIRS)
    assert lookup.translate(["Open the door.", "I am cold."]) == ["Ouvre la porte.", "J'ai froid."]
    assert lookup.translate(["i am so hungry"]) == ["J'ai faim."]
    assert lookup.translate(["the black cat"]) == ["Le chat est noir."]
    row, similarity = lookup.nearest("I am cold.")
    assert lookup.sources[row] == "I am cold." and similarity == pytest.approx(1.0)
    assert lookup.nearest("ZZZZ")[1] == 0.0


def test_bad_arguments_get_clear_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LookupBaseline([])
    with pytest.raises(TypeError, match="list of sentences"):
        LookupBaseline(PAIRS).translate("I am cold.")
