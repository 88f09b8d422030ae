"""Interactive translation widgets (ipywidgets): a translator that translates as you type, and
a step-through view of the decoder choosing one character at a time.

Used in: ``07_translation_playground`` (and in 02 / 04 where they help). Building widgets is
plumbing, not a concept the course teaches, so no notebook writes this module out.

Both widgets take a loaded translation model (:func:`helpers.models.load_translation_model`)
and go through :mod:`helpers.decoding`, so what they show is what
:func:`helpers.translation.translate` returns. Whatever a person types, they show a message and
never a traceback: empty text, characters the model never saw (highlighted, then left out),
text longer than the model reads (cut, with a notice), emoji and other scripts. They work for
every model the course builds: LSTM and GRU, with or without attention, characters or words
(notebook 06's word-level models: the shading, the unknowns and the steps are words and
punctuation marks).

For an attention model (:mod:`helpers.attention`) both also show where the model looks: the
translator draws the attention map of its translation (French characters × English characters,
:func:`attention_html`), the step-through shades the English sentence by the weight of each
character at the current step (:func:`source_attention_html`). ``StepThrough(model,
follow=translator_widget)`` makes the step-through decode whatever the translator translates.

Every part carries a CSS class (``s2s-translator-input``, ``s2s-translation``, ``s2s-candidate``,
``s2s-att-row`` …) so that tests can find it, and large type (20 px and up) so that a class can
read it on a projector. In Voilà (``make app``) the page shows the widgets and nothing else: its
template, ``share/jupyter/voila/templates/s2s-playground``, leaves the other cells out and lays
the two widgets out side by side, their type growing with the screen.

Where widgets do not render (GitHub, nbviewer without the widget state, an HTML export), a
displayed widget still shows what it showed when its cell ran: its display output carries, next
to the live view, a static copy as ``text/html`` (:meth:`Translator.static_html`,
:meth:`StepThrough.static_html`; :class:`WithStaticCopy` does the same for any widget). The copy
is self-contained (inline styles, no ``<style>``, every text escaped) and writes its numbers out,
so it still reads where the styles are stripped too.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers import decoding
from helpers.attention import has_attention
from helpers.decoding import Step
from helpers.encoding import STOP_TOKEN, WORD_PATTERN, WordVocabulary
from helpers.translation import (
    EmptyInputError,
    PreparedInput,
    Translation,
    TranslationInputError,
    attention_map,
    character_confidences,
    check_translator,
    prepare_input,
    translate,
)

#: The decoding modes a person can choose: (label, ``mode`` of
#: :func:`helpers.translation.translate`).
MODES: tuple[tuple[str, str], ...] = (("Greedy", "greedy"), ("Beam search", "beam"),
                                      ("Sampling", "sample"))
MODE_NAMES = {"greedy": "greedy", "beam": "beam search", "sample": "sampling"}
#: The mode a Translator starts in: the one that scores best on held-out sentences within a
#: latency a typing class accepts (``python -m benchmarks.playground``; notebook 07 states the
#: numbers).
DEFAULT_MODE = "beam"

#: Large type everywhere inside the widgets: every size is a multiple of ``--s2s-font`` (20 px in a
#: notebook; the classroom app's page, ``share/jupyter/voila/templates/s2s-playground``, scales it
#: with the screen), and ipywidgets sizes its controls from the ``--jp-widgets-…`` variables set
#: from it. No text is smaller than ``--s2s-font``. In Voilà (``body[data-voila]``) every cell
#: without a widget is hidden, unless it shows an error (Voilà renders only errors on stderr): a
#: fallback for a Voilà started without the app's template, which leaves those cells out itself.
CSS = """
.s2s-widget { --s2s-font: 20px; --jp-widgets-font-size: var(--s2s-font);
  --jp-widgets-inline-height: calc(2.2 * var(--s2s-font));
  --jp-widgets-inline-label-width: calc(6 * var(--s2s-font));
  --jp-widgets-slider-handle-size: var(--s2s-font);
  font-size: var(--s2s-font); line-height: 1.4; max-width: 1100px; }
.s2s-widget .widget-html-content { line-height: 1.4; }
.s2s-widget .widget-text input[type="text"] { font-size: calc(1.3 * var(--s2s-font));
  height: calc(2.6 * var(--s2s-font)); }
.s2s-widget .jupyter-button { font-size: var(--s2s-font); height: calc(2.2 * var(--s2s-font));
  width: auto; padding: 0 0.8em; }
.s2s-widget .widget-toggle-buttons .widget-toggle-button { width: auto; padding: 0 0.8em; }
.s2s-widget .widget-label, .s2s-widget .widget-readout, .s2s-widget .widget-checkbox label {
  font-size: var(--s2s-font); }
.s2s-title { font-size: calc(1.3 * var(--s2s-font)); font-weight: 600; margin: 0 0 0.15em; }
.s2s-hint { color: #333; font-size: var(--s2s-font); line-height: 1.35; }
.s2s-translation { font-size: calc(1.8 * var(--s2s-font)); white-space: pre-wrap;
  word-break: break-word; line-height: 1.3;
  font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; padding: 0.1em 0; }
.s2s-char { border-radius: 4px; }
.s2s-status { color: #333; font-size: var(--s2s-font); }
.s2s-legend { font-size: var(--s2s-font); color: #333; line-height: 1.5; }
.s2s-legend span.s2s-swatch { display: inline-block; padding: 0 0.4em; margin: 0 0.1em;
  border-radius: 4px; border: 1px solid #ddd; line-height: 1.3; }
.s2s-message { font-size: var(--s2s-font); padding: 0.3em 0.6em; border-radius: 6px;
  background: #fff4e0; border-left: 6px solid #e66100; margin: 0.2em 0; }
.s2s-message.s2s-error { background: #fde8e8; border-left-color: #c01c28; }
.s2s-echo { font-size: calc(1.1 * var(--s2s-font)); white-space: pre-wrap; }
mark.s2s-unknown { background: #f66151; color: #fff; border-radius: 4px; padding: 0 0.15em; }
.s2s-bars { display: grid; grid-template-columns: 2.2em minmax(0, 1fr) 4.5em; gap: 4px 12px;
  align-items: center; max-width: 40em; }
.s2s-candidate-char { font-size: calc(1.5 * var(--s2s-font)); line-height: 1.2; text-align: center;
  font-family: "DejaVu Sans Mono", monospace; }
.s2s-bar { height: calc(1.3 * var(--s2s-font)); background: #99c1f1; border-radius: 4px;
  min-width: 2px; }
.s2s-candidate.s2s-chosen .s2s-bar { background: #1c71d8; }
.s2s-candidate-p { font-variant-numeric: tabular-nums; text-align: right; }
.s2s-candidate { display: contents; }
.s2s-steps-position { white-space: nowrap; align-self: center; }
.s2s-widget .s2s-mode { display: flex; flex-wrap: wrap; align-items: center; width: auto; }
.s2s-widget .s2s-mode .widget-label { width: auto; margin-right: 0.5em; }
.s2s-widget input[type="checkbox"] { width: calc(0.9 * var(--s2s-font));
  height: calc(0.9 * var(--s2s-font)); }
.s2s-so-far-line { margin-top: 0.2em; }
.s2s-so-far { font-size: calc(1.6 * var(--s2s-font)); white-space: pre-wrap;
  word-break: break-word; line-height: 1.3; }
.s2s-so-far .s2s-new { background: #1c71d8; color: #fff; border-radius: 4px; }
.s2s-attention, .s2s-step-attention { line-height: 1.4; }
.s2s-attention { margin: 0.3em 0; }
.s2s-attention-scroll { max-width: 100%; overflow-x: auto; }
.s2s-attention-map { display: grid; gap: 2px; width: max-content; font-size: var(--s2s-font);
  font-family: "DejaVu Sans Mono", monospace; padding: 2px; }
.s2s-att-row { display: contents; }
.s2s-att-head, .s2s-att-label { background: #fff; text-align: center; font-weight: 600;
  line-height: 1.4em; padding: 0 0.15em; }
.s2s-att-label { position: sticky; left: 0; z-index: 1; }
.s2s-att-corner { position: sticky; left: 0; z-index: 2; background: #fff; }
.s2s-att-stop .s2s-att-label { color: #555; }
.s2s-att-cell { width: 1.3em; height: 1.4em; border-radius: 3px; border: 1px solid #e8e8e8;
  box-sizing: border-box; }
.s2s-att-cell.s2s-att-max { border: 2px solid #0b3d91; }
.s2s-step-attention { margin: 0.3em 0 0.2em; }
.s2s-source { font-size: calc(1.5 * var(--s2s-font)); white-space: pre-wrap;
  word-break: break-word; line-height: 1.3; font-family: "DejaVu Sans Mono", monospace; }
.s2s-src-char { border-radius: 4px; padding: 0 1px; }
.s2s-src-char.s2s-focus { outline: 3px solid #0b3d91; }
.s2s-no-attention { font-style: italic; }
body[data-voila] { font-size: 20px; }
body[data-voila] .jp-Cell:not(:has(.s2s-widget)):not(:has(
  [data-mime-type="application/vnd.jupyter.stderr"])) { display: none; }
"""

_LEGEND_LEVELS = (1.0, 0.75, 0.5, 0.25, 0.0)
_SLIDER = {"width": "min(26em, 100%)"}


def _style() -> widgets.HTML:
    return widgets.HTML(f"<style>{CSS}</style>")


def _message(text: str, *, error: bool = False) -> str:
    kind = "s2s-message s2s-error" if error else "s2s-message"
    return f'<div class="{kind}">{html.escape(text)}</div>'


def _shade(confidence: float) -> str:
    """Background for a character: clear when the model was sure, orange when it was not."""
    alpha = round(0.85 * (1.0 - min(max(confidence, 0.0), 1.0)), 2)
    return f"rgba(230, 97, 0, {alpha})"


def _unit(words: bool) -> str:
    """What a model reads and writes one at a time: ``"word"`` or ``"character"``."""
    return "word" if words else "character"


def _is_word_level(translator: Any) -> bool:
    """Does ``translator`` read and write words (notebook 06's word-level models)?"""
    return isinstance(translator.target_vocab, WordVocabulary)


def _tokens_of(text: str, *, words: bool = False) -> list[tuple[str, str]]:
    """``text`` as the model wrote it, as ``(space before, token)`` pairs: one per character,
    or (``words=True``) one per word and punctuation mark, as
    :func:`helpers.encoding.tokenize_words` splits it (what
    :func:`helpers.translation.character_confidences` scores)."""
    if not words:
        return [("", ch) for ch in text]
    pairs, end = [], 0
    for match in WORD_PATTERN.finditer(text):
        pairs.append((text[end:match.start()], match.group()))
        end = match.end()
    return pairs


def _checked_tokens(text: str, confidences: Sequence[float],
                    words: bool) -> list[tuple[str, str]]:
    tokens = _tokens_of(text, words=words)
    if len(tokens) != len(confidences):
        raise ValueError(f"{len(tokens)} {_unit(words)}s but {len(confidences)} confidences")
    return tokens


def confidence_html(text: str, confidences: Sequence[float], *, words: bool = False) -> str:
    """``text`` as spans shaded by the model's confidence in each character (each word and
    punctuation mark with ``words=True``: :func:`_tokens_of`), with a legend."""
    tokens = _checked_tokens(text, confidences, words)
    spans = "".join(
        f'{html.escape(space)}<span class="s2s-char" title="{p:.0%} sure" data-p="{p:.4f}" '
        f'style="background-color: {_shade(p)}">{html.escape(token)}</span>'
        for (space, token), p in zip(tokens, confidences, strict=True))
    swatches = "".join(f'<span class="s2s-swatch" style="background-color: {_shade(p)}">'
                       f"{p:.0%}</span>" for p in _LEGEND_LEVELS)
    legend = (f'<div class="s2s-legend">How sure the model was of each {_unit(words)} (hover '
              f"for the number): {swatches}</div>")
    return f'<div class="s2s-translation">{spans}</div>{legend}'


#: How a character is labelled in the attention views: white space and the stop token made
#: visible (as :func:`helpers.decoding.display_token` shows them).
_GLYPHS = {" ": "␣", "\u202f": "⍽", "\xa0": "⍽", STOP_TOKEN: "⏎", "\t": "⇥"}
_ATTENTION_LEVELS = (1.0, 0.5, 0.25, 0.1, 0.0)
#: The largest attention map the translator draws (rows × columns): a bigger one would not fit
#: on a screen and would cost the browser megabytes of HTML.
MAX_ATTENTION_CELLS = 5_000


def _glyph(ch: str) -> str:
    return _GLYPHS.get(ch, ch)


def _attention_shade(weight: float) -> str:
    """Background for an attention weight: clear at 0, dark blue at 1 (square root, so that
    the small weights of a long sentence still show)."""
    alpha = round(0.9 * float(np.sqrt(min(max(weight, 0.0), 1.0))), 3)
    return f"rgba(28, 113, 216, {alpha})"


def _attention_legend(what: str) -> str:
    swatches = "".join(f'<span class="s2s-swatch" style="background-color: '
                       f'{_attention_shade(w)}{"; color: #fff" if w >= 0.5 else ""}">{w:.0%}'
                       "</span>" for w in _ATTENTION_LEVELS)
    return f'<div class="s2s-legend">{html.escape(what)} {swatches}</div>'


def attention_html(source: str, translation: str, weights: Any, *, note: str = "") -> str:
    """An attention map as a grid of shaded cells: one row for each character of
    ``translation`` and a last row for the stop token ``⏎``, one column for each character of
    ``source``; ``weights`` is :func:`helpers.translation.attention_map`'s array, of shape
    ``(len(translation) + 1, len(source))``. Each row's largest weight is outlined; every cell's
    tooltip gives both characters and the weight. ``note`` (plain text) is shown above it."""
    weights = np.asarray(weights, dtype=float)
    expected = (len(translation) + 1, len(source))
    if weights.shape != expected:
        raise ValueError(f"weights of shape {weights.shape}, but {len(translation)} characters "
                         f"plus the stop token by {len(source)} source characters need "
                         f"{expected}")
    header = "".join(f'<div class="s2s-att-head" data-char="{html.escape(ch)}">'
                     f"{html.escape(_glyph(ch))}</div>" for ch in source)
    rows = []
    for t, out_ch in enumerate([*translation, STOP_TOKEN]):
        stop = t == len(translation)
        best = int(np.argmax(weights[t])) if len(source) else -1
        cells = "".join(
            f'<div class="s2s-att-cell{" s2s-att-max" if s == best else ""}" '
            f'data-w="{w:.4f}" title="{html.escape(_glyph(out_ch))} ← '
            f'{html.escape(_glyph(src_ch))}: {w:.0%}" '
            f'style="background-color: {_attention_shade(w)}"></div>'
            for s, (src_ch, w) in enumerate(zip(source, weights[t], strict=True)))
        rows.append(f'<div class="s2s-att-row{" s2s-att-stop" if stop else ""}" '
                    f'data-char="{html.escape(out_ch)}"><div class="s2s-att-label">'
                    f"{html.escape(_glyph(out_ch))}</div>{cells}</div>")
    grid = (f'<div class="s2s-attention-map" style="grid-template-columns: auto '
            f'repeat({len(source)}, 1.3em)"><div class="s2s-att-corner"></div>{header}'
            f'{"".join(rows)}</div>')
    caption = ('<div class="s2s-hint">Where the model looks: a row for each French character it '
               "writes (⏎ is the stop token), a column for each English character it reads; the "
               "darker the cell, the more weight. Each row adds up to 100%; its largest weight is "
               "outlined (hover over a cell for the number).</div>")
    if note:
        caption += f'<div class="s2s-hint">{html.escape(note)}</div>'
    return (f'<div class="s2s-attention" data-rows="{expected[0]}" data-cols="{expected[1]}">'
            f'{caption}<div class="s2s-attention-scroll">{grid}</div>'
            f'{_attention_legend("Attention weight:")}</div>')


def source_attention_html(source: str, weights: Sequence[float]) -> str:
    """``source`` with each character shaded by its attention weight at one decoder step, the
    most-attended character outlined (class ``s2s-focus``)."""
    weights = [float(w) for w in weights]
    if len(weights) != len(source):
        raise ValueError(f"{len(source)} source characters but {len(weights)} weights")
    best = int(np.argmax(weights)) if weights else -1
    spans = "".join(
        f'<span class="s2s-src-char{" s2s-focus" if i == best else ""}" data-w="{w:.4f}" '
        f'title="{w:.0%}" style="background-color: {_attention_shade(w)}">'
        f"{html.escape(ch)}</span>" for i, (ch, w) in enumerate(zip(source, weights, strict=True)))
    focus = (f' — most at <b class="s2s-focus-char">{html.escape(_glyph(source[best]))}</b> '
             f"({weights[best]:.0%})" if weights else "")
    return (f'<div class="s2s-step-attention"><div>Where it looks{focus}:</div>'
            f'<div class="s2s-source">{spans}</div>'
            f'{_attention_legend("Weight:")}</div>')


# --- static copies ---------------------------------------------------------------------------
# What a widget shows, as HTML that needs neither a kernel nor a stylesheet: every widget adds it
# to its display output (``text/html`` beside the widget view), so a notebook read where widgets
# do not render (GitHub, nbviewer without the widget state, an HTML export) still shows it.
# GitHub drops <style> blocks and may drop style attributes too, so everything a copy says is
# also written in text: each character's probability under it, each weight as a number.

_STATIC_BOX = ("font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 16px; "
               "line-height: 1.4; color: #111")
_STATIC_CELL = "padding: 1px 4px; border: 1px solid #ddd; text-align: center"
_STATIC_MONO = "font-family: 'DejaVu Sans Mono', monospace"
#: The most decoder steps a static copy lists (the first ones and the last two beyond that).
STATIC_MAX_STEPS = 12


def _plain(markup: str) -> list[str]:
    """The lines of text in a widget's HTML (tags dropped, one line per block)."""
    text = re.sub(r"</(div|p)>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _static_box(kind: str, title: str, body: str) -> str:
    note = ("A static copy of the widget as it was when this cell ran; run the notebook to use "
            "the widget itself.")
    return (f'<div class="s2s-static s2s-static-{kind}" style="{_STATIC_BOX}">'
            f'<div style="font-weight: 600; font-size: 18px">{html.escape(title)}</div>'
            f'<div style="color: #555; font-style: italic">{html.escape(note)}</div>'
            f"{body}</div>")


def _static_paragraphs(lines: Sequence[str], *, style: str = "") -> str:
    return "".join(f'<p style="margin: 0.2em 0;{style}">{html.escape(line)}</p>'
                   for line in lines)


def _blue(p: float, *, sqrt: bool = False) -> str:
    """A cell's background and text colour for a probability or weight ``p``."""
    colour = (f"background-color: {_attention_shade(p)}" if sqrt
              else f"background-color: rgba(28, 113, 216, {round(0.9 * min(max(p, 0), 1), 3)})")
    return colour + ("; color: #fff" if p >= 0.5 else "")


def translation_static_html(source: str, text: str, confidences: Sequence[float], *,
                            status: str = "", notes: Sequence[str] = (), weights: Any = None,
                            attention_note: str = "", title: str = "English → French",
                            words: bool = False) -> str:
    """A static copy of a :class:`Translator`: the English, the French with each character
    (each word and punctuation mark with ``words=True``) shaded by the model's confidence and
    that confidence (in %) written under it, the decoding mode (``status``), ``notes`` (plain
    text lines) and, when ``weights`` is given (:func:`helpers.translation.attention_map`'s
    array), the attention map as a table of weights in %. Inline styles only; every text
    escaped."""
    tokens = [token for _, token in _checked_tokens(text, confidences, words)]
    parts = [_static_paragraphs(notes, style=" color: #8a3b00")]
    if source:
        parts.append(f'<p style="margin: 0.2em 0">English: <span style="{_STATIC_MONO}">'
                     f"{html.escape(source)}</span></p>")
    if text:
        parts.append(f'<p style="margin: 0.2em 0">French: <b class="s2s-static-translation" '
                     f'style="font-size: 20px">{html.escape(text)}</b></p>')
        chars = "".join(f'<td class="s2s-static-char" data-p="{p:.4f}" style="{_STATIC_CELL}; '
                        f'font-size: 20px; {_STATIC_MONO}; background-color: {_shade(p)}">'
                        f"{html.escape(_glyph(ch))}</td>"
                        for ch, p in zip(tokens, confidences, strict=True))
        sure = "".join(f'<td style="{_STATIC_CELL}; font-size: 13px; color: #333">{p:.0%}</td>'
                       for p in confidences)
        head = 'style="padding: 1px 6px; text-align: left; font-weight: normal; color: #555"'
        parts.append(f'<table style="border-collapse: collapse; margin: 0.3em 0">'
                     f"<tr><th {head}>{_unit(words)}</th>{chars}</tr>"
                     f"<tr><th {head}>model sure</th>{sure}</tr></table>"
                     '<p style="margin: 0.2em 0; color: #555">Shading: the more orange a '
                     f"{_unit(words)}, the less sure the model was of it (its probability is "
                     "under it; ␣ is a space).</p>")
    elif source:
        parts.append('<p style="margin: 0.2em 0">The model answered with nothing at all.</p>')
    if status:
        parts.append(_static_paragraphs([status], style=" color: #333"))
    if weights is not None:
        parts.append(_static_attention_table(source, text, weights, attention_note))
    return _static_box("translator", title, "".join(parts))


def _static_attention_table(source: str, translation: str, weights: Any, note: str) -> str:
    weights = np.asarray(weights, dtype=float)
    expected = (len(translation) + 1, len(source))
    if weights.shape != expected:
        raise ValueError(f"weights of shape {weights.shape}, but {expected} expected")
    head = "".join(f'<th style="{_STATIC_CELL}; {_STATIC_MONO}">{html.escape(_glyph(ch))}</th>'
                   for ch in source)
    rows = []
    for t, out_ch in enumerate([*translation, STOP_TOKEN]):
        best = int(np.argmax(weights[t])) if len(source) else -1
        cells = "".join(
            f'<td data-w="{w:.4f}" style="{_STATIC_CELL}; font-size: 13px; min-width: 1.8em; '
            f'{_blue(w, sqrt=True)}">'
            + (f"<b>{w:.0%}</b>" if s == best else (f"{w:.0%}" if w >= 0.01 else "")) + "</td>"
            for s, w in enumerate(weights[t]))
        rows.append(f'<tr class="s2s-static-att-row"><th style="{_STATIC_CELL}; {_STATIC_MONO}">'
                    f"{html.escape(_glyph(out_ch))}</th>{cells}</tr>")
    caption = ("Where the model looks: a row for each French character it writes (⏎ is the stop "
               "token), a column for each English character it reads; each number is an "
               "attention weight in % (a row adds up to 100%, its largest in bold; blank: "
               "under 1%).")
    return (_static_paragraphs([caption] + ([note] if note else []), style=" color: #333")
            + '<table style="border-collapse: collapse; margin: 0.3em 0">'
            f'<tr><th style="{_STATIC_CELL}"></th>{head}</tr>{"".join(rows)}</table>')


def steps_static_html(source: str, steps: Sequence[Step], *, current: int = 0,
                      stop_index: int | None = None, notes: Sequence[str] = (),
                      title: str = "The decoder, step by step", words: bool = False) -> str:
    """A static copy of a :class:`StepThrough`: a table with a row for each decoder step (at
    most :data:`STATIC_MAX_STEPS`, the first ones and the last two): the text so far, the
    ``top`` candidates with their probabilities (the first, in bold, is the one greedy decoding
    keeps) and, for an attention model, the English character the decoder looks at most. Row
    ``current`` (the step the widget shows) is marked ▶; ``stop_index`` is the step that chose
    the stop token; ``words=True``: a word-level model's steps (words, not characters). Inline
    styles only; every text escaped."""
    parts = [_static_paragraphs(notes, style=" color: #8a3b00")]
    if source:
        parts.append(f'<p style="margin: 0.2em 0">English: <span style="{_STATIC_MONO}">'
                     f"{html.escape(source)}</span> — {len(steps)} steps of greedy decoding</p>")
    if steps:
        top = max(len(step.candidates) for step in steps)
        looks = any(step.attention is not None for step in steps)
        shown = list(range(len(steps)))
        if len(steps) > STATIC_MAX_STEPS:
            shown = [*range(STATIC_MAX_STEPS - 2), None, len(steps) - 2, len(steps) - 1]
        ordinal = ["1st (chosen)", "2nd", "3rd"] + [f"{k}th" for k in range(4, top + 1)]
        heads = ["step", "text so far", *ordinal[:top]] + (["looks most at"] if looks else [])
        th = f'style="{_STATIC_CELL}; font-weight: 600; background-color: #f4f4f4"'
        rows = ["<tr>" + "".join(f"<th {th}>{html.escape(h)}</th>" for h in heads) + "</tr>"]
        for i in shown:
            if i is None:
                skipped = len(steps) - STATIC_MAX_STEPS
                rows.append(f'<tr><td colspan="{len(heads)}" style="{_STATIC_CELL}; '
                            f'color: #555">… {skipped} more steps …</td></tr>')
                continue
            step = steps[i]
            mark = "▶ " if i == current else ""
            cells = [f'<td style="{_STATIC_CELL}">{mark}{i + 1}</td>',
                     f'<td style="{_STATIC_CELL}; {_STATIC_MONO}; text-align: left; '
                     f'white-space: pre">{html.escape(step.text_so_far)}</td>']
            for rank, (char, p) in enumerate(step.candidates):
                label = f"{html.escape(_glyph(char))} {p:.0%}"
                cells.append(f'<td class="s2s-static-candidate" data-char="{html.escape(char)}" '
                             f'data-p="{p:.4f}" style="{_STATIC_CELL}; {_blue(p)}">'
                             + (f"<b>{label}</b>" if rank == 0 else label) + "</td>")
            cells += [f'<td style="{_STATIC_CELL}"></td>'] * (top - len(step.candidates))
            if looks:
                where = ""
                if step.attention is not None and len(step.attention):
                    best = int(np.argmax(step.attention))
                    where = (f"{html.escape(_glyph(source[best]))} "
                             f"({float(step.attention[best]):.0%})")
                cells.append(f'<td style="{_STATIC_CELL}; {_STATIC_MONO}">{where}</td>')
            stop = ' data-stop="true"' if i == stop_index else ""
            rows.append(f'<tr class="s2s-static-step" data-step="{i + 1}"{stop}>'
                        + "".join(cells) + "</tr>")
        parts.append('<table style="border-collapse: collapse; margin: 0.3em 0">'
                     + "".join(rows) + "</table>"
                     '<p style="margin: 0.2em 0; color: #555">Each row is one step: the '
                     f"{top} most likely next {_unit(words)}s with their probabilities (the darker "
                     "the cell, the more likely); greedy decoding keeps the first. ⏎ is the stop "
                     "token, ␣ a space.</p>")
    return _static_box("steps", title, "".join(parts))


def _bundle(data: Any, static: str, plain: str) -> dict:
    """A widget's display data (the live view) with ``static`` as ``text/html`` and ``plain``
    as ``text/plain``."""
    if isinstance(data, tuple):  # (data, metadata)
        data = data[0]
    data = dict(data or {})
    data["text/html"] = static
    data["text/plain"] = plain
    return data


class WithStaticCopy:
    """Displays as ``widget`` does (the live view where widgets render) plus a static copy,
    ``static``: HTML text, or a function called at display time that returns it. The copy is
    what a reader sees where widgets do not render (GitHub, nbviewer without the widget
    state): use it for a widget of your own, e.g. ``display(WithStaticCopy(box, lambda:
    f"<pre>{html.escape(shown)}</pre>"))``. (:class:`Translator` and :class:`StepThrough`
    carry their own.)"""

    def __init__(self, widget: widgets.Widget, static: str | Callable[[], str]) -> None:
        self.widget = widget
        self.static = static

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        data = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(data, tuple):
            data = data[0]
        data = dict(data or {})
        data["text/html"] = self.static() if callable(self.static) else str(self.static)
        return data


def _normalised(text: str) -> str:
    """White space as :func:`helpers.translation.prepare_input` reads it."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def unknown_html(text: str, unknown: list[str], *, words: bool = False) -> str:
    """The typed text with the characters (``words=True``: the words and punctuation marks)
    the model never saw highlighted."""
    marked = set(unknown)
    body = "".join(f'{html.escape(space)}<mark class="s2s-unknown">{html.escape(token)}</mark>'
                   if token in marked else html.escape(space + token)
                   for space, token in _tokens_of(_normalised(text), words=words))
    return f'<div class="s2s-echo">You typed: {body}</div>'


def _describe_unknown(unknown: list[str], words: bool) -> str:
    if words:
        return (f"The model never saw these words, so they were left out: "
                f"{', '.join(unknown)}.")
    shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in unknown)
    return f"The model never saw these characters, so they were left out: {shown}."


def _unknown_in(vocab: Any, text: str) -> list[str]:
    """The characters, or for a word vocabulary the words, of ``text`` that ``vocab`` lacks."""
    if isinstance(vocab, WordVocabulary):
        return vocab.unknown_words(text)
    return vocab.unknown_characters(text)


def _prepare(translator: Any, text: str) -> tuple[PreparedInput | None, str]:
    """The input a widget translates, and the HTML that explains what was done to it.

    Returns ``(None, html)`` when nothing can be translated (the html says why)."""
    vocab = translator.input_vocab
    words = isinstance(vocab, WordVocabulary)
    try:
        prepared = prepare_input(text, vocab, int(translator.max_encoder_seq_length),
                                 on_unknown="drop", on_overflow="truncate")
    except EmptyInputError as exc:
        unknown = _unknown_in(vocab, _normalised(text))
        if unknown and _normalised(text):
            return None, (_message(_describe_unknown(unknown, words) + " Nothing is left to "
                                   "translate: type an English sentence.")
                          + unknown_html(text, unknown, words=words))
        return None, _message(str(exc))
    notes = ""
    if prepared.unknown:
        notes += _message(_describe_unknown(prepared.unknown, words))
        notes += unknown_html(text, prepared.unknown, words=words)
    for notice in prepared.notices:  # the unknowns' ("Left out …") are explained above
        if not notice.startswith("Left out "):
            notes += _message(f"{notice} It read: {prepared.text}")
    return prepared, notes


def _check_text(text: object) -> str:
    """``text`` if it is a ``str``; else the course's ``TypeError`` naming it."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (an English sentence), not {type(text).__name__}")
    return text


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
    with :meth:`on_translated` are called after every translation (see :class:`StepThrough`'s
    ``follow``)."""

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
        self.has_attention = has_attention(translator.model)
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


def _bars_html(step: Step) -> str:
    rows = []
    for rank, (char, p) in enumerate(step.candidates):
        chosen = " s2s-chosen" if rank == 0 else ""
        rows.append(f'<div class="s2s-candidate{chosen}" data-char="{html.escape(char)}" '
                    f'data-p="{p:.4f}"><span class="s2s-candidate-char">{html.escape(char)}'
                    f'</span><div><div class="s2s-bar" style="width: {100 * p:.1f}%"></div></div>'
                    f'<span class="s2s-candidate-p">{p:.1%}</span></div>')
    return f'<div class="s2s-bars">{"".join(rows)}</div>'


class StepThrough(widgets.VBox):
    """The decoder on one sentence, one step at a time (greedy): the character chosen, the
    ``top`` candidates as a bar chart, the text so far, and for an attention model where the
    decoder looks in the English sentence; Previous / Next / Play.

    ``follow=translator_widget`` (a :class:`Translator`, or later :meth:`follow`): every
    sentence the translator translates is decoded here too (its own text box still works in
    between)."""

    def __init__(self, translator: Any, text: str = "", *, top: int = 5,
                 interval_seconds: float = 0.8, title: str = "The decoder, step by step",
                 follow: Translator | None = None, **kwargs: Any) -> None:
        check_translator(translator)
        text = _check_text(text)
        self.translator = translator
        self.word_level = _is_word_level(translator)
        self.top = int(top)
        self.interval_seconds = float(interval_seconds)
        self.steps: list[Step] = []
        self.chosen_ids: list[int] = []  # the token id of each step's chosen character
        self.index = 0
        self._decoded: str | None = None
        self.source = ""  # the text the steps decode (after prepare_input)
        self.following: Translator | None = None
        self._stop_id = translator.target_vocab.token_index[STOP_TOKEN]
        self._inference = decoding.inference_models_for(translator.model)
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

    def _heading(self, title: str, following: bool = False) -> str:
        hint = (f"At each step the decoder gives every {_unit(self.word_level)} a probability; "
                "greedy decoding keeps the most likely.")
        if has_attention(self.translator.model):
            hint += " Blue: where it looks in the English."
        if following:
            hint += " It decodes what the translator translates (or type here)."
        return (f'<div class="s2s-title">{html.escape(title)}</div>'
                f'<div class="s2s-hint">{html.escape(hint)}</div>')

    def follow(self, translator_widget: Translator) -> None:
        """Decode every sentence ``translator_widget`` translates, from now on (and its
        current one now)."""
        self.following = translator_widget
        self.heading.value = self._heading(self._title, following=True)
        translator_widget.on_translated(self._follow_text)
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
        prepared, notes = _prepare(self.translator, text)
        self.notes.value = notes
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
                     else source_attention_html(self.source, step.attention))
            self.view.value = (
                f'<div class="s2s-chosen-line" data-source="{html.escape(self.source)}" '
                f'data-step="{self.index + 1}" data-stop="{str(stop).lower()}">Chosen: '
                f'<b class="s2s-chosen-char">{html.escape(step.chosen)}</b> with probability '
                f"{step.probability:.1%}{stopped}</div>"
                f"<div>The {len(step.candidates)} most likely next {_unit(self.word_level)}s:</div>"
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
                                     title=self._title, words=self.word_level)

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
