"""List the cells of the committed notebooks that ran longer than 30 s (their execution records),
with the time note the markdown cell before each gives, if any.

    python tools/time_notes.py            # every notebook and solution
    python tools/time_notes.py --missing  # only cells without a matching note

``tests/test_time_notes.py`` fails while a cell over 30 s has no note, or a note that is off
by more than half; run this after a full-profile re-run to see what to write.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 30.0
#: A time note is a line of the markdown cell before a slow cell that starts with ⏱ and says
#: how long the cell took in the committed full-profile run: "⏱ This cell takes about 67 s …".
NOTE_LINE = re.compile(r"^\s*⏱.*$", re.MULTILINE)
TIME = re.compile(r"(\d+(?:\.\d+)?)\s*(s\b|seconds?|min\b|minutes?)")


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def cell_seconds(cell: dict) -> float | None:
    """How long a code cell ran in the committed run (its execution record), or None."""
    record = cell.get("metadata", {}).get("execution", {})
    start, end = record.get("iopub.execute_input"), record.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def noted_seconds(markdown: str) -> list[float]:
    """Every time the ⏱ lines of a markdown cell announce, in seconds."""
    return [float(n) * (60 if unit.startswith("m") else 1)
            for line in NOTE_LINE.findall(markdown) for n, unit in TIME.findall(line)]


def time_note(seconds: float) -> str:
    """The note for a cell that took ``seconds``."""
    return f"⏱ This cell takes about {seconds:.0f} s in the full profile (2 CPU cores)."


def slow_cells(path: Path) -> list[dict]:
    """``{index, seconds, note, ok}`` for each code cell over the limit: ``note`` is the
    markdown cell just before it (the nearest above), ``ok`` whether it announces a time
    within half of the measured one."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        seconds = cell_seconds(cell)
        if seconds is None or seconds <= LIMIT_SECONDS:
            continue
        before = next((c for c in reversed(cells[:i]) if c["cell_type"] == "markdown"), None)
        note = "".join(before["source"]) if before else ""
        ok = any(seconds / 1.5 <= t <= seconds * 1.5 for t in noted_seconds(note))
        out.append({"index": i, "seconds": seconds, "note": note, "ok": ok})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--missing", action="store_true")
    args = parser.parse_args()
    for path in notebooks():
        for cell in slow_cells(path):
            if args.missing and cell["ok"]:
                continue
            print(f"{path.relative_to(ROOT)} cell {cell['index']}: {cell['seconds']:.0f} s; "
                  f"note {'ok' if cell['ok'] else 'MISSING'}: {noted_seconds(cell['note'])}")


if __name__ == "__main__":
    main()
