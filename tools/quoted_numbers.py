"""List the numbers a notebook's prose quotes and which of them no output shows.

    python tools/quoted_numbers.py notebooks/04_inference_loop.ipynb [...]
    python tools/quoted_numbers.py --tag notebooks/*.ipynb   # tag every cell that quotes some

The rule and the check are ``tests/test_prose_numbers.py``: a markdown cell tagged
``quotes-output`` must quote only numbers its notebook's outputs show (or list the others in
its metadata). Run this after a full-profile re-run, fix the sentences it names, and tag new
cells with ``--tag`` (which changes nothing but cell tags).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_prose_numbers import TAG, missing_numbers, quoted_numbers  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--tag", action="store_true", help=f"tag cells that quote numbers {TAG!r}")
    args = parser.parse_args(argv)
    problems = 0
    for path in args.notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if args.tag:
            for cell in nb["cells"]:
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if (cell["cell_type"] == "markdown" and quoted_numbers("".join(cell["source"]))
                        and TAG not in tags):
                    tags.append(TAG)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        missing = missing_numbers(nb)
        problems += len(missing)
        for index, number in missing:
            line = next((ln for ln in "".join(nb["cells"][index]["source"]).splitlines()
                         if number in ln), "")
            print(f"{path.name} cell {index}: {number!r} is in no output: {line.strip()[:100]}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
