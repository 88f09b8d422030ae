"""Words a model never read: a typo of a word it knows, or a name it cannot know.

Taught in: ``08_translation_playground`` (§ 4, "Typos and names the model never read"). Used by
:func:`helpers.translation.translate` for a model whose manifest keeps the words of its
training English (``english_words``, the Transformer's): the text is repaired before the model
reads it, and the names are written back into its translation.

Training on text as people type it (notebook 05 § 8) taught the models lower case and missing
full stops, but not every typo, and it does not teach a small model to copy a name letter by
letter: the Transformer writes 98–100% of the names it trained on, and about three in four of
the names it never saw (``python -m benchmarks.robustness``). What the model cannot learn, the
translator can look up, as machine translation systems have long done:

- a word the training English never has and one edit away from a word it has (two letters
  swapped, one dropped, doubled or replaced) is read as that word, the most frequent one;
- a capitalised word the training English never has, and no typo of a frequent word, is a
  name: the model reads one of the corpus's own names in its place (``Tom``, which it copies
  every time) and the name is written back where the model wrote ``Tom``.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

#: How a text is cut into words: runs of letters, accented ones too ("don't" is "don" and
#: "t"; "Zoé" is one word).
WORD = re.compile(r"[^\W\d_]+")

#: Names the model reads in place of a name it never saw: corpus names that the French writes
#: as the English does (not "Mary", often "Marie"), in the order they are used.
PLACEHOLDERS: tuple[str, ...] = ("Tom", "John", "Alice")

#: A lower-case word is read as a known word at least this frequent in the training English.
MIN_COUNT = 5

#: A word longer than this is never looked up (the longest training word has 25 letters), so
#: that a pasted wall of letters costs no memory: one_edit_away grows with the word's square.
MAX_WORD_LENGTH = 30

#: A capitalised word is read as a typo only of a word this frequent ("Tmo" → "Tom", "Waht" →
#: "What"); else it is a name ("Ahmed" is not "armed").
MIN_COUNT_CAPITALISED = 1000


def count_words(sentences: Iterable[str]) -> dict[str, int]:
    """How often each lower-cased :data:`WORD` occurs in ``sentences``."""
    return dict(Counter(w.lower() for s in sentences for w in WORD.findall(s)))


def one_edit_away(word: str) -> set[str]:
    """Every lower-case word one typo from ``word``: two neighbouring letters swapped, one
    dropped, one added, or one replaced (the kinds of :func:`helpers.augmentation.add_typo`)."""
    word = word.lower()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = string.ascii_lowercase
    return ({a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + b[1:] for a, b in splits if b}
            | {a + c + b for a, b in splits for c in letters}
            | {a + c + b[1:] for a, b in splits if b for c in letters}) - {word}


def correction(word: str, counts: Mapping[str, int], min_count: int = MIN_COUNT) -> str | None:
    """The known word one typo from ``word`` (at least ``min_count`` times in the training
    English), spelt with ``word``'s capitals; None if there is none. Of several, one with the
    same letters (two swapped, the commonest typo) comes first, then the most frequent.
    A word over :data:`MAX_WORD_LENGTH` letters is no typo of a known word: None."""
    if len(word) > MAX_WORD_LENGTH:
        return None
    found = [(sorted(w) == sorted(word.lower()), counts[w], w) for w in one_edit_away(word)
             if counts.get(w, 0) >= min_count]
    if not found:
        return None
    best = max(found)[2]  # the same letters swapped first ("Tmo" is "Tom", not "To")
    if word.isupper() and len(word) > 1:
        return best.upper()
    return best.capitalize() if word[:1].isupper() else best


@dataclass
class Repaired:
    """A text as the model will read it: typos read as the words they miss, names replaced."""

    text: str
    corrected: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    names: dict[str, str] = field(default_factory=dict)  # placeholder → the name it stands for


def repair(text: str, counts: Mapping[str, int],
           characters: Collection[str] | None = None) -> Repaired:
    """``text`` with each word the training English never has (``counts``) read as a typo of a
    known word, or, if it is capitalised and no typo of a frequent word, replaced by one of
    :data:`PLACEHOLDERS` the text does not use (names beyond those are left as they are). A
    word with a letter outside ``characters`` (the model's, when given) is left as typed, for
    the rule of unknown characters to see."""
    free = [p for p in PLACEHOLDERS if not re.search(rf"\b{p}\b", text)]
    readable = None if characters is None else set(characters)
    out = Repaired(text)
    pieces, last = [], 0
    for match in WORD.finditer(text):
        word = match.group()
        if counts.get(word.lower(), 0) or (readable is not None and not set(word) <= readable):
            continue
        capitalised = word[:1].isupper()
        read_as = correction(word, counts, MIN_COUNT_CAPITALISED if capitalised else MIN_COUNT)
        if read_as is None and capitalised:
            known = {name: placeholder for placeholder, name in out.names.items()}
            read_as = known.get(word) or (free.pop(0) if free else None)
            if read_as is not None:
                out.names[read_as] = word
        elif read_as is not None:
            out.corrected.append((word, read_as))
        if read_as is not None:
            pieces += [text[last:match.start()], read_as]
            last = match.end()
    out.text = "".join(pieces) + text[last:]
    return out


def notices(repaired: Repaired) -> list[str]:
    """What :func:`repair` did, in sentences for the person who typed the text."""
    said = [f"Read {typed!r} as {read!r}: the model never saw {typed!r}, one typo from a word "
            "it knows." for typed, read in repaired.corrected]
    said += [f"{name!r} is a name the model never saw: it read {placeholder!r} in its place, "
             "and the name is written back into the translation."
             for placeholder, name in repaired.names.items()]
    return said


def restore_names(translation: str, names: Mapping[str, str]) -> str:
    """``translation`` with each placeholder of ``names`` written as the name it stands for."""
    for placeholder, name in names.items():
        translation = re.sub(rf"\b{placeholder}\b", name, translation)
    return translation
