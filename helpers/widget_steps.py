"""The step-through widget, :class:`StepThrough`: the decoder on one sentence, one step at a
time (greedy), with the candidates of each step as bars and, for an attention model, where the
decoder looks in the English; ``follow=`` a :class:`~helpers.widget_translator.Translator`
decodes whatever it translates. A step writes one token: a character, a word, or a subword
model's piece (shown as :func:`helpers.decoding.display_token` shows it: ``"▁gentil"``, its
``"▁"`` the start of a word); the decoder is driven through :mod:`helpers.decoding`'s
interface (:func:`~helpers.decoding.decoding_steps`), the same for every family.
:meth:`StepThrough.set_model` switches it to another model (a step-through that follows a
translator switches when the translator does).

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

from helpers import decoding, typing_repair
from helpers.architecture import architecture_of
from helpers.decoding import Step
from helpers.encoding import STOP_TOKEN
from helpers.translation import attention_heads, check_translator
from helpers.widget_html import _bars_html, _message, _style, source_attention_html
from helpers.widget_input import _check_text, _prepare, _subwords_of
from helpers.widget_models import ModelSwitch
from helpers.widget_static import _bundle, _plain, steps_static_html
from helpers.widget_translator import Translator


def _check_follow(translator_widget: object) -> None:
    """``TypeError`` unless ``translator_widget`` is a :class:`Translator` (what ``follow``
    takes)."""
    if not isinstance(translator_widget, Translator):
        raise TypeError("follow must be a Translator (helpers.widgets.Translator), not "
                        f"{type(translator_widget).__name__}")


class StepThrough(ModelSwitch, widgets.VBox):
    """The decoder on one sentence, one step at a time (greedy): the token chosen (a
    character, a word, or a subword piece), the ``top`` candidates as a bar chart, the text so
    far, and for an attention model where the decoder looks in the English sentence (each
    character, or each piece the model reads it in; the mean of the heads for a model with
    several); Previous / Next / Play.

    ``follow=translator_widget`` (a :class:`Translator`, or later :meth:`follow`): every
    sentence the translator translates is decoded here too (its own text box still works in
    between), and when the translator switches to another model (its ``set_model``), so does
    this widget. :meth:`set_model` switches it (alone) and decodes its sentence again. A model
    whose manifest counts its training English decodes the sentence as
    :func:`~helpers.translation.translate` repairs it (:mod:`helpers.typing_repair`: typos read
    as the words they miss, new names as ``Tom``), and the notes say what was changed."""

    def __init__(self, translator: Any, text: str = "", *, top: int = 5,
                 interval_seconds: float = 0.8, title: str = "The decoder, step by step",
                 follow: Translator | None = None, **kwargs: Any) -> None:
        check_translator(translator)
        text = _check_text(text)
        if follow is not None:
            _check_follow(follow)
        self._use_model(translator)
        self._model_listeners: list[Callable[[Any], None]] = []  # see ModelSwitch
        self.top = int(top)
        self.interval_seconds = float(interval_seconds)
        self.steps: list[Step] = []
        self.chosen_ids: list[int] = []  # the token id of each step's chosen token
        self.index = 0
        self._decoded: str | None = None
        self.source = ""  # the text the steps decode (after prepare_input)
        self.following: Translator | None = None
        if follow is not None and not text:
            text = follow.translated_text
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._player: threading.Thread | None = None
        self.text = widgets.Text(value=text, placeholder="An English sentence",
                                 continuous_update=False, layout=widgets.Layout(width="70%"))
        self.text.add_class("s2s-steps-input")
        self.decode_button = widgets.Button(description="Decode", button_style="primary")
        self.decode_button.add_class("s2s-steps-decode")
        self.prev_button = widgets.Button(description="◀ Previous")
        self.prev_button.add_class("s2s-steps-prev")
        self.next_button = widgets.Button(description="Next ▶")
        self.next_button.add_class("s2s-steps-next")
        self.play_button = widgets.Button(description="▶▶ Play")
        self.play_button.add_class("s2s-steps-play")
        self.position = widgets.HTML()
        self.position.add_class("s2s-steps-position")
        self.notes = widgets.HTML()
        self.notes.add_class("s2s-notes")
        self.view = widgets.HTML()
        self.view.add_class("s2s-steps-view")
        self.heading = widgets.HTML(self._heading(title))
        self._title = title
        super().__init__([_style(), self.heading,
                          widgets.HBox([self.text, self.decode_button]),
                          self.notes,
                          widgets.HBox([self.prev_button, self.next_button, self.play_button,
                                        self.position]),
                          self.view], **kwargs)
        self.add_class("s2s-widget")
        self.add_class("s2s-steps")
        self.decode_button.on_click(lambda _b: self.decode())
        self.text.observe(lambda _c: self.decode(), names="value")
        self.text.on_msg(self._on_text_message)
        self.prev_button.on_click(lambda _b: self.previous())
        self.next_button.on_click(lambda _b: self.next())
        self.play_button.on_click(lambda _b: self.toggle_play())
        self.decode()
        if follow is not None:
            self.follow(follow)

    def _use_model(self, translator: Any) -> None:
        """Take ``translator`` as the model: what it reads and writes, its inference models."""
        self._take_model(translator)
        self._source_subwords = _subwords_of(translator.input_vocab)
        self._stop_id = translator.target_vocab.token_index[STOP_TOKEN]
        self._inference = decoding.inference_models_for(translator.model)

    def _switch_to(self, translator: Any) -> None:
        """:meth:`set_model` here: the heading for ``translator``, and the sentence decoded
        again with it (from its first step)."""
        self.pause()
        with self._lock:
            self._use_model(translator)
            self.heading.value = self._heading(self._title, self.following is not None)
        self.decode()

    def _heading(self, title: str, following: bool = False) -> str:
        hint = (f"At each step the decoder gives every {self.unit} a probability; "
                "greedy decoding keeps the most likely.")
        if self.subwords is not None:
            hint += " ▁ marks a piece that starts a word."
        if architecture_of(self.translator.model).attention:
            heads = attention_heads(self.translator)
            hint += (" Blue: where it looks in the English"
                     + (f" (the mean of its {heads} attention heads)." if heads else "."))
        if following:
            hint += " It decodes what the translator translates (or type here)."
        return (f'<div class="s2s-title">{html.escape(title)}</div>'
                f'<div class="s2s-hint">{html.escape(hint)}</div>')

    def follow(self, translator_widget: Translator) -> None:
        """Decode every sentence ``translator_widget`` translates, from now on (and its
        current one now), and switch to every model it switches to."""
        _check_follow(translator_widget)
        self.following = translator_widget
        self.heading.value = self._heading(self._title, following=True)
        translator_widget.on_translated(self._follow_text)
        translator_widget.on_model_changed(self.set_model)
        self._follow_text(translator_widget.translated_text)

    def _follow_text(self, text: str) -> None:
        if text != self.text.value:
            self.text.value = text  # decodes (the text box's observer)

    def _on_text_message(self, _widget: Any, content: dict, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":  # Enter
            if self.text.value == self._decoded:  # already decoded on the value's change
                self.pause()
                self.show(0)
            else:
                self.decode()

    def decode(self) -> None:
        """Decode the text box's sentence and show its first step."""
        self.pause()
        with self._lock:
            self._decoded = self.text.value
            try:
                self._decode(self.text.value)
            except Exception as exc:  # noqa: BLE001  (a classroom app never shows a traceback)
                self.steps = []
                self.notes.value = _message(
                    f"Something went wrong ({type(exc).__name__}: {exc}). Try another sentence.",
                    error=True)
            self.show(0)

    def _decode(self, text: str) -> None:
        self.steps = []
        self.chosen_ids = []
        self.source = ""
        if not text.strip():
            self.notes.value = _message("Type an English sentence, then press Decode.")
            return
        words = self.translator.manifest.get("english_words")  # as translate() repairs it
        repaired = (typing_repair.repair(text, words, getattr(
            self.translator.input_vocab, "characters", None)) if words else None)
        prepared, notes = _prepare(self.translator, text if repaired is None else repaired.text)
        said = [] if repaired is None else typing_repair.notices(repaired)
        self.notes.value = "".join(_message(line) for line in said) + notes
        if prepared is None:
            return
        encoder_model, decoder_model = self._inference
        ids = np.array([self.translator.input_vocab.encode(
            prepared.text if prepared.tokens is None else prepared.tokens)], dtype=np.int32)
        steps = decoding.decoding_steps(
            encoder_model, decoder_model, ids, self.translator.target_vocab,
            max_decoder_seq_length=int(self.translator.max_decoder_seq_length), top=self.top)
        self.chosen_ids = [step.chosen_id for step in steps]
        self.steps = steps
        self.source = prepared.text  # last: a new source means its steps are there

    def show(self, index: int) -> None:
        """Show step ``index`` (0-based, clamped to the steps there are)."""
        with self._lock:
            n = len(self.steps)
            self.index = min(max(int(index), 0), max(n - 1, 0))
            self.prev_button.disabled = self.index <= 0
            self.next_button.disabled = self.index >= n - 1
            self.play_button.disabled = n <= 1
            if not n:
                self.position.value = ""
                self.view.value = ""
                return
            step = self.steps[self.index]
            before = self.steps[self.index - 1].text_so_far if self.index else ""
            new = step.text_so_far[len(before):]
            stop = self.chosen_ids[self.index] == self._stop_id
            stopped = " (the stop token: the translation is complete)" if stop else ""
            looks = ("" if step.attention is None
                     else source_attention_html(self.source, step.attention,
                                                subwords=self._source_subwords))
            self.view.value = (
                f'<div class="s2s-chosen-line" data-source="{html.escape(self.source)}" '
                f'data-step="{self.index + 1}" data-stop="{str(stop).lower()}">Chosen: '
                f'<b class="s2s-chosen-char">{html.escape(step.chosen)}</b> with probability '
                f"{step.probability:.1%}{stopped}</div>"
                f"<div>The {len(step.candidates)} most likely next {self.unit}s:</div>"
                f"{_bars_html(step)}"
                f'<div class="s2s-so-far-line">Text so far: <span class="s2s-so-far">'
                f'{html.escape(before)}<span class="s2s-new">{html.escape(new)}</span></span>'
                f"</div>{looks}")
            # after the view, so that a page that sees the new position sees the new view
            self.position.value = (f'<span class="s2s-position">Step {self.index + 1} of {n}'
                                   "</span>")

    def static_html(self) -> str:
        """Every step of the sentence decoded now (the top candidates of each, the step shown
        marked) as self-contained static HTML (:func:`steps_static_html`)."""
        with self._lock:
            stop = next((i for i, c in enumerate(self.chosen_ids) if c == self._stop_id), None)
            return steps_static_html(self.source, list(self.steps), current=self.index,
                                     stop_index=stop, notes=_plain(self.notes.value),
                                     title=self._title, words=self.word_level,
                                     subwords=self._source_subwords)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The live widget, and :meth:`static_html` for where widgets do not render."""
        with self._lock:
            plain = (f"StepThrough: {self.source!r}, step {self.index + 1} of {len(self.steps)}"
                     if self.steps else "StepThrough (nothing decoded)")
            return _bundle(super()._repr_mimebundle_(**kwargs), self.static_html(), plain)

    def snapshot(self):
        """:meth:`static_html` as an IPython ``HTML`` object."""
        from IPython.display import HTML

        return HTML(self.static_html())

    def next(self) -> None:
        """One step forward."""
        self.show(self.index + 1)

    def previous(self) -> None:
        """One step back."""
        self.show(self.index - 1)

    @property
    def playing(self) -> bool:
        return self._player is not None and self._player.is_alive()

    def toggle_play(self) -> None:
        """Play (a step every ``interval_seconds``, from the start when at the end) or pause."""
        if self.playing:
            self.pause()
            return
        if self.index >= len(self.steps) - 1:
            self.show(0)
        self._stop.clear()
        self.play_button.description = "❚❚ Pause"
        self._player = threading.Thread(target=self._play, daemon=True)
        self._player.start()

    def _play(self) -> None:
        try:
            while not self._stop.wait(self.interval_seconds):
                if self.index >= len(self.steps) - 1:
                    break
                self.next()
        finally:
            self.play_button.description = "▶▶ Play"

    def pause(self) -> None:
        """Stop playing."""
        self._stop.set()
        player = self._player
        if player is not None and player is not threading.current_thread():
            player.join(timeout=5)
        self._player = None
        self.play_button.description = "▶▶ Play"
