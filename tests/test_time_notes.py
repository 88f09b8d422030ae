"""Every cell that ran longer than 30 s in a committed full-profile run is announced by the
markdown before it with its measured time (a line starting with ⏱), read from the notebook's own
execution records; ``tools/time_notes.py`` lists what to write after a re-run."""

from __future__ import annotations

import json

import pytest

from tools import time_notes


@pytest.mark.parametrize("path", time_notes.notebooks(), ids=lambda p: p.name)
def test_every_slow_cell_is_announced_with_its_time(path) -> None:
    missing = [(c["index"], round(c["seconds"])) for c in time_notes.slow_cells(path)
               if not c["ok"]]
    assert not missing, (f"{path.name}: cells over {time_notes.LIMIT_SECONDS:g} s without a ⏱ "
                         f"note of their time in the markdown before them (cell, seconds): "
                         f"{missing}; see python tools/time_notes.py")


def _notebook(tmp_path, note: str, seconds: float):
    stamp = "2026-12-01T10:00:{:02d}.000000Z"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [note]},
             {"cell_type": "code", "source": ["train()"], "outputs": [], "metadata": {
                 "execution": {"iopub.execute_input": stamp.format(0),
                               "shell.execute_reply": stamp.format(int(seconds))}}}]
    path = tmp_path / "09_x.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    return path


def test_the_check_reads_the_records_and_the_note(tmp_path) -> None:
    assert time_notes.slow_cells(_notebook(tmp_path, "Training.", 20)) == []
    [cell] = time_notes.slow_cells(_notebook(tmp_path, "Training.", 45))
    assert cell["seconds"] == 45 and not cell["ok"]
    assert time_notes.slow_cells(_notebook(tmp_path, time_notes.time_note(45), 45))[0]["ok"]
    assert time_notes.slow_cells(_notebook(tmp_path, "⏱ about 1 min.", 50))[0]["ok"]
    assert not time_notes.slow_cells(_notebook(tmp_path, "⏱ about 5 s.", 50))[0]["ok"]
    assert not time_notes.slow_cells(_notebook(tmp_path, "It takes about 50 s.", 50))[0]["ok"]
