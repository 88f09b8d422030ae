"""helpers.widgets, in-process on a tiny model trained in seconds: set the text box's value,
call the handlers, read the HTML the widgets would show."""

from __future__ import annotations

import re
import time

import pytest

from helpers import decoding as dec
from helpers import widgets as w


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def type_and_enter(widget: w.Translator, text: str) -> None:
    widget.text.value = text
    widget._on_text_message(widget.text, {"event": "submit"}, [])


def test_enter_translates_like_translate(translator) -> None:
    widget = w.Translator(translator, debounce_seconds=60)
    assert widget.translation == ""
    type_and_enter(widget, "Be nice.")
    expected = dec.translate(translator, "Be nice.").text
    assert expected == "Soyez gentil !"
    assert widget.translation == expected
    assert 'data-mode="greedy"' in widget.status.value
    assert "s2s-message" not in widget.notes.value


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
    confidences = dec.character_confidences(translator, "Wait!", widget.translation)
    shown = [float(p) for p in re.findall(r'class="s2s-char"[^>]*data-p="([0-9.]+)"',
                                          widget.result.value)]
    assert len(shown) == len(widget.translation) > 0
    assert shown == pytest.approx(confidences, abs=1e-4)
    assert "s2s-legend" in widget.result.value
    assert w._shade(1.0).endswith(" 0.0)") and w._shade(0.0).endswith(" 0.85)")
    with pytest.raises(ValueError, match="confidences"):
        w.confidence_html("ab", [0.5])


def test_modes_show_their_sliders_and_still_translate(translator) -> None:
    widget = w.Translator(translator, "Run!")
    assert widget.beam_width.layout.display == "none"
    widget.mode.value = "beam"
    assert widget.beam_width.layout.display != "none"
    assert widget.temperature.layout.display == "none"
    assert 'data-mode="beam"' in widget.status.value and "width 4" in widget.status.value
    assert widget.translation == dec.translate(translator, "Run!", mode="beam").text
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

    monkeypatch.setattr(dec, "translate", broken)
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
    expected = dec.translate(translator, "Get out!").text
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
    assert text_of(re.search(r'<div class="s2s-so-far">.*</div>', widget.view.value).group(0)) \
        == expected[:3]
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
