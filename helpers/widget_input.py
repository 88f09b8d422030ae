"""What the widgets make of the text a person types: the rules of
:func:`helpers.translation_input.prepare_input`, applied as a widget applies them (characters or
words the model never saw left out, text too long cut), and the HTML notes that say what was
done (:func:`unknown_html` echoes the text with what was left out highlighted). Whatever is typed,
the result is a note, never a traceback. A subword model (its vocabulary a
:class:`~helpers.encoding.SubwordVocabulary`) is told about as a character model is (what no
piece holds is a character it never saw), but its length limit counts pieces: the notes say
"subword pieces", as :func:`helpers.translation_input.prepare_input` does.

Used in: ``08_translation_playground`` (and in 02 / 04 where the widgets help), through
:mod:`helpers.widgets`; plumbing, so no notebook writes this module out.
"""

from __future__ import annotations

import html
from typing import Any

from helpers.encoding import SubwordVocabulary, WordVocabulary
from helpers.translation_input import (
    EmptyInputError,
    PreparedInput,
    normalise_text,
    prepare_input,
)
from helpers.widget_html import _message, _tokens_of


def _check_text(text: object) -> str:
    """``text`` if it is a ``str``; else the course's ``TypeError`` naming it."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (an English sentence), not {type(text).__name__}")
    return text


def _is_word_level(translator: Any) -> bool:
    """Does ``translator`` read and write words (notebook 06's word-level models)?"""
    return isinstance(translator.target_vocab, WordVocabulary)


def _subwords_of(vocab: Any) -> SubwordVocabulary | None:
    """``vocab`` if it is a subword model's vocabulary (the widgets then show pieces), else
    ``None``."""
    return vocab if isinstance(vocab, SubwordVocabulary) else None


def unknown_html(text: str, unknown: list[str], *, words: bool = False) -> str:
    """The typed text with the characters (``words=True``: the words and punctuation marks)
    the model never saw highlighted."""
    marked = set(unknown)
    body = "".join(f'{html.escape(space)}<mark class="s2s-unknown">{html.escape(token)}</mark>'
                   if token in marked else html.escape(space + token)
                   for space, token in _tokens_of(normalise_text(text), words=words))
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
        unknown = _unknown_in(vocab, normalise_text(text))
        if unknown and normalise_text(text):
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

