"""Static copies of the widgets: what a widget shows, as HTML that needs neither a kernel nor
a stylesheet. Every widget adds its copy to its display output (``text/html`` beside the widget
view), so a notebook read where widgets do not render (GitHub, nbviewer without the widget
state, an HTML export) still shows it: :func:`translation_static_html` for a
:class:`helpers.widgets.Translator`, :func:`steps_static_html` for a
:class:`helpers.widgets.StepThrough`, :class:`WithStaticCopy` for any other widget.

Used in: ``08_translation_playground`` (the two widgets' copies) and ``02`` / ``04``
(:class:`WithStaticCopy`), through :mod:`helpers.widgets`; plumbing, so no notebook writes this
module out.

GitHub drops ``<style>`` blocks and may drop style attributes too, so a copy is self-contained
(inline styles only, every text escaped) and everything it says is also written in text: each
character's probability under it, each weight as a number. A subword model's copy (``subwords=``
its :class:`~helpers.encoding.SubwordVocabulary`) lists its pieces as
:func:`helpers.decoding.display_token` shows them (``"▁gentil"``: ``"▁"`` starts a word): of a
translation, those its decoder wrote (:func:`helpers.translation.tokens_written`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers.decoding import Step, visible_token
from helpers.encoding import STOP_TOKEN, SubwordVocabulary, WordVocabulary
from helpers.widget_html import (
    _attention_shade,
    _checked_tokens,
    _labels_of,
    _raw_tokens,
    _shade,
    _unit,
)

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
                            words: bool | WordVocabulary = False,
                            subwords: SubwordVocabulary | None = None) -> str:
    """A static copy of a :class:`~helpers.widgets.Translator`: the English, the French with
    each character (each word and punctuation mark with ``words=True`` or a word vocabulary,
    each piece with ``subwords=`` a subword model's vocabulary: for a translation, the tokens
    its decoder wrote) shaded by the model's confidence and that confidence (in %) written
    under it, the decoding mode (``status``), ``notes`` (plain text lines) and, when
    ``weights`` is given (:func:`helpers.translation.attention_map`'s array), the attention
    map as a table of weights in % (in the tokens
    :func:`helpers.widget_html.attention_html` shows). Inline styles only; every text
    escaped."""
    _checked_tokens(text, confidences, words, subwords)
    labels = _labels_of(text, words=words, subwords=subwords)
    unit = _unit(words, subwords)
    parts = [_static_paragraphs(notes, style=" color: #8a3b00")]
    if source:
        parts.append(f'<p style="margin: 0.2em 0">English: <span style="{_STATIC_MONO}">'
                     f"{html.escape(source)}</span></p>")
    if text:
        parts.append(f'<p style="margin: 0.2em 0">French: <b class="s2s-static-translation" '
                     f'style="font-size: 20px">{html.escape(text)}</b></p>')
        chars = "".join(f'<td class="s2s-static-char" data-p="{p:.4f}" style="{_STATIC_CELL}; '
                        f'font-size: 20px; {_STATIC_MONO}; background-color: {_shade(p)}">'
                        f"{html.escape(label)}</td>"
                        for label, p in zip(labels, confidences, strict=True))
        sure = "".join(f'<td style="{_STATIC_CELL}; font-size: 13px; color: #333">{p:.0%}</td>'
                       for p in confidences)
        head = 'style="padding: 1px 6px; text-align: left; font-weight: normal; color: #555"'
        parts.append(f'<table style="border-collapse: collapse; margin: 0.3em 0">'
                     f"<tr><th {head}>{unit}</th>{chars}</tr>"
                     f"<tr><th {head}>model sure</th>{sure}</tr></table>"
                     '<p style="margin: 0.2em 0; color: #555">Shading: the more orange a '
                     f"{unit}, the less sure the model was of it (its probability is under it; "
                     + ("▁ starts a word" if subwords is not None else "␣ is a space")
                     + ").</p>")
    elif source:
        parts.append('<p style="margin: 0.2em 0">The model answered with nothing at all.</p>')
    if status:
        parts.append(_static_paragraphs([status], style=" color: #333"))
    if weights is not None:
        parts.append(_static_attention_table(source, text, weights, attention_note, subwords))
    return _static_box("translator", title, "".join(parts))


def _static_attention_table(source: str, translation: str, weights: Any, note: str,
                            subwords: SubwordVocabulary | None = None) -> str:
    weights = np.asarray(weights, dtype=float)
    sources = _raw_tokens(source, subwords)
    written = [*_raw_tokens(translation, subwords), STOP_TOKEN]
    expected = (len(written), len(sources))
    if weights.shape != expected:
        raise ValueError(f"weights of shape {weights.shape}, but {expected} expected")
    head = "".join(f'<th style="{_STATIC_CELL}; {_STATIC_MONO}">'
                   f"{html.escape(visible_token(token))}</th>" for token in sources)
    rows = []
    for t, out_ch in enumerate(written):
        best = int(np.argmax(weights[t])) if sources else -1
        cells = "".join(
            f'<td data-w="{w:.4f}" style="{_STATIC_CELL}; font-size: 13px; min-width: 1.8em; '
            f'{_blue(w, sqrt=True)}">'
            + (f"<b>{w:.0%}</b>" if s == best else (f"{w:.0%}" if w >= 0.01 else "")) + "</td>"
            for s, w in enumerate(weights[t]))
        rows.append(f'<tr class="s2s-static-att-row"><th style="{_STATIC_CELL}; {_STATIC_MONO}">'
                    f"{html.escape(visible_token(out_ch))}</th>{cells}</tr>")
    unit = _unit(False, subwords)
    word_start = "" if subwords is None else ", ▁ the start of a word"
    caption = (f"Where the model looks: a row for each French {unit} it writes (⏎ is the stop "
               f"token{word_start}), a column for each English {unit} it reads; each number is "
               "an attention weight in % (a row adds up to 100%, its largest in bold; blank: "
               "under 1%).")
    return (_static_paragraphs([caption] + ([note] if note else []), style=" color: #333")
            + '<table style="border-collapse: collapse; margin: 0.3em 0">'
            f'<tr><th style="{_STATIC_CELL}"></th>{head}</tr>{"".join(rows)}</table>')


def steps_static_html(source: str, steps: Sequence[Step], *, current: int = 0,
                      stop_index: int | None = None, notes: Sequence[str] = (),
                      title: str = "The decoder, step by step", words: bool = False,
                      subwords: SubwordVocabulary | None = None) -> str:
    """A static copy of a :class:`~helpers.widgets.StepThrough`: a table with a row for each
    decoder step (at most :data:`STATIC_MAX_STEPS`, the first ones and the last two): the text
    so far, the ``top`` candidates with their probabilities (the first, in bold, is the one
    greedy decoding keeps) and, for an attention model, the English character the decoder
    looks at most. Row ``current`` (the step the widget shows) is marked ▶; ``stop_index`` is
    the step that chose the stop token; ``words=True``: a word-level model's steps (words, not
    characters); ``subwords=`` a subword model's vocabulary: its steps write pieces, and the
    English is read in pieces. Inline styles only; every text escaped."""
    parts = [_static_paragraphs(notes, style=" color: #8a3b00")]
    if source:
        parts.append(f'<p style="margin: 0.2em 0">English: <span style="{_STATIC_MONO}">'
                     f"{html.escape(source)}</span> — {len(steps)} steps of greedy decoding</p>")
    if steps:
        unit = _unit(words, subwords)
        source_labels = _labels_of(source, subwords=subwords)
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
                label = f"{html.escape(visible_token(char))} {p:.0%}"
                cells.append(f'<td class="s2s-static-candidate" data-char="{html.escape(char)}" '
                             f'data-p="{p:.4f}" style="{_STATIC_CELL}; {_blue(p)}">'
                             + (f"<b>{label}</b>" if rank == 0 else label) + "</td>")
            cells += [f'<td style="{_STATIC_CELL}"></td>'] * (top - len(step.candidates))
            if looks:
                where = ""
                if step.attention is not None and len(step.attention):
                    best = int(np.argmax(step.attention))
                    where = (f"{html.escape(source_labels[best])} "
                             f"({float(step.attention[best]):.0%})")
                cells.append(f'<td style="{_STATIC_CELL}; {_STATIC_MONO}">{where}</td>')
            stop = ' data-stop="true"' if i == stop_index else ""
            rows.append(f'<tr class="s2s-static-step" data-step="{i + 1}"{stop}>'
                        + "".join(cells) + "</tr>")
        parts.append('<table style="border-collapse: collapse; margin: 0.3em 0">'
                     + "".join(rows) + "</table>"
                     '<p style="margin: 0.2em 0; color: #555">Each row is one step: the '
                     f"{top} most likely next {unit}s with their probabilities (the darker "
                     "the cell, the more likely); greedy decoding keeps the first. ⏎ is the stop "
                     + ("token, ▁ the start of a word" if subwords is not None
                        else "token, ␣ a space") + ".</p>")
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
    f"<pre>{html.escape(shown)}</pre>"))``. (:class:`~helpers.widgets.Translator` and
    :class:`~helpers.widgets.StepThrough` carry their own.)"""

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
