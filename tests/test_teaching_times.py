"""The teacher's guide's times are the committed notebooks' execution records (issue 21)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import teaching_times  # noqa: E402


def test_the_guide_quotes_the_execution_records() -> None:
    assert teaching_times.main(["--check"]) == 0


def test_a_changed_record_is_caught(tmp_path, monkeypatch) -> None:
    guide = teaching_times.GUIDE.read_text(encoding="utf-8")
    stale = re.sub(r"\| 01 \| every cell \(Run → Run All Cells\) \| (\d+) \| [^|]+\|",
                   r"| 01 | every cell (Run → Run All Cells) | \1 | 3.0 min |", guide)
    assert stale != guide
    copy = tmp_path / "teaching.md"
    copy.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(teaching_times, "GUIDE", copy)
    assert teaching_times.main(["--check"]) == 1
    assert teaching_times.main([]) == 0 and copy.read_text(encoding="utf-8") == guide


def test_the_route_is_90_minutes_with_20_or_more_of_self_checked_exercises() -> None:
    guide = teaching_times.GUIDE.read_text(encoding="utf-8")
    route = guide[guide.index("## The 90-minute route"):guide.index("## Cells to run live")]
    rows = re.findall(r"^\| (\d+)–(\d+) \((\d+)\) \| ([^|]+)\|", route, re.M)
    assert sum(int(m) for *_, m, _ in rows) == 90
    assert all(int(b) - int(a) == int(m) for a, b, m, _ in rows)
    assert [int(a) for a, *_ in rows] == [0] + [int(b) for _, b, *_ in rows[:-1]]
    hands_on = [(int(m), part) for *_, m, part in rows if "hands-on" in part]
    assert sum(m for m, _ in hands_on) >= 20
    # every exercise of the hands-on rows is one the script times, and it answers back
    named = {n for _, part in hands_on for n in re.findall(r"\d\.\d", part)}
    assert named == set(teaching_times.HANDS_ON)
    found = [teaching_times.exercise(n) for n in teaching_times.HANDS_ON]
    assert sum(e["minutes"] for e in found) <= sum(m for m, _ in hands_on)
    assert all(e["solution_seconds"] < 30 for e in found)


@pytest.mark.parametrize("live", teaching_times.ROUTE_LIVE, ids=lambda live: live.what[:30])
def test_every_cell_run_live_is_short(live) -> None:
    seconds = teaching_times.live_cells(live)
    assert seconds and max(seconds) < teaching_times.LIMIT_SECONDS
