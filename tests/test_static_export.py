"""A notebook read where widgets do not run shows each widget's static copy (issue 21, item 6).

``jupyter nbconvert --to html`` (what nbviewer shows) renders a widget output as its live view
(an empty ``<script>`` placeholder, drawn later by JavaScript from a CDN) when the notebook saves
the widget's state, and as the output's ``text/html`` (the static copy
``helpers.widgets`` puts beside the live view) when it does not. So the committed notebooks
carry no widget state: ``make setup`` turns nbconvert's ``ExecutePreprocessor.store_widget_state``
off in the course's environment (see the Makefile).

Every notebook, course and solutions, is converted to HTML here, offline, and each widget output's
static text must be in the page's visible text.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.notebook_tools import ROOT, all_notebooks, load

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
JUPYTER = Path(sys.executable).parent / "jupyter"
PLAYGROUND = ROOT / "notebooks" / "08_translation_playground.ipynb"


class _VisibleText(HTMLParser):
    """The text a reader sees: everything outside <script>, <style> and <head>."""

    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """``markup``'s visible text, white space collapsed."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\s+", " ", html.unescape(" ".join(parser.parts))).strip()


def widget_outputs(notebook: dict) -> list[tuple[int, dict]]:
    """(cell index, output data) of every widget output of ``notebook``."""
    return [(i, out["data"]) for i, cell in enumerate(notebook["cells"])
            for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]


def static_lines(data: dict) -> list[str]:
    """The lines of text of a widget output's static copy (its ``text/html``)."""
    markup = data.get("text/html", "")
    markup = "".join(markup) if isinstance(markup, list) else markup
    text = re.sub(r"<(br|/p|/div|/tr|/td|/th)\b[^>]*>", "\n", markup)
    lines = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", line))).strip()
             for line in text.splitlines()]
    return [line for line in lines if line]


@cache
def exported(path: Path) -> str:
    """``path`` converted as ``jupyter nbconvert --to html`` converts it (the lab template)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_filename(str(path))
    return body


@pytest.mark.slow  # runs nbconvert on every notebook
@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_the_html_export_shows_every_widgets_static_copy(path) -> None:
    notebook = load(path)
    page = exported(path)
    shown = visible_text(page)
    assert shown, f"{path.name}: the export shows no text"
    saved = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for index, data in widget_outputs(notebook):
        lines = static_lines(data)
        assert lines, f"{path.name}, cell {index}: a widget output without a static copy"
        assert data[WIDGET_VIEW]["model_id"] not in saved, (
            f"{path.name}, cell {index}: the notebook saves this widget's state, so an HTML export "
            "shows an empty widget view instead of its static copy. Re-run it with `make "
            "notebooks` (or nbconvert with --ExecutePreprocessor.store_widget_state=False), or "
            "delete metadata['widgets'] from the notebook")
        missing = [line for line in lines if re.sub(r"\s+", " ", line) not in shown]
        assert not missing, (f"{path.name}, cell {index}: the HTML export does not show the "
                             f"widget's static copy; missing: {missing[:3]}")
    assert f'<script type="{WIDGET_VIEW}">' not in page, (
        f"{path.name}: the export holds an empty widget view")


@pytest.mark.slow  # runs nbconvert
def test_the_playground_exports_its_menu_translator_and_step_through() -> None:
    """Notebook 08 itself, through the ``jupyter nbconvert --to html`` command (offline)."""
    notebook = load(PLAYGROUND)
    assert len(widget_outputs(notebook)) == 3  # the menu of models, the translator, the steps
    result = subprocess.run([str(JUPYTER), "nbconvert", "--to", "html", "--stdout",
                             str(PLAYGROUND)], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    shown = visible_text(result.stdout)
    for _, data in widget_outputs(notebook):
        for line in static_lines(data):
            assert line in shown, f"not in the exported page: {line!r}"
    assert "A static copy of the widget as it was when this cell ran" in shown
    assert "French: Aide-moi." in shown or "French:" in shown


@pytest.mark.slow  # runs nbconvert
def test_executing_a_notebook_saves_no_widget_state(tmp_path) -> None:
    """``jupyter nbconvert --execute`` in the course's environment (what ``make notebooks`` and a
    re-run by hand use) leaves the widgets' state out of the notebook."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets\nipywidgets.IntSlider(value=3)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "widget.ipynb"
    nbformat.write(notebook, path)
    result = subprocess.run([str(JUPYTER), "nbconvert", "--to", "notebook", "--execute",
                             "--inplace", "--ExecutePreprocessor.kernel_name=python3", str(path)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    ran = json.loads(path.read_text(encoding="utf-8"))
    assert WIDGET_VIEW in ran["cells"][0]["outputs"][0]["data"]  # the widget was displayed …
    assert "widgets" not in ran["metadata"], (  # … and its state not saved
        "nbconvert saved the widget state: run `make setup` (it writes "
        f"{Path(sys.prefix) / 'etc' / 'jupyter' / 'jupyter_nbconvert_config.json'})")


def test_a_saved_widget_state_would_hide_the_static_copy(tmp_path) -> None:
    """The check can fail: the same notebook 08 with its widgets' state saved exports empty
    widget views."""
    notebook = load(PLAYGROUND)
    state = {data[WIDGET_VIEW]["model_id"]: {
        "model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls",
        "model_module_version": "2.0.0", "state": {}} for _, data in widget_outputs(notebook)}
    notebook["metadata"]["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2,
                                                      "version_minor": 0}}
    path = tmp_path / PLAYGROUND.name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    page = exported(path)
    assert f'<script type="{WIDGET_VIEW}">' in page
    first = static_lines(widget_outputs(notebook)[0][1])
    assert not all(line in visible_text(page) for line in first)
