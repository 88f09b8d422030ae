"""Switching the model a widget shows: :class:`ModelMenu`, a menu of loaded models that switches
a :class:`~helpers.widgets.Translator` (or a :class:`~helpers.widgets.StepThrough`) to the one
a person chooses; :class:`ModelSwitch`, the part of both widgets that switches
(``set_model``); :func:`describe_model`, one line on a model; and the menu of a model's
attention heads that the translator shows for a model with several (:data:`ALL_HEADS`).

Used in: ``08_translation_playground`` and the classroom app (``make app``), through
:mod:`helpers.widgets` (whose docstring describes the widgets); plumbing, so no notebook writes
this module out.

A widget switches in place: its text stays, its controls follow the new model (the
translator's heads menu appears, changes or goes with the model's heads, its attention map with
the model's attention), and the text is translated, or decoded, again. A step-through that
follows a translator (``follow=``) switches with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from helpers.encoding import SubwordVocabulary
from helpers.model_files import TranslationModel
from helpers.translation import attention_heads, check_translator
from helpers.widget_html import _message, _style, _unit
from helpers.widget_input import _is_word_level, _subwords_of
from helpers.widget_static import _bundle, _static_box, _static_paragraphs

#: The value of the translator's heads menu (``Translator.head``) that draws the mean of the
#: heads.
ALL_HEADS = -1


def _heads_menu(heads: int) -> widgets.Dropdown:
    """The menu of a model's ``heads`` attention heads: their mean (:data:`ALL_HEADS`, the
    first choice) or head ``h`` (``"Head h + 1"``)."""
    menu = widgets.Dropdown(
        options=[("All heads (mean)", ALL_HEADS)] + [(f"Head {h + 1}", h) for h in range(heads)],
        value=ALL_HEADS, description="Heads", layout=widgets.Layout(width="auto"))
    menu.add_class("s2s-attention-head")
    return menu


def _call_each(callbacks: list[Callable[[Any], None]], value: Any) -> str:
    """Call each of ``callbacks`` with ``value``; the message of each one that failed, as HTML
    (a classroom app never shows a traceback)."""
    failed = ""
    for callback in list(callbacks):
        try:
            callback(value)
        except Exception as exc:  # noqa: BLE001
            failed += _message(f"A linked widget failed ({type(exc).__name__}: {exc}).",
                               error=True)
    return failed


class ModelSwitch:
    """What a widget that shows one translation model needs to switch to another (a base of
    :class:`~helpers.widgets.Translator` and :class:`~helpers.widgets.StepThrough`):
    :meth:`set_model`, and :meth:`on_model_changed` for the widgets that follow it. The widget
    keeps ``translator`` (the model), ``notes`` (an HTML widget for messages) and
    ``_model_listeners``, and does its own part of a switch in ``_switch_to(translator)``."""

    translator: Any
    word_level: bool
    subwords: SubwordVocabulary | None
    notes: widgets.HTML
    _model_listeners: list[Callable[[Any], None]]

    def _take_model(self, translator: Any) -> None:
        """Note ``translator`` and what it writes (words? subword pieces?)."""
        self.translator = translator
        self.word_level = _is_word_level(translator)
        self.subwords = _subwords_of(translator.target_vocab)

    @property
    def unit(self) -> str:
        """What the model writes one at a time (and a decoder step writes):
        ``"character"``, ``"word"`` or ``"subword piece"``."""
        return _unit(self.word_level, self.subwords)

    def set_model(self, translator: Any) -> None:
        """Show ``translator`` (a loaded model, :func:`helpers.models.load_translation_model`)
        from now on: the controls follow it and the text is translated (or decoded) again; then
        the functions of :meth:`on_model_changed` are called with it (a step-through that
        follows this widget switches too). Giving the model already shown changes nothing."""
        check_translator(translator)
        if translator is self.translator:
            return
        self._switch_to(translator)
        self.notes.value += _call_each(self._model_listeners, translator)

    def _switch_to(self, translator: Any) -> None:
        raise NotImplementedError  # each widget's own part of set_model

    def on_model_changed(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(translator)`` with the new model after every :meth:`set_model` that
        switches."""
        self._model_listeners.append(callback)


def check_models(models: Any) -> dict[str, TranslationModel]:
    """``models`` as a dict if it maps names (non-empty strings: what a menu shows) to loaded
    models, each model once; else the course's ``TypeError`` or ``ValueError`` naming what is
    wrong."""
    if not isinstance(models, Mapping):
        raise TypeError("models must map names to loaded models (e.g. {'Transformer': "
                        f"load_translation_model(path)}}), not {type(models).__name__}")
    if not models:
        raise ValueError("models is empty: give at least one loaded model, by name")
    named: dict[int, str] = {}
    for name, model in models.items():
        if not isinstance(name, str):
            raise TypeError(f"the names in models must be str (what the menu shows), not {name!r}")
        if not name.strip():
            raise ValueError("models has an empty name: name each model as the menu shows it")
        if not isinstance(model, TranslationModel):
            raise TypeError(f"models[{name!r}] must be a TranslationModel (helpers.models."
                            f"load_translation_model()), not {type(model).__name__}")
        if id(model) in named:
            raise ValueError(f"models[{name!r}] is the same model as models[{named[id(model)]!r}]"
                             ": give each model once")
        named[id(model)] = name
    return dict(models)


def describe_model(translator: Any) -> str:
    """One line on a loaded model: its family, what it reads and writes, its attention, its
    parameters, and its held-out greedy chrF on the course set when its manifest has one
    (``python -m helpers.pretrained score``)."""
    check_translator(translator)
    architecture = translator.architecture
    heads = attention_heads(translator) if architecture.attention else 0
    attention = (f"{heads} attention heads" if heads
                 else "attention" if architecture.attention else "no attention")
    metadata = translator.manifest.get("metadata")
    scores = metadata.get("scores") if isinstance(metadata, dict) else None
    course = scores.get("course") if isinstance(scores, dict) else None
    score = (f"held-out greedy chrF {course['chrF']:.2f} ({course['sentences']:,} course "
             "sentences)" if isinstance(course, dict) and "chrF" in course and "sentences" in course
             else "no held-out score in its manifest")
    return (f"{architecture.family} family: {architecture.tokens}, {attention}, "
            f"{translator.model.count_params():,} parameters; {score}")


class ModelMenu(widgets.VBox):
    """A menu of loaded models, ``models`` (name → model, in the menu's order:
    :func:`check_models`), that switches ``widget`` (a :class:`~helpers.widgets.Translator`,
    or a :class:`~helpers.widgets.StepThrough`) to the model chosen (its ``set_model``; a
    step-through that follows the translator switches with it). The menu, :attr:`menu`, starts
    on the widget's model, which must be one of ``models``, and shows the widget's model when
    it is switched otherwise. Large type, as the widgets; CSS class ``s2s-model-menu``."""

    def __init__(self, models: Mapping[str, TranslationModel], widget: ModelSwitch, *,
                 description: str = "Model", **kwargs: Any) -> None:
        self.models = check_models(models)
        if not isinstance(widget, ModelSwitch):
            raise TypeError("widget must be a Translator or a StepThrough (helpers.widgets), "
                            f"not {type(widget).__name__}")
        if not isinstance(description, str):
            raise TypeError(f"description must be a str, not {type(description).__name__}")
        start = self._name_of(widget.translator)
        if start is None:
            raise ValueError("the widget's model is not one of models: add it (models={name: "
                             "widget.translator, …}) or make the widget with one of them")
        self.widget = widget
        self.menu = widgets.Dropdown(options=list(self.models), value=start,
                                     description=description,
                                     layout=widgets.Layout(width="auto"))
        self.menu.add_class("s2s-model-choice")
        self.notes = widgets.HTML()
        self.notes.add_class("s2s-notes")
        super().__init__([_style(), self.menu, self.notes], **kwargs)
        self.add_class("s2s-widget")
        self.add_class("s2s-model-menu")
        self.menu.observe(self._on_choice, names="value")
        widget.on_model_changed(self._show_model)

    @property
    def model(self) -> TranslationModel:
        """The model chosen."""
        return self.models[self.menu.value]

    def _name_of(self, translator: Any) -> str | None:
        return next((name for name, model in self.models.items() if model is translator), None)

    def _on_choice(self, change: dict) -> None:
        name = change["new"]
        if name is None:
            return
        try:
            self.widget.set_model(self.models[name])
            self.notes.value = ""
        except Exception as exc:  # noqa: BLE001  (a classroom app never shows a traceback)
            shown = self._name_of(self.widget.translator)
            if shown is not None and shown != name:
                self.menu.value = shown  # back to the model the widget still shows
            self.notes.value = _message(f"Could not switch to {name} ({type(exc).__name__}: "
                                        f"{exc}).", error=True)

    def _show_model(self, translator: Any) -> None:
        """The widget was switched (by this menu, or otherwise): show its model's name."""
        name = self._name_of(translator)
        if name is None:
            self.notes.value = _message("The widget now shows a model this menu does not list.")
            return
        self.notes.value = ""
        if name != self.menu.value:
            self.menu.value = name  # set_model with the model shown: nothing more happens

    def static_html(self) -> str:
        """The menu as self-contained static HTML: the model chosen and the other choices."""
        chosen = self.menu.value
        others = [name for name in self.models if name != chosen]
        lines = [f"Model: {chosen} ({describe_model(self.models[chosen])})"]
        if others:
            lines.append(f"The menu's other choices: {'; '.join(others)}.")
        return _static_box("model-menu", "Model", _static_paragraphs(lines))

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The live widget, and :meth:`static_html` for where widgets do not render."""
        return _bundle(super()._repr_mimebundle_(**kwargs), self.static_html(),
                       f"ModelMenu: {self.menu.value!r} of {', '.join(map(repr, self.models))}")
