"""A baseline every translation model must beat: look the sentence up.

Used in: ``05_attention`` and ``benchmarks.quality``.

:class:`LookupBaseline` answers with the French of the training sentence most similar to
the input: character 3-grams weighted by TF-IDF, cosine similarity, an inverted index (no
model, no training). It is the "does the network do more than remember?" line: a model whose
held-out chrF is below it has learnt less than a lookup table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


def char_ngrams(text: str, n: int = 3) -> Counter[str]:
    """Character ``n``-grams of ``text`` with a space on each side, lower-cased."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    padded = f" {text.lower()} "
    return Counter(padded[i:i + n] for i in range(max(len(padded) - n + 1, 1)))


class LookupBaseline:
    """Nearest-neighbour "translation": the French of the most similar training sentence.

    ``pairs`` are ``(english, french)`` training pairs; for an English sentence with several
    translations the first one is returned. Ties go to the earlier sentence.
    """

    def __init__(self, pairs: Sequence[tuple[str, str]], *, n: int = 3) -> None:
        if not pairs:
            raise ValueError("LookupBaseline needs at least one (english, french) pair")
        self.n = n
        first: dict[str, str] = {}
        for english, french in pairs:
            first.setdefault(english, french)
        self.sources = list(first)
        self.targets = [first[e] for e in self.sources]
        grams = [char_ngrams(e, n) for e in self.sources]
        document_frequency: Counter[str] = Counter(g for counts in grams for g in counts)
        total = len(self.sources)
        self.idf = {g: math.log((1 + total) / (1 + df)) + 1.0
                    for g, df in document_frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, counts in enumerate(grams):
            weights = {g: c * self.idf[g] for g, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for g, w in weights.items():
                rows, values = postings.setdefault(g, ([], []))
                rows.append(row)
                values.append(w / norm)
        self.postings = {g: (np.asarray(r, np.int64), np.asarray(v, np.float64))
                         for g, (r, v) in postings.items()}

    def nearest(self, text: str) -> tuple[int, float]:
        """Row of the most similar training sentence and its cosine similarity (0 if none
        shares a 3-gram with ``text``)."""
        scores = np.zeros(len(self.sources))
        query = {g: c * self.idf[g] for g, c in char_ngrams(text, self.n).items()
                 if g in self.postings}
        norm = math.sqrt(sum(w * w for w in query.values())) or 1.0
        for g, weight in query.items():
            rows, values = self.postings[g]
            scores[rows] += (weight / norm) * values
        best = int(np.argmax(scores))
        return best, float(scores[best])

    def translate(self, texts: Sequence[str]) -> list[str]:
        """The French of the nearest training sentence, for each text."""
        if isinstance(texts, str):
            raise TypeError("translate takes a list of sentences; wrap one sentence in a list")
        return [self.targets[self.nearest(t)[0]] for t in texts]
