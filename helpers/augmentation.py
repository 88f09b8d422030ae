"""Training pairs as people type them: lower case, no final punctuation, a typo now and then,
and names the corpus never uses, made on the fly while the model trains.

Taught in: 05_attention § 8 (every function here is written out there). Used in: the release
pipeline (:mod:`helpers.recipes`: a cycle of a recipe with ``"augment"`` trains on
:func:`augment_pair`'s pairs, through :func:`helpers.training.train_course`'s ``augment``) and
:mod:`helpers.robustness`.

The corpus writes every English sentence with a capital letter and a final full stop, and
names almost everyone Tom or Mary, so a model trained on it alone has never seen "i am cold"
or "Ahmed is hungry." Each function below changes the English side only, except
:func:`swap_names`, which puts the same new name into both sides. :func:`augment_pair` draws
which changes a pair gets, so every epoch sees each pair in another form.
"""

from __future__ import annotations

import re
import string

import numpy as np

#: The people of the corpus, with the forms its French uses for them ("Mary" is often "Marie").
CORPUS_NAMES: dict[str, tuple[str, ...]] = {
    "Tom": ("Tom",), "Mary": ("Mary", "Marie"), "John": ("John",), "Alice": ("Alice",),
}

#: Names put into training pairs (with made-up ones, :func:`made_up_name`).
TRAINING_NAMES: tuple[str, ...] = (
    "Olek", "Bogdan", "Sigrid", "Tane", "Makoa", "Citlali", "Tupac", "Inti", "Njeri", "Abena",
    "Esi", "Kwabena", "Babajide", "Funmilayo", "Adaeze", "Yuki", "Linh", "Thuy", "Deepika",
    "Rohan", "Nasrin", "Parisa", "Dariush", "Omar", "Yara", "Hamza", "Nour", "Rania", "Mustafa",
    "Selin", "Emre", "Burak", "Ayse", "Kemal", "Paulo", "Leticia", "Valentina", "Alejandro",
    "Guadalupe", "Losana", "Ivan", "Nadia", "Anil", "Chen", "Wei", "Jun", "Hao", "Mei", "Xiu",
    "Jia", "Dorji", "Sanjay", "Keanu", "Ama", "Yaw", "Tunde", "Sofia", "Lucas", "Noah", "Emma",
    "Elena", "Marco", "Hugo", "Chloé", "Léa", "Inès", "Zoé", "Aditi", "Vikram", "Sana", "Imran",
    "Hiroshi", "Daiki", "Bjorn", "Astrid", "Kaito", "Ren", "Mariam", "Youssef", "Khadija",
    "Ibrahim", "Aisha", "Nkechi", "Sipho", "Lindiwe", "Mateo", "Lucia", "Diego", "Pilar",
    "Oksana", "Taras", "Milena", "Goran", "Jana", "Petra", "Ahanu", "Koa", "Ngaio", "Wiremu",
)

#: Names kept out of training and out of the corpus: the robustness benchmark's.
HELD_OUT_NAMES: tuple[str, ...] = (
    "Ahmed", "Fatima", "Aiko", "Oluwaseun", "Priya", "Chidi", "Ngozi", "Mehmet", "Leilani",
    "Siddharth", "Anaya", "Kwame", "Zainab", "Thandiwe", "Bongani", "Mateus", "Ximena", "Yusuf",
    "Amara", "Farida", "Tariq", "Ayesha", "Dmitri", "Svetlana", "Ingrid", "Aroha", "Kalani",
    "Nayeli", "Wanjiru", "Kofi", "Emeka", "Haruto", "Minh", "Arjun", "Lakshmi", "Reza",
    "Soraya", "Layla", "Bilal", "Salma", "Zeynep", "Thiago", "Camila", "Joaquin", "Malia",
    "Sione", "Katya", "Tenzin", "Pema", "Femi",
)

#: How often :func:`augment_pair` applies each change (independently). ``varied_names`` is the
#: share of made-up names drawn by :func:`varied_name` rather than :func:`made_up_name`.
AUGMENT_PROBABILITIES: dict[str, float] = {
    "names": 0.5, "lower_case": 0.25, "no_final_punctuation": 0.3, "typo": 0.1,
    "varied_names": 0.0,
}

_FINAL_PUNCTUATION = ".!?…"
_CONSONANTS = "bdfghjklmnprstvwyz"
_VOWELS = "aeiou"
# varied_name's sounds: every letter, the clusters and vowel pairs names around the world use.
_LETTERS_CONSONANT = "bcdfghjklmnpqrstvwxz"
_ONSETS = ("th", "sh", "ch", "kh", "ph", "zh", "ng", "ny", "kw", "tr",
           "br", "pr", "dr", "gr", "kr", "st", "sv", "dm", "bl", "fl", "sl", "mb", "nd")
_NUCLEI = ("ai", "ei", "ou", "ia", "io", "ua", "ae", "oo", "ee", "au", "ya")
_CODAS = ("n", "r", "l", "m", "s", "d", "t", "k", "h", "x", "sh", "th", "ng", "rd", "ks", "ll")


def lower_case(text: str) -> str:
    """``"Tom is hungry."`` → ``"tom is hungry."``"""
    return text.lower()


def drop_final_punctuation(text: str) -> str:
    """``"Where are you?"`` → ``"Where are you"``: final ``. ! ? …`` and spaces removed."""
    return text.rstrip(_FINAL_PUNCTUATION + " ") or text


def add_typo(text: str, rng: np.random.Generator, *, kind: str | None = None) -> str:
    """One typo in a word of three letters or more: two neighbouring letters swapped, a letter
    dropped, doubled, or replaced by another (``kind`` is one of ``"swap"``, ``"drop"``,
    ``"double"``, ``"replace"``; drawn at random if None). Text without such a word comes back
    as it was."""
    kinds = ("swap", "drop", "double", "replace")
    if kind is None:
        kind = kinds[int(rng.integers(len(kinds)))]
    elif kind not in kinds:
        raise ValueError(f"kind must be one of {kinds}, not {kind!r}")
    words = [m for m in re.finditer(r"[A-Za-z]{3,}", text)]
    if not words:
        return text
    word = words[int(rng.integers(len(words)))]
    letters = list(word.group())
    at = int(rng.integers(len(letters) - 1))
    if kind == "swap":
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif kind == "drop":
        del letters[at]
    elif kind == "double":
        letters.insert(at, letters[at])
    else:
        letters[at] = string.ascii_lowercase[int(rng.integers(26))]
    return text[:word.start()] + "".join(letters) + text[word.end():]


def made_up_name(rng: np.random.Generator) -> str:
    """A pronounceable name of two or three consonant-vowel syllables, e.g. ``"Dalumi"``."""
    syllables = int(rng.integers(2, 4))
    name = "".join(_CONSONANTS[int(rng.integers(len(_CONSONANTS)))]
                   + _VOWELS[int(rng.integers(len(_VOWELS)))] for _ in range(syllables))
    return name.capitalize()


def varied_name(rng: np.random.Generator) -> str:
    """A made-up name of three to ten letters from every letter of the alphabet, now and then
    with a cluster, a vowel pair or a final consonant (``"Thandor"``, ``"Kwix"``, ``"Aiyela"``),
    so that a model learns to copy any name letter by letter; never one of
    :data:`HELD_OUT_NAMES`."""
    def pick(options: tuple[str, ...] | str, rare: tuple[str, ...], share: float) -> str:
        pool = rare if rng.random() < share else options
        return pool[int(rng.integers(len(pool)))]

    while True:
        parts = []
        for syllable in range(int(rng.choice([1, 2, 2, 2, 3, 3]))):
            if syllable or rng.random() < 0.8:
                parts.append(pick(_LETTERS_CONSONANT, _ONSETS, 0.2))
            parts.append(pick(_VOWELS + "y", _NUCLEI, 0.15))
            if rng.random() < 0.25:
                parts.append(pick(_CODAS, _CODAS, 0.0))
        name = "".join(parts).capitalize()
        if 3 <= len(name) <= 10 and name not in HELD_OUT_NAMES:
            return name


def names_in(english: str, french: str) -> list[str]:
    """The corpus names of :data:`CORPUS_NAMES` that ``english`` uses and ``french`` writes
    (in one of its forms) as often: the names that can be swapped consistently."""
    found = []
    for name, forms in CORPUS_NAMES.items():
        count = len(re.findall(rf"\b{name}\b", english))
        if count and count == sum(len(re.findall(rf"\b{f}\b", french)) for f in forms):
            found.append(name)
    return found


def swap_names(english: str, french: str, new_names: dict[str, str]) -> tuple[str, str]:
    """Each corpus name ``old`` of ``new_names`` replaced by ``new_names[old]`` in both
    sentences (in French, every form of it)."""
    for old, new in new_names.items():
        english = re.sub(rf"\b{old}\b", new, english)
        for form in CORPUS_NAMES[old]:
            french = re.sub(rf"\b{form}\b", new, french)
    return english, french


def augment_pair(english: str, french: str, rng: np.random.Generator, *,
                 probabilities: dict[str, float] = AUGMENT_PROBABILITIES,
                 names: tuple[str, ...] = TRAINING_NAMES) -> tuple[str, str]:
    """The pair as somebody might type it: each change of ``probabilities`` drawn on its own.
    Names come half the time from ``names`` and half the time are made up
    (:func:`varied_name` at the rate ``probabilities["varied_names"]``, else
    :func:`made_up_name`), so that the model learns to copy a name letter by letter, not a list
    of names."""
    if rng.random() < probabilities["names"]:
        found = names_in(english, french)
        if found:
            new = {old: names[int(rng.integers(len(names)))] if rng.random() < 0.5
                   else _made_up(rng, probabilities.get("varied_names", 0.0)) for old in found}
            english, french = swap_names(english, french, new)
    if rng.random() < probabilities["typo"]:
        english = add_typo(english, rng)
    if rng.random() < probabilities["lower_case"]:
        english = lower_case(english)
    if rng.random() < probabilities["no_final_punctuation"]:
        english = drop_final_punctuation(english)
    return english, french


def _made_up(rng: np.random.Generator, varied: float) -> str:
    # No draw for the choice at rate 0, so a recipe cycle without varied names stays as it was.
    if varied and rng.random() < varied:
        return varied_name(rng)
    return made_up_name(rng)
