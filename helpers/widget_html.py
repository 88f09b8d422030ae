"""The HTML the live widgets show, and their stylesheet: the French shaded by the model's
confidence (:func:`confidence_html`), the attention map (:func:`attention_html`), the English
shaded by one decoder step's attention (:func:`source_attention_html`), the candidates' bars,
messages. Pure functions of their arguments, each returning an HTML string that every text is
escaped in; :mod:`helpers.widgets` puts them in its widgets.

Used in: ``07_translation_playground`` (and in 02 / 04 where the widgets help), through
:mod:`helpers.widgets`; building widgets is plumbing, so no notebook writes this module out.

The stylesheet, :data:`CSS`, is the package data file ``helpers/widgets.css`` (shipped in the
wheel: ``[tool.setuptools.package-data]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib import resources
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers.decoding import Step, visible_token
from helpers.encoding import STOP_TOKEN, WORD_PATTERN

#: Large type everywhere inside the widgets: every size is a multiple of ``--s2s-font`` (20 px in a
#: notebook; the classroom app's page, ``share/jupyter/voila/templates/s2s-playground``, scales it
#: with the screen), and ipywidgets sizes its controls from the ``--jp-widgets-…`` variables set
#: from it. No text is smaller than ``--s2s-font``. In Voilà (``body[data-voila]``) every cell
#: without a widget is hidden, unless it shows an error (Voilà renders only errors on stderr): a
#: fallback for a Voilà started without the app's template, which leaves those cells out itself.
CSS = resources.files("helpers").joinpath("widgets.css").read_text(encoding="utf-8")

_LEGEND_LEVELS = (1.0, 0.75, 0.5, 0.25, 0.0)


def _style() -> widgets.HTML:
    """The stylesheet, :data:`CSS`, as a widget: the first child of each widget."""
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


_ATTENTION_LEVELS = (1.0, 0.5, 0.25, 0.1, 0.0)


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
                     f"{html.escape(visible_token(ch))}</div>" for ch in source)
    rows = []
    for t, out_ch in enumerate([*translation, STOP_TOKEN]):
        stop = t == len(translation)
        best = int(np.argmax(weights[t])) if len(source) else -1
        cells = "".join(
            f'<div class="s2s-att-cell{" s2s-att-max" if s == best else ""}" '
            f'data-w="{w:.4f}" title="{html.escape(visible_token(out_ch))} ← '
            f'{html.escape(visible_token(src_ch))}: {w:.0%}" '
            f'style="background-color: {_attention_shade(w)}"></div>'
            for s, (src_ch, w) in enumerate(zip(source, weights[t], strict=True)))
        rows.append(f'<div class="s2s-att-row{" s2s-att-stop" if stop else ""}" '
                    f'data-char="{html.escape(out_ch)}"><div class="s2s-att-label">'
                    f"{html.escape(visible_token(out_ch))}</div>{cells}</div>")
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
    focus = (f' — most at <b class="s2s-focus-char">{html.escape(visible_token(source[best]))}</b> '
             f"({weights[best]:.0%})" if weights else "")
    return (f'<div class="s2s-step-attention"><div>Where it looks{focus}:</div>'
            f'<div class="s2s-source">{spans}</div>'
            f'{_attention_legend("Weight:")}</div>')


def _bars_html(step: Step) -> str:
    """The candidates of one decoder step as bars, the chosen one (the first) darker."""
    rows = []
    for rank, (char, p) in enumerate(step.candidates):
        chosen = " s2s-chosen" if rank == 0 else ""
        rows.append(f'<div class="s2s-candidate{chosen}" data-char="{html.escape(char)}" '
                    f'data-p="{p:.4f}"><span class="s2s-candidate-char">{html.escape(char)}'
                    f'</span><div><div class="s2s-bar" style="width: {100 * p:.1f}%"></div></div>'
                    f'<span class="s2s-candidate-p">{p:.1%}</span></div>')
    return f'<div class="s2s-bars">{"".join(rows)}</div>'
