"""The numbers the prose quotes are the numbers the committed outputs show.

A markdown cell tagged ``quotes-output`` (JupyterLab: the property inspector's cell tags) says
that its measured numbers come from the outputs of its notebook's full-profile run. Every decimal
number (``19.73``), percentage (``91.1%``), ratio (``501×``) and time (``50 s``) in such a cell
must then appear, digit for digit, in the text outputs of the same notebook; numbers the text
gives for another reason (a setting, a published figure, another notebook's output) are listed
in the cell's metadata ``"quotes-output": {"not-from-output": ["0.5", ...]}``. After every
full-profile re-run this test names each sentence whose number changed;
``tools/quoted_numbers.py`` lists a notebook's numbers and which ones no output holds.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.notebook_tools import ROOT

TAG = "quotes-output"
#: A decimal number (digits, a point, digits), a percentage, a ratio (``501×``) or a time
#: (``50 s``, ``49 seconds``, ``7 min``); thousands commas allowed.
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
                    r"(\s?%|\s?×|\s(?:ms|s|seconds?|min|minutes?)\b)?")


def notebooks() -> list:
    return sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def quoted_numbers(text: str) -> list[str]:
    """The decimal numbers, percentages, ratios and times of ``text`` (without their unit)."""
    text = re.sub(r"`[^`]*`", " ", text)  # code spans name things; they do not quote outputs
    text = re.sub(r"\]\([^)]*\)", "]", text)  # nor do link targets,
    text = re.sub(r"^(#.*|\*\*Run time\*\*.*)$", " ", text, flags=re.MULTILINE)  # headings,
    text = re.sub(r"(?:[Ss]ections?|§)\s*\d+(?:\.\d+)*(?:\s*(?:and|–|-|,)\s*\d+(?:\.\d+)*)*",
                  " ", text)  # section numbers
    text = re.sub(r"\d+(?:\.\d+){2,}", " ", text)  # and addresses or versions (127.0.0.1);
    text = re.sub(r"(?:[Ee]xercises?\s*|\*\*)\d+\.\d+(?:\s*(?:and|–|-|,)\s*\d+\.\d+)*",
                  " ", text)  # nor exercise numbers (Exercise 3.1, **3.1**) and
    text = re.sub(r"\(~\d+ min\)", " ", text)  # the time an exercise tag estimates;
    text = re.sub(r"^\s*⏱.*?\.(?=[ \t]*(?:\n|$))", " ", text,
                  flags=re.MULTILINE | re.DOTALL)  # time notes, to their full stop (however
    # many lines they wrap over): test_time_notes.py checks them
    found = []
    for m in NUMBER.finditer(text):
        whole, fraction, unit = m.groups()
        if fraction or unit:
            found.append(whole + (fraction or ""))
    return found


def output_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown"):
                parts.append("".join(data.get(mime, "")))
    return "\n".join(parts)


def missing_numbers(nb: dict) -> list[tuple[int, str]]:
    """(cell index, number) for every quoted number no output of ``nb`` shows."""
    shown = output_text(nb)
    missing = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown" or TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        allowed = set(cell["metadata"].get(TAG, {}).get("not-from-output", []))
        for number in quoted_numbers("".join(cell["source"])):
            if number in allowed:
                continue
            if not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", shown):
                missing.append((index, number))
    return missing


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_quoted_numbers_are_in_the_outputs(path) -> None:
    missing = missing_numbers(json.loads(path.read_text(encoding="utf-8")))
    assert not missing, (f"{path.name}: prose quotes numbers no output shows (cell, number): "
                         f"{missing}")


def test_every_notebook_marks_the_cells_that_quote_its_outputs() -> None:
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        untagged = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
                    and quoted_numbers("".join(c["source"]))
                    and TAG not in c.get("metadata", {}).get("tags", [])]
        assert not untagged, (f"{path.name}: markdown cells with measured numbers but no "
                              f"{TAG!r} tag: {untagged}")


def test_the_check_sees_a_changed_number() -> None:
    def notebook(prose: str, output: str, **meta) -> dict:
        return {"cells": [
            {"cell_type": "code", "source": [], "outputs": [{"text": [output]}]},
            {"cell_type": "markdown", "source": [prose],
             "metadata": {"tags": [TAG], **({TAG: meta} if meta else {})}}]}

    assert quoted_numbers("chrF 19.73 and 91.1% (1,000 sentences, 5 % of them, `0.25` code)"
                          ) == ["19.73", "91.1", "5"]
    assert quoted_numbers("501× faster, 50 seconds, 7 min, 12 epochs, 2 samples") == [
        "501", "50", "7"]
    assert quoted_numbers("### 5.1 · One-hot\nsection 8.2, sections 5.1–5.3, § 4.2, on 127.0.0.1"
                          ) == []
    assert quoted_numbers("Training.\n⏱ This cell takes about 67 s.\nIt took 67 s.") == ["67"]
    assert quoted_numbers("⏱ It took 120 s here, on 2 cores shared\nwith training (31 s idle).\n"
                          "Then 4.5 s.") == ["4.5"]
    assert not missing_numbers(notebook("exact 91.1% of them", "training  91.1%"))
    assert missing_numbers(notebook("exact 91.2% of them", "training  91.1%")) == [(1, "91.2")]
    assert missing_numbers(notebook("loss 1.10", "loss 1.104")) == [(1, "1.10")]
    assert not missing_numbers(notebook("rate 0.5", "nothing", **{"not-from-output": ["0.5"]}))
