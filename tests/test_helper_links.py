"""Every helper a notebook uses without writing it is linked to its source or to the notebook
that writes it out (issue 21), in a cell that tools/helper_links.py keeps current."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.notebook_tools import ROOT, all_notebooks, helpers_used

sys.path.insert(0, str(ROOT / "tools"))
import helper_links  # noqa: E402


def test_every_notebook_has_its_current_helpers_cell() -> None:
    assert helper_links.main(["--check"]) == 0


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_every_module_used_is_linked_to_a_file_that_exists(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    linked = [c for c in cells if helper_links.TAG in c["metadata"].get("tags", [])]
    modules = {".".join(d.split(".")[:2]) for d in helpers_used(path)}
    if not modules:
        assert not linked
        return
    text = "".join(linked[0]["source"])
    for module in modules:
        assert f"[`{module}`](" in text, f"{path.name} uses {module} without a link"
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert (path.parent / target).resolve().is_file(), f"{path.name}: broken link {target}"


def test_a_new_helper_use_makes_the_cell_stale(tmp_path, monkeypatch) -> None:
    source = ROOT / "notebooks" / "01_data_encoding.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "id": "x", "metadata": {}, "execution_count": None,
                        "outputs": [], "source": ["from helpers.decoding import beam_search\n"]})
    copy = tmp_path / "notebooks" / source.name
    copy.parent.mkdir()
    copy.write_text(json.dumps(nb), encoding="utf-8")
    assert helper_links.updated(copy)[1]
    assert "`beam_search`" in "".join(helper_links.updated(copy)[0]["cells"][
        next(i for i, c in enumerate(helper_links.updated(copy)[0]["cells"])
             if helper_links.TAG in c["metadata"].get("tags", []))]["source"])
