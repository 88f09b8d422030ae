"""Write, under each notebook's setup cell, where the helpers it uses without writing them come
from: each one linked to the notebook that writes it out, or to its source file.

    python tools/helper_links.py          # write (or rewrite) that cell in every notebook
    python tools/helper_links.py --check  # exit 1 if a notebook's cell is missing or stale

The cell is a markdown cell tagged ``helpers-used``, right after the code cell that prints
``profiles.describe()``. ``tests/test_helper_links.py`` runs ``--check``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.notebook_tools import (  # noqa: E402
    all_notebooks,
    helpers_used,
    taught_map,
)

TAG = "helpers-used"
#: Helpers every notebook uses for its own plumbing, named once and not per function.
PLUMBING = {"helpers.profiles", "helpers.figures"}


def _module_of(dotted: str) -> str:
    """``helpers.decoding.greedy_decode`` → ``helpers.decoding``; a module stays itself."""
    parts = dotted.split(".")
    return ".".join(parts[:2])


def lines_for(path: Path) -> list[str]:
    """The cell's text for ``path``: one bullet per helpers module, its functions and classes
    each linked to the notebook that writes it out (if one does), the module to its source."""
    up = "../../" if path.parent.name == "solutions" else "../"
    teachers = taught_map()
    by_module: dict[str, set[str]] = {}
    for dotted in helpers_used(path):
        module = _module_of(dotted)
        name = dotted[len(module) + 1:].split(".")[0]
        by_module.setdefault(module, set())
        if name and module not in PLUMBING and not module.startswith("helpers.exercises"):
            by_module[module].add(name)
    out = ["**Helpers used here without being written here.** Each is linked to the notebook that "
           "writes it out, and each module to its source:", ""]
    for module in sorted(by_module):
        file = module.replace(".", "/") + ".py"
        if not (ROOT / file).is_file():
            file = module.replace(".", "/") + "/__init__.py"
        names = []
        for name in sorted(by_module[module]):
            teacher = teachers.get(f"{module}.{name}")
            if teacher is None:
                names.append(f"`{name}`")
            elif teacher != path:
                rel = f"../{teacher.name}" if path.parent.name == "solutions" else teacher.name
                names.append(f"[`{name}`]({rel}) (notebook {teacher.name[:2]})")
        listed = f": {', '.join(names)}" if names else ""
        out.append(f"- [`{module}`]({up}{file}){listed}")
    return out


def _cell(lines: list[str]) -> dict:
    return {"cell_type": "markdown", "id": "helpers-used", "metadata": {"tags": [TAG]},
            "source": [line + "\n" for line in lines[:-1]] + lines[-1:]}


def updated(path: Path) -> tuple[dict, bool]:
    """The notebook with its helpers cell written, and whether that changed it."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    setup = next(i for i, c in enumerate(cells)
                 if c["cell_type"] == "code" and "profiles.describe()" in "".join(c["source"]))
    lines = lines_for(path)
    new = cells[:setup + 1] + ([_cell(lines)] if len(lines) > 2 else []) + cells[setup + 1:]
    changed = new != nb["cells"]
    nb["cells"] = new
    return nb, changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for path in all_notebooks():
        nb, changed = updated(path)
        if changed:
            stale.append(path.name)
            if not args.check:
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    if args.check and stale:
        print(f"helpers cells missing or stale in {', '.join(stale)}: "
              "run python tools/helper_links.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
