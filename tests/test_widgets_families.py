"""The widgets work for every model the course builds (issue 22, item 4): the tiny course model
(LSTM, characters), a GRU (characters), a word-level model (notebook 06), an attention model
(characters) and a Transformer (subword pieces, two attention heads: notebook 07), each trained
in seconds on the toy pairs of ``tests/conftest.py``."""

from __future__ import annotations

import html
import re

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import translation, variants, widget_html
from helpers import widgets as w
from helpers.data import Split
from tests import test_translation_written as written
from tests.conftest import SOURCES, TARGETS, fit_full_batches, recite_toy_pairs, toy_translator

FAMILIES = ["course", "gru", "word", "attention", "transformer"]
#: The families whose models attend (and so draw an attention map).
ATTENDING = {"attention", "transformer"}
#: A word or a character each model never saw, put in a sentence it knows.
UNKNOWN = {"course": ("Be nice. ζ", "ζ"), "gru": ("Be nice. ζ", "ζ"),
           "word": ("Be very nice.", "very"), "attention": ("Be nice. ζ", "ζ"),
           "transformer": ("Be nice. ζ", "ζ")}


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


def units(name: str, text: str, translator=None) -> list[str]:
    """What the model writes, one entry per token: words for the word model, the pieces' texts
    (spaces as written) for the Transformer, else characters."""
    if name == "transformer":
        texts = [p.replace("▁", " ") for p in translator.target_vocab.pieces(text)]
        return [texts[0].removeprefix(" "), *texts[1:]]
    return enc.tokenize_words(text) if name == "word" else list(text)


def pieces(translator, text: str) -> list[str]:
    return translator.target_vocab.pieces(text)


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
    assert len(widget.confidences) == len(units(name, widget.translation, translator)) > 0
    assert widget.confidences == pytest.approx(expected)
    assert shaded(widget) == pytest.approx(expected, abs=1e-4)
    shown = re.findall(r'class="s2s-char"[^>]*>([^<]*)</span>', widget.result.value)
    assert shown == units(name, widget.translation, translator)


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
    if name in ATTENDING:
        assert widget.attention_weights is not None
        assert widget.attention_weights.shape == (
            len(units(name, widget.translation, translator)) + 1,
            len(units(name, widget.last.used_input, translator)))
        assert "s2s-attention-map" in widget.attention_view.value
    else:
        assert widget.attention_weights is None
        assert "s2s-no-attention" in widget.attention_view.value


def test_the_static_copy_shows_the_translation(family) -> None:
    name, translator = family
    widget = w.Translator(translator, "Be nice.", debounce_seconds=60, mode="greedy")
    static = widget.static_html()
    cells = re.findall(r'class="s2s-static-char" data-p="([0-9.]+)"', static)
    assert len(cells) == len(units(name, widget.translation, translator))
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
    assert ("s2s-step-attention" in steps.view.value) == (name in ATTENDING)
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


# --- a subword model with attention heads (the Transformer of notebook 07) -------------------


def attention_rows(view: str) -> list[list[float]]:
    """The weights of each row of an attention map's HTML."""
    rows = view.split('class="s2s-att-row')[1:]
    return [[float(x) for x in re.findall(r'data-w="([0-9.]+)"', row)] for row in rows]


def shown_pieces(translator, text: str) -> list[str]:
    """The pieces of ``text`` as helpers.decoding.display_token shows them (by their ids)."""
    vocab = translator.target_vocab
    return [dec.display_token(vocab, i) for i in vocab.encode(text)]


def descendants(widget) -> list:
    children = list(getattr(widget, "children", ()))
    return children + [d for child in children for d in descendants(child)]


def test_a_subword_translation_is_shaded_piece_by_piece(transformer_translator) -> None:
    widget = w.Translator(transformer_translator, "Be nice.", debounce_seconds=60,
                          mode="greedy")
    assert widget.translation == "Soyez gentil !"
    spans = re.findall(r'class="s2s-char"[^>]*>([^<]*)</span>', widget.result.value)
    assert "".join(spans) == widget.translation  # the spaces are inside the spans
    written = pieces(transformer_translator, widget.translation)
    assert len(spans) == len(written) < len(widget.translation)  # pieces, not characters
    assert any(span.startswith(" ") for span in spans)
    titles = re.findall(r'class="s2s-char" title="([^"]*): [0-9]+% sure"', widget.result.value)
    assert titles == shown_pieces(transformer_translator, widget.translation)
    assert "each subword piece" in widget.result.value
    assert "the most likely subword piece at every step" in widget.status.value


def test_a_subword_models_attention_map_has_its_pieces_on_its_axes(transformer_translator) -> None:
    widget = w.Translator(transformer_translator, "Get out!", debounce_seconds=60,
                          mode="greedy")
    view = widget.attention_view.value
    written = pieces(transformer_translator, widget.translation)
    read = pieces(transformer_translator, "Get out!")
    assert view.count('class="s2s-att-row') == len(written) + 1
    assert view.count('class="s2s-att-head"') == len(read) < len("Get out!")
    labels = re.findall(r'class="s2s-att-label">([^<]*)<', view)
    assert labels == [*shown_pieces(transformer_translator, widget.translation), "⏎"]
    heads = re.findall(r'class="s2s-att-head" data-char="[^"]*">([^<]*)<', view)
    assert heads == shown_pieces(transformer_translator, "Get out!")
    assert any(label.startswith("▁") for label in labels + heads)  # a word's start, visible
    expected = translation.attention_map(transformer_translator, "Get out!", widget.translation)
    assert np.array(attention_rows(view)) == pytest.approx(expected, abs=1e-4)
    assert "a row for each French subword piece" in view


def test_the_heads_menu_draws_the_map_of_the_head_chosen(transformer_translator,
                                                         monkeypatch) -> None:
    from helpers import widget_translator

    widget = w.Translator(transformer_translator, "Be nice.", debounce_seconds=60,
                          mode="greedy")
    assert translation.attention_heads(transformer_translator) == 2
    assert widget.head is not None and widget.head in widget.children
    assert [label for label, _ in widget.head.options] == ["All heads (mean)", "Head 1",
                                                           "Head 2"]
    assert widget.head.value == w.ALL_HEADS and widget.attention_head is None
    source, text = "Be nice.", widget.translation
    mean = translation.attention_map(transformer_translator, source, text)
    assert np.array(attention_rows(widget.attention_view.value)) == pytest.approx(mean, abs=1e-4)
    assert "The mean of the model's 2 attention heads" in html.unescape(
        widget.attention_view.value)
    calls = []
    monkeypatch.setattr(widget_translator, "translate", lambda *a, **k: calls.append(a))
    for h in range(2):
        widget.head.value = h
        assert widget.attention_head == h
        expected = translation.attention_map(transformer_translator, source, text, head=h)
        assert np.abs(expected - mean).max() > 1e-3  # a head's map is not the mean
        view = widget.attention_view.value
        assert np.array(attention_rows(view)) == pytest.approx(expected, abs=1e-4)
        np.testing.assert_allclose(widget.attention_weights, expected, rtol=1e-6)
        assert f"Head {h + 1} of the model's 2 attention heads" in html.unescape(view)
        assert f"Head {h + 1} of the model's 2 attention heads" in html.unescape(
            widget.static_html())
    assert calls == []  # a new head redraws the map, it does not translate again
    widget.head.value = w.ALL_HEADS
    assert np.array(attention_rows(widget.attention_view.value)) == pytest.approx(mean, abs=1e-4)
    widget.show_attention.value = False
    assert widget.head.layout.display == "none" and widget.attention_view.value == ""
    widget.show_attention.value = True
    assert widget.head.layout.display != "none"


def test_the_head_chosen_stays_for_the_next_translation(transformer_translator) -> None:
    widget = w.Translator(transformer_translator, "Be nice.", debounce_seconds=60,
                          mode="greedy")
    widget.head.value = 1
    type_and_enter(widget, "Get out!")
    expected = translation.attention_map(transformer_translator, "Get out!",
                                         widget.translation, head=1)
    assert np.array(attention_rows(widget.attention_view.value)) == pytest.approx(expected,
                                                                                  abs=1e-4)


@pytest.mark.parametrize("fixture", ["translator", "attention_translator"])
def test_a_model_without_heads_has_no_heads_menu(request, fixture) -> None:
    translator = request.getfixturevalue(fixture)
    widget = w.Translator(translator, "Go.", debounce_seconds=60)
    assert translation.attention_heads(translator) == 0
    assert widget.head is None and widget.attention_head is None
    assert not [d for d in descendants(widget) if "s2s-attention-head" in d._dom_classes]
    assert "attention heads" not in widget.attention_view.value


def test_the_attention_maps_size_limit_counts_pieces(transformer_translator,
                                                     monkeypatch) -> None:
    from helpers import widget_translator

    rows = len(pieces(transformer_translator, "Soyez gentil !")) + 1
    cols = len(pieces(transformer_translator, "Be nice."))
    monkeypatch.setattr(widget_translator, "MAX_ATTENTION_CELLS", rows * cols)
    widget = w.Translator(transformer_translator, "Be nice.", mode="greedy")
    assert widget.attention_view.value.count('class="s2s-att-row') == rows
    monkeypatch.setattr(widget_translator, "MAX_ATTENTION_CELLS", rows * cols - 1)
    widget.translate_now()
    assert "s2s-att-row" not in widget.attention_view.value
    assert f"{rows} × {cols} = {rows * cols} cells" in widget.attention_view.value


def test_the_step_through_writes_a_piece_a_step(transformer_translator) -> None:
    steps = w.StepThrough(transformer_translator, "Get out!")
    greedy = translation.translate(transformer_translator, "Get out!", mode="greedy").text
    assert steps.steps[-1].text_so_far == greedy
    vocab = transformer_translator.target_vocab
    assert steps.chosen_ids == [*vocab.encode(greedy), vocab.token_index["\n"]]
    assert [s.chosen for s in steps.steps] == [*shown_pieces(transformer_translator, greedy), "⏎"]
    read = pieces(transformer_translator, "Get out!")
    for i, step in enumerate(steps.steps):
        steps.show(i)
        view = steps.view.value
        candidates = re.findall(r'class="s2s-candidate-char">([^<]*)<', view)
        assert candidates == [piece for piece, _ in step.candidates] and len(candidates) == 5
        assert candidates[0] == step.chosen
        assert re.search(r'class="s2s-chosen-char">([^<]*)<', view).group(1) == step.chosen
        src = re.findall(r'class="s2s-src-char[^"]*" data-w="[0-9.]+"[^>]*>([^<]*)<', view)
        assert "".join(src) == "Get out!" and len(src) == len(read)
        weights = [float(x) for x in re.findall(r'class="s2s-src-char[^"]*" data-w="([0-9.]+)"',
                                                view)]
        assert weights == pytest.approx(step.attention, abs=1e-4)
        focus = re.search(r'class="s2s-focus-char">([^<]*)<', view).group(1)
        assert focus == dec.visible_token(read[int(np.argmax(step.attention))])
    assert "every subword piece a probability" in steps.heading.value
    assert "the mean of its 2 attention heads" in steps.heading.value


def test_the_static_copies_of_a_subword_model_list_its_pieces(transformer_translator) -> None:
    widget = w.Translator(transformer_translator, "Be nice.", debounce_seconds=60,
                          mode="greedy")
    static = widget.static_html()
    cells = re.findall(r'class="s2s-static-char" data-p="[0-9.]+"[^>]*>([^<]*)<', static)
    assert cells == shown_pieces(transformer_translator, widget.translation)
    assert static.count('class="s2s-static-att-row"') == len(cells) + 1
    assert "subword piece" in static and "<style" not in static
    steps = w.StepThrough(transformer_translator, "Be nice.")
    copy = steps.static_html()
    assert copy.count('class="s2s-static-step"') == len(steps.steps)
    read = pieces(transformer_translator, "Be nice.")
    for step in steps.steps:
        best = int(np.argmax(step.attention))
        assert f"{dec.visible_token(read[best])} ({step.attention[best]:.0%})" in copy
    assert "next subword pieces" in copy


def test_a_subword_models_length_limit_counts_pieces(transformer_translator) -> None:
    text = "Be nice. Get out! Wait! Run! Go."
    limit = transformer_translator.max_encoder_seq_length
    assert len(pieces(transformer_translator, text)) > limit
    widget = w.Translator(transformer_translator, text, debounce_seconds=60, mode="greedy")
    assert_no_error(widget.notes.value)
    assert f"subword pieces were translated (the model reads at most {limit})" in (
        widget.notes.value)
    assert widget.last is not None and text.startswith(widget.last.used_input)
    steps = w.StepThrough(transformer_translator, text)
    assert "subword pieces were translated" in steps.notes.value
    assert steps.source == widget.last.used_input


def test_piece_texts_join_to_the_sentence() -> None:
    assert widget_html._piece_texts(["▁", "Va", "▁!"]) == ["", "Va", " !"]
    assert widget_html._piece_texts(["▁So", "y", "▁", "g"]) == ["So", "y", " ", "g"]
    assert widget_html._piece_texts([]) == []


# --- a subword model that never ends its sentence -------------------------------------------

#: (the fixture is tests/test_translation_written.py's, which tests translate() with it)
endless_translator = written.endless_translator
_forced_piece = written._forced_piece


@pytest.mark.parametrize("mode", ["greedy", "beam"])
def test_an_unfinished_subword_translation_shows_the_pieces_written(endless_translator,
                                                                   mode) -> None:
    """A subword model that never writes its stop token: the translator shows the pieces its
    decoder wrote, as many as it may write, each with the model's confidence in it, and their
    attention map; never "Something went wrong" because the text cut again has more pieces
    (sentencepiece puts a "▁" before the first piece: one more than the model may write)."""
    vocab = endless_translator.target_vocab
    limit = endless_translator.max_decoder_seq_length + 1
    piece = _forced_piece(vocab, limit)
    widget = w.Translator(endless_translator, "Be nice.", debounce_seconds=60, mode=mode)
    notes = widget.notes.value
    assert "went wrong" not in notes, notes
    assert "The translation did not finish" in html.unescape(notes)
    assert widget.last is not None and not widget.last.finished
    assert widget.translation == piece * limit
    assert len(vocab.pieces(widget.translation)) > limit  # a re-cut: more than were written
    spans = re.findall(r'class="s2s-char"[^>]*>([^<]*)</span>', widget.result.value)
    assert spans == [piece] * limit
    titles = re.findall(r'class="s2s-char" title="([^"]*): [0-9]+% sure"', widget.result.value)
    assert titles == [piece] * limit
    ids = vocab.token_index
    model = endless_translator.model
    probs = np.asarray(model([np.array([vocab.encode("Be nice.")], np.int32),
                              np.array([[ids["\t"], *[ids[piece]] * limit]], np.int32)],
                             training=False))[0]
    expected = [float(probs[t, ids[piece]]) for t in range(limit)]
    assert widget.confidences == pytest.approx(expected, abs=1e-5)
    assert shaded(widget) == pytest.approx(expected, abs=1e-4)
    assert "unfinished: cut at the length limit" in widget.status.value
    view = widget.attention_view.value
    assert_no_error(view)
    labels = re.findall(r'class="s2s-att-label">([^<]*)<', view)
    assert labels == [piece] * limit + ["⏎"]
    rows = np.array(attention_rows(view))
    assert rows.shape == (limit + 1, len(pieces(endless_translator, "Be nice.")))
    assert rows.sum(axis=1) == pytest.approx(1.0, abs=1e-3)
    widget.head.value = 1  # one head's map: the same rows
    assert re.findall(r'class="s2s-att-label">([^<]*)<', widget.attention_view.value) == labels
    static = widget.static_html()
    cells = re.findall(r'class="s2s-static-char" data-p="[0-9.]+"[^>]*>([^<]*)<', static)
    assert cells == [piece] * limit
    assert static.count('class="s2s-static-att-row"') == limit + 1
