"""The HTML the live widgets show, and their stylesheet: the French shaded by the model's
confidence (:func:`confidence_html`), the attention map (:func:`attention_html`), the English
shaded by one decoder step's attention (:func:`source_attention_html`), the candidates' bars,
messages. Pure functions of their arguments, each returning an HTML string that every text is
escaped in; :mod:`helpers.widgets` puts them in its widgets.

A text is shown in the units the model reads and writes (:func:`_tokens_of`): characters,
words and punctuation marks (``words=True``), or a subword model's pieces (``subwords=`` its
:class:`~helpers.encoding.SubwordVocabulary`, which it reads and writes with): one span per
piece, its text as written (the piece's ``"▁"`` a space), and on an axis or in a table the
piece as :func:`helpers.decoding.display_token` shows it (``"▁gentil"``, ``"⏎"``). A
translation is shown in the tokens its decoder wrote, from its ids
(:func:`helpers.translation.tokens_written`: ``words=`` the word vocabulary to read a word
model's), any other text cut into tokens.

Used in: ``08_translation_playground`` (and in 02 / 04 where the widgets help), through
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
from helpers.encoding import (
    STOP_TOKEN,
    WORD_START,
    SubwordVocabulary,
    WordVocabulary,
    tokenize_words,
)
from helpers.translation import tokens_written

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


def _unit(words: bool | WordVocabulary, subwords: SubwordVocabulary | None = None) -> str:
    """What a model reads and writes one at a time: ``"word"``, ``"subword piece"`` or
    ``"character"``."""
    if subwords is not None:
        return "subword piece"
    return "word" if words else "character"


def _piece_texts(pieces: Sequence[str]) -> list[str]:
    """Each subword piece's text as written: its ``"▁"`` a space, none before the first piece
    (as :meth:`helpers.encoding.SubwordVocabulary.decode` writes it), so that the texts joined
    are the sentence (a first piece that is only ``"▁"`` has no text)."""
    texts = [piece.replace(WORD_START, " ") for piece in pieces]
    if texts:
        texts[0] = texts[0].removeprefix(" ")
    return texts


def _tokens_of(text: str, *, words: bool | WordVocabulary = False,
               subwords: SubwordVocabulary | None = None) -> list[tuple[str, str]]:
    """``text`` as the model wrote it, as ``(space before, token)`` pairs: one per character,
    or (``words=True``, or the model's :class:`~helpers.encoding.WordVocabulary`) one per word
    and punctuation mark, or (``subwords=`` a subword model's vocabulary) one per piece, the
    piece's space inside the token (:func:`_piece_texts`): what
    :func:`helpers.translation.character_confidences` scores. The tokens are
    :func:`helpers.translation.tokens_written`: a translation's are those its decoder wrote
    (a word model's read with ``words=`` its vocabulary), any other text's, the text cut."""
    if subwords is not None:
        return [("", piece) for piece in _piece_texts(tokens_written(text, subwords))]
    if not words:
        return [("", ch) for ch in text]
    tokens = (tokens_written(text, words) if isinstance(words, WordVocabulary)
              else tokenize_words(text))
    pairs, end = [], 0
    for token in tokens:  # each token spelled as written, white space between
        start = text.index(token, end)
        pairs.append((text[end:start], token))
        end = start + len(token)
    return pairs


def _labels_of(text: str, *, words: bool | WordVocabulary = False,
               subwords: SubwordVocabulary | None = None) -> list[str]:
    """The tokens of ``text`` (:func:`_tokens_of`) as an axis or a table shows them, one each:
    :func:`helpers.decoding.visible_token` of each character, word or piece (a piece keeps its
    ``"▁"``, the mark of a word's start)."""
    if subwords is not None:
        return [visible_token(piece) for piece in tokens_written(text, subwords)]
    return [visible_token(token) for _, token in _tokens_of(text, words=words)]


def _checked_tokens(text: str, confidences: Sequence[float], words: bool | WordVocabulary,
                    subwords: SubwordVocabulary | None = None) -> list[tuple[str, str]]:
    tokens = _tokens_of(text, words=words, subwords=subwords)
    if len(tokens) != len(confidences):
        raise ValueError(f"{len(tokens)} {_unit(words, subwords)}s but {len(confidences)} "
                         "confidences")
    return tokens


def confidence_html(text: str, confidences: Sequence[float], *,
                    words: bool | WordVocabulary = False,
                    subwords: SubwordVocabulary | None = None) -> str:
    """``text`` as spans shaded by the model's confidence in each character (each word and
    punctuation mark with ``words=True`` or a word vocabulary; each piece, its space inside its
    span, with ``subwords=`` a subword model's vocabulary: :func:`_tokens_of`; a translation's
    tokens are those its decoder wrote), with a legend."""
    tokens = _checked_tokens(text, confidences, words, subwords)
    labels = (_labels_of(text, subwords=subwords) if subwords is not None
              else [None] * len(tokens))
    spans = "".join(
        f'{html.escape(space)}<span class="s2s-char" title="'
        + ("" if label is None else f"{html.escape(label)}: ")
        + f'{p:.0%} sure" data-p="{p:.4f}" '
        f'style="background-color: {_shade(p)}">{html.escape(token)}</span>'
        for (space, token), label, p in zip(tokens, labels, confidences, strict=True))
    swatches = "".join(f'<span class="s2s-swatch" style="background-color: {_shade(p)}">'
                       f"{p:.0%}</span>" for p in _LEGEND_LEVELS)
    legend = (f'<div class="s2s-legend">How sure the model was of each {_unit(words, subwords)} '
              f"(hover for the number): {swatches}</div>")
    return f'<div class="s2s-translation">{spans}</div>{legend}'


def _status_html(mode: str, name: str, detail: str, confidences: Sequence[float], *,
                 finished: bool) -> str:
    """The translator's status line: the decoding ``mode`` (its ``name`` and ``detail``), the
    mean of the ``confidences``, and whether the translation was cut at the length limit."""
    mean = f" · mean confidence {np.mean(confidences):.0%}" if len(confidences) else ""
    cut = "" if finished else " · unfinished: cut at the length limit"
    return (f'<div class="s2s-status"><span class="s2s-mode-label" data-mode="{mode}">{name}'
            f"</span> ({detail}){mean}{cut}</div>")


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


def attention_html(source: str, translation: str, weights: Any, *, note: str = "",
                   subwords: SubwordVocabulary | None = None) -> str:
    """An attention map as a grid of shaded cells: one row for each character of
    ``translation`` and a last row for the stop token ``⏎``, one column for each character of
    ``source`` (for a subword model, ``subwords=`` its vocabulary, which it reads and writes
    with: one row for each piece written, those its decoder wrote for a translation, one
    column for each piece read, each labelled as :func:`helpers.decoding.display_token` shows
    it); ``weights`` is :func:`helpers.translation.attention_map`'s array, of shape
    ``(len(translation) + 1, len(source))`` in those units. Each row's largest weight is
    outlined; every cell's tooltip gives both tokens and the weight. ``note`` (plain text) is
    shown above it."""
    weights = np.asarray(weights, dtype=float)
    sources = _raw_tokens(source, subwords)
    written = [*_raw_tokens(translation, subwords), STOP_TOKEN]
    expected = (len(written), len(sources))
    unit = _unit(False, subwords)
    if weights.shape != expected:
        raise ValueError(f"weights of shape {weights.shape}, but {len(written) - 1} {unit}s "
                         f"plus the stop token by {len(sources)} source {unit}s need "
                         f"{expected}")
    header = "".join(f'<div class="s2s-att-head" data-char="{html.escape(token)}">'
                     f"{html.escape(visible_token(token))}</div>" for token in sources)
    rows = []
    for t, out_token in enumerate(written):
        stop = t == len(written) - 1
        best = int(np.argmax(weights[t])) if sources else -1
        cells = "".join(
            f'<div class="s2s-att-cell{" s2s-att-max" if s == best else ""}" '
            f'data-w="{w:.4f}" title="{html.escape(visible_token(out_token))} ← '
            f'{html.escape(visible_token(src_token))}: {w:.0%}" '
            f'style="background-color: {_attention_shade(w)}"></div>'
            for s, (src_token, w) in enumerate(zip(sources, weights[t], strict=True)))
        rows.append(f'<div class="s2s-att-row{" s2s-att-stop" if stop else ""}" '
                    f'data-char="{html.escape(out_token)}"><div class="s2s-att-label">'
                    f"{html.escape(visible_token(out_token))}</div>{cells}</div>")
    # a piece is wider than a character: its column grows to its label
    column = "1.3em" if subwords is None else "minmax(1.3em, max-content)"
    pieces = "" if subwords is None else " s2s-att-pieces"
    grid = (f'<div class="s2s-attention-map{pieces}" style="grid-template-columns: auto '
            f'repeat({len(sources)}, {column})"><div class="s2s-att-corner"></div>{header}'
            f'{"".join(rows)}</div>')
    word_start = "" if subwords is None else ", ▁ the start of a word"
    caption = (f'<div class="s2s-hint">Where the model looks: a row for each French {unit} it '
               f"writes (⏎ is the stop token{word_start}), a column for each English {unit} it "
               "reads; the darker the cell, the more weight. Each row adds up to 100%; its "
               "largest weight is outlined (hover over a cell for the number).</div>")
    if note:
        caption += f'<div class="s2s-hint">{html.escape(note)}</div>'
    return (f'<div class="s2s-attention" data-rows="{expected[0]}" data-cols="{expected[1]}">'
            f'{caption}<div class="s2s-attention-scroll">{grid}</div>'
            f'{_attention_legend("Attention weight:")}</div>')


#: What the translator shows in place of the attention map for a model without attention.
_NO_ATTENTION = ('<div class="s2s-hint s2s-no-attention">This model has no attention: its '
                 "decoder sees the English sentence only through the encoder's final state, so "
                 "there is no map of where it looks.</div>")


def _heads_note(heads: int, head: int | None) -> str:
    """Which map of a model's ``heads`` attention heads is drawn: their mean (``head=None``)
    or head ``head`` (from 0); "" for a model without heads (``heads=0``)."""
    if not heads:
        return ""
    if head is None:
        return (f"The mean of the model's {heads} attention heads (choose a head to see its own "
                "map).")
    return f"Head {head + 1} of the model's {heads} attention heads."


def _attention_note(mode: str, unit: str, heads: int, head: int | None, *,
                    static: bool = False) -> str:
    """What the translator says above its attention map: which head's map it is
    (:func:`_heads_note`) and, for a translation that beam search or sampling chose
    (``mode``), that the map is of the model given its tokens (``unit``: what they are) one at
    a time (teacher forcing); ``static=True``: in the words of the widget's static copy."""
    note = ""
    if mode != "greedy" and static:
        note = (f"These are the weights the model uses when it is given the {unit}s shown and "
                "writes them (teacher forcing).")
    elif mode != "greedy":
        chose = {"beam": "Beam search chose", "sample": "Sampling drew"}[mode]
        note = (f"{chose} these {unit}s; the map shows where the model looks when it is given "
                "them one at a time and writes them (teacher forcing).")
    return " ".join(filter(None, [_heads_note(heads, head), note]))


def _too_big_html(rows: int, cols: int, most: int) -> str:
    """What the translator shows in place of an attention map of ``rows`` × ``cols`` cells,
    more than the ``most`` it draws."""
    return (f'<div class="s2s-hint s2s-attention-too-big">No attention map for a translation '
            f"this long: it would have {rows} × {cols} = {rows * cols:,} cells (the widget "
            f"draws at most {most:,}). Try a shorter sentence.</div>")


def _raw_tokens(text: str, subwords: SubwordVocabulary | None) -> list[str]:
    """The characters of ``text``, or its pieces in ``subwords``: those a decoder wrote of a
    translation (:func:`helpers.translation.tokens_written`), any other text cut."""
    return list(text) if subwords is None else tokens_written(text, subwords)


def source_attention_html(source: str, weights: Sequence[float], *,
                          subwords: SubwordVocabulary | None = None) -> str:
    """``source`` with each character (each piece, for a subword model: ``subwords=`` its
    vocabulary) shaded by its attention weight at one decoder step, the most-attended one
    outlined (class ``s2s-focus``)."""
    weights = [float(w) for w in weights]
    tokens = [token for _, token in _tokens_of(source, subwords=subwords)]
    labels = _labels_of(source, subwords=subwords)
    if len(weights) != len(tokens):
        raise ValueError(f"{len(tokens)} source {_unit(False, subwords)}s but {len(weights)} "
                         "weights")
    best = int(np.argmax(weights)) if weights else -1
    spans = "".join(
        f'<span class="s2s-src-char{" s2s-focus" if i == best else ""}" data-w="{w:.4f}" '
        f'title="{"" if subwords is None else html.escape(label) + ": "}{w:.0%}" '
        f'style="background-color: {_attention_shade(w)}">{html.escape(token)}</span>'
        for i, (token, label, w) in enumerate(zip(tokens, labels, weights, strict=True)))
    focus = (f' — most at <b class="s2s-focus-char">{html.escape(labels[best])}</b> '
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
