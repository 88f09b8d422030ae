"""Notebook 08 in JupyterLab, in a real browser: open it, run all cells, use the translator."""

from __future__ import annotations

import pytest

from tests.browser.conftest import APP_READY_MS, ARTIFACTS, NOTEBOOK, new_page

pytestmark = pytest.mark.browser

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === "idle";
}"""
ALL_CELLS_RUN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(c => c.model.type === "code");
  return panel.sessionContext.session.kernel.status === "idle"
    && cells.every(c => c.model.executionCount !== null);
}"""


@pytest.fixture
def lab_page(browser, lab_url):
    page = new_page(browser)
    yield page
    page.context.close()


def test_run_all_cells_renders_a_working_translator(lab_page, lab_url, pretrained,
                                                    everyday_sentence) -> None:
    from helpers import translation
    from helpers.widgets import DEFAULT_MODE

    page = lab_page
    base = lab_url.removesuffix("api/status")
    page.goto(f"{base}lab/tree/{NOTEBOOK.name}", wait_until="domcontentloaded", timeout=60_000)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    box = page.locator(".jp-NotebookPanel .s2s-translator-input input")
    box.wait_for(state="visible", timeout=APP_READY_MS)
    page.wait_for_function(ALL_CELLS_RUN, timeout=APP_READY_MS)
    errors = page.locator(".jp-NotebookPanel [data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_text_contents()
    assert page.locator(".jp-NotebookPanel .s2s-steps .s2s-candidate").count() == 5
    # a widget's output carries a static copy (text/html) too, but JupyterLab shows the widget
    assert page.locator(".jp-OutputArea-child:has(.s2s-widget) .s2s-static").count() == 0
    expected = translation.translate(pretrained, everyday_sentence, mode=DEFAULT_MODE).text
    box.fill(everyday_sentence)
    box.press("Enter")
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent === text",
        arg=[".jp-NotebookPanel .s2s-translator .s2s-translation", expected], timeout=30_000)
    assert "Traceback" not in page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # the widgets as a notebook shows them
    for name, selector in (("translator", ".s2s-translator"), ("step_through", ".s2s-steps")):
        page.locator(f".jp-NotebookPanel {selector}").screenshot(
            path=str(ARTIFACTS / f"lab_{name}.png"))
