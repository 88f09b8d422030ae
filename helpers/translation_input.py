"""The text a person types, as :func:`helpers.translation.translate` reads it: its rules, and an
error for every input it cannot translate as given, whose message says what to do (never a
TensorFlow traceback).

Taught in: ``04_inference_loop`` (with :func:`~helpers.translation.translate`, which gives the
errors here too; used from ``05`` on, and by the widgets of ``08``, which show what they make of
the text typed).

The rules of :func:`prepare_input`:

* surrounding white space is removed and any run of white space inside (tabs and newlines
  too: they are the start and stop tokens, never input) becomes one space;
* empty or white-space-only text raises :class:`EmptyInputError`;
* characters outside the model's input vocabulary (emoji, other scripts, ``é`` for a model
  that never saw one) raise :class:`UnknownInputError` naming them, unless you ask to
  ``"drop"`` them or map them to ``"unk"`` — then a notice says so (a translation's
  ``notices``);
* text longer than the model's longest training sentence raises :class:`InputTooLongError`,
  unless ``on_overflow="truncate"``: then it is cut (at a word boundary where there is one)
  and a notice says so.

Word-level models (notebook 06: their vocabularies are
:class:`helpers.encoding.WordVocabulary`) follow the same rules with words for characters: the
text is split into tokens by :func:`helpers.encoding.tokenize_words`; words the model never saw
raise :class:`UnknownWordsError` naming them (or are dropped, or read as ``<unk>``, with a
notice); the length limit counts tokens. A subword model (notebook 07) counts its pieces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from helpers.encoding import (
    SubwordVocabulary,
    UnknownCharacterError,
    Vocabulary,
    WordVocabulary,
    detokenize_words,
    tokenize_words,
)


class TranslationInputError(ValueError):
    """Base class for text that cannot be translated as given; the message says why."""


class EmptyInputError(TranslationInputError):
    """Nothing to translate."""


class InputTooLongError(TranslationInputError):
    """Longer than the longest sentence the model was trained on."""


class UnknownInputError(TranslationInputError, UnknownCharacterError):
    """Characters the model has never seen."""

    def __init__(self, text: str, unknown: Sequence[str]):
        UnknownCharacterError.__init__(self, text, unknown)
        shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in self.unknown)
        self.args = (f"The model never saw these character(s): {shown}. Remove them, or "
                     "translate with on_unknown='drop' or 'unk'.",)


class UnknownWordsError(UnknownInputError):
    """Words a word-level model has never seen (``unknown`` holds them)."""

    def __init__(self, text: str, unknown: Sequence[str]):
        UnknownCharacterError.__init__(self, text, unknown)
        shown = ", ".join(repr(w) for w in self.unknown)
        self.args = (f"The model never saw these word(s): {shown}. Rephrase, or translate "
                     "with on_unknown='drop' (leave them out) or 'unk' (read as <unk>).",)


#: Typographic characters a person types that the corpus spells differently.
_TYPOGRAPHY = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
               "\u2013": "-", "\u2014": "-"}


@dataclass
class PreparedInput:
    """The text a model will read, and what was done to get it."""

    original: str
    text: str
    notices: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    #: The tokens a word-level model reads (``None`` for a character model: ``text`` is all).
    tokens: list[str] | None = None


def _too_long(counted: str, max_length: int) -> InputTooLongError:
    return InputTooLongError(f"The text has {counted}; this model reads at most {max_length} (its "
                             "longest training sentence). Shorten it, or translate with "
                             "on_overflow='truncate'.")


def _unknown_rule(prepared: PreparedInput, unknown: list[str], on_unknown: str,
                  error: Exception, current, drop, *, noun: str, unk_notice: str):
    """The rule for tokens the model never saw, for characters and words alike: raise
    ``error`` (``"error"``), or note them and return ``drop()`` (``"drop"``: what is left,
    never nothing) or ``current`` (``"unk"``: read as ``<unk>``)."""
    prepared.unknown = unknown
    if on_unknown == "error":
        raise error
    listed = " ".join(unknown)
    if on_unknown == "unk":
        prepared.notices.append(f"{unk_notice}: {listed}")
        return current
    prepared.notices.append(f"Left out {noun} the model never saw: {listed}")
    left = drop()
    if not left:
        raise EmptyInputError(f"Nothing left to translate: the model never saw any of {listed}.")
    return left


def normalise_text(text: str) -> str:
    """``text`` as :func:`prepare_input` first reads it (the widgets echo it so): Unicode NFC,
    every run of white space (tabs and newlines too) one space, none at either end."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def prepare_input(text: str, vocab: Vocabulary, max_length: int, *,
                  on_unknown: Literal["error", "drop", "unk"] = "error",
                  on_overflow: Literal["error", "truncate"] = "error") -> PreparedInput:
    """Clean ``text`` for the model, following the rules in this module's docstring."""
    if not isinstance(text, str):
        raise TypeError(f"translate text (str), not {type(text).__name__}")
    if on_unknown not in ("error", "drop", "unk"):
        raise ValueError(f"on_unknown must be 'error', 'drop' or 'unk', not {on_unknown!r}")
    if on_overflow not in ("error", "truncate"):
        raise ValueError(f"on_overflow must be 'error' or 'truncate', not {on_overflow!r}")
    cleaned = normalise_text(text)
    if not cleaned:
        raise EmptyInputError("Nothing to translate: type a sentence (e.g. 'I am cold.').")
    if isinstance(vocab, WordVocabulary):
        return _prepare_words(text, cleaned, vocab, max_length, on_unknown=on_unknown,
                              on_overflow=on_overflow)
    if isinstance(vocab, SubwordVocabulary):
        return _prepare_subwords(text, cleaned, vocab, max_length, on_unknown=on_unknown,
                                 on_overflow=on_overflow)
    prepared, cleaned = _character_rules(text, cleaned, set(vocab.characters),
                                         vocab.unknown_characters, on_unknown)
    if len(cleaned) > max_length:
        if on_overflow == "error":
            raise _too_long(f"{len(cleaned)} characters", max_length)
        cut = cleaned[:max_length]
        if " " in cut and not cleaned[max_length].isspace():
            cut = cut[: cut.rindex(" ")]
        cleaned = cut.rstrip()
        prepared.notices.append(
            f"Only the first {len(cleaned)} characters were translated (the model reads at most "
            f"{max_length}).")
    prepared.text = cleaned
    return prepared


def _prepare_words(original: str, cleaned: str, vocab: WordVocabulary, max_length: int, *,
                   on_unknown: str, on_overflow: str) -> PreparedInput:
    """:func:`prepare_input` for a word-level model: the same rules, counted in tokens."""
    tokens: list[str] = []
    rewritten: set[str] = set()
    for token in tokenize_words(cleaned):
        if token not in vocab and any(ch in _TYPOGRAPHY for ch in token):
            plain = tokenize_words("".join(_TYPOGRAPHY.get(ch, ch) for ch in token))
            if all(t in vocab for t in plain):
                rewritten |= {ch for ch in token if ch in _TYPOGRAPHY}
                tokens += plain
                continue
        tokens.append(token)
    prepared = PreparedInput(original=original, text="", tokens=tokens)
    if rewritten:
        shown = ", ".join(f"{ch} as {_TYPOGRAPHY[ch]}" for ch in sorted(rewritten))
        prepared.notices.append(f"Typographic characters were read as the corpus writes them: "
                                f"{shown}")
    unknown = vocab.unknown_words(tokens)
    if unknown:
        tokens = _unknown_rule(
            prepared, unknown, on_unknown, UnknownWordsError(cleaned, unknown), tokens,
            lambda: [t for t in tokens if t in vocab],
            noun="words", unk_notice="Words the model never saw were read as <unk>")
    if len(tokens) > max_length:
        if on_overflow == "error":
            raise _too_long(f"{len(tokens)} words and punctuation marks", max_length)
        tokens = tokens[:max_length]
        prepared.notices.append(
            f"Only the first {max_length} words and punctuation marks were translated (the "
            "model reads no more).")
    prepared.tokens = tokens
    prepared.text = detokenize_words(tokens, french=vocab.french)
    return prepared


def _character_rules(original: str, cleaned: str, known, unknown_characters,
                     on_unknown: str) -> tuple[PreparedInput, str]:
    """The rules for characters, for character and subword models alike: a typographic
    character the model does not know is read as the corpus writes it (with a notice), then
    characters it never saw follow ``on_unknown``. ``known``: the characters it knows;
    ``unknown_characters(text)``: those of ``text`` it does not."""
    rewritten = sorted({ch for ch in cleaned if ch not in known and ch in _TYPOGRAPHY})
    cleaned = "".join(ch if ch in known else _TYPOGRAPHY.get(ch, ch) for ch in cleaned)
    prepared = PreparedInput(original=original, text=cleaned)
    if rewritten:
        prepared.notices.append("Typographic characters were read as the corpus writes them: "
                                + ", ".join(f"{ch} as {_TYPOGRAPHY[ch]}" for ch in rewritten))
    unknown = unknown_characters(cleaned)
    if unknown:
        cleaned = _unknown_rule(
            prepared, unknown, on_unknown, UnknownInputError(cleaned, unknown), cleaned,
            lambda: re.sub(r"\s+", " ", "".join(ch for ch in cleaned if ch in known)).strip(),
            noun="characters", unk_notice="Characters the model never saw were read as unknown")
    return prepared, cleaned


def _prepare_subwords(original: str, cleaned: str, vocab: SubwordVocabulary, max_length: int,
                      *, on_unknown: str, on_overflow: str) -> PreparedInput:
    """:func:`prepare_input` for a subword model: characters no piece holds follow the
    character rules; the length is counted in pieces, and a cut falls between words."""
    prepared, cleaned = _character_rules(original, cleaned, vocab.characters,
                                         vocab.unknown_characters, on_unknown)
    pieces = len(vocab.pieces(cleaned))
    if pieces > max_length:
        if on_overflow == "error":
            raise _too_long(f"{pieces} subword pieces", max_length)
        words = cleaned.split(" ")
        while len(words) > 1 and len(vocab.pieces(" ".join(words))) > max_length:
            words.pop()
        cleaned = " ".join(words)
        if len(vocab.pieces(cleaned)) > max_length:  # one word longer than the model reads
            ids = vocab.encode(cleaned, on_unknown="unk")[:max_length]
            cleaned = vocab.decode(ids, stop_at=None)
        prepared.notices.append(
            f"Only the first {len(vocab.pieces(cleaned))} subword pieces were translated (the "
            f"model reads at most {max_length}).")
    prepared.text = cleaned
    return prepared
