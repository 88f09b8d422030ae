"""Scoring translations honestly: chrF, BLEU and exact match on held-out sentences, with every
reference translation the corpus has for a sentence.

Taught in: ``04_inference_loop``.

chrF (character n-gram F-score) suits a character-level model and short sentences; BLEU is
reported because everyone reports it, but on one short sentence it is mostly 0 or 100, so
read it over a whole test set only. Both come from ``sacrebleu`` with its default settings,
so the numbers can be compared with other work.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sacrebleu

from helpers import data
from helpers.checks import check_count, check_texts


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


def _check_references(references: Sequence[Sequence[str]]) -> None:
    """A list with one list of reference strings per hypothesis (a bare string would be read as
    a list of one-character references)."""
    if isinstance(references, str) or not isinstance(references, Sequence):
        raise TypeError("references must be a list with one list of reference strings per "
                        f"sentence, not {type(references).__name__}")
    for i, refs in enumerate(references):
        if isinstance(refs, str):
            raise TypeError(f"references[{i}] is a str; give each sentence a list of its "
                            f"references, e.g. [{refs!r}]")
        if not check_texts(f"references[{i}]", refs):
            raise ValueError(f"references[{i}] is empty: every sentence needs a reference")


def corpus_scores(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Scores:
    """chrF, BLEU and exact match (% of hypotheses equal to one of their references)."""
    hypotheses = check_texts("hypotheses", hypotheses)
    _check_references(references)
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
    if not isinstance(hypothesis, str):
        raise TypeError(f"hypothesis must be a str, not {type(hypothesis).__name__}")
    _check_references([references])
    return sacrebleu.sentence_chrf(hypothesis, list(references)).score


# --- the course's held-out sets (plumbing for benchmarks, cards and notebooks 05+) ----------

#: Pairs of the course split: ``split_pairs(load_fra_eng(30_000))``. No shipped model ever
#: trains on the English sentences of its validation and test parts.
COURSE_SPLIT_PAIRS = 30_000
#: The whole corpus's own split (the attention model's), by English sentence, seed 0.
CORPUS_SPLIT = {"validation_fraction": 0.02, "test_fraction": 0.02, "seed": 0}


def course_heldout_sources() -> set[str]:
    """English sentences of the course validation and test parts (kept out of training)."""
    split = data.split_pairs(data.load_fra_eng(COURSE_SPLIT_PAIRS))
    return {e for e, _ in split.validation} | {e for e, _ in split.test}


def heldout_set(which: str = "course", count: int = 1000) -> tuple[list[str], list[list[str]]]:
    """``(sources, references)``: the first ``count`` distinct English sentences of a test
    part, each with every French translation the whole corpus has for it.

    ``which="course"``: the course test part (short sentences, the first 30,000 pairs);
    ``which="all_lengths"``: the whole corpus's own test part (sentences of every length).
    """
    if which not in ("course", "all_lengths"):
        raise ValueError(f"which must be 'course' or 'all_lengths', not {which!r}")
    count = check_count("count", count)
    everything = data.load_fra_eng()
    if which == "course":
        test = data.split_pairs(everything[:COURSE_SPLIT_PAIRS]).test
    else:
        test = data.split_pairs(everything, **CORPUS_SPLIT).test
    all_refs = references_by_source(everything)
    sources = list(dict.fromkeys(e for e, _ in test))[:count]
    return sources, [all_refs[s] for s in sources]


@dataclass(frozen=True)
class Evaluation:
    """Scores of one system on one held-out set, with its outputs and speed."""

    scores: Scores
    outputs: list[str]
    seconds: float

    @property
    def sentences_per_second(self) -> float:
        return self.scores.n / self.seconds


def evaluate(translate: Callable[[list[str]], list[str]], sources: Sequence[str],
             references: Sequence[Sequence[str]]) -> Evaluation:
    """Translate ``sources`` in one call (timed) and score the outputs against
    ``references`` (:func:`corpus_scores`)."""
    started = time.perf_counter()
    outputs = list(translate(list(sources)))
    seconds = time.perf_counter() - started
    return Evaluation(corpus_scores(outputs, references), outputs, seconds)


#: Sentences a teacher types in class; each is in the corpus (some in the course held-out part).
EVERYDAY_SENTENCES = (
    "I am cold.", "Open the door.", "Where are you?", "Thank you.", "Good morning.",
    "I'm hungry.", "I'm tired.", "Help me.", "Come here.", "Sit down.", "I love you.",
    "How are you?", "What is your name?", "I don't know.", "See you tomorrow.",
    "Close the window.", "I'm sorry.", "Where is the station?", "I like cats.", "Wait here.",
    "Let's go.", "I understand.", "Happy birthday!", "Who are you?", "Call me.", "It's cold.",
    "Hurry up.", "Thanks a lot.", "Are you ready?", "What time is it?", "I am a student.",
    "The cat is black.", "Excuse me.", "Good luck.",
)
