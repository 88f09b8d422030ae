"""Scoring translations honestly: chrF, BLEU and exact match on held-out sentences, with every
reference translation the corpus has for a sentence.

Taught in: ``04_inference_loop``.

chrF (character n-gram F-score) suits a character-level model and short sentences; BLEU is
reported because everyone reports it, but on one short sentence it is mostly 0 or 100, so
read it over a whole test set only. Both come from ``sacrebleu`` with its default settings,
so the numbers can be compared with other work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sacrebleu


def references_by_source(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Every French translation the pairs give for each English sentence."""
    refs: dict[str, list[str]] = {}
    for english, french in pairs:
        refs.setdefault(english, []).append(french)
    return refs


def _reference_streams(references: Sequence[Sequence[str]]) -> list[list[str]]:
    """sacrebleu wants one list per reference *position*; pad short lists with their first."""
    if any(len(r) == 0 for r in references):
        raise ValueError("every hypothesis needs at least one reference")
    width = max(len(r) for r in references)
    return [[r[i] if i < len(r) else r[0] for r in references] for i in range(width)]


@dataclass(frozen=True)
class Scores:
    """Corpus-level scores (0–100)."""

    chrf: float
    bleu: float
    exact_match: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {"chrF": round(self.chrf, 2), "BLEU": round(self.bleu, 2),
                "exact match %": round(self.exact_match, 2), "sentences": self.n}


def corpus_scores(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Scores:
    """chrF, BLEU and exact match (% of hypotheses equal to one of their references)."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} reference lists")
    if not hypotheses:
        raise ValueError("nothing to score")
    streams = _reference_streams(references)
    chrf = sacrebleu.corpus_chrf(list(hypotheses), streams).score
    bleu = sacrebleu.corpus_bleu(list(hypotheses), streams).score
    exact = sum(h in refs for h, refs in zip(hypotheses, references, strict=True))
    return Scores(chrf=chrf, bleu=bleu, exact_match=100.0 * exact / len(hypotheses),
                  n=len(hypotheses))


def sentence_chrf(hypothesis: str, references: Sequence[str]) -> float:
    """chrF of one sentence against its references (for best/worst tables)."""
    return sacrebleu.sentence_chrf(hypothesis, list(references)).score
