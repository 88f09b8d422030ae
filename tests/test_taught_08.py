"""Notebook 08 writes out the repair of typos and names (``helpers.typing_repair``). Each taught
name must be the same code as the helper's (compared as syntax trees, docstrings included) and
give the same answers."""

from __future__ import annotations

import pytest

from helpers import typing_repair
from tests.notebook_tools import assert_same_code, sees_a_change, taught

HELPERS = {
    "helpers.typing_repair.one_edit_away": typing_repair.one_edit_away,
    "helpers.typing_repair.correction": typing_repair.correction,
    "helpers.typing_repair.Repaired": typing_repair.Repaired,
    "helpers.typing_repair.repair": typing_repair.repair,
    "helpers.typing_repair.restore_names": typing_repair.restore_names,
}
COUNTS = {"say": 40, "to": 30000, "tom": 12000, "is": 40000, "here": 3000, "armed": 30,
          "my": 8000, "name": 300}


@pytest.mark.parametrize("dotted", sorted(HELPERS))
def test_notebook_code_is_the_helpers_code(dotted) -> None:
    assert_same_code(dotted, HELPERS[dotted])


def test_the_code_comparison_sees_a_one_character_change() -> None:
    assert sees_a_change("helpers.typing_repair.correction", typing_repair.correction,
                         "found)[2]", "found)[1]")


@pytest.mark.parametrize("text", ["Tmo is here.", "My name is Ahmed.", "my name is sya",
                                  "Ahmed, Priya, Kofi and Femi.", "?!", "Zoé is here, Zoé."])
def test_the_notebooks_repair_gives_the_helpers_answers(text) -> None:
    mine = taught("helpers.typing_repair.repair")(text, COUNTS)
    theirs = typing_repair.repair(text, COUNTS)
    assert (mine.text, mine.corrected, mine.names) == (theirs.text, theirs.corrected,
                                                       theirs.names)
    restore = taught("helpers.typing_repair.restore_names")
    assert restore("Tom est là.", theirs.names) == typing_repair.restore_names(
        "Tom est là.", theirs.names)
    assert taught("helpers.typing_repair.one_edit_away")("sya") == typing_repair.one_edit_away(
        "sya")
    assert taught("helpers.typing_repair.correction")("Tmo", COUNTS) == "Tom"
    assert isinstance(mine, taught("helpers.typing_repair.Repaired"))
