"""Turning sentences into arrays and back: character vocabularies, one-hot tensors,
integer sequences, and the one-step offset of teacher forcing.

Taught in: ``01_data_encoding``.

Conventions (the same in every notebook):

* index 0 of every vocabulary is padding (:data:`PAD_TOKEN`), never a character;
* index 1 is :data:`UNK_TOKEN`, used only when you ask for it (``on_unknown="unk"``);
* target sentences are wrapped in the start token ``"\\t"`` and the stop token ``"\\n"``;
* characters outside a vocabulary raise :class:`UnknownCharacterError` by default,
  naming them — they never get a silently wrong index.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from helpers.checks import check_count, check_texts

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"
START_TOKEN = "\t"
STOP_TOKEN = "\n"
PAD_INDEX = 0
UNK_INDEX = 1
RESERVED_TOKENS: tuple[str, ...] = (PAD_TOKEN, UNK_TOKEN)

OnUnknown = Literal["error", "unk"]


class _UnknownTokensError(ValueError):
    """A text holds tokens (``kind``: characters or words) that are not in the vocabulary;
    ``unknown`` lists them once each, in order."""

    kind = "token"

    def __init__(self, text: str, unknown: Sequence[str]):
        self.text = text
        self.unknown = list(dict.fromkeys(unknown))
        shown = ", ".join(repr(token) for token in self.unknown)
        super().__init__(
            f"{len(self.unknown)} {self.kind}(s) not in the vocabulary: {shown} "
            f"(in {text[:60]!r}). Remove or replace them, or encode with on_unknown='unk'.")


class UnknownCharacterError(_UnknownTokensError):
    """A text holds characters that are not in the vocabulary."""

    kind = "character"


@dataclass(frozen=True)
class _Tokens:
    """What every vocabulary is: an ordered list of tokens, a token's position its index,
    ``tokens[0]`` padding and ``tokens[1]`` the unknown marker. Subclasses say which other
    tokens are allowed (:meth:`_check`)."""

    tokens: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.tokens[: len(RESERVED_TOKENS)] != RESERVED_TOKENS:
            raise ValueError(f"a vocabulary must start with {RESERVED_TOKENS}")
        self._check(self.tokens[len(RESERVED_TOKENS):])
        object.__setattr__(self, "_index", {tok: i for i, tok in enumerate(self.tokens)})

    def _check(self, tokens: tuple[str, ...]) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index and token not in RESERVED_TOKENS  # type: ignore[attr-defined]

    @property
    def token_index(self) -> dict[str, int]:
        """``{token: index}``, the original text's ``input_token_index``."""
        return dict(self._index)  # type: ignore[attr-defined]

    def _read(self, ids: Iterable[int], stop_at: str | None, skip: Iterable[str]) -> list[int]:
        """The ids :meth:`decode` writes out: padding dropped, reading ends at ``stop_at`` (not
        included), tokens in ``skip`` left out; an id outside the vocabulary is an error."""
        skipped = set(skip)
        out: list[int] = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"index {i} is outside a vocabulary of {len(self.tokens)}")
            token = self.tokens[i]
            if i == PAD_INDEX or token in skipped:
                continue
            if stop_at is not None and token == stop_at:
                break
            out.append(i)
        return out


@dataclass(frozen=True)
class Vocabulary(_Tokens):
    """An ordered list of tokens; a token's position is its index.

    ``tokens[0]`` is padding and ``tokens[1]`` the unknown marker; the rest are single
    characters, sorted.
    """

    def _check(self, chars: tuple[str, ...]) -> None:
        if any(len(ch) != 1 for ch in chars) or len(set(chars)) != len(chars):
            raise ValueError("vocabulary characters must be distinct single characters")

    @property
    def characters(self) -> tuple[str, ...]:
        """The characters, without the reserved tokens."""
        return self.tokens[len(RESERVED_TOKENS):]

    def unknown_characters(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that are not in the vocabulary, in order."""
        return list(dict.fromkeys(ch for ch in text if ch not in self))

    def encode(self, text: str, *, on_unknown: OnUnknown = "error") -> list[int]:
        """Indices of the characters of ``text``.

        ``on_unknown="error"`` raises :class:`UnknownCharacterError`; ``"unk"`` maps each
        unknown character to :data:`UNK_INDEX`.
        """
        if on_unknown not in ("error", "unk"):
            raise ValueError(f"on_unknown must be 'error' or 'unk', not {on_unknown!r}")
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        unknown = self.unknown_characters(text)
        if unknown and on_unknown == "error":
            raise UnknownCharacterError(text, unknown)
        return [index[ch] if ch in self else UNK_INDEX for ch in text]

    def decode(self, ids: Iterable[int], *, stop_at: str | None = STOP_TOKEN,
               skip: Iterable[str] = (START_TOKEN,)) -> str:
        """Text for ``ids``: padding is dropped, reading ends at ``stop_at`` (not included),
        tokens in ``skip`` are left out and unknowns show as ``"\\ufffd"``."""
        return "".join("\ufffd" if i == UNK_INDEX else self.tokens[i]
                       for i in self._read(ids, stop_at, skip))


def build_vocabulary(texts: Iterable[str]) -> Vocabulary:
    """Padding, unknown, then every character of ``texts`` in sorted order."""
    if isinstance(texts, str) or not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a list of strings, not {type(texts).__name__}")
    texts = check_texts("texts", list(texts))
    characters = sorted(set().union(*map(set, texts)))
    return Vocabulary(RESERVED_TOKENS + tuple(characters))


def add_start_stop(text: str) -> str:
    """``"Va !"`` → ``"\\tVa !\\n"``: what the decoder reads and what it must produce."""
    return START_TOKEN + text + STOP_TOKEN


def _check_texts(texts: Sequence[str]) -> None:
    check_texts("texts", texts)
    if len(texts) == 0:
        raise ValueError("no texts to encode")
    empty = [i for i, t in enumerate(texts) if len(t) == 0]
    if empty:
        raise ValueError(f"text {empty[0]} is empty; every text needs at least one character")


def encode_sequences(texts: Sequence[str], vocab: Vocabulary, *, max_len: int | None = None,
                     on_unknown: OnUnknown = "error") -> np.ndarray:
    """Integer form: an ``int32`` array ``(len(texts), max_len)``, padded with 0 at the end.

    ``max_len`` defaults to the longest text; a longer text raises ``ValueError``.
    """
    _check_texts(texts)
    longest = max(len(t) for t in texts)
    max_len = longest if max_len is None else check_count("max_len", max_len)
    if longest > max_len:
        which = next(i for i, t in enumerate(texts) if len(t) > max_len)
        raise ValueError(
            f"text {which} has {len(texts[which])} characters, more than max_len={max_len}"
        )
    ids = np.full((len(texts), max_len), PAD_INDEX, dtype=np.int32)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = vocab.encode(text, on_unknown=on_unknown)
    return ids


def shift_left(ids: np.ndarray) -> np.ndarray:
    """Teacher forcing's offset: ``out[:, t] = ids[:, t + 1]``; the last step becomes padding
    (all zeros for one-hot arrays)."""
    out = np.zeros_like(ids)
    out[:, :-1] = ids[:, 1:]
    return out


def one_hot(ids: np.ndarray, num_tokens: int) -> np.ndarray:
    """``float32`` one-hot of an integer array; padding (index 0) becomes an all-zero vector,
    as in the original text."""
    out = np.zeros((*ids.shape, num_tokens), dtype=np.float32)
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
    out[..., PAD_INDEX] = 0.0
    return out


def one_hot_arrays(input_texts: Sequence[str], target_texts: Sequence[str],
                   input_vocab: Vocabulary, target_vocab: Vocabulary,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The original text's three arrays.

    ``target_texts`` must already carry the start and stop tokens (:func:`add_start_stop`).

    Returns:
        ``encoder_input_data`` ``(n, max_encoder_seq_length, num_encoder_tokens)``,
        ``decoder_input_data`` ``(n, max_decoder_seq_length, num_decoder_tokens)``, and
        ``decoder_target_data``: ``decoder_input_data`` shifted one step left.
    """
    if len(input_texts) != len(target_texts):
        raise ValueError("input_texts and target_texts must have the same length")
    encoder_ids, decoder_ids = integer_arrays(input_texts, target_texts, input_vocab, target_vocab)
    encoder_input_data = one_hot(encoder_ids, len(input_vocab))
    decoder_input_data = one_hot(decoder_ids, len(target_vocab))
    decoder_target_data = shift_left(decoder_input_data)
    return encoder_input_data, decoder_input_data, decoder_target_data


def integer_arrays(input_texts: Sequence[str], target_texts: Sequence[str],
                   input_vocab: Vocabulary, target_vocab: Vocabulary, *,
                   on_unknown: OnUnknown = "error") -> tuple[np.ndarray, np.ndarray]:
    """``(encoder_input_ids, decoder_input_ids)``: the integer form later notebooks use.
    The decoder's targets are ``shift_left(decoder_input_ids)``."""
    for text in target_texts:
        if not (text.startswith(START_TOKEN) and text.endswith(STOP_TOKEN)):
            raise ValueError(
                f"target {text[:40]!r} lacks the start/stop tokens; wrap it with add_start_stop()"
            )
    encoder_ids = encode_sequences(input_texts, input_vocab, on_unknown=on_unknown)
    decoder_ids = encode_sequences(target_texts, target_vocab, on_unknown=on_unknown)
    return encoder_ids, decoder_ids


def decode_sequences(ids: np.ndarray, vocab: Vocabulary) -> list[str]:
    """Texts for an integer array (or a one-hot array, which is argmax-ed first)."""
    ids = np.asarray(ids)
    if ids.ndim == 3:
        ids = np.where(ids.max(axis=-1) > 0, ids.argmax(axis=-1), PAD_INDEX)
    return [vocab.decode(row) for row in ids]


# --- word level (notebook 06) ------------------------------------------------------------
#
# The original's "Bonus FAQ" variant: one token per word instead of per character. A token is
# a word with the apostrophe of an elision (French ``l'``, ``qu'``, ``J'``; English ``I'`` of
# ``I'm``), any other run of letters and digits, or one character that is neither (punctuation,
# a hyphen); the start ``"\t"`` and stop ``"\n"`` tokens are tokens too, every other white
# space only separates. :func:`detokenize_words` puts the spaces back.

#: One token: start or stop, an elision with its apostrophe, a word, or one other character.
WORD_PATTERN = re.compile(r"[\t\n]|\w+['’]|\w+|[^\w\s]")


def tokenize_words(text: str) -> list[str]:
    """``"J'ai froid !"`` → ``["J'", "ai", "froid", "!"]``: elisions keep their apostrophe,
    every punctuation mark and hyphen is a token of its own, white space only separates
    (except ``"\t"`` and ``"\n"``, the start and stop tokens)."""
    return WORD_PATTERN.findall(text)


def detokenize_words(tokens: Sequence[str], *, french: bool = True) -> str:
    """Inverse of :func:`tokenize_words`, up to white space: tokens joined by one space, except
    none after an elision (``l'``), a hyphen or ``(`` and none before ``. , ) - …``. French
    keeps its space before ``! ? : ;`` (``"Va !"``); English has none (``"Go!"``)."""
    text = ""
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        glued = (i == 0 or previous.endswith(("'", "’")) or previous in ("-", "(")
                 or token in (".", ",", ")", "-", "…")
                 or (not french and token in ("!", "?", ":", ";")))
        text += token if glued else " " + token
    return text


class UnknownWordError(_UnknownTokensError):
    """A text holds words that are not in the word vocabulary."""

    kind = "word"


@dataclass(frozen=True)
class WordVocabulary(_Tokens):
    """An ordered list of word tokens (:func:`tokenize_words`); a token's position is its index.

    ``tokens[0]`` is padding and ``tokens[1]`` the unknown marker, as in :class:`Vocabulary`;
    then the tokens of the training texts, most frequent first. ``french`` says how
    :meth:`decode` spaces punctuation (:func:`detokenize_words`). It has the methods of
    :class:`Vocabulary` that the decoders use, so they run on word-level models unchanged.
    """

    french: bool = False

    def _check(self, words: tuple[str, ...]) -> None:
        if any(not w or w != w.strip(" ") for w in words) or len(set(words)) != len(words):
            raise ValueError("vocabulary words must be distinct, non-empty and unpadded")

    @property
    def words(self) -> tuple[str, ...]:
        """The word tokens, without the reserved ones."""
        return self.tokens[len(RESERVED_TOKENS):]

    def unknown_words(self, text: str | Sequence[str]) -> list[str]:
        """The distinct tokens of ``text`` (a string, or its tokens) not in the vocabulary."""
        tokens = tokenize_words(text) if isinstance(text, str) else text
        return list(dict.fromkeys(t for t in tokens if t not in self))

    def encode(self, text: str | Sequence[str], *, on_unknown: OnUnknown = "error") -> list[int]:
        """Indices of the tokens of ``text`` (a string, tokenised here, or its tokens).

        ``on_unknown="error"`` raises :class:`UnknownWordError` naming the unknown words;
        ``"unk"`` maps each of them to :data:`UNK_INDEX`.
        """
        if on_unknown not in ("error", "unk"):
            raise ValueError(f"on_unknown must be 'error' or 'unk', not {on_unknown!r}")
        tokens = tokenize_words(text) if isinstance(text, str) else list(text)
        unknown = self.unknown_words(tokens)
        if unknown and on_unknown == "error":
            raise UnknownWordError(text if isinstance(text, str) else " ".join(tokens), unknown)
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        return [index[t] if t in self else UNK_INDEX for t in tokens]

    def decode(self, ids: Iterable[int], *, stop_at: str | None = STOP_TOKEN,
               skip: Iterable[str] = (START_TOKEN,)) -> str:
        """Text for ``ids`` (:func:`detokenize_words`): padding is dropped, reading ends at
        ``stop_at`` (not included), tokens in ``skip`` are left out, unknowns show as
        ``"<unk>"``."""
        return detokenize_words([self.tokens[i] for i in self._read(ids, stop_at, skip)],
                                french=self.french)


def build_word_vocabulary(texts: Iterable[str], *, french: bool = False,
                          min_count: int = 1) -> WordVocabulary:
    """Padding, unknown, then every token of ``texts`` seen at least ``min_count`` times, most
    frequent first (ties in alphabetical order). Rarer tokens will be read as ``<unk>``."""
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    counts = Counter(token for text in texts for token in tokenize_words(text))
    words = sorted((w for w, n in counts.items() if n >= min_count),
                   key=lambda w: (-counts[w], w))
    return WordVocabulary(RESERVED_TOKENS + tuple(words), french=french)


# --- subword vocabularies (notebook 07) -----------------------------------------------------
#
# A sentencepiece model (``helpers.subwords.train_subwords``) cuts text into pieces between a
# character and a word ("▁Tom", "▁is", "▁hun", "gry", "."): a space is the "▁" that begins a
# piece. Its ids 0–3 are padding, unknown, start and stop, so a sentencepiece id is a course id.

#: How sentencepiece writes a space: the first character of a piece that starts a word.
WORD_START = "\u2581"


class SubwordVocabularyError(ValueError):
    """A sentencepiece model the course cannot use (not one, or its first ids are not padding,
    unknown, start and stop)."""


@dataclass(frozen=True)
class SubwordVocabulary(_Tokens):
    """The pieces of a sentencepiece model as a course vocabulary: ``tokens[0]`` padding,
    ``tokens[1]`` unknown, ``tokens[2]`` the start token ``"\\t"``, ``tokens[3]`` the stop
    token ``"\\n"``, then the pieces (``"▁Tom"``, ``"gry"`` …) in the model's order, so that a
    sentencepiece id is the course's id. One vocabulary serves both languages (trained on
    both). It has the methods of :class:`Vocabulary` that the decoders and ``translate`` use.
    Make one with :meth:`from_file` or :meth:`from_proto`; ``model_proto`` is the model's bytes.
    """

    model_proto: bytes = b""

    def _check(self, pieces: tuple[str, ...]) -> None:
        if pieces[:2] != (START_TOKEN, STOP_TOKEN) or len(set(pieces)) != len(pieces):
            raise SubwordVocabularyError("a subword vocabulary's ids 2 and 3 are the start and "
                                         "stop tokens, and its pieces are distinct")

    @classmethod
    def from_proto(cls, model_proto: bytes) -> SubwordVocabulary:
        """The vocabulary of a sentencepiece model given as its bytes."""
        if not isinstance(model_proto, bytes) or not model_proto:
            raise SubwordVocabularyError("a sentencepiece model is the non-empty bytes of its "
                                         ".model file")
        processor = _processor(model_proto)
        size = processor.get_piece_size()
        special = (processor.pad_id(), processor.unk_id(), processor.bos_id(),
                   processor.eos_id())
        if special != (PAD_INDEX, UNK_INDEX, 2, 3) or size < 5:
            raise SubwordVocabularyError(
                f"this sentencepiece model has pad, unk, start and stop ids {special}; the "
                "course needs 0, 1, 2, 3 (train it with helpers.subwords.train_subwords)")
        pieces = tuple(processor.id_to_piece(i) for i in range(4, size))
        vocab = cls(RESERVED_TOKENS + (START_TOKEN, STOP_TOKEN) + pieces, model_proto)
        object.__setattr__(vocab, "_processor", processor)
        return vocab

    @classmethod
    def from_file(cls, path) -> SubwordVocabulary:
        """The vocabulary of a sentencepiece ``.model`` file."""
        with open(path, "rb") as handle:
            return cls.from_proto(handle.read())

    def __reduce__(self):
        """Copies and pickles carry the model's bytes (the processor is rebuilt)."""
        return SubwordVocabulary.from_proto, (self.model_proto,)

    @property
    def processor(self):
        """The ``sentencepiece.SentencePieceProcessor`` of :attr:`model_proto`."""
        if "_processor" not in vars(self):
            object.__setattr__(self, "_processor", _processor(self.model_proto))
        return vars(self)["_processor"]

    @property
    def characters(self) -> frozenset[str]:
        """Every character the pieces are made of (a space is written ``"▁"``)."""
        if "_characters" not in vars(self):
            chars = frozenset("".join(self.tokens[4:]).replace(WORD_START, " "))
            object.__setattr__(self, "_characters", chars)
        return vars(self)["_characters"]

    def unknown_characters(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that no piece holds, in order."""
        known = self.characters
        return list(dict.fromkeys(ch for ch in text if ch not in known))

    def pieces(self, text: str) -> list[str]:
        """``"Tom is hungry."`` → ``["▁Tom", "▁is", "▁hungry", "."]``."""
        return self.processor.encode(text, out_type=str)

    def encode(self, text: str, *, on_unknown: OnUnknown = "error") -> list[int]:
        """Ids of the pieces of ``text``; an unknown character raises
        :class:`UnknownCharacterError` (``on_unknown="error"``) or is read as
        :data:`UNK_INDEX` (``"unk"``)."""
        if on_unknown not in ("error", "unk"):
            raise ValueError(f"on_unknown must be 'error' or 'unk', not {on_unknown!r}")
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        unknown = self.unknown_characters(text)
        if unknown and on_unknown == "error":
            raise UnknownCharacterError(text, unknown)
        return self.processor.encode(text)

    def decode(self, ids: Iterable[int], *, stop_at: str | None = STOP_TOKEN,
               skip: Iterable[str] = (START_TOKEN,)) -> str:
        """Text for ``ids``: the pieces joined, each ``"▁"`` a space; padding is dropped,
        reading ends at ``stop_at`` (not included), tokens in ``skip`` are left out,
        unknowns show as ``"\\ufffd"``, and start and stop tokens as themselves."""
        text = "".join("\ufffd" if i == UNK_INDEX else self.tokens[i]
                       for i in self._read(ids, stop_at, skip))
        return text.replace(WORD_START, " ").removeprefix(" ")


def _processor(model_proto: bytes):
    """A sentencepiece processor of ``model_proto`` (``SubwordVocabularyError`` if it is not a
    sentencepiece model)."""
    import sentencepiece  # only subword models need it

    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.LoadFromSerializedProto(model_proto)
    except (RuntimeError, OSError, TypeError) as exc:
        raise SubwordVocabularyError(f"not a sentencepiece model ({exc})") from None
    return processor
