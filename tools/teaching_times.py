"""Write the times of the teacher's guide (docs/teaching.md) from the committed notebooks'
execution records: how long each notebook and its solutions ran, which cells the route runs
live and how long they take, the exercises learners do in class (their time tags, and how long
their worked solutions' cells ran) and the cells never to run live.

    python tools/teaching_times.py          # rewrite the generated parts of docs/teaching.md
    python tools/teaching_times.py --check  # exit 1 if they are not what the records say

Each generated part sits between ``<!-- teaching_times: NAME -->`` and
``<!-- /teaching_times -->``; the prose around them is written by hand and quotes no run time.
``tests/test_teaching_times.py`` runs ``--check``, so the guide cannot drift from a re-run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from time_notes import LIMIT_SECONDS, cell_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
BLOCK = re.compile(r"(<!-- teaching_times: (\w+) -->\n)(.*?)(<!-- /teaching_times -->)", re.S)
EXERCISE_TAG = re.compile(r"Exercise (\d)\.(\d+) (★+) \(~(\d+) min\): ([^\n]+)")


@dataclass(frozen=True)
class Live:
    """Cells the route runs live: every code cell of ``notebook`` from the heading starting
    with ``start`` (None: the first cell) up to the heading starting with ``stop`` (None: the
    end), or only the first ``first`` code cells of that range."""

    notebook: str
    what: str
    start: str | None = None
    stop: str | None = None
    first: int | None = None


#: What the route of docs/teaching.md runs live, in its order.
ROUTE_LIVE: tuple[Live, ...] = (
    Live("01", "every cell (Run → Run All Cells)"),
    Live("03", "setup to § 3 (Run All Above Selected Cell on the § 4 heading)", stop="## 4 "),
    Live("04", "setup to § 2 (Run All Above Selected Cell on the § 3 heading)", stop="## 3 "),
    Live("04", "§ 8, cell by cell", start="## 8 ", stop="## Summary"),
    Live("05", "setup to § 2 (Run All Above Selected Cell on the § 3 heading)", stop="## 3 "),
    Live("05", "§ 4's first two cells", start="## 4 ", stop="## 5 ", first=2),
)

#: The exercises learners do in class, each with the route row it belongs to.
HANDS_ON: tuple[str, ...] = ("1.2", "8.2", "8.4")


def notebook(number: str, solutions: bool = False) -> Path:
    folder = ROOT / "notebooks" / ("solutions" if solutions else "")
    return next(folder.glob(f"{number}_*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def total_seconds(path: Path) -> float:
    """The recorded run time of every code cell of ``path``, summed."""
    return sum(cell_seconds(c) or 0.0 for c in cells(path) if c["cell_type"] == "code")


def _heading_at(all_cells: list[dict], prefix: str) -> int:
    for i, cell in enumerate(all_cells):
        if cell["cell_type"] == "markdown" and any(
                line.startswith(prefix) for line in text(cell).splitlines()):
            return i
    raise ValueError(f"no heading starting with {prefix!r}")


def live_cells(live: Live) -> list[float]:
    """The recorded seconds of each code cell ``live`` runs."""
    all_cells = cells(notebook(live.notebook))
    start = _heading_at(all_cells, live.start) if live.start else 0
    stop = _heading_at(all_cells, live.stop) if live.stop else len(all_cells)
    code = [c for c in all_cells[start:stop] if c["cell_type"] == "code"][:live.first]
    return [cell_seconds(c) or 0.0 for c in code]


def live_seconds(live: Live) -> tuple[int, float]:
    """How many code cells ``live`` runs and their recorded seconds."""
    seconds = live_cells(live)
    return len(seconds), sum(seconds)


def exercise(number: str) -> dict:
    """The exercise's tag (stars, minutes, title) and the recorded seconds of the code cells of
    its worked solution (from its heading to the next markdown cell of the solutions notebook)."""
    chapter = number.split(".")[0].zfill(2)
    tags = [m for c in cells(notebook(chapter)) if c["cell_type"] == "markdown"
            for m in EXERCISE_TAG.finditer(text(c)) if f"{m[1]}.{m[2]}" == number]
    if not tags:
        raise ValueError(f"no exercise {number} with a tag in notebook {chapter}")
    solved = cells(notebook(chapter, solutions=True))
    start = next(i for i, c in enumerate(solved) if c["cell_type"] == "markdown"
                 and f"Exercise {number} " in text(c))
    seconds = 0.0
    for cell in solved[start + 1:]:
        if cell["cell_type"] == "markdown":
            break
        seconds += cell_seconds(cell) or 0.0
    return {"number": number, "stars": tags[0][3], "minutes": int(tags[0][4]),
            "title": tags[0][5].strip(), "solution_seconds": seconds}


def slow_cells(path: Path) -> list[tuple[str, float]]:
    """(the section, seconds) of every code cell of ``path`` over the time-note limit."""
    out, section = [], "setup"
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            heads = [h for h in text(cell).splitlines() if h.startswith("## ")]
            section = heads[-1][3:].split(" · ")[0] if heads else section
        elif (cell_seconds(cell) or 0.0) > LIMIT_SECONDS:
            out.append((section, cell_seconds(cell)))
    return out


def _time(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else (
        f"{seconds:.0f} s" if seconds < 100 else f"{seconds / 60:.1f} min")


def block_live() -> str:
    rows = ["| notebook | run live | code cells | recorded time |", "| --- | --- | --- | --- |"]
    total = 0.0
    for live in ROUTE_LIVE:
        count, seconds = live_seconds(live)
        total += seconds
        rows.append(f"| {live.notebook} | {live.what} | {count} | {_time(seconds)} |")
    rows.append(f"| **all** | | | **{_time(total)}** |")
    return "\n".join(rows)


def block_hands_on() -> str:
    rows = ["| exercise | difficulty | learners' time (its tag) "
            "| its worked solution's cells ran |", "| --- | --- | --- | --- |"]
    found = [exercise(n) for n in HANDS_ON]
    for e in found:
        rows.append(f"| {e['number']} *{e['title']}* | {e['stars']} | {e['minutes']} min | "
                    f"{_time(e['solution_seconds'])} |")
    rows.append(f"| **all** | | **{sum(e['minutes'] for e in found)} min** | |")
    return "\n".join(rows)


def block_run_times() -> str:
    rows = ["| notebook | its cells, full profile | its solutions' cells |",
            "| --- | --- | --- |"]
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    both = [(total_seconds(p), total_seconds(notebook(p.name[:2], solutions=True)))
            for p in notebooks]
    for path, (own, solved) in zip(notebooks, both, strict=True):
        title = path.stem[3:].replace("_", " ").capitalize()
        rows.append(f"| {path.name[:2]} {title} | {_time(own)} | {_time(solved)} |")
    rows.append(f"| **all** | **{_time(sum(b[0] for b in both))}** | "
                f"**{_time(sum(b[1] for b in both))}** |")
    return "\n".join(rows)


def block_never_live() -> str:
    rows = ["| notebook | section | recorded time |", "| --- | --- | --- |"]
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for section, seconds in slow_cells(path):
            rows.append(f"| {path.name[:2]} | § {section} | {_time(seconds)} |")
    return "\n".join(rows)


BLOCKS = {"live": block_live, "hands_on": block_hands_on, "run_times": block_run_times,
          "never_live": block_never_live}


def render(guide: str) -> str:
    """``guide`` with every generated part made anew."""
    def fill(match: re.Match) -> str:
        return f"{match[1]}{BLOCKS[match[2]]()}\n{match[4]}"

    names = [m[2] for m in BLOCK.finditer(guide)]
    if sorted(names) != sorted(BLOCKS):
        raise ValueError(f"docs/teaching.md must hold each generated part once: {sorted(BLOCKS)}"
                         f", not {names}")
    return BLOCK.sub(fill, guide)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    guide = GUIDE.read_text(encoding="utf-8")
    made = render(guide)
    if args.check:
        if made != guide:
            print("docs/teaching.md's times differ from the execution records: "
                  "run python tools/teaching_times.py")
            return 1
        return 0
    GUIDE.write_text(made, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
