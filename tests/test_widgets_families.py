"""The widgets work for every model the course builds (issue 22, item 4): the tiny course model
(LSTM, characters), a GRU (characters), a word-level model (notebook 06) and an attention model
(characters), each trained in seconds on the toy pairs of ``tests/conftest.py``."""

from __future__ import annotations

import re

import keras
import pytest

from helpers import encoding as enc
from helpers import translation, variants
from helpers import widgets as w
from helpers.data import Split
from tests.conftest import SOURCES, TARGETS, fit_full_batches, recite_toy_pairs, toy_translator

FAMILIES = ["course", "gru", "word", "attention"]
#: A word or a character each model never saw, put in a sentence it knows.
UNKNOWN = {"course": ("Be nice. ζ", "ζ"), "gru": ("Be nice. ζ", "ζ"),
           "word": ("Be very nice.", "very"), "attention": ("Be nice. ζ", "ζ")}


@pytest.fixture(scope="module")
def gru_translator(toy):
    return toy_translator(recite_toy_pairs(variants.build_gru_model, toy), toy)


@pytest.fixture(scope="module")
def word_translator():
    pairs = list(zip(SOURCES, TARGETS, strict=True))
    data = variants.word_translation_data(Split(train=pairs, validation=pairs[:2],
                                                test=pairs[:2]))
    keras.utils.set_random_seed(0)
    model = variants.build_word_model(len(data.input_vocab), len(data.target_vocab),
                                      embedding_dim=16, latent_dim=32, learning_rate=1e-2)
    encoder_ids, decoder_ids = data.arrays["train"]
    return variants.translator_for(fit_full_batches(model, encoder_ids, decoder_ids), data)


@pytest.fixture(params=FAMILIES)
def family(request) -> tuple[str, object]:
    """``(name, translator)`` of each family of model."""
    fixture = {"course": "translator", "attention": "attention_translator"}.get(
        request.param, f"{request.param}_translator")
    return request.param, request.getfixturevalue(fixture)


def type_and_enter(widget: w.Translator, text: str) -> None:
    widget.text.value = text
    widget._on_text_message(widget.text, {"event": "submit"}, [])


def units(name: str, text: str) -> list[str]:
    """What the model writes, one entry per token: words for the word model, else characters."""
    return enc.tokenize_words(text) if name == "word" else list(text)


def shaded(widget: w.Translator) -> list[float]:
    return [float(p) for p in re.findall(r'class="s2s-char"[^>]*data-p="([0-9.]+)"',
                                         widget.result.value)]


def assert_no_error(*views: str) -> None:
    for view in views:
        assert "s2s-error" not in view and "went wrong" not in view, view


@pytest.mark.parametrize("mode", ["greedy", "beam"])
def test_the_translator_translates_like_translate(family, mode) -> None:
    name, translator = family
    widget = w.Translator(translator, debounce_seconds=60, mode=mode)
    type_and_enter(widget, "Be nice.")
    assert_no_error(widget.notes.value, widget.result.value, widget.attention_view.value)
    assert widget.last is not None
    assert widget.translation == translation.translate(translator, "Be nice.", mode=mode).text
    assert widget.translation  # the toy models recite their pairs


def test_the_shading_has_one_confidence_per_token(family) -> None:
    name, translator = family
    widget = w.Translator(translator, "Be nice.", debounce_seconds=60, mode="greedy")
    expected = translation.character_confidences(translator, widget.last.used_input,
                                                 widget.translation)
    assert len(widget.confidences) == len(units(name, widget.translation)) > 0
    assert widget.confidences == pytest.approx(expected)
    assert shaded(widget) == pytest.approx(expected, abs=1e-4)
    shown = re.findall(r'class="s2s-char"[^>]*>([^<]*)</span>', widget.result.value)
    assert shown == units(name, widget.translation)


def test_an_unknown_token_gives_the_courses_notice(family) -> None:
    name, translator = family
    text, unknown = UNKNOWN[name]
    widget = w.Translator(translator, text, debounce_seconds=60, mode="greedy")
    notes = widget.notes.value
    assert_no_error(notes)
    kind = "words" if name == "word" else "characters"
    assert f"The model never saw these {kind}, so they were left out" in notes
    assert re.search(rf'<mark class="s2s-unknown">{re.escape(unknown)}</mark>', notes)
    assert widget.last is not None and widget.last.unknown == [unknown]
    assert widget.translation == translation.translate(translator, text, mode="greedy",
                                                       on_unknown="drop").text


def test_only_unknown_tokens_leave_nothing_to_translate(family) -> None:
    name, translator = family
    text = "very very" if name == "word" else "ζζ"
    widget = w.Translator(translator, text, debounce_seconds=60)
    assert_no_error(widget.notes.value)
    assert "Nothing is left to translate" in widget.notes.value
    assert widget.last is None


def test_the_attention_map_only_where_there_is_attention(family) -> None:
    name, translator = family
    widget = w.Translator(translator, "Be nice.", debounce_seconds=60, mode="greedy")
    assert_no_error(widget.attention_view.value)
    if name == "attention":
        assert widget.attention_weights is not None
        assert widget.attention_weights.shape == (len(widget.translation) + 1,
                                                  len(widget.last.used_input))
        assert "s2s-attention-map" in widget.attention_view.value
    else:
        assert widget.attention_weights is None
        assert "s2s-no-attention" in widget.attention_view.value


def test_the_static_copy_shows_the_translation(family) -> None:
    name, translator = family
    widget = w.Translator(translator, "Be nice.", debounce_seconds=60, mode="greedy")
    static = widget.static_html()
    cells = re.findall(r'class="s2s-static-char" data-p="([0-9.]+)"', static)
    assert len(cells) == len(units(name, widget.translation))
    assert widget._repr_mimebundle_()["text/plain"].endswith(
        f"→ {widget.translation!r} (greedy)")


def test_the_step_through_steps_to_the_end(family) -> None:
    name, translator = family
    steps = w.StepThrough(translator, "Be nice.")
    assert_no_error(steps.notes.value, steps.view.value)
    assert steps.steps and steps.source == "Be nice."
    while steps.index < len(steps.steps) - 1:
        steps.next()
    assert steps.next_button.disabled
    assert 'data-stop="true"' in steps.view.value
    greedy = translation.translate(translator, "Be nice.", mode="greedy").text
    assert steps.steps[-1].text_so_far == greedy
    assert ("s2s-step-attention" in steps.view.value) == (name == "attention")
    candidates = re.findall(r'class="s2s-candidate[^"]*" data-char="([^"]*)"', steps.view.value)
    assert len(candidates) == 5
    assert "s2s-static-step" in steps.static_html()


def test_the_step_through_leaves_out_an_unknown_token(family) -> None:
    name, translator = family
    text, unknown = UNKNOWN[name]
    steps = w.StepThrough(translator, text)
    assert_no_error(steps.notes.value, steps.view.value)
    assert re.search(rf'<mark class="s2s-unknown">{re.escape(unknown)}</mark>',
                     steps.notes.value)
    assert steps.steps[-1].text_so_far == translation.translate(
        translator, text, mode="greedy", on_unknown="drop").text


@pytest.mark.parametrize("widget", [w.Translator, w.StepThrough])
@pytest.mark.parametrize("text", [5, b"Go.", None, ["Go."]])
def test_text_that_is_not_a_str_is_refused_in_words(translator, widget, text) -> None:
    with pytest.raises(TypeError, match=r"^text must be a str \(an English sentence\), not "):
        widget(translator, text=text)


def test_a_word_models_steps_show_words(word_translator) -> None:
    steps = w.StepThrough(word_translator, "Be nice.")
    chosen = [step.chosen for step in steps.steps]
    assert chosen == [*enc.tokenize_words(steps.steps[-1].text_so_far), "⏎"]
