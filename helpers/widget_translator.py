"""The translator widget, :class:`Translator`: a text box that translates as you type, in the
decoding mode a person chooses (:data:`MODES`), with the French shaded by the model's confidence
and, for an attention model, the attention map of the translation.

Used in: ``07_translation_playground`` and the classroom app (``make app``), through
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
    attention_map,
    character_confidences,
    check_translator,
    translate,
)
from helpers.widget_html import _message, _style, _unit, attention_html, confidence_html
from helpers.widget_input import _check_text, _is_word_level, _prepare
from helpers.widget_static import _bundle, _plain, translation_static_html

#: The decoding modes a person can choose: (label, ``mode`` of
#: :func:`helpers.translation.translate`).
MODES: tuple[tuple[str, str], ...] = (("Greedy", "greedy"), ("Beam search", "beam"),
                                      ("Sampling", "sample"))
MODE_NAMES = {"greedy": "greedy", "beam": "beam search", "sample": "sampling"}
#: The mode a Translator starts in: the one that scores best on held-out sentences within a
#: latency a typing class accepts (``python -m benchmarks.playground``; notebook 07 states the
#: numbers).
DEFAULT_MODE = "beam"
#: The largest attention map the translator draws (rows × columns): a bigger one would not fit
#: on a screen and would cost the browser megabytes of HTML.
MAX_ATTENTION_CELLS = 5_000
_SLIDER = {"width": "min(26em, 100%)"}


class Translator(widgets.VBox):
    """A text box that translates as you type (after a pause of ``debounce_seconds``) and at
    once on Enter; greedy, beam search (width slider; the default, :data:`DEFAULT_MODE`) or
    sampling (temperature slider); the
    French output shaded by the model's confidence in each character; for an attention model,
    the attention map of the translation (checkbox "Show where the model looks",
    ``show_attention``).

    State: :attr:`last` is the :class:`~helpers.translation.Translation` shown (``None`` when
    there is none), :attr:`attention_weights` its attention map when shown,
    :attr:`translated_text` the text box's text that was last translated. Functions registered
    with :meth:`on_translated` are called after every translation (see
    :class:`~helpers.widgets.StepThrough`'s ``follow``)."""

    def __init__(self, translator: Any, text: str = "", *, debounce_seconds: float = 0.4,
                 show_attention: bool = True, title: str = "English → French",
                 mode: str = DEFAULT_MODE, **kwargs: Any) -> None:
        check_translator(translator)
        text = _check_text(text)
        if mode not in MODE_NAMES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, MODE_NAMES))}, not "
                             f"{mode!r}")
        self.translator = translator
        self.debounce_seconds = float(debounce_seconds)
        self.has_attention = architecture_of(translator.model).attention
        self.word_level = _is_word_level(translator)
        self.last: Translation | None = None
        self._last_mode = "greedy"
        self.attention_weights: np.ndarray | None = None
        self.confidences: list[float] = []  # the model's confidence in each token of last
        self.translated_text = ""
        self._title = title
        self._listeners: list[Callable[[str], None]] = []
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
        if not self.has_attention:
            self.show_attention.layout.display = "none"
            self.attention_view.value = (
                '<div class="s2s-hint s2s-no-attention">This model has no attention: its decoder '
                "sees the English sentence only through the encoder's final state, so there is "
                "no map of where it looks.</div>")
        heading = widgets.HTML(f'<div class="s2s-title">{html.escape(title)}</div>'
                               '<div class="s2s-hint">Type a sentence: it is translated when '
                               "you pause or press Enter.</div>")
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._lock = threading.RLock()
        super().__init__([_style(), heading, self.text, self.mode,
                          widgets.HBox([self.beam_width, self.temperature, self.resample]),
                          self.notes, self.result, self.status, self.show_attention,
                          self.attention_view], **kwargs)
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
            self._show_attention()

    def on_translated(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(text)`` after every translation, with the text box's text that was
        translated (also when it could not be: empty text, unknown characters)."""
        self._listeners.append(callback)

    def _show_controls(self) -> None:
        mode = self.mode.value
        self.beam_width.layout.display = None if mode == "beam" else "none"
        self.temperature.layout.display = None if mode == "sample" else "none"
        self.resample.layout.display = None if mode == "sample" else "none"

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
            for callback in list(self._listeners):
                try:
                    callback(text)
                except Exception as exc:  # noqa: BLE001
                    self.notes.value += _message(
                        f"A linked widget failed ({type(exc).__name__}: {exc}).", error=True)

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
        confidences = character_confidences(self.translator, translation.used_input,
                                            translation.text)
        self.last = translation
        self.confidences = list(confidences)
        self._last_mode = mode
        self.attention_weights = None
        self.notes.value = notes + ("" if translation.finished
                                    else _message(translation.notices[-1], error=True))
        if translation.text:
            self.result.value = confidence_html(translation.text, confidences,
                                                words=self.word_level)
        else:
            self.result.value = ('<div class="s2s-translation"></div>'
                                 + _message("The model answered with nothing at all."))
        detail = {"greedy": f"the most likely {_unit(self.word_level)} at every step",
                  "beam": f"width {self.beam_width.value}",
                  "sample": f"temperature {self.temperature.value:.1f}"}[mode]
        mean = f" · mean confidence {np.mean(confidences):.0%}" if confidences else ""
        cut = "" if translation.finished else " · unfinished: cut at the length limit"
        self.status.value = (f'<div class="s2s-status"><span class="s2s-mode-label" '
                             f'data-mode="{mode}">{MODE_NAMES[mode]}</span> ({detail}){mean}'
                             f"{cut}</div>")
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
        rows, cols = len(translation.text) + 1, len(translation.used_input)
        if rows * cols > MAX_ATTENTION_CELLS:
            self.attention_view.value = (
                f'<div class="s2s-hint s2s-attention-too-big">No attention map for a translation '
                f"this long: it would have {rows} × {cols} = {rows * cols:,} cells (the widget "
                f"draws at most {MAX_ATTENTION_CELLS:,}). Try a shorter sentence.</div>")
            return
        if self.attention_weights is None:
            self.attention_weights = attention_map(
                self.translator, translation.used_input, translation.text)
        chose = {"greedy": "", "beam": "Beam search chose", "sample": "Sampling drew"}
        note = (f"{chose[self._last_mode]} these characters; the map shows where the model looks "
                "when it is given them one at a time and writes them (teacher forcing)."
                if chose[self._last_mode] else "")
        self.attention_view.value = attention_html(translation.used_input, translation.text,
                                                   self.attention_weights, note=note)

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
                if self._last_mode != "greedy":
                    note = ("These are the weights the model uses when it is given the "
                            "characters shown and writes them (teacher forcing).")
            notes = _plain(self.notes.value)
            if not self.has_attention:
                notes += _plain(self.attention_view.value)
            elif last is not None and weights is None and self.show_attention.value:
                notes += _plain(self.attention_view.value)  # too big, or failed
            return translation_static_html(
                "" if last is None else last.used_input, self.translation,
                self.confidences if last is not None else [],
                status=" ".join(_plain(self.status.value)), notes=notes, weights=weights,
                attention_note=note, title=self._title, words=self.word_level)

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
