"""Switching the widgets' model: ``Translator.set_model`` (its heads menu made, kept or gone with
the model's heads, the text translated again), a step-through that follows it switching too, the
menu of models (``widgets.ModelMenu``), one line on a model (``widgets.describe_model``), and a
clear error for each bad argument."""

from __future__ import annotations

import html
import re

import pytest

from helpers import models, translation
from helpers import widgets as w
from helpers.translation import translate
from tests.conftest import recite_toy_pieces

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def descendants(widget) -> list:
    children = list(getattr(widget, "children", ()))
    return children + [d for child in children for d in descendants(child)]


def classes(widget) -> set[str]:
    return {c for d in descendants(widget) for c in d._dom_classes}


@pytest.fixture(scope="module")
def four_heads(transformer_toy):
    """A Transformer of four heads and one layer on the tiny Transformer's pieces, trained as
    that one is (tests/conftest.py) until it recites the toy pairs."""
    vocab = transformer_toy[0]
    model = recite_toy_pieces(transformer_toy, num_heads=4, num_layers=1, seed=1)
    return models.TranslationModel(model, vocab, vocab, {"max_encoder_seq_length": 12,
                                                         "max_decoder_seq_length": 12})


@pytest.fixture
def widget(attention_translator) -> w.Translator:
    return w.Translator(attention_translator, "Be nice.", debounce_seconds=60, mode="greedy")


# --- Translator.set_model -------------------------------------------------------------------


def test_set_model_translates_again_with_the_new_model(widget, attention_translator,
                                                       transformer_translator) -> None:
    assert widget.head is None and widget.unit == "character"
    widget.set_model(transformer_translator)
    assert widget.translator is transformer_translator
    assert widget.text.value == "Be nice."  # the text stays
    assert widget.translation == translate(transformer_translator, "Be nice.").text
    assert widget.unit == "subword piece" and widget.subwords is not None
    assert widget.head is not None and widget.head in widget.children
    assert [label for label, _ in widget.head.options] == ["All heads (mean)", "Head 1",
                                                           "Head 2"]
    assert "The mean of the model's 2 attention heads" in html.unescape(
        widget.attention_view.value)
    assert "s2s-att-pieces" in widget.attention_view.value
    widget.set_model(attention_translator)
    assert widget.translation == translate(attention_translator, "Be nice.").text
    assert widget.head is None and "s2s-attention-head" not in classes(widget)
    assert "attention heads" not in widget.attention_view.value
    assert widget.unit == "character"


def test_a_model_without_attention_hides_the_map(widget, translator,
                                                 attention_translator) -> None:
    widget.set_model(translator)
    assert widget.show_attention.layout.display == "none"
    assert "s2s-no-attention" in widget.attention_view.value
    assert widget.translation == translate(translator, "Be nice.").text
    assert "s2s-error" not in widget.notes.value
    widget.set_model(attention_translator)
    assert widget.show_attention.layout.display != "none"
    assert "s2s-attention-map" in widget.attention_view.value


def test_the_heads_menu_follows_the_number_of_heads(transformer_translator, four_heads) -> None:
    widget = w.Translator(transformer_translator, "Go.", debounce_seconds=60, mode="greedy")
    widget.head.value = 1
    first = widget.head
    widget.set_model(four_heads)
    assert widget.head is not first and widget.head in widget.children
    assert first not in widget.children
    assert len(widget.head.options) == 5 and widget.head.value == w.ALL_HEADS
    assert widget.translation == translate(four_heads, "Go.").text
    widget.head.value = 3
    assert "Head 4 of the model's 4 attention heads" in html.unescape(
        widget.attention_view.value)
    widget.set_model(transformer_translator)
    assert len(widget.head.options) == 3 and widget.attention_head is None


def test_the_same_model_again_changes_nothing(widget, attention_translator,
                                              monkeypatch) -> None:
    from helpers import widget_translator

    calls = []
    widget.on_model_changed(calls.append)
    monkeypatch.setattr(widget_translator, "translate", lambda *a, **k: calls.append(a))
    widget.set_model(attention_translator)
    assert calls == []


def test_set_model_tells_the_functions_registered(widget, transformer_translator) -> None:
    seen = []
    widget.on_model_changed(lambda model: seen.append((model, widget.translator)))
    widget.set_model(transformer_translator)
    assert seen == [(transformer_translator, transformer_translator)]


def test_a_failing_listener_is_a_message(widget, transformer_translator) -> None:
    widget.on_model_changed(lambda model: 1 / 0)
    widget.set_model(transformer_translator)
    assert "A linked widget failed (ZeroDivisionError" in widget.notes.value
    assert widget.translation == translate(transformer_translator, "Be nice.").text


# --- the step-through -----------------------------------------------------------------------


def test_a_following_step_through_switches_with_the_translator(widget, attention_translator,
                                                               transformer_translator) -> None:
    steps = w.StepThrough(attention_translator, follow=widget)
    assert steps.steps[-1].text_so_far == translate(attention_translator, "Be nice.").text
    widget.set_model(transformer_translator)
    assert steps.translator is transformer_translator and steps.unit == "subword piece"
    assert steps.text.value == "Be nice." and steps.index == 0
    assert steps.steps[-1].text_so_far == translate(transformer_translator, "Be nice.").text
    assert "▁ marks a piece" in html.unescape(steps.heading.value)
    assert "mean of its 2 attention heads" in html.unescape(steps.heading.value)
    assert "It decodes what the translator translates" in html.unescape(steps.heading.value)
    type_and_enter(widget, "Go.")
    assert steps.source == "Go."  # it still follows
    widget.set_model(attention_translator)
    assert steps.translator is attention_translator and steps.unit == "character"
    assert steps.steps[-1].text_so_far == translate(attention_translator, "Go.").text


def test_a_step_through_switches_alone(attention_translator, transformer_translator) -> None:
    steps = w.StepThrough(attention_translator, "Go.")
    steps.next()
    steps.set_model(transformer_translator)
    assert steps.index == 0 and steps.source == "Go."
    assert steps.steps[-1].text_so_far == translate(transformer_translator, "Go.").text
    assert "following" not in steps.heading.value


def type_and_enter(widget: w.Translator, text: str) -> None:
    widget.text.value = text
    widget._on_text_message(widget.text, {"event": "submit"}, [])


# --- the menu -------------------------------------------------------------------------------


@pytest.fixture
def menu_models(attention_translator, transformer_translator) -> dict:
    return {"LSTM with attention": attention_translator, "Transformer": transformer_translator}


def test_the_menu_switches_the_translator_and_the_step_through(widget, menu_models,
                                                               transformer_translator) -> None:
    steps = w.StepThrough(widget.translator, follow=widget)
    menu = w.ModelMenu(menu_models, widget)
    assert {"s2s-widget", "s2s-model-menu"} <= set(menu._dom_classes)
    assert menu.menu.options == ("LSTM with attention", "Transformer")
    assert menu.menu.value == "LSTM with attention" and menu.menu.description == "Model"
    menu.menu.value = "Transformer"
    assert menu.model is transformer_translator
    assert widget.translator is transformer_translator and widget.head is not None
    assert steps.translator is transformer_translator
    assert widget.translation == translate(transformer_translator, "Be nice.").text
    assert menu.notes.value == ""


def test_the_menu_shows_a_switch_made_otherwise(widget, menu_models, attention_translator,
                                                transformer_translator, translator) -> None:
    menu = w.ModelMenu(menu_models, widget)
    widget.set_model(transformer_translator)
    assert menu.menu.value == "Transformer"
    widget.set_model(attention_translator)
    assert menu.menu.value == "LSTM with attention"
    widget.set_model(translator)
    assert "does not list" in menu.notes.value
    assert menu.menu.value == "LSTM with attention"  # (it cannot show it)
    widget.set_model(transformer_translator)
    assert menu.menu.value == "Transformer" and menu.notes.value == ""


def test_a_failed_switch_is_a_message_not_a_traceback(widget, menu_models,
                                                      monkeypatch) -> None:
    menu = w.ModelMenu(menu_models, widget)

    def broken(translator):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(widget, "_switch_to", broken)
    menu.menu.value = "Transformer"
    assert "Could not switch to Transformer (RuntimeError: out of memory)" in menu.notes.value
    assert menu.menu.value == "LSTM with attention"  # the model the translator still shows


def test_the_menu_drives_a_step_through_alone(menu_models, attention_translator,
                                              transformer_translator) -> None:
    steps = w.StepThrough(attention_translator, "Go.")
    menu = w.ModelMenu(menu_models, steps)
    menu.menu.value = "Transformer"
    assert steps.translator is transformer_translator


def test_the_menus_static_copy_names_the_model_chosen(widget, menu_models) -> None:
    menu = w.ModelMenu(menu_models, widget)
    data = menu._repr_mimebundle_()
    assert WIDGET_VIEW in data
    text = html.unescape(re.sub(r"<[^>]+>", " ", data["text/html"]))
    assert "Model: LSTM with attention (attention family: characters" in text
    assert "The menu's other choices: Transformer." in text
    assert "s2s-static" in data["text/html"] and "<style" not in data["text/html"]
    assert data["text/plain"] == "ModelMenu: 'LSTM with attention' of 'LSTM with attention', " \
        "'Transformer'"


# --- describe_model -------------------------------------------------------------------------


def test_describe_model(attention_translator, transformer_translator) -> None:
    line = w.describe_model(transformer_translator)
    params = transformer_translator.model.count_params()
    assert line == (f"transformer family: subwords, 2 attention heads, {params:,} parameters; "
                    "no held-out score in its manifest")
    scored = models.TranslationModel(
        attention_translator.model, attention_translator.input_vocab,
        attention_translator.target_vocab,
        {**attention_translator.manifest,
         "metadata": {"scores": {"course": {"chrF": 58.333, "sentences": 1000}}}})
    assert w.describe_model(scored).endswith(
        "characters, attention, "
        f"{attention_translator.model.count_params():,} parameters; held-out greedy chrF 58.33 "
        "(1,000 course sentences)")


# --- bad arguments --------------------------------------------------------------------------


def test_set_model_refuses_what_is_not_a_model(widget) -> None:
    with pytest.raises(TypeError, match="translator must be a TranslationModel"):
        widget.set_model("models/fra_eng_transformer.keras")
    steps = w.StepThrough(widget.translator, "Go.")
    with pytest.raises(TypeError, match="translator must be a TranslationModel"):
        steps.set_model(None)


@pytest.mark.parametrize("models_given, error, message", [
    (["a model"], TypeError, "models must map names to loaded models"),
    ({}, ValueError, "models is empty"),
    ({1: "attention"}, TypeError, "the names in models must be str"),
    ({"  ": "attention"}, ValueError, "models has an empty name"),
    ({"A": "models/fra_eng_attention.keras"}, TypeError,
     r"models\['A'\] must be a TranslationModel \(helpers.models.load_translation_model\(\)\), "
     "not str"),
    ({"A": "attention", "B": "attention"}, ValueError,
     r"models\['B'\] is the same model as models\['A'\]"),
    ({"Transformer": "transformer"}, ValueError, "the widget's model is not one of models"),
])
def test_each_bad_argument_of_the_menu_gets_a_clear_error(widget, attention_translator,
                                                          transformer_translator, models_given,
                                                          error, message) -> None:
    named = {"attention": attention_translator, "transformer": transformer_translator}
    if isinstance(models_given, dict):
        models_given = {k: named.get(v, v) for k, v in models_given.items()}
    with pytest.raises(error, match=message):
        w.ModelMenu(models_given, widget)


def test_the_menu_refuses_what_is_not_a_widget_it_can_switch(menu_models) -> None:
    with pytest.raises(TypeError, match="widget must be a Translator or a StepThrough "
                                        r"\(helpers.widgets\), not str"):
        w.ModelMenu(menu_models, "translator_widget")
    with pytest.raises(TypeError, match="description must be a str, not int"):
        w.ModelMenu(menu_models, w.StepThrough(menu_models["Transformer"]), description=3)


def test_follow_refuses_what_is_not_a_translator(attention_translator) -> None:
    steps = w.StepThrough(attention_translator, "Go.")
    for follow in ("translator_widget", steps):
        with pytest.raises(TypeError, match="follow must be a Translator"):
            w.StepThrough(attention_translator, follow=follow)
        with pytest.raises(TypeError, match="follow must be a Translator"):
            steps.follow(follow)


def test_describe_model_refuses_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="translator must be a TranslationModel"):
        w.describe_model("models/fra_eng_attention.keras")


def test_check_models_keeps_the_order(menu_models) -> None:
    assert list(w.check_models(menu_models)) == ["LSTM with attention", "Transformer"]
    assert translation.attention_heads(menu_models["Transformer"]) == 2
