"""Committed notebooks: executed top to bottom in the full profile, no errors, house style."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.notebook_tools import ROOT, all_notebooks, course_notebooks, load

MAX_BYTES = 2_000_000


def test_there_are_notebooks() -> None:
    assert course_notebooks()


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_executed_in_order_without_errors(path) -> None:
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert None not in counts, f"{path.name}: cells never executed (run `make notebooks`)"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom: {counts}"
    errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name}: {len(errors)} error output(s) committed"
    stderr = "".join("".join(o.get("text", "")) for c in code for o in c.get("outputs", [])
                     if o.get("name") == "stderr")
    assert "Traceback" not in stderr, f"{path.name}: a traceback on stderr"
    assert path.stat().st_size <= MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_committed_outputs_are_from_the_full_profile(path) -> None:
    """The setup cell's own output (``profiles.describe()``) says the full profile, and no
    output anywhere says the quick one."""
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    setup = [c for c in cells if "profiles.describe()" in "".join(c["source"])]
    assert len(setup) == 1, f"{path.name}: one setup cell prints profiles.describe()"
    said = "".join("".join(o.get("text", "")) for o in setup[0].get("outputs", []))
    assert re.search(r"^profile: full\b", said, re.MULTILINE), (
        f"{path.name}: the setup cell's output is not from a full-profile run")
    everything = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    assert "profile: quick" not in everything, f"{path.name}: quick-profile output committed"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_house_style(path) -> None:
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "seq2seq-course"
    cells = nb["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {path.name[:2]}")
    assert "colab.research.google.com/github/" in first and path.name in first, "Colab badge"
    assert re.search(r"full profile ≈ .+quick profile ≈ ", first), "run time per profile"
    sources = ["".join(c["source"]) for c in cells]
    assert any("profiles.pick(" in s for s in sources), "no config cell reads the profile"
    if path.parent.name != "solutions":
        markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert re.search(r"^## Summary", markdown, re.MULTILINE), "no Summary section"
        assert re.search(r"^#+ Exercise \d", markdown, re.MULTILINE), "no exercise heading"
        solution = ROOT / "notebooks" / "solutions" / f"{path.stem}_solutions.ipynb"
        assert solution.is_file(), f"no solutions notebook {solution.name}"


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_corpus_is_not_committed() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert not re.search(r"(^|/)(fra\.txt|fra-eng\.zip|_about\.txt)$", files, re.MULTILINE)
