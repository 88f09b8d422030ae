"""The translator widget, :class:`Translator`: a text box that translates as you type, in the
decoding mode a person chooses (:data:`MODES`), with the French shaded by the model's confidence
in each token it wrote (character, word or subword piece) and, for an attention model, the
attention map of the translation; for a model with several attention heads (the Transformer),
a menu chooses the map of one head or their mean. :meth:`Translator.set_model` switches it to
another model (what :class:`helpers.widgets.ModelMenu` calls).

Used in: ``08_translation_playground`` and the classroom app (``make app``), through
:mod:`helpers.widgets` (whose docstring describes both widgets); plumbing, so no notebook writes
this module out.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers.architecture import architecture_of
from helpers.translation import (
    Translation,
    TranslationInputError,
    attention_heads,
    attention_map,
    character_confidences,
    check_translator,
    translate,
)
from helpers.widget_html import (
    _NO_ATTENTION,
    _attention_note,
    _message,
    _status_html,
    _style,
    _tokens_of,
    _too_big_html,
    attention_html,
    confidence_html,
)
from helpers.widget_input import _check_text, _prepare
from helpers.widget_models import ALL_HEADS, ModelSwitch, _call_each, _heads_menu
from helpers.widget_static import _bundle, _plain, translation_static_html

#: The decoding modes a person can choose: (label, ``mode`` of
#: :func:`helpers.translation.translate`).
MODES: tuple[tuple[str, str], ...] = (("Greedy", "greedy"), ("Beam search", "beam"),
                                      ("Sampling", "sample"))
MODE_NAMES = {"greedy": "greedy", "beam": "beam search", "sample": "sampling"}
#: The mode a Translator starts in: the one that scores best on held-out sentences within a
#: latency a typing class accepts (``python -m benchmarks.playground``; notebook 08 states the
#: numbers).
DEFAULT_MODE = "beam"
#: The largest attention map the translator draws (rows × columns): a bigger one would not fit
#: on a screen and would cost the browser megabytes of HTML.
MAX_ATTENTION_CELLS = 5_000
_SLIDER = {"width": "min(26em, 100%)"}


class Translator(ModelSwitch, widgets.VBox):
    """A text box that translates as you type (after a pause of ``debounce_seconds``) and at
    once on Enter; greedy, beam search (width slider; the default, :data:`DEFAULT_MODE`) or
    sampling (temperature slider); the French output shaded by the model's confidence in each
    token it wrote (each character, word, or subword piece with its space); for an attention
    model, the attention map of the translation (checkbox "Show where the model looks",
    ``show_attention``), and for a model with several attention heads
    (:func:`helpers.translation.attention_heads`) a menu, :attr:`head`, that draws the mean of
    the heads (:data:`ALL_HEADS`, the first choice) or head ``h`` (``"Head h + 1"``); a model
    with one attention has no such menu (``head`` is ``None``).

    :meth:`set_model` (:class:`~helpers.widget_models.ModelSwitch`) switches to another model
    (the controls follow it: the heads menu appears, changes or goes, and so does the attention
    map) and translates the text again.

    State: :attr:`translator` is the model used, :attr:`last` the
    :class:`~helpers.translation.Translation` shown (``None`` when there is none),
    :attr:`attention_weights` its attention map when shown (of the head :attr:`attention_head`
    says), :attr:`translated_text` the text box's text that was last translated. A
    translation is shown in the tokens its decoder wrote (its text's ids,
    :func:`helpers.translation.tokens_written`), never cut again: a subword model's pieces are
    those its confidences and attention map are of. Functions registered with
    :meth:`on_translated` are called after every translation, those registered with
    :meth:`on_model_changed` after every switch (see
    :class:`~helpers.widgets.StepThrough`'s ``follow``)."""

    def __init__(self, translator: Any, text: str = "", *, debounce_seconds: float = 0.4,
                 show_attention: bool = True, title: str = "English → French",
                 mode: str = DEFAULT_MODE, **kwargs: Any) -> None:
        check_translator(translator)
        text = _check_text(text)
        if mode not in MODE_NAMES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, MODE_NAMES))}, not "
                             f"{mode!r}")
        self.debounce_seconds = float(debounce_seconds)
        self.last: Translation | None = None
        self._last_mode = "greedy"
        self.attention_weights: np.ndarray | None = None
        self.confidences: list[float] = []  # the model's confidence in each token of last
        self.translated_text = ""
        self._title = title
        self._listeners: list[Callable[[str], None]] = []
        self._model_listeners: list[Callable[[Any], None]] = []  # see ModelSwitch
        self.text = widgets.Text(value=text, continuous_update=True,
                                 placeholder="Type an English sentence, e.g. I am cold.",
                                 layout=widgets.Layout(width="95%"))
        self.text.add_class("s2s-translator-input")
        self.mode = widgets.ToggleButtons(options=MODES, value=mode, description="Decoding")
        self.mode.add_class("s2s-mode")
        self.beam_width = widgets.IntSlider(value=4, min=2, max=10, description="Beam width",
                                            continuous_update=False, layout=_SLIDER)
        self.beam_width.add_class("s2s-beam-width")
        self.temperature = widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.1,
                                               description="Temperature",
                                               continuous_update=False, layout=_SLIDER)
        self.temperature.add_class("s2s-temperature")
        self.resample = widgets.Button(description="Sample again")
        self.resample.add_class("s2s-resample")
        self.notes = widgets.HTML()
        self.notes.add_class("s2s-notes")
        self.result = widgets.HTML()
        self.result.add_class("s2s-result")
        self.status = widgets.HTML()
        self.status.add_class("s2s-status-box")
        self.show_attention = widgets.Checkbox(value=bool(show_attention), indent=False,
                                               description="Show where the model looks",
                                               layout=widgets.Layout(width="auto"))
        self.show_attention.add_class("s2s-attention-toggle")
        self.attention_view = widgets.HTML()
        self.attention_view.add_class("s2s-attention-box")
        self.head: widgets.Dropdown | None = None
        self.heads = 0
        self._use_model(translator)
        self._top = [_style(), widgets.HTML(
            f'<div class="s2s-title">{html.escape(title)}</div><div class="s2s-hint">Type a '
            "sentence: it is translated when you pause or press Enter.</div>"),
            self.text, self.mode, widgets.HBox([self.beam_width, self.temperature,
                                                self.resample]),
            self.notes, self.result, self.status, self.show_attention]
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._lock = threading.RLock()
        super().__init__(self._parts(), **kwargs)
        self.add_class("s2s-widget")
        self.add_class("s2s-translator")
        self.text.observe(self._on_typing, names="value")
        self.text.on_msg(self._on_text_message)
        for control in (self.mode, self.beam_width, self.temperature):
            control.observe(self._on_setting, names="value")
        self.resample.on_click(lambda _button: self.translate_now())
        self.show_attention.observe(self._on_attention_toggle, names="value")
        self._show_controls()
        self.translate_now()

    # --- the model ------------------------------------------------------------------------

    def _use_model(self, translator: Any) -> None:
        """Take ``translator`` as the model: what it writes, whether it attends, and the heads
        menu for its heads (kept for as many heads as before, made for another number, gone for
        a model without heads)."""
        self._take_model(translator)
        # a word model's translation is shown in the words its decoder wrote (their ids)
        self._words = translator.target_vocab if self.word_level else False
        self.has_attention = architecture_of(translator.model).attention
        heads = attention_heads(translator) if self.has_attention else 0
        if self.head is not None and heads != self.heads:
            self.head.close()
            self.head = None
        if heads and self.head is None:
            self.head = _heads_menu(heads)
            self.head.observe(self._on_head, names="value")
        self.heads = heads
        self.show_attention.layout.display = None if self.has_attention else "none"
        self.attention_view.value = "" if self.has_attention else _NO_ATTENTION
        self.attention_weights = None

    def _parts(self) -> list[widgets.Widget]:
        """The widget's children for the model used (the heads menu only for heads)."""
        return [*self._top, *([self.head] if self.head is not None else []),
                self.attention_view]

    def _switch_to(self, translator: Any) -> None:
        """:meth:`set_model` here: the controls for ``translator`` (the heads menu, the
        attention map or the note that it has none), and the text translated again."""
        self._cancel_timer()
        with self._lock:
            self._use_model(translator)
            self.children = self._parts()
            self._show_controls()
            self.translate_now()

    # --- events ---------------------------------------------------------------------------

    def _on_typing(self, _change: dict) -> None:
        self.schedule()

    def _on_text_message(self, _widget: Any, content: dict, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":  # Enter
            self.translate_now()

    def _on_setting(self, _change: dict) -> None:
        self._show_controls()
        self.translate_now()

    def _on_attention_toggle(self, _change: dict) -> None:
        with self._lock:  # the translation shown stays (a new draw would change it)
            self._show_controls()
            self._show_attention()

    def _on_head(self, _change: dict) -> None:
        with self._lock:  # the same translation, another head's map
            self.attention_weights = None
            self._show_attention()

    @property
    def attention_head(self) -> int | None:
        """The head whose map is drawn (from 0), or ``None``: the mean of the heads (or the one
        attention of a model without heads)."""
        if self.head is None or self.head.value == ALL_HEADS:
            return None
        return int(self.head.value)

    def on_translated(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(text)`` after every translation, with the text box's text that was
        translated (also when it could not be: empty text, unknown characters)."""
        self._listeners.append(callback)

    def _show_controls(self) -> None:
        mode = self.mode.value
        self.beam_width.layout.display = None if mode == "beam" else "none"
        self.temperature.layout.display = None if mode == "sample" else "none"
        self.resample.layout.display = None if mode == "sample" else "none"
        if self.head is not None:
            self.head.layout.display = None if self.show_attention.value else "none"

    def schedule(self) -> None:
        """Translate once typing has paused for ``debounce_seconds`` (each call restarts the
        wait)."""
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce_seconds, self.translate_now)
            self._timer.daemon = True
            self._timer.start()

    def _cancel_timer(self) -> None:
        with self._timer_lock:
            if self._timer is not None and self._timer is not threading.current_thread():
                self._timer.cancel()
            self._timer = None

    # --- translating --------------------------------------------------------------------

    def translate_now(self) -> None:
        """Translate the text box's text with the chosen mode and show the result."""
        self._cancel_timer()
        with self._lock:
            text = self.text.value
            try:
                self._translate(text)
            except Exception as exc:  # noqa: BLE001  (a classroom app never shows a traceback)
                self._clear()
                self.notes.value = _message(
                    f"Something went wrong ({type(exc).__name__}: {exc}). Try another sentence.",
                    error=True)
            self.translated_text = text
            self.notes.value += _call_each(self._listeners, text)

    def _clear(self) -> None:
        """No translation to show."""
        self.last = None
        self.confidences = []
        self.attention_weights = None
        self.result.value = ""
        self.status.value = ""
        if self.has_attention:
            self.attention_view.value = ""

    def _translate(self, text: str) -> None:
        if not text.strip():
            self._clear()
            self.notes.value = _message("Type an English sentence to see its French translation.")
            return
        prepared, notes = _prepare(self.translator, text)
        if prepared is None:
            self._clear()
            self.notes.value = notes
            return
        mode = self.mode.value
        try:  # the text as typed, read as _prepare read it: last says what was left out
            translation = translate(self.translator, text, mode=mode,
                                    beam_width=int(self.beam_width.value),
                                    temperature=float(self.temperature.value),
                                    on_unknown="drop", on_overflow="truncate")
        except TranslationInputError as exc:
            self._clear()
            self.notes.value = notes + _message(str(exc))
            return
        confidences = character_confidences(self.translator, self._english(translation),
                                            translation.text)  # one per token written
        self.last = translation
        self.confidences = list(confidences)
        self._last_mode = mode
        self.attention_weights = None
        self.notes.value = (notes + "".join(_message(said) for said in translation.repairs)
                            + ("" if translation.finished
                               else _message(translation.notices[-1], error=True)))
        if translation.text:
            self.result.value = confidence_html(translation.text, confidences,
                                                words=self._words, subwords=self.subwords)
        else:
            self.result.value = ('<div class="s2s-translation"></div>'
                                 + _message("The model answered with nothing at all."))
        detail = {"greedy": f"the most likely {self.unit} at every step",
                  "beam": f"width {self.beam_width.value}",
                  "sample": f"temperature {self.temperature.value:.1f}"}[mode]
        self.status.value = _status_html(mode, MODE_NAMES[mode], detail, confidences,
                                         finished=translation.finished)
        self._show_attention()

    def _show_attention(self) -> None:
        """Draw (or hide) the attention map of :attr:`last`; a failure is a message there, and
        the translation stays."""
        if not self.has_attention:
            return
        try:
            self._draw_attention()
        except Exception as exc:  # noqa: BLE001  (a classroom app never shows a traceback)
            self.attention_weights = None
            self.attention_view.value = _message(
                f"The attention map failed ({type(exc).__name__}: {exc}).", error=True)

    def _draw_attention(self) -> None:
        translation = self.last
        if translation is None or not self.show_attention.value:
            self.attention_view.value = ""
            return
        rows = len(_tokens_of(translation.text, subwords=self.subwords)) + 1
        english = self._english(translation)
        cols = len(_tokens_of(english, subwords=self.subwords))
        if rows * cols > MAX_ATTENTION_CELLS:
            self.attention_view.value = _too_big_html(rows, cols, MAX_ATTENTION_CELLS)
            return
        if self.attention_weights is None:
            self.attention_weights = attention_map(
                self.translator, english, translation.text, head=self.attention_head)
        note = _attention_note(self._last_mode, self.unit, self.heads, self.attention_head)
        self.attention_view.value = attention_html(english, translation.text,
                                                   self.attention_weights, note=note,
                                                   subwords=self.subwords)

    def _english(self, translation: Translation) -> str:
        """The English a translation's confidences and map are read against: with the names
        the repair held in place written back (:attr:`Translation.english`), unless that is
        longer than the model reads; then the text the model read."""
        english = translation.english
        if len(_tokens_of(english, subwords=self.subwords)) > int(
                self.translator.max_encoder_seq_length):
            return translation.used_input
        return english

    @property
    def translation(self) -> str:
        """The French text shown now ("" when none)."""
        last = self.last
        return last.text if last is not None else ""

    def static_html(self) -> str:
        """What the widget shows now (the translation with its shading, the mode, the notes,
        the attention map when shown) as self-contained static HTML
        (:func:`translation_static_html`)."""
        with self._lock:
            last = self.last
            weights = None
            note = ""
            if (last is not None and self.has_attention and self.show_attention.value
                    and self.attention_weights is not None):
                weights = self.attention_weights
                note = _attention_note(self._last_mode, self.unit, self.heads,
                                       self.attention_head, static=True)
            notes = _plain(self.notes.value)
            if not self.has_attention:
                notes += _plain(self.attention_view.value)
            elif last is not None and weights is None and self.show_attention.value:
                notes += _plain(self.attention_view.value)  # too big, or failed
            return translation_static_html(
                "" if last is None else self._english(last), self.translation,
                self.confidences if last is not None else [],
                status=" ".join(_plain(self.status.value)), notes=notes, weights=weights,
                attention_note=note, title=self._title, words=self._words,
                subwords=self.subwords)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The live widget, and :meth:`static_html` for where widgets do not render."""
        with self._lock:
            last = self.last
            plain = (f"Translator: {last.used_input!r} → {last.text!r} "
                     f"({MODE_NAMES[self._last_mode]})" if last is not None
                     else "Translator (no translation)")
            return _bundle(super()._repr_mimebundle_(**kwargs), self.static_html(), plain)

    def snapshot(self):
        """:meth:`static_html` as an IPython ``HTML`` object (what the widget shows now)."""
        from IPython.display import HTML

        return HTML(self.static_html())
