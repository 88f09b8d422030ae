"""The classroom app (notebook 08 served by Voilà, as ``make app`` does) in a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from helpers.widgets import DEFAULT_MODE, MODES
from tests.browser.conftest import (
    APP_READY_MS,
    ARTIFACTS,
    NOTEBOOK,
    QUICK_UNCLAIMED,
    ROOT,
    SERVER_LOGS,
    app_cull_idle_seconds,
    app_flag,
    free_port,
    kernels_of,
    make_app_command,
    new_page,
    serve,
)

pytestmark = pytest.mark.browser

TRANSLATOR = ".s2s-translator"
INPUT = ".s2s-translator-input input"
TRANSLATION = f"{TRANSLATOR} .s2s-translation"
NOTES = f"{TRANSLATOR} .s2s-notes"
STEPS = ".s2s-steps"
MODEL_MENU = ".s2s-model-menu"
#: What the widgets show before anything else on the page: the menu of models (its label), then
#: the translator's title, or the step-through's.
FIRST_WORDS = ("Model", "English → French", "The decoder, step by step")
ATTENTION = f"{TRANSLATOR} .s2s-attention"
SCREENSHOT_MAX_BYTES = 250_000
HEALTH_CHECK = "voila/templates/s2s-playground/static/health.txt"  # named in the Makefile
SCREENSHOT_MAX_HEIGHT = 2400


#: Runs in the app's page from its first script on: records the page's visible text (and visible
#: images) at every change of the DOM and every animation frame, until the step-through shows
#: its bars; ``window.__s2sFrames`` is the list of distinct states seen.
RECORD_WHAT_IS_PAINTED = """
(() => {
  const frames = window.__s2sFrames = [];
  const seen = new Set();
  let done = false;
  function record() {
    if (done || !document.body) return;
    const text = document.body.innerText || "";
    const images = [...document.images].filter(img => {
      const box = img.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(img).visibility === "visible";
    }).map(img => img.alt || img.src);
    const key = text + "\\u0000" + images.join("\\u0000");
    if (!seen.has(key)) {
      seen.add(key);
      frames.push({ms: Math.round(performance.now()), text: text.slice(0, 4000), images});
    }
    if (document.querySelector(".s2s-steps .s2s-candidate")) { done = true; observer.disconnect(); }
  }
  const observer = new MutationObserver(record);
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true});
  (function frame() { record(); if (!done) requestAnimationFrame(frame); })();
})();
"""


@pytest.fixture(scope="module")
def app_page(browser, voila_url):
    """One Voilà page for the module (each page load starts a kernel and runs notebook 08),
    recording what it shows while it loads (:data:`RECORD_WHAT_IS_PAINTED`)."""
    page = new_page(browser)
    page.add_init_script(RECORD_WHAT_IS_PAINTED)
    try:
        page.goto(voila_url, wait_until="domcontentloaded", timeout=60_000)
        page.locator(INPUT).wait_for(state="visible", timeout=APP_READY_MS)
        page.locator(f"{STEPS} .s2s-candidate").first.wait_for(state="visible", timeout=60_000)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "voila_app_did_not_load.png"), full_page=True)
        raise
    yield page
    page.context.close()


def translate_in_page(page, text: str) -> None:
    box = page.locator(INPUT)
    box.fill(text)
    box.press("Enter")


def wait_for_translation(page, expected: str, timeout: int = 30_000) -> None:
    """Wait until the shown French is exactly ``expected`` (text nodes, no whitespace folding)."""
    page.wait_for_function(
        "([selector, expected]) => { const el = document.querySelector(selector);"
        " return el !== null && el.textContent === expected; }",
        arg=[TRANSLATION, expected], timeout=timeout)


def wait_for_step(page, source: str, step: int, timeout: int = 30_000) -> None:
    """Wait until the step-through decoder shows step ``step`` (1-based) of ``source``."""
    page.wait_for_function(
        "([sel, source, step]) => { const el = document.querySelector(sel);"
        " return el !== null && el.dataset.source === source && el.dataset.step === step; }",
        arg=[f"{STEPS} .s2s-chosen-line", source, str(step)], timeout=timeout)


def wait_for_attention_map(page, columns: list[str], rows: int, timeout: int = 30_000) -> None:
    """Wait until the translator's attention map has ``columns`` (the tokens the model reads the
    English in: :func:`read_tokens`) as its columns and ``rows`` rows."""
    page.wait_for_function(
        "([sel, columns, rows]) => { const map = document.querySelector(sel);"
        " if (map === null) return false;"
        " const heads = [...map.querySelectorAll('.s2s-att-head')].map(h => h.dataset.char);"
        " return JSON.stringify(heads) === JSON.stringify(columns)"
        "   && map.querySelectorAll('.s2s-att-row').length === rows; }",
        arg=[ATTENTION, columns, rows], timeout=timeout)


@dataclass
class Written:
    """What the translator shows of ``model``'s translation of a sentence: its ``text``, the
    ``tokens`` the model wrote as the widgets split them (``(space before, token)`` pairs, one
    for each ``.s2s-char`` span: characters, words, or the pieces its decoder wrote, as
    ``model.architecture.tokens`` says), their ``labels`` (as an axis of the attention map
    shows them: ␣ a space, a piece with its ▁), whether the model ended the sentence, and
    ``writer``: the model the widget translates with (its attention map is of those tokens)."""

    text: str
    tokens: list[tuple[str, str]]
    labels: list[str]
    finished: bool
    writer: Any


def written(model, sentence: str, mode: str = DEFAULT_MODE) -> Written:
    """:class:`Written` of ``model``'s translation of ``sentence`` with ``mode``, as the
    translator makes it (a subword model's tokens are the pieces its decoder wrote, read from
    the translation's ids, not its text cut again: ``helpers.translation.tokens_written``)."""
    from helpers import translation
    from helpers.widget_html import _labels_of, _tokens_of

    level = model.architecture.tokens
    assert level in ("characters", "words", "subwords"), level
    out = translation.translate(model, sentence, mode=mode)
    split = {"words": model.target_vocab if level == "words" else False,
             "subwords": model.target_vocab if level == "subwords" else None}
    tokens = _tokens_of(out.text, **split)
    if level == "characters":
        assert tokens == [("", ch) for ch in out.text]
    return Written(out.text, tokens, _labels_of(out.text, **split), out.finished, model)


def read_tokens(model, sentence: str) -> list[str]:
    """The tokens ``model`` reads ``sentence`` in (an attention map's columns, the
    step-through's shaded English): its characters, or the pieces its tokenizer cuts it into
    (``model.architecture.tokens``), each with its space (a piece's ``▁``)."""
    if model.architecture.tokens == "subwords":
        return model.input_vocab.pieces(sentence)
    return list(sentence)


def source_texts(model, sentence: str) -> list[str]:
    """The text of each token ``model`` reads ``sentence`` in (:func:`read_tokens`): the
    step-through's English spans, which join to the sentence."""
    texts = [token.replace("▁", " ") for token in read_tokens(model, sentence)]
    if texts:
        texts[0] = texts[0].removeprefix(" ")
    assert "".join(texts) == sentence
    return texts


def shown_translation(page) -> str:
    return page.locator(TRANSLATION).text_content() or ""


def assert_no_traceback(page) -> None:
    content = page.content()
    assert "Traceback" not in content
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0


def test_typing_an_everyday_sentence_shows_the_models_translation(app_page, pretrained,
                                                                   everyday_sentence) -> None:
    """The translation, shaded token by token: one span for each token the model wrote (each
    character, or each subword piece with its space)."""
    expected = written(pretrained, everyday_sentence)
    assert expected.text and expected.tokens
    translate_in_page(app_page, everyday_sentence)
    wait_for_translation(app_page, expected.text)
    assert app_page.locator(f"{TRANSLATOR} .s2s-mode-label").get_attribute("data-mode") \
        == DEFAULT_MODE
    spans = app_page.locator(f"{TRANSLATION} .s2s-char")
    assert spans.count() == len(expected.tokens)
    assert spans.all_text_contents() == [token for _, token in expected.tokens]
    assert app_page.locator(f"{TRANSLATOR} .s2s-result .s2s-legend").is_visible()
    assert_no_traceback(app_page)


def test_typing_without_enter_translates_after_a_pause(app_page, pretrained,
                                                       everyday_sentence) -> None:
    from helpers import translation

    translate_in_page(app_page, "")
    app_page.locator(INPUT).press_sequentially(everyday_sentence, delay=30)
    wait_for_translation(app_page, translation.translate(pretrained, everyday_sentence,
                                                      mode=DEFAULT_MODE).text)


def test_beam_search_and_sampling(app_page, pretrained, everyday_sentence) -> None:
    from helpers import translation

    translate_in_page(app_page, everyday_sentence)
    status = app_page.locator(f"{TRANSLATOR} .s2s-status")
    app_page.locator(".s2s-mode button", has_text="Beam search").click()
    app_page.locator(f"{TRANSLATOR} .s2s-mode-label[data-mode='beam']").wait_for()
    assert app_page.locator(".s2s-beam-width").is_visible()
    wait_for_translation(app_page, translation.translate(pretrained, everyday_sentence,
                                                      mode="beam", beam_width=4).text)
    app_page.locator(".s2s-mode button", has_text="Sampling").click()
    app_page.locator(f"{TRANSLATOR} .s2s-mode-label[data-mode='sample']").wait_for()
    assert app_page.locator(".s2s-temperature").is_visible()
    assert not app_page.locator(".s2s-beam-width").is_visible()
    assert "temperature 1.0" in (status.text_content() or "")
    assert shown_translation(app_page).strip()
    app_page.locator(".s2s-mode button", has_text="Greedy").click()
    app_page.locator(f"{TRANSLATOR} .s2s-mode-label[data-mode='greedy']").wait_for()
    assert_no_traceback(app_page)
    label = next(label for label, mode in MODES if mode == DEFAULT_MODE)
    app_page.locator(".s2s-mode button", has_text=label).click()  # as the page started
    app_page.locator(f"{TRANSLATOR} .s2s-mode-label[data-mode='{DEFAULT_MODE}']").wait_for()


def test_step_through_decoder_advances_with_five_candidates(app_page, pretrained,
                                                            everyday_sentence) -> None:
    """A step for each token greedy decoding writes (a character, or a subword piece) and one
    for the stop token."""
    expected = written(pretrained, everyday_sentence, mode="greedy")
    assert len(expected.tokens) >= 2
    box = app_page.locator(".s2s-steps-input input")
    box.fill(everyday_sentence)
    box.press("Enter")
    position = app_page.locator(f"{STEPS} .s2s-position")
    total = len(expected.tokens) + (1 if expected.finished else 0)  # the stop token's step
    wait_for_step(app_page, everyday_sentence, 1)
    assert position.text_content() == f"Step 1 of {total}"
    candidates = app_page.locator(f"{STEPS} .s2s-candidate")
    assert candidates.count() == 5
    assert candidates.first.get_attribute("data-char") == expected.labels[0]
    app_page.locator(f"{STEPS} .s2s-steps-next").click()
    wait_for_step(app_page, everyday_sentence, 2)
    assert position.text_content() == f"Step 2 of {total}"
    assert candidates.count() == 5
    assert app_page.locator(f"{STEPS} .s2s-so-far").text_content() == "".join(
        space + token for space, token in expected.tokens[:2])
    app_page.locator(f"{STEPS} .s2s-steps-prev").click()
    wait_for_step(app_page, everyday_sentence, 1)
    app_page.locator(f"{STEPS} .s2s-steps-play").click()
    wait_for_step(app_page, everyday_sentence, total, timeout=5_000 + 1_500 * total)
    assert position.text_content() == f"Step {total} of {total}"
    assert app_page.locator(f"{STEPS} .s2s-chosen-char").text_content() == (
        "⏎" if expected.finished else expected.labels[-1])


def test_attention_map_has_a_row_per_french_token(app_page, pretrained,
                                                  everyday_sentence) -> None:
    """A row for each token the model wrote (a character, or a subword piece) and one for the
    stop token, a column for each token it read; the rows are the model's weights (the mean of
    its heads, for a model with several)."""
    from helpers import translation

    expected = written(pretrained, everyday_sentence)
    weights = translation.attention_map(expected.writer, everyday_sentence, expected.text)
    columns = read_tokens(pretrained, everyday_sentence)
    rows_expected = len(expected.tokens) + 1
    assert weights.shape == (rows_expected, len(columns))
    translate_in_page(app_page, everyday_sentence)
    wait_for_translation(app_page, expected.text)
    wait_for_attention_map(app_page, columns, rows_expected)
    rows = app_page.locator(f"{ATTENTION} .s2s-att-row")
    labels = app_page.locator(f"{ATTENTION} .s2s-att-label").all_text_contents()
    assert labels == [*expected.labels, "⏎"]
    for row in (0, rows_expected - 1):  # the first token and the stop token
        cells = rows.nth(row).locator(".s2s-att-cell")
        assert cells.count() == len(columns)
        shown = [float(w) for w in cells.evaluate_all("els => els.map(e => e.dataset.w)")]
        assert shown == pytest.approx(weights[row].tolist(), abs=1e-3)
    assert app_page.locator(f"{ATTENTION} .s2s-att-max").count() == rows_expected
    size = app_page.locator(f"{ATTENTION} .s2s-att-label").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 20
    toggle = app_page.locator(f"{TRANSLATOR} .s2s-attention-toggle input")
    toggle.uncheck()
    app_page.locator(ATTENTION).wait_for(state="detached")
    assert shown_translation(app_page) == expected.text  # hiding the map keeps the translation
    toggle.check()
    wait_for_attention_map(app_page, columns, rows_expected)
    assert_no_traceback(app_page)


def test_step_through_follows_the_translator_and_shows_where_it_looks(
        app_page, pretrained, everyday_sentence) -> None:
    import numpy as np

    from helpers import decoding, evaluation

    sentence = next(s for s in evaluation.EVERYDAY_SENTENCES[1:]
                    if s != everyday_sentence and len(s) <= pretrained.max_encoder_seq_length)
    encoder_model, decoder_model = decoding.inference_models_for(pretrained.model)
    steps = decoding.decoding_steps(
        encoder_model, decoder_model, np.array([pretrained.input_vocab.encode(sentence)]),
        pretrained.target_vocab, max_decoder_seq_length=pretrained.max_decoder_seq_length)
    translate_in_page(app_page, sentence)  # typed in the translator, not in the step-through
    wait_for_step(app_page, sentence, 1)
    assert app_page.locator(".s2s-steps-input input").input_value() == sentence
    assert app_page.locator(f"{STEPS} .s2s-position").text_content() \
        == f"Step 1 of {len(steps)}"
    chars = app_page.locator(f"{STEPS} .s2s-src-char")
    read = source_texts(pretrained, sentence)  # each character, or each piece with its space
    for index in (0, 1):
        if index:
            app_page.locator(f"{STEPS} .s2s-steps-next").click()
            wait_for_step(app_page, sentence, 2)
        assert chars.all_text_contents() == read
        shown = [float(w) for w in chars.evaluate_all("els => els.map(e => e.dataset.w)")]
        assert shown == pytest.approx(steps[index].attention, abs=1e-3)
        focus = app_page.locator(f"{STEPS} .s2s-src-char.s2s-focus")
        assert focus.count() == 1
        assert focus.text_content() == read[int(np.argmax(steps[index].attention))]
        outline = focus.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline == "solid"
    assert_no_traceback(app_page)


#: The app's menu of models, in its order (notebook 08's ``MODEL_FILES``).
APP_MODELS = ("Transformer (notebook 07)", "LSTM with attention (notebook 05)")


@pytest.fixture(scope="module")
def app_models(pretrained) -> dict:
    """The models of the app's menu by label, loaded here (the default one is ``pretrained``)."""
    from helpers.models import (
        ATTENTION_MODEL,
        PRETRAINED_MODEL,
        TRANSFORMER_MODEL,
        load_translation_model,
    )

    paths = dict(zip(APP_MODELS, (TRANSFORMER_MODEL, ATTENTION_MODEL), strict=True))
    return {label: pretrained if path == PRETRAINED_MODEL else load_translation_model(path)
            for label, path in paths.items()}


def test_the_menu_switches_the_apps_model(app_page, pretrained, app_models) -> None:
    """The app starts on the course's default model; choosing another in the menu translates
    the sentence again with it (another translation), shows the heads menu for a model with
    several heads and none for one without, and the step-through switches too; then back."""
    from helpers import evaluation, translation

    menu = app_page.locator(f"{MODEL_MENU} select")
    shown = "el => el.selectedOptions[0].textContent.replaceAll('\\u00a0', ' ').trim()"
    labels = [o.replace("\xa0", " ").strip()  # (ipywidgets writes spaces as no-break ones)
              for o in menu.locator("option").all_text_contents()]
    assert tuple(labels) == APP_MODELS
    default = next(label for label, model in app_models.items() if model is pretrained)
    assert menu.evaluate(shown) == default
    other = next(label for label in labels if label != default)

    def translated(label: str, text: str) -> str:
        return translation.translate(app_models[label], text, mode=DEFAULT_MODE).text

    sentence = next((s for s in evaluation.EVERYDAY_SENTENCES
                     if translated(default, s) != translated(other, s)), None)
    assert sentence is not None, "both models translate every everyday sentence alike"
    translate_in_page(app_page, sentence)
    wait_for_translation(app_page, translated(default, sentence))
    heads_menu = app_page.locator(f"{TRANSLATOR} .s2s-attention-head select")
    try:
        for label in (other, default):
            model = app_models[label]
            menu.select_option(index=labels.index(label))
            assert menu.evaluate(shown) == label
            wait_for_translation(app_page, translated(label, sentence), timeout=60_000)
            heads = translation.attention_heads(model)
            if heads:
                heads_menu.wait_for(state="visible")
                assert heads_menu.locator("option").count() == heads + 1
            else:
                heads_menu.wait_for(state="detached")
            unit = "subword piece" if model.architecture.tokens == "subwords" else "character"
            app_page.locator(f"{STEPS} .s2s-hint", has_text=f"gives every {unit} a").wait_for()
            wait_for_step(app_page, sentence, 1)
            assert app_page.locator(f"{STEPS} .s2s-steps-input input").input_value() == sentence
            assert app_page.locator(f"{MODEL_MENU} .s2s-notes").text_content() == ""
            assert_no_traceback(app_page)
    finally:
        if menu.evaluate(shown) != default:
            menu.select_option(index=labels.index(default))  # as the page started
            wait_for_translation(app_page, translated(default, sentence), timeout=60_000)


@pytest.mark.parametrize("text, message", [
    ("", "Type an English sentence"),
    ("   ", "Type an English sentence"),
])
def test_empty_input_shows_a_message(app_page, text, message) -> None:
    translate_in_page(app_page, "Go.")
    app_page.locator(TRANSLATION).wait_for()
    translate_in_page(app_page, text)
    app_page.locator(NOTES, has_text=message).wait_for()
    assert app_page.locator(TRANSLATION).count() == 0
    assert_no_traceback(app_page)


def test_unknown_characters_are_highlighted(app_page, pretrained) -> None:
    unknown = ["🥶", "ж"]
    assert pretrained.input_vocab.unknown_characters("".join(unknown)) == unknown
    translate_in_page(app_page, "I am cold 🥶 ж")
    app_page.locator(NOTES, has_text="never saw").wait_for()
    marks = app_page.locator(f"{NOTES} mark.s2s-unknown")
    assert marks.all_text_contents() == unknown
    assert "U+1F976" in (app_page.locator(NOTES).text_content() or "")
    app_page.locator(TRANSLATION).wait_for()  # the rest is still translated
    translate_in_page(app_page, "你好")
    app_page.locator(NOTES, has_text="Nothing is left to translate").wait_for()
    assert app_page.locator(TRANSLATION).count() == 0
    # longer than the model reads, in its tokens (characters, or subword pieces)
    read = len(pretrained.input_vocab.encode("I am cold."))
    long_text = "I am cold. " * (pretrained.max_encoder_seq_length // read + 2)
    assert len(pretrained.input_vocab.encode(long_text.strip())) \
        > pretrained.max_encoder_seq_length
    translate_in_page(app_page, long_text)
    app_page.locator(NOTES, has_text=f"reads at most {pretrained.max_encoder_seq_length}"
                     ).wait_for()
    app_page.locator(TRANSLATION).wait_for()
    assert_no_traceback(app_page)


def test_app_shows_only_the_widgets_in_large_type(app_page) -> None:
    # the page template leaves out every cell without a widget: prose, printed lines, and the
    # static copies (the widgets' own text/html, and the snapshot cells)
    assert app_page.locator(".jp-MarkdownCell").count() == 0
    assert app_page.locator(".jp-Cell").count() == 2  # the menu and the translator share one
    assert app_page.locator(".s2s-widget").count() == 3  # the menu, the translator, the steps
    assert app_page.locator(f".jp-Cell:has({TRANSLATOR}) {MODEL_MENU}").count() == 1
    assert app_page.locator(".s2s-static").count() == 0
    size = app_page.locator(INPUT).evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 20
    assert app_page.get_by_text("profile:").count() == 0


def notebook_text_snippets() -> list[str]:
    """Text of notebook 08 that the app must never show: its headings, the Colab badge, the
    printed set-up line, the widgets' static copies, ipywidgets' "Loading widget..."."""
    notebook = json.loads(NOTEBOOK.read_text())
    headings = [line.lstrip("#").strip() for cell in notebook["cells"]
                if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines() if line.startswith("#")]
    assert len(headings) >= 5
    return [*headings, "Open In Colab", "Run time", "profile", "TensorFlow", "Loading widget",
            "A static copy of the widget"]


#: What Voilà's spinner says while the notebook runs.
SPINNER = re.compile(r"(Running|Executing|Reading)\b[^\n]*")


def test_nothing_of_the_notebook_is_painted_while_the_app_loads(app_page) -> None:
    """Every state of the page from its first script until the widgets are drawn: the spinner,
    an empty page, then the widgets; never the notebook's text, not for a single frame."""
    frames = app_page.evaluate("() => window.__s2sFrames")
    assert len(frames) >= 3, frames  # the spinner, …, the widgets
    assert any(SPINNER.fullmatch(f["text"].strip()) for f in frames)
    assert frames[-1]["text"].lstrip().startswith(FIRST_WORDS)
    # (the widgets' own words, e.g. "Where the model looks", are not the notebook's)
    forbidden = [s for s in notebook_text_snippets() if s not in frames[-1]["text"]]
    assert len(forbidden) >= 8
    for frame in frames:
        text = frame["text"].strip()
        assert frame["images"] == [], frame
        assert not [s for s in forbidden if s in text], frame
        assert (not text or SPINNER.fullmatch(text)
                or text.startswith(FIRST_WORDS)), frame


#: The parts of the app that must be on the first screen, without scrolling.
FIRST_SCREEN = {"model menu": f"{MODEL_MENU} select", "text box": INPUT,
                "translation": TRANSLATION,
                "chosen step": f"{STEPS} .s2s-chosen-line", "bars": f"{STEPS} .s2s-bars",
                "text so far": f"{STEPS} .s2s-so-far-line"}

#: The font size (px) of every visible text of the page: each text node's element, each
#: text box (its value is not a text node); with the element's class and the text.
FONT_SIZES = """() => {
  const sizes = [];
  const shown = el => { const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === "visible"; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !shown(el)) continue;
    sizes.push([parseFloat(getComputedStyle(el).fontSize), el.className.toString(),
                node.textContent.trim().slice(0, 40)]);
  }
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (shown(el) && el.type !== "checkbox")
      sizes.push([parseFloat(getComputedStyle(el).fontSize), el.className.toString(), el.value]);
  }
  return sizes;
}"""

#: How far the page and each of its scrolling boxes are scrolled (px).
SCROLLED = """() => [window.scrollY, ...[...document.querySelectorAll(
  "#rendered_cells, #main, #jp-main-content-panel, body, html")].map(el => el.scrollTop)]"""


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_translator_and_the_current_step_fit_the_screen(app_page, pretrained,
                                                            everyday_sentence, width,
                                                            height) -> None:
    """At both classroom screen sizes, after translating a sentence and stepping once: the
    menu of models, the text box, the translation, the chosen step, its bars and the text so far
    are all inside the viewport with the page not scrolled, the translator (the menu above it)
    and the step-through side by side across the width, and no text of the page under 20 px.
    Saves tests/artifacts/app_WIDTHxHEIGHT.png (the screen) and .json (the positions and font
    sizes)."""
    from helpers import translation

    expected = translation.translate(pretrained, everyday_sentence, mode=DEFAULT_MODE).text
    viewport = app_page.viewport_size
    app_page.set_viewport_size({"width": width, "height": height})
    try:
        app_page.evaluate("() => document.querySelector('#rendered_cells').scrollTo(0, 0)")
        translate_in_page(app_page, everyday_sentence)
        wait_for_translation(app_page, expected)
        # the step-through follows (Enter in its box: back to step 1, had it shown the sentence)
        app_page.locator(".s2s-steps-input input").press("Enter")
        wait_for_step(app_page, everyday_sentence, 1)
        app_page.locator(f"{STEPS} .s2s-steps-next").click()
        wait_for_step(app_page, everyday_sentence, 2)
        app_page.mouse.move(0, 0)
        scrolled = app_page.evaluate(SCROLLED)
        boxes = {name: app_page.locator(selector).bounding_box()
                 for name, selector in FIRST_SCREEN.items()}
        widgets = {name: app_page.locator(selector).bounding_box()
                   for name, selector in (("menu", MODEL_MENU), ("translator", TRANSLATOR),
                                          ("step-through", STEPS))}
        sizes = app_page.evaluate(FONT_SIZES)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        app_page.screenshot(path=str(ARTIFACTS / f"app_{width}x{height}.png"))
        (ARTIFACTS / f"app_{width}x{height}.json").write_text(json.dumps(
            {"viewport": [width, height], "boxes": boxes, "widgets": widgets,
             "font_sizes_px": sorted({size for size, _, _ in sizes})}, indent=1))
    finally:
        app_page.set_viewport_size(viewport)
    assert not any(scrolled), f"the page scrolled: {scrolled}"
    for name, box in boxes.items():
        assert box is not None, f"no {name}"
        assert box["x"] >= 0 and box["y"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, \
            (name, box, "outside the first screen")
    menu, translator, steps = widgets["menu"], widgets["translator"], widgets["step-through"]
    assert steps["x"] >= translator["x"] + translator["width"]  # side by side …
    assert abs(steps["y"] - menu["y"]) < 5
    assert translator["y"] >= menu["y"] + menu["height"] - 1  # (the menu above the translator)
    assert abs(translator["x"] - menu["x"]) < 5
    assert steps["x"] + steps["width"] >= 0.9 * width  # … across the screen
    small = [entry for entry in sizes if entry[0] < 20]
    assert not small, f"text under 20 px: {small[:10]}"
    assert len(sizes) > 30


@pytest.fixture
def small_app_url(tmp_path) -> Iterator[str]:
    """``make app``'s Voilà and page template serving a small notebook: a heading, a printed
    line, a widget, a cell that fails."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# A heading of the notebook"),
             nbformat.v4.new_code_cell('print("a printed line")'),
             nbformat.v4.new_code_cell("import ipywidgets\n"
                                       'ipywidgets.Button(description="a widget")'),
             nbformat.v4.new_code_cell("1 / 0"),
             nbformat.v4.new_markdown_cell("The end of the notebook.")]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path = tmp_path / "small.ipynb"
    nbformat.write(notebook, path)
    port = free_port()
    command = [str(path) if word.endswith(NOTEBOOK.name) else word
               for word in make_app_command(port)]
    yield from serve(command, f"http://127.0.0.1:{port}/", tmp_path, ROOT,
                     probe=f"http://127.0.0.1:{port}/voila/static/no-such-file")


def test_the_page_shows_widgets_and_errors_and_nothing_else(browser, small_app_url) -> None:
    """The app's page template leaves out the cells without a widget, and shows a failing
    cell (Voilà's notice on stderr) across the page."""
    page = new_page(browser)
    try:
        page.goto(small_app_url, wait_until="domcontentloaded", timeout=60_000)
        page.get_by_role("button", name="a widget").wait_for(timeout=60_000)
        error = page.locator("[data-mime-type='application/vnd.jupyter.stderr']")
        error.wait_for(timeout=30_000)
        assert "error" in (error.text_content() or "").lower()
        assert page.locator(".jp-Cell").count() == 2
        text = page.locator("body").inner_text()
        assert "heading" not in text and "printed" not in text and "The end" not in text
        cells = [page.locator(".jp-Cell").nth(i).bounding_box() for i in range(2)]
        assert cells[1]["width"] > 0.8 * page.viewport_size["width"]  # the error spans the page
    finally:
        page.close(run_before_unload=True)
        page.context.close()


def _load_app(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    try:
        page.locator(INPUT).wait_for(state="visible", timeout=APP_READY_MS)
    except PlaywrightTimeoutError:
        log = SERVER_LOGS.get(url)
        tail = log.read_text(errors="replace")[-3000:] if log else "(no server log)"
        raise AssertionError(f"the app's translator never appeared; the server said:\n{tail}"
                             ) from None


def _wait_for_kernels(url: str, count: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while len(kernels := kernels_of(url)) != count and time.monotonic() < deadline:
        time.sleep(0.5)
    return kernels


RELOADS = 10  # issue 12: ten reloads leave at most one kernel per open page


def test_reloaded_and_closed_pages_leave_no_kernel_behind(browser, voila_url, app_page,
                                                          pretrained) -> None:
    """Each page load starts a kernel of about 0.8 GB. Reloading a page RELOADS times, then
    closing it, must leave only the kernels of pages still open (here: the module's app_page)
    within seconds: the page's own shutdown request stops its kernel (culling, the backstop,
    would take minutes)."""
    from helpers import translation

    go = translation.translate(pretrained, "Go.", mode=DEFAULT_MODE).text
    settle = 20
    assert settle < app_cull_idle_seconds() / 5  # not culling: the shutdown request
    assert settle < app_flag("AppKernelManager.unclaimed_timeout")  # nor the unclaimed cull
    open_before = _wait_for_kernels(voila_url, 1, settle)
    assert len(open_before) == 1, f"one page is open, kernels: {open_before}"
    page = new_page(browser)
    try:
        _load_app(page, voila_url)
        assert len(kernels_of(voila_url)) == 2
        for _ in range(RELOADS):
            page.reload(wait_until="domcontentloaded", timeout=60_000)
            page.locator(INPUT).wait_for(state="visible", timeout=APP_READY_MS)
        left = _wait_for_kernels(voila_url, 2, settle)
        assert len(left) == 2, f"after {RELOADS} reloads, kernels of two open pages: {left}"
        translate_in_page(page, "Go.")  # the reloaded page's own kernel still answers
        wait_for_translation(page, go)
        log = SERVER_LOGS[voila_url]
        logged = len(log.read_bytes())
        translate_in_page(page, BUSY_SENTENCE)  # the tab closes while its kernel translates
        with page.expect_event("close"):
            page.close(run_before_unload=True)  # as a person closes a tab: its unload runs
        # the browser stays open (closing it at once could drop the page's last request)
        left = _wait_for_kernels(voila_url, 1, settle)
    finally:
        page.context.close()
    assert left == open_before, f"after closing the page, kernels: {left}"
    printed = log.read_bytes()[logged:].decode(errors="replace")
    assert "Kernel shutdown" in printed, printed  # the closed page's kernel was stopped ...
    assert "KeyboardInterrupt" not in printed, printed  # ... quietly (issue 22)
    translate_in_page(app_page, "Go.")  # the open page's kernel was never stopped
    wait_for_translation(app_page, go)


#: A sentence that keeps the kernel busy for a while (the closing tab's kernel is mid-translation).
BUSY_SENTENCE = "When the weather is good we often walk along the river to the old bridge and back."


def test_a_health_check_starts_no_kernel(voila_url, app_page) -> None:
    """The health check the Makefile names answers without starting a kernel."""
    assert HEALTH_CHECK in (ROOT / "Makefile").read_text()
    before = _wait_for_kernels(voila_url, 1, 20)
    with urllib.request.urlopen(voila_url + HEALTH_CHECK, timeout=30) as answer:
        assert answer.status == 200 and answer.read() == b"ok\n"
    time.sleep(2)
    assert kernels_of(voila_url) == before


def test_a_page_nobody_opens_loses_its_kernel(quick_unclaimed_voila_url) -> None:
    """``GET /`` without a browser (``curl``, a health check) starts a kernel that no page ever
    connects to: it is stopped once it has been idle ``APP_UNCLAIMED`` seconds, not after the
    five-minute idle cull; a page that connects keeps its kernel past that time."""
    url = quick_unclaimed_voila_url
    unclaimed = app_flag("AppKernelManager.unclaimed_timeout", **QUICK_UNCLAIMED)
    interval = app_flag("MappingKernelManager.cull_interval", **QUICK_UNCLAIMED)
    assert unclaimed + interval < app_cull_idle_seconds() / 10
    with urllib.request.urlopen(url, timeout=APP_READY_MS / 1000) as answer:
        answer.read()  # the whole page: Voilà ran the notebook in a new kernel
    assert len(kernels_of(url)) == 1
    left = _wait_for_kernels(url, 0, unclaimed + 3 * interval + 10)
    assert left == [], f"{unclaimed + 3 * interval + 10:g} s after GET /, kernels: {left}"
    assert "no page connected to it" in SERVER_LOGS[url].read_text(errors="replace")


def test_an_open_page_keeps_its_kernel_past_the_unclaimed_time(browser, pretrained,
                                                                 quick_unclaimed_voila_url) -> None:
    """A page that connected is never stopped as unclaimed, however long it stays idle."""
    from helpers import translation

    url = quick_unclaimed_voila_url
    unclaimed = app_flag("AppKernelManager.unclaimed_timeout", **QUICK_UNCLAIMED)
    interval = app_flag("MappingKernelManager.cull_interval", **QUICK_UNCLAIMED)
    page = new_page(browser)
    try:
        _load_app(page, url)
        time.sleep(unclaimed + 2 * interval + 2)
        assert len(kernels_of(url)) == 1
        translate_in_page(page, "Go.")
        wait_for_translation(page, translation.translate(pretrained, "Go.",
                                                         mode=DEFAULT_MODE).text)
    finally:
        page.context.close()


def test_screenshot_for_the_readme(app_page, pretrained, everyday_sentence) -> None:
    """Saves tests/artifacts/playground.png (and docs/playground.png when
    UPDATE_DOCS_SCREENSHOT=1): the app as a teacher sees it."""
    expected = written(pretrained, everyday_sentence)
    translate_in_page(app_page, everyday_sentence)
    wait_for_translation(app_page, expected.text)
    wait_for_attention_map(app_page, read_tokens(pretrained, everyday_sentence),
                           len(expected.tokens) + 1)
    box = app_page.locator(".s2s-steps-input input")
    box.fill(everyday_sentence)
    box.press("Enter")
    wait_for_step(app_page, everyday_sentence, 1)
    app_page.locator(f"{STEPS} .s2s-steps-next").click()
    wait_for_step(app_page, everyday_sentence, 2)
    app_page.mouse.move(0, 0)
    app_page.evaluate("() => document.activeElement && document.activeElement.blur()")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "playground.png"
    viewport = app_page.viewport_size
    app_page.set_viewport_size({"width": 1200, "height": SCREENSHOT_MAX_HEIGHT})  # both, whole
    try:
        app_page.locator(f"{STEPS} .s2s-so-far").wait_for()
        boxes = [app_page.locator(selector).bounding_box() for selector in (TRANSLATOR, STEPS)]
        height = (min(SCREENSHOT_MAX_HEIGHT,
                      max(int(box["y"] + box["height"]) for box in boxes) + 24)
                  if all(boxes) else SCREENSHOT_MAX_HEIGHT)
        app_page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": 1200,
                                                  "height": height})
    finally:
        app_page.set_viewport_size(viewport)
    _shrink_png(path)
    assert 0 < path.stat().st_size <= SCREENSHOT_MAX_BYTES
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copy(path, ROOT / "docs" / "playground.png")


def _shrink_png(path) -> None:
    """Two thirds of the size, 64 colours: a README image, not a pixel-perfect record."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").resize((image.width * 2 // 3, image.height * 2 // 3),
                                            Image.LANCZOS)
    small.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
