"""helpers.widgets, in-process on a tiny model trained in seconds: set the text box's value,
call the handlers, read the HTML the widgets would show."""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import models, translation, widget_html, widget_static, widget_translator
from helpers import widgets as w
from tests.conftest import toy_translator


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def type_and_enter(widget: w.Translator, text: str) -> None:
    widget.text.value = text
    widget._on_text_message(widget.text, {"event": "submit"}, [])


def test_enter_translates_like_translate(translator) -> None:
    widget = w.Translator(translator, debounce_seconds=60, mode="greedy")
    assert widget.translation == ""
    type_and_enter(widget, "Be nice.")
    expected = translation.translate(translator, "Be nice.").text
    assert expected == "Soyez gentil !"
    assert widget.translation == expected
    assert 'data-mode="greedy"' in widget.status.value
    assert "s2s-message" not in widget.notes.value


def test_the_translator_starts_in_the_default_mode_or_the_one_asked_for(translator) -> None:
    assert w.Translator(translator).mode.value == w.DEFAULT_MODE
    widget = w.Translator(translator, debounce_seconds=60, mode="beam")
    type_and_enter(widget, "Be nice.")
    assert 'data-mode="beam"' in widget.status.value
    assert widget.translation == translation.translate(translator, "Be nice.", mode="beam").text
    with pytest.raises(ValueError, match="mode must be one of 'greedy', 'beam', 'sample'"):
        w.Translator(translator, mode="fast")


def test_typing_translates_after_a_pause(translator) -> None:
    widget = w.Translator(translator, debounce_seconds=0.05)
    widget.text.value = "Go"
    widget.text.value = "Go."  # restarts the wait: one translation, of the last text
    deadline = time.monotonic() + 20
    while widget.translation != "Va !" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert widget.translation == "Va !"


def test_nothing_happens_before_the_pause(translator) -> None:
    widget = w.Translator(translator, debounce_seconds=30)
    widget.text.value = "Go."
    assert widget.translation == ""
    widget.translate_now()  # what Enter does: no waiting
    assert widget.translation == "Va !"


def test_initial_text_is_translated(translator) -> None:
    assert w.Translator(translator, "Hi.").translation == "Salut !"


def test_confidence_shading(translator) -> None:
    widget = w.Translator(translator, "Wait!")
    confidences = translation.character_confidences(translator, "Wait!", widget.translation)
    shown = [float(p) for p in re.findall(r'class="s2s-char"[^>]*data-p="([0-9.]+)"',
                                          widget.result.value)]
    assert len(shown) == len(widget.translation) > 0
    assert shown == pytest.approx(confidences, abs=1e-4)
    assert "s2s-legend" in widget.result.value
    assert widget_html._shade(1.0).endswith(" 0.0)") and widget_html._shade(0.0).endswith(" 0.85)")
    with pytest.raises(ValueError, match="confidences"):
        w.confidence_html("ab", [0.5])


def test_modes_show_their_sliders_and_still_translate(translator) -> None:
    widget = w.Translator(translator, "Run!", mode="greedy")
    assert widget.beam_width.layout.display == "none"
    widget.mode.value = "beam"
    assert widget.beam_width.layout.display != "none"
    assert widget.temperature.layout.display == "none"
    assert 'data-mode="beam"' in widget.status.value and "width 4" in widget.status.value
    assert widget.translation == translation.translate(translator, "Run!", mode="beam").text
    widget.beam_width.value = 3
    assert "width 3" in widget.status.value
    widget.mode.value = "sample"
    widget.temperature.value = 0.5
    assert widget.temperature.layout.display != "none"
    assert 'data-mode="sample"' in widget.status.value and "temperature 0.5" in widget.status.value
    assert widget.translation  # a draw, not necessarily the greedy one


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input_gives_a_message(translator, text) -> None:
    widget = w.Translator(translator, "Go.")
    type_and_enter(widget, text)
    assert widget.translation == "" and widget.result.value == ""
    assert "Type an English sentence" in text_of(widget.notes.value)


@pytest.mark.parametrize("text, unknown", [
    ("Go. 😀", ["😀"]),
    ("Go ж!", ["ж"]),
    ("Hi 你好.", ["你", "好"]),
])
def test_unknown_characters_are_highlighted_and_left_out(translator, text, unknown) -> None:
    widget = w.Translator(translator)
    type_and_enter(widget, text)
    notes = widget.notes.value
    assert "never saw" in notes
    assert re.findall(r'<mark class="s2s-unknown">(.*?)</mark>', notes) == unknown
    for ch in unknown:
        assert f"U+{ord(ch):04X}" in notes
    assert widget.translation  # the rest is still translated


@pytest.mark.parametrize("text", ["😀😀", "Привет", "ζ"])
def test_nothing_but_unknown_characters(translator, text) -> None:
    widget = w.Translator(translator)
    type_and_enter(widget, text)
    assert widget.translation == ""
    assert "Nothing is left to translate" in widget.notes.value
    assert "<mark" in widget.notes.value


def test_too_long_text_is_cut_with_a_notice(translator) -> None:
    widget = w.Translator(translator)
    type_and_enter(widget, "Be nice. " * 10)
    limit = translator.max_encoder_seq_length
    assert f"reads at most {limit}" in widget.notes.value
    assert widget.translation


def test_an_unexpected_error_is_a_message_not_a_traceback(translator, monkeypatch) -> None:
    widget = w.Translator(translator)

    def broken(*args, **kwargs):
        raise RuntimeError("model on fire")

    monkeypatch.setattr(widget_translator, "translate", broken)
    type_and_enter(widget, "Go.")  # must not raise
    assert "model on fire" in widget.notes.value and "s2s-error" in widget.notes.value


def test_widgets_carry_css_classes(translator) -> None:
    widget = w.Translator(translator)
    assert {"s2s-widget", "s2s-translator"} <= set(widget._dom_classes)
    assert "s2s-translator-input" in widget.text._dom_classes
    assert "s2s-mode" in widget.mode._dom_classes
    steps = w.StepThrough(translator)
    assert {"s2s-widget", "s2s-steps"} <= set(steps._dom_classes)
    assert "body[data-voila]" in w.CSS


def test_step_through_shows_five_candidates_and_moves(translator) -> None:
    widget = w.StepThrough(translator, "Get out!")
    expected = translation.translate(translator, "Get out!").text
    assert len(widget.steps) == len(expected) + 1  # every character, then the stop token
    assert widget.index == 0 and widget.prev_button.disabled
    candidates = re.findall(r'class="s2s-candidate[^"]*" data-char="([^"]*)"', widget.view.value)
    assert len(candidates) == 5
    assert candidates[0] == expected[0]
    assert "Step 1 of" in widget.position.value
    assert 'data-source="Get out!" data-step="1"' in widget.view.value
    widget.next()
    widget.next()
    assert widget.index == 2 and "Step 3 of" in widget.position.value
    so_far = re.search(r'<span class="s2s-so-far">.*?</span></span>', widget.view.value)
    assert text_of(so_far.group(0)) == expected[:3]
    widget.previous()
    assert widget.index == 1
    widget.show(10_000)
    assert widget.next_button.disabled and "⏎" in widget.view.value
    probabilities = [float(p) for p in re.findall(r'data-p="([0-9.]+)"', widget.view.value)]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001


def test_step_through_play_reaches_the_end(translator) -> None:
    widget = w.StepThrough(translator, "Go.", interval_seconds=0.01)
    widget.toggle_play()
    deadline = time.monotonic() + 20
    while widget.playing and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not widget.playing
    assert widget.index == len(widget.steps) - 1
    widget.toggle_play()  # at the end: starts again from the first step
    widget.pause()
    assert not widget.playing and widget.index < len(widget.steps) - 1


@pytest.mark.parametrize("text, message", [
    ("", "Type an English sentence"),
    ("🙂", "never saw"),
    ("Go. Go. Go. Go. Go. Go.", "reads at most"),
])
def test_step_through_bad_input(translator, text, message) -> None:
    widget = w.StepThrough(translator, "Go.")
    widget.text.value = text  # decodes on change
    assert message in widget.notes.value
    if text.strip() and "never saw" not in message:
        assert widget.steps
    elif not text.strip() or text == "🙂":
        assert widget.steps == [] and widget.view.value == ""


def test_step_through_enter_starts_again(translator) -> None:
    widget = w.StepThrough(translator, "Go.")
    widget.show(2)
    assert widget.index == 2
    widget._on_text_message(widget.text, {"event": "submit"}, [])  # Enter, same sentence
    assert widget.index == 0 and widget.steps


# --- state, not HTML: the translation property ------------------------------------------------


def test_translation_is_the_models_text_even_with_markup_characters(translator,
                                                                    monkeypatch) -> None:
    text = "<b>&</div>&amp;⏎"  # no longer than the toy model writes (character_confidences)

    def fake(model, source, **kwargs):
        return translation.Translation(source=source, text=text, used_input=source)

    monkeypatch.setattr(widget_translator, "translate", fake)
    widget = w.Translator(translator, "Go.")
    assert widget.translation == text
    assert widget.last is not None and widget.last.used_input == "Go."
    shown = re.findall(r'class="s2s-char"[^>]*>([^<]*)</span>', widget.result.value)
    assert "<b>" not in widget.result.value and "".join(map(html.unescape, shown)) == text
    type_and_enter(widget, "")
    assert widget.translation == "" and widget.last is None


# --- the attention map ------------------------------------------------------------------------


def attention_rows(view: str) -> list[list[float]]:
    """The weights of each row of an attention map (the legend after the last row has none)."""
    rows = view.split('class="s2s-att-row')[1:]
    return [[float(x) for x in re.findall(r'data-w="([0-9.]+)"', row)] for row in rows]


def test_attention_map_is_shown_for_an_attention_model(attention_translator) -> None:
    widget = w.Translator(attention_translator, "Be nice.")
    assert widget.translation == "Soyez gentil !"
    assert widget.show_attention.value and widget.show_attention.layout.display != "none"
    view = widget.attention_view.value
    expected = translation.attention_map(attention_translator, "Be nice.", widget.translation)
    assert expected.shape == (len(widget.translation) + 1, len("Be nice."))
    assert view.count('class="s2s-att-row') == expected.shape[0]
    assert view.count('class="s2s-att-head"') == expected.shape[1]
    assert 'class="s2s-att-row s2s-att-stop" data-char="\n"' in view
    assert np.array(attention_rows(view)) == pytest.approx(expected, abs=1e-4)
    np.testing.assert_array_equal(widget.attention_weights, expected)
    labels = re.findall(r'class="s2s-att-label">([^<]*)<', view)
    assert labels == [*"Soyez␣gentil␣!", "⏎"]
    assert view.count("s2s-att-max") == expected.shape[0]  # one outlined cell a row
    assert "s2s-legend" in view


def test_attention_map_toggles_without_translating_again(attention_translator,
                                                        monkeypatch) -> None:
    widget = w.Translator(attention_translator, "Wait!", show_attention=False)
    assert widget.attention_view.value == "" and widget.attention_weights is None
    calls = []
    monkeypatch.setattr(widget_translator, "translate", lambda *a, **k: calls.append(a))
    widget.show_attention.value = True
    assert calls == []
    assert widget.attention_view.value.count('class="s2s-att-row') == len("Attends !") + 1
    widget.show_attention.value = False
    assert widget.attention_view.value == ""


def test_attention_map_of_beam_search_says_it_is_teacher_forced(attention_translator) -> None:
    widget = w.Translator(attention_translator, "Run!")
    widget.mode.value = "beam"
    view = widget.attention_view.value
    assert "Beam search chose these characters" in view and "teacher forcing" in view
    expected = translation.attention_map(attention_translator, "Run!", widget.translation)
    assert np.array(attention_rows(view)) == pytest.approx(expected, abs=1e-4)


def test_no_attention_map_too_big_for_a_screen(attention_translator, monkeypatch) -> None:
    monkeypatch.setattr(widget_translator, "MAX_ATTENTION_CELLS", len("Go.") * len("Va !⏎"))
    widget = w.Translator(attention_translator, "Go.")
    assert widget.attention_view.value.count('class="s2s-att-row') == len("Va !") + 1
    type_and_enter(widget, "Hi.")  # 3 × 8 cells: one row too many
    assert widget.translation == "Salut !"
    assert "s2s-att-row" not in widget.attention_view.value
    assert "8 × 3 = 24 cells" in widget.attention_view.value


def test_a_failing_attention_map_keeps_the_translation(attention_translator,
                                                       monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("attention on fire")

    monkeypatch.setattr(widget_translator, "attention_map", broken)
    widget = w.Translator(attention_translator, "Run!")
    assert widget.translation == "Cours !" and "s2s-error" not in widget.notes.value
    assert "attention on fire" in widget.attention_view.value


def test_no_attention_map_for_a_model_without_attention(translator) -> None:
    widget = w.Translator(translator, "Be nice.")
    assert widget.translation == "Soyez gentil !"
    assert widget.show_attention.layout.display == "none"
    assert "has no attention" in widget.attention_view.value
    assert "s2s-att-row" not in widget.attention_view.value
    widget.show_attention.value = False  # must not raise either
    widget.show_attention.value = True
    assert "has no attention" in widget.attention_view.value


def test_attention_html_escapes_and_checks_its_shape() -> None:
    view = w.attention_html("<a&", "é>", np.full((3, 3), 1 / 3))
    assert "<a&" not in view and "é>" not in view
    assert re.findall(r'class="s2s-att-head" data-char="([^"]*)"', view) == ["&lt;", "a",
                                                                             "&amp;"]
    assert re.findall(r'class="s2s-att-label">([^<]*)<', view) == ["é", "&gt;", "⏎"]
    with pytest.raises(ValueError, match="shape"):
        w.attention_html("ab", "c", np.zeros((1, 2)))
    with pytest.raises(ValueError, match="weights"):
        w.source_attention_html("ab", [1.0])


# --- the step-through: where it looks, the stop token, following the translator ---------------


def test_step_through_shows_where_the_decoder_looks(attention_translator) -> None:
    widget = w.StepThrough(attention_translator, "Get out!")
    encoder_model, decoder_model = dec.inference_models_for(attention_translator.model)
    ids = np.array([attention_translator.input_vocab.encode("Get out!")])
    steps = dec.decoding_steps(encoder_model, decoder_model, ids,
                               attention_translator.target_vocab,
                               max_decoder_seq_length=attention_translator.max_decoder_seq_length)
    assert len(widget.steps) == len(steps) == len("Sortez !") + 1
    for i, step in enumerate(steps):
        widget.show(i)
        view = widget.view.value
        chars = re.findall(r'class="s2s-src-char[^"]*" data-w="[0-9.]+"[^>]*>([^<]*)<', view)
        assert "".join(chars) == "Get out!"
        shown = [float(x) for x in re.findall(r'class="s2s-src-char[^"]*" data-w="([0-9.]+)"',
                                              view)]
        assert shown == pytest.approx(step.attention, abs=1e-4)
        focus = re.findall(r'class="s2s-src-char s2s-focus" data-w="[0-9.]+"[^>]*>([^<]*)<',
                           view)
        assert focus == ["Get out!"[int(np.argmax(step.attention))]]


def test_step_through_without_attention_shows_no_shading(translator) -> None:
    widget = w.StepThrough(translator, "Get out!")
    assert widget.steps and all(step.attention is None for step in widget.steps)
    assert "s2s-src-char" not in widget.view.value


def test_the_stop_token_is_found_by_its_id_not_its_glyph(translator, monkeypatch) -> None:
    monkeypatch.setattr(dec, "display_token",
                        lambda vocab, i: "STOP" if vocab.tokens[i] == "\n" else vocab.tokens[i])
    widget = w.StepThrough(translator, "Go.")
    stop = translator.target_vocab.token_index["\n"]
    assert widget.chosen_ids[-1] == stop and stop not in widget.chosen_ids[:-1]
    assert widget.chosen_ids[:-1] == translator.target_vocab.encode("Va !")
    widget.show(len(widget.steps) - 1)
    assert widget.steps[-1].chosen == "STOP"
    assert "the stop token" in widget.view.value and 'data-stop="true"' in widget.view.value
    widget.show(0)
    assert "the stop token" not in widget.view.value


def test_a_french_character_that_looks_like_the_stop_token_is_not_the_stop(translator) -> None:
    steps = dec.decoding_steps(*models.inference_models(translator.model),
                               np.array([translator.input_vocab.encode("Hi.")]),
                               translator.target_vocab, max_decoder_seq_length=20)
    vocab = translator.target_vocab
    assert [s.chosen_id for s in steps][-1] == vocab.token_index["\n"]
    assert [dec.display_token(vocab, s.chosen_id) for s in steps] == [s.chosen for s in steps]
    # a vocabulary with a French "⏎" character: the same glyph, another id
    glyph = enc.build_vocabulary(["a⏎", enc.add_start_stop("")])
    assert dec.display_token(glyph, glyph.token_index["⏎"]) == dec.display_token(
        glyph, glyph.token_index["\n"])
    assert glyph.token_index["⏎"] != glyph.token_index["\n"]


def test_step_through_follows_the_translator(attention_translator) -> None:
    translator_widget = w.Translator(attention_translator, "Hi.", debounce_seconds=60)
    steps = w.StepThrough(attention_translator, follow=translator_widget)
    assert steps.following is translator_widget and steps.source == "Hi."
    type_and_enter(translator_widget, "Get out!")
    assert steps.text.value == "Get out!" and steps.source == "Get out!"
    assert steps.index == 0 and steps.steps[-1].text_so_far == translator_widget.translation
    steps.show(3)
    steps.text.value = "Go."  # its own text box still works …
    assert steps.source == "Go."
    type_and_enter(translator_widget, "Wait!")  # … until the translator moves on
    assert steps.source == "Wait!" and steps.steps[-1].text_so_far == "Attends !"
    type_and_enter(translator_widget, "")
    assert steps.steps == [] and steps.source == "" and steps.view.value == ""


def test_step_through_follows_after_the_pause_and_from_the_start(attention_translator) -> None:
    translator_widget = w.Translator(attention_translator, "Run!", debounce_seconds=0.05)
    steps = w.StepThrough(attention_translator, "Hi.")
    steps.follow(translator_widget)
    assert steps.source == "Run!"  # the translator's sentence at once, not "Hi."
    translator_widget.text.value = "Be nice."  # typed, no Enter
    deadline = time.monotonic() + 20
    while steps.source != "Be nice." and time.monotonic() < deadline:
        time.sleep(0.05)
    assert steps.source == "Be nice."
    assert steps.steps[-1].text_so_far == "Soyez gentil !"


# --- static copies: what a reader sees where widgets do not render -----------------------------

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: The tags a static copy may use: no <style> (GitHub drops it), no script, no links.
STATIC_TAGS = {"div", "p", "span", "b", "table", "tr", "th", "td"}


class _Tags(HTMLParser):
    """The tags of an HTML text (checked for balance), their attributes, and its text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.feed(markup)
        self.close()
        assert self.open == [], f"unclosed tags: {self.open}"

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        self.text += data


def static_of(widget) -> tuple[dict, _Tags]:
    data = widget._repr_mimebundle_()
    return data, _Tags(data["text/html"])


def assert_self_contained(page: _Tags) -> None:
    assert {tag for tag, _ in page.tags} <= STATIC_TAGS
    for tag, attrs in page.tags:
        assert set(attrs) <= {"class", "style", "data-p", "data-w", "data-char", "data-step",
                              "data-stop", "colspan"}, (tag, attrs)
        assert "url(" not in attrs.get("style", "")


def test_a_translator_displays_with_a_static_copy_of_its_translation(translator) -> None:
    widget = w.Translator(translator, "Be nice.", debounce_seconds=60, mode="greedy")
    data, page = static_of(widget)
    assert data[WIDGET_VIEW]["model_id"] == widget.model_id  # the live widget …
    assert data["text/plain"] == "Translator: 'Be nice.' → 'Soyez gentil !' (greedy)"
    assert_self_contained(page)  # … and a copy that needs no kernel and no stylesheet
    assert "<style" not in data["text/html"]
    assert "English: Be nice." in page.text and "French: Soyez gentil !" in page.text
    cells = [attrs for tag, attrs in page.tags if "s2s-static-char" in attrs.get("class", "")]
    confidences = translation.character_confidences(translator, "Be nice.", "Soyez gentil !")
    assert len(cells) == len("Soyez gentil !")
    assert [float(c["data-p"]) for c in cells] == pytest.approx(confidences, abs=1e-4)
    for cell, p in zip(cells, confidences, strict=True):  # the shading, inline …
        assert f"background-color: {widget_html._shade(p)}" in cell["style"]
    for p in confidences:  # … and the number under each character (GitHub may drop styles)
        assert f"{p:.0%}" in page.text
    assert "greedy" in page.text and "mean confidence" in page.text
    assert "has no attention" in page.text  # the widget's note, as text


def test_the_static_copy_is_what_the_widget_shows_when_it_is_displayed(translator) -> None:
    widget = w.Translator(translator, "Hi.", debounce_seconds=60)  # translated at once …
    assert "French: Salut !" in static_of(widget)[1].text  # … so the first display shows it
    widget.text.value = "Go."  # typed, still waiting for the pause: not translated yet
    assert "French: Salut !" in static_of(widget)[1].text
    widget.translate_now()
    assert "French: Va !" in static_of(widget)[1].text
    widget.mode.value = "beam"
    assert "beam search (width 4)" in static_of(widget)[1].text
    type_and_enter(widget, "")
    data, page = static_of(widget)
    assert "Type an English sentence" in page.text and "French:" not in page.text
    assert data["text/plain"] == "Translator (no translation)"
    type_and_enter(widget, "Go. 😀")
    assert "never saw" in static_of(widget)[1].text and "U+1F600" in static_of(widget)[1].text


def test_the_static_copy_escapes_the_text(translator, monkeypatch) -> None:
    text = "<b>a & b</div> &amp; <script>"

    def fake(model, source, **kwargs):
        return translation.Translation(source=source, text=text, used_input=source)

    monkeypatch.setattr(widget_translator, "translate", fake)
    monkeypatch.setattr(widget_translator, "character_confidences", lambda m, s, t: [0.5] * len(t))
    widget = w.Translator(translator, "Go.")
    data, page = static_of(widget)
    assert_self_contained(page)
    assert f"French: {text}" in page.text
    assert "<script" not in data["text/html"] and "<b>a" not in data["text/html"]
    with pytest.raises(ValueError, match="confidences"):
        w.translation_static_html("a", "ab", [0.5])


def test_the_static_copy_of_an_attention_model_has_its_map(attention_translator) -> None:
    widget = w.Translator(attention_translator, "Be nice.")
    _, page = static_of(widget)
    assert_self_contained(page)
    rows = [i for i, (tag, attrs) in enumerate(page.tags)
            if attrs.get("class") == "s2s-static-att-row"]
    assert len(rows) == len("Soyez gentil !") + 1
    weights = [float(attrs["data-w"]) for tag, attrs in page.tags if "data-w" in attrs]
    assert np.array(weights).reshape(len(rows), len("Be nice.")) == pytest.approx(
        widget.attention_weights, abs=1e-4)
    assert "Where the model looks" in page.text
    widget.show_attention.value = False  # hidden in the widget: not in the copy either
    _, page = static_of(widget)
    assert "Where the model looks" not in page.text and "French: Soyez gentil !" in page.text


def test_a_step_through_displays_with_every_steps_candidates(attention_translator) -> None:
    widget = w.StepThrough(attention_translator, "Get out!")
    widget.next()
    data, page = static_of(widget)
    assert data[WIDGET_VIEW]["model_id"] == widget.model_id
    assert data["text/plain"] == f"StepThrough: 'Get out!', step 2 of {len(widget.steps)}"
    assert_self_contained(page)
    assert "<style" not in data["text/html"]
    steps = [attrs for tag, attrs in page.tags if attrs.get("class") == "s2s-static-step"]
    assert [int(a["data-step"]) for a in steps] == list(range(1, len(widget.steps) + 1))
    assert steps[-1].get("data-stop") == "true" and "data-stop" not in steps[0]
    candidates = [(a["data-char"], float(a["data-p"])) for tag, a in page.tags
                  if a.get("class") == "s2s-static-candidate"]
    expected = [(char, p) for step in widget.steps for char, p in step.candidates]
    assert [c for c, _ in candidates] == [c for c, _ in expected]
    assert [p for _, p in candidates] == pytest.approx([p for _, p in expected], abs=1e-4)
    assert "▶ 2" in page.text  # the step the widget shows
    assert "looks most at" in page.text and "Sortez !" in page.text


def test_a_long_decoding_lists_its_first_and_last_steps(translator, monkeypatch) -> None:
    monkeypatch.setattr(widget_static, "STATIC_MAX_STEPS", 4)
    widget = w.StepThrough(translator, "Get out!")
    _, page = static_of(widget)
    shown = [int(a["data-step"]) for tag, a in page.tags if a.get("class") == "s2s-static-step"]
    n = len(widget.steps)
    assert shown == [1, 2, n - 1, n] and f"… {n - 4} more steps …" in page.text
    assert "looks most at" not in page.text  # no attention, no column for it


def test_a_step_through_with_nothing_decoded_says_why(translator) -> None:
    widget = w.StepThrough(translator, "🙂")
    data, page = static_of(widget)
    assert "never saw" in page.text and '"s2s-static-step"' not in data["text/html"]
    assert data["text/plain"] == "StepThrough (nothing decoded)"


def test_ipython_stores_both_the_widget_and_its_copy(translator) -> None:
    """What a notebook saves for a displayed widget: IPython's formatter output."""
    from IPython.core.formatters import DisplayFormatter

    widget = w.Translator(translator, "Run!", mode="greedy")
    data, _ = DisplayFormatter().format(widget)
    assert {WIDGET_VIEW, "text/html", "text/plain"} <= set(data)
    assert "Cours !" in data["text/html"]
    steps = w.StepThrough(translator, follow=widget)
    data, _ = DisplayFormatter().format(steps)
    assert {WIDGET_VIEW, "text/html"} <= set(data) and "s2s-static-step" in data["text/html"]
    assert "Cours !" in w.Translator(translator, "Run!").snapshot().data


def test_with_static_copy_adds_a_copy_to_any_widget() -> None:
    import ipywidgets
    from IPython.core.formatters import DisplayFormatter

    box = ipywidgets.Text(value="hello")
    shown = []
    data, _ = DisplayFormatter().format(w.WithStaticCopy(box, lambda: shown.append(1) or
                                                         f"<pre>{box.value}</pre>"))
    assert data[WIDGET_VIEW]["model_id"] == box.model_id
    assert data["text/html"] == "<pre>hello</pre>" and shown == [1]  # made at display time
    assert w.WithStaticCopy(box, "<p>x</p>")._repr_mimebundle_()["text/html"] == "<p>x</p>"


def test_nbconvert_shows_the_static_copy_of_a_saved_widget(translator) -> None:
    """nbviewer and an HTML export (nbconvert) render a widget output as its static copy when
    the notebook holds no state for the widget (as on GitHub, which runs no widget code)."""
    import nbformat
    from nbconvert import HTMLExporter

    widget = w.Translator(translator, "Be nice.")
    steps = w.StepThrough(translator, follow=widget)
    cells = []
    for shown in (widget, steps):
        cell = nbformat.v4.new_code_cell("widget")
        cell.outputs = [nbformat.v4.new_output("display_data", data=shown._repr_mimebundle_())]
        cells.append(cell)
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.v4.new_notebook(cells=cells))
    assert "French: <b" in page and "Soyez gentil !" in page
    assert page.count('class="s2s-static-step"') == min(len(steps.steps), w.STATIC_MAX_STEPS)
    assert "Translator(" not in page and "application/vnd.jupyter.widget-view+json" not in page


def test_an_unfinished_translation_is_said(toy, course_model) -> None:
    from tests.test_stop_reasons import without_stop

    input_vocab, target_vocab, _, _ = toy
    model = keras.models.clone_model(course_model)
    model.set_weights(course_model.get_weights())
    never_stops = models.TranslationModel(without_stop(model, target_vocab), input_vocab,
                                          target_vocab, {"max_encoder_seq_length": 20,
                                                         "max_decoder_seq_length": 6})
    widget = w.Translator(never_stops, "Be nice.")
    assert widget.last is not None and not widget.last.finished
    assert "did not finish" in widget.notes.value and "s2s-error" in widget.notes.value
    assert "unfinished: cut at the length limit" in widget.status.value
    finished = w.Translator(toy_translator(course_model, toy), "Be nice.")
    assert "did not finish" not in finished.notes.value
    assert "unfinished" not in finished.status.value
