"""What each pretrained model's issue asks of it: its held-out floor, the goals on text as people
type it, and the rule that makes one model the course's default.

Used in: :mod:`helpers.model_cards` (every card states its floor and goals) and the tests that
check ``helpers.models.PRETRAINED_MODEL`` against the shipped manifests; not taught in a
notebook.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FLOORS", "ROBUSTNESS_CEILINGS", "ROBUSTNESS_FLOORS", "default_model_name",
           "floor_met", "robustness_goals_met"]

#: The held-out floor each model's issue names (course set, greedy): stated in its card.
#: ``{model: {scored set: {score: floor}}}``; the original-100 model's goal is recitation.
FLOORS: dict[str, dict[str, dict[str, float]]] = {
    "attention": {"course": {"chrF": 55.0, "exact match %": 20.0}},  # issue 9
    "attention-unaugmented": {"course": {"chrF": 55.0, "exact match %": 20.0}},  # issue 9
    "original-100": {"training": {"exact match %": 50.0}},  # issue 10
    "transformer": {"course": {"chrF": 62.0}},  # issue 24
}

#: Issue 20's goals for the default model on text as people type it (its ``robustness``
#: scores): at least these ...
ROBUSTNESS_FLOORS: dict[str, dict[str, float]] = {
    "novel": {"exact match %": 50.0}, "names": {"carried %": 90.0}}
#: ... and at most these chrF lost against clean input (names: against the same sentences with
#: the corpus's names).
ROBUSTNESS_CEILINGS: dict[str, dict[str, float]] = {
    "costs": {"lower": 3.0, "nopunct": 3.0, "typo": 10.0, "names": 5.0}}


def floor_met(name: str, scores: dict[str, Any]) -> bool | None:
    """Does the model meet the floor of its issue (None: no floor)?"""
    floor = FLOORS.get(name)
    if floor is None:
        return None
    return all(scores[part][key] >= value
               for part, wanted in floor.items() for key, value in wanted.items())


def robustness_goals_met(robust: dict[str, Any]) -> bool:
    """Do a model's ``robustness`` scores meet issue 20's goals?"""
    return all(robust[part][key] >= value for part, wanted in ROBUSTNESS_FLOORS.items()
               for key, value in wanted.items()) and \
        all(robust[part][key] <= value for part, wanted in ROBUSTNESS_CEILINGS.items()
            for key, value in wanted.items())


def default_model_name(manifests: dict[str, dict[str, Any]]) -> str:
    """The model the course should start on (``helpers.models.PRETRAINED_MODEL``; issue 24): of
    the models scored on text as people type it, the best greedy chrF on the course set among
    those that meet issue 20's goals (:func:`robustness_goals_met`), or the best of them all
    when none does. ``manifests`` maps a name of :data:`MODELS` to its manifest."""
    scored = {name: m["metadata"]["scores"] for name, m in manifests.items()
              if (m["metadata"].get("scores") or {}).get("robustness")}
    if not scored:
        raise ValueError("no manifest has robustness scores: run `python -m helpers.pretrained "
                         "score NAME` first")
    meeting = [name for name, s in scored.items() if robustness_goals_met(s["robustness"])]
    return max(meeting or scored, key=lambda name: scored[name]["course"]["chrF"])
