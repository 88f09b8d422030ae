"""What a model card says of a model's scores: held-out quality, text as people type it, the
floor its issue names, and whether it is the course's default model.

Used in: :mod:`helpers.model_cards` (:func:`score_lines`), so run by ``make pretrained`` and
``make cards``; not taught in a notebook.
"""

from __future__ import annotations

from typing import Any

from helpers.model_goals import FLOORS, floor_met, robustness_goals_met
from helpers.models import (
    ATTENTION_MODEL,
    ATTENTION_UNAUGMENTED_MODEL,
    ORIGINAL_100_MODEL,
    ORIGINAL_MODEL,
    PRETRAINED_MODEL,
    SEED_MODEL,
    TRANSFORMER_MODEL,
)
from helpers.widget_translator import DEFAULT_MODE, MODE_NAMES

#: The shipped models by the name ``python -m helpers.pretrained`` knows them by.
MODELS = {"seed": SEED_MODEL, "attention": ATTENTION_MODEL, "original": ORIGINAL_MODEL,
          "original-100": ORIGINAL_100_MODEL,
          "attention-unaugmented": ATTENTION_UNAUGMENTED_MODEL, "transformer": TRANSFORMER_MODEL}


def _default_lines(name: str, scores: dict[str, Any] | None) -> list[str]:
    """For the default model: that it is, and the decoding the playground starts in."""
    if name not in MODELS or MODELS[name] != PRETRAINED_MODEL:
        return []
    robust = (scores or {}).get("robustness")
    why = ("the best greedy chrF on the course set among the models that meet the goals on "
           "text as people type it" if robust and robustness_goals_met(robust) else
           "the best greedy chrF on the course set of the models scored on text as people type "
           "it, since none of them meets all the goals yet")
    lines = ["", "**The course's default model**: `load_translation_model()` loads it; the "
             "playground (notebook 08), the widgets and the classroom app start on it, chosen "
             f"as {why} (`helpers.model_goals.default_model_name`)."]
    if scores and (beam := scores.get("course_beam")):
        greedy = scores["course"]
        lines[-1] += (f" The translator starts in {MODE_NAMES[DEFAULT_MODE]}: on the course "
                      f"set beam search (width 4) scores {beam['chrF']:.2f} chrF and greedy "
                      f"decoding {greedy['chrF']:.2f}; `python -m benchmarks.playground` "
                      "measures the time a sentence takes in the widget "
                      "(`benchmarks/RESULTS.md`).")
    return lines


def _floor_lines(name: str, scores: dict[str, Any]) -> list[str]:
    met = floor_met(name, scores)
    if met is None:
        return []
    parts = {"course": "course set", "training": "training sentences"}
    wanted = "; ".join(f"{parts[part]}: " + " and ".join(f"{key} ≥ {value:g}"
                                                         for key, value in floor.items())
                       for part, floor in FLOORS[name].items())
    verdict = "**met**" if met else "**not met**: this model needs more training"
    return ["", f"Floor for this model ({wanted}): {verdict}."]


_ROBUSTNESS_SETS = {
    "clean": "course test part as written",
    "lower": "the same, lower-cased",
    "nopunct": "the same, without final punctuation",
    "typo": "the same, two neighbouring letters of one word swapped",
    "names_clean": "course test sentences naming Tom, Mary, John or Alice",
    "names": "the same, renamed with names never trained on (references too)",
    "novel": "everyday sentences not in the corpus",
}


def _model_alone_lines(alone: dict[str, Any] | None) -> list[str]:
    """For a model whose translator repairs typos and names: the model's own scores."""
    if not alone:
        return []
    costs = alone["costs"]
    return ["", "These scores are the translator's, as `translate` and the playground use the "
            "model: a word the training English never has is read as the known word one typo "
            "away, and a capitalised one that is no typo of a frequent word as a name, which the "
            "model reads as `Tom` and which is written back into the French "
            "(`helpers.typing_repair`, notebook 08). The model alone (`translate(..., "
            f"repair=False)`) scores {alone['clean']['chrF']:.2f} chrF as written and loses "
            f"{costs['lower']:.2f} to lower case, {costs['nopunct']:.2f} to no final "
            f"punctuation, {costs['typo']:.2f} to one typo and {costs['names']:.2f} to unseen "
            f"names, of which it carries {alone['names']['carried %']:.1f}%; "
            f"{alone['novel']['exact match %']:.1f}% of the everyday sentences are exactly "
            "right."]


def _robustness_lines(robust: dict[str, Any] | None, augmented: bool = False) -> list[str]:
    if not robust:
        return []
    costs = robust["costs"]
    return [
        "",
        "Text as people type it (`python -m benchmarks.robustness`, greedy; "
        "`helpers.robustness`):",
        "",
        "| set | sentences | chrF | exact match | same output as clean | names carried |",
        "| --- | --- | --- | --- | --- | --- |",
        *(f"| {label} | {robust[key]['sentences']} | {robust[key]['chrF']:.2f} | "
          f"{robust[key]['exact match %']:.1f}% | "
          + (f"{robust[key]['same as clean %']:.1f}%" if "same as clean %" in robust[key]
             else "–") + " | "
          + (f"{robust[key]['carried %']:.1f}%" if "carried %" in robust[key] else "–") + " |"
          for key, label in _ROBUSTNESS_SETS.items()),
        "",
        f"chrF lost against clean input: lower case {costs['lower']:.2f}, no final punctuation "
        f"{costs['nopunct']:.2f}, one typo {costs['typo']:.2f}; unseen names "
        f"{costs['names']:.2f} (against the same sentences with the corpus's names).",
        "",
        "Issue 20's goals for text as people type it (lower case and no final punctuation cost "
        "at most 3 chrF, one typo at most 10, unseen names at most 5 with at least 90% of them "
        "carried exactly, at least 50% of the everyday sentences not in the corpus exactly "
        "right): " + ("**met**." if robustness_goals_met(robust) else
                      ("**not met**: its training on text as people type it has not yet reached "
                       "them (issue 20 is open)." if augmented else
                       "**not met**: this model was trained on the corpus as written only.")),
    ]


def _overlap_words(course: dict[str, Any], longer: dict[str, Any]) -> str:
    if "trained on" not in course:
        return "Which of these sentences the model trained on was not recorded."
    if course["trained on"] == longer["trained on"] == 0:
        return "No sentence of either set was trained on."
    return (f"{course['trained on']} sentences of the course test part and "
            f"{longer['trained on']} of the all-lengths test part are among this model's "
            "training pairs (the all-lengths set is another split of the corpus), so its "
            "all-lengths score is partly recitation.")


def score_lines(scores: dict[str, Any] | None, name: str = "", augmented: bool = False
                 ) -> list[str]:
    if not scores:
        return ["Not scored yet: run `python -m helpers.pretrained score NAME`."]
    course, longer = scores["course"], scores["all_lengths"]
    right = [e for e in scores["everyday"] if e["right"]]
    lines = [
        "Greedy decoding unless a row says otherwise, `sacrebleu` defaults, every reference the "
        "whole corpus has for each sentence (`helpers.evaluation.heldout_set`). "
        + _overlap_words(course, longer),
        "",
        "| held-out set | sentences | chrF | BLEU | exact match | sentences/s (batched greedy) |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| course test part (first 1,000 distinct English sentences) | {course['sentences']} | "
        f"{course['chrF']:.2f} | {course['BLEU']:.2f} | {course['exact match %']:.1f}% | "
        f"{course['sentences/s']:.0f} |",
        f"| whole corpus's test part, all lengths | {longer['sentences']} | {longer['chrF']:.2f} "
        f"| {longer['BLEU']:.2f} | {longer['exact match %']:.1f}% | {longer['sentences/s']:.0f} |",
        *([f"| course test part, beam search (width 4) | {b['sentences']} | {b['chrF']:.2f} | "
           f"{b['BLEU']:.2f} | {b['exact match %']:.1f}% | {b['sentences/s']:.0f} (beam) |"]
          if (b := scores.get("course_beam")) else []),
        *([f"| *training sentences (not held out: recitation)* | {t['sentences']} | "
           f"{t['chrF']:.2f} | {t['BLEU']:.2f} | {t['exact match %']:.1f}% | "
           f"{t['sentences/s']:.0f} |"] if (t := scores.get("training")) else []),
        *_robustness_lines(scores.get("robustness"), augmented),
        *_model_alone_lines(scores.get("robustness_model_alone")),
        *_floor_lines(name, scores),
        *_default_lines(name, scores),
        "",
        f"Everyday sentences a teacher types ({len(right)} of {len(scores['everyday'])} exactly "
        "as one of the corpus's translations; "
        f"{sum(e['trained_on'] for e in scores['everyday'])} of the {len(scores['everyday'])} "
        "are sentences this model trained on, so they show recitation as much as translation):",
        "",
        "| English | model | right | trained on |",
        "| --- | --- | --- | --- |",
        *(f"| {e['english']} | {e['output']} | {'yes' if e['right'] else 'no'} | "
          f"{'yes' if e['trained_on'] else 'no'} |" for e in scores["everyday"]),
    ]
    return lines
