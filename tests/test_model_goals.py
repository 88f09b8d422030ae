"""helpers.model_goals: the rule that makes one shipped model the course's default, checked on
made-up manifests and on the shipped ones."""

from __future__ import annotations

import copy
import json

import pytest

from helpers import models
from helpers.model_cards import MODELS
from helpers.model_goals import ROBUSTNESS_CEILINGS, ROBUSTNESS_FLOORS, default_model_name


def manifest(chrf: float, *, robust: bool = True, goals_met: bool = True) -> dict:
    """A manifest with a course chrF and, if ``robust``, robustness scores that meet issue 20's
    goals or miss one of them."""
    robustness = {part: dict(wanted) for part, wanted in ROBUSTNESS_FLOORS.items()}
    robustness.update(copy.deepcopy(ROBUSTNESS_CEILINGS))
    if not goals_met:
        robustness["costs"]["typo"] += 0.5
    scores = {"course": {"chrF": chrf}}
    if robust:
        scores["robustness"] = robustness
    return {"metadata": {"scores": scores}}


def test_the_best_chrf_among_the_models_that_meet_the_goals() -> None:
    assert default_model_name({"a": manifest(60), "b": manifest(65)}) == "b"
    assert default_model_name({"a": manifest(60), "b": manifest(65, goals_met=False)}) == "a"


def test_models_without_robustness_scores_are_not_candidates() -> None:
    assert default_model_name({"a": manifest(60), "b": manifest(70, robust=False)}) == "a"


def test_when_no_model_meets_the_goals_the_best_chrf_of_them_all() -> None:
    assert default_model_name({"a": manifest(60, goals_met=False),
                               "b": manifest(65, goals_met=False)}) == "b"


def test_no_scored_model_is_an_error_that_says_what_to_run() -> None:
    with pytest.raises(ValueError, match="helpers.pretrained score"):
        default_model_name({"a": manifest(60, robust=False)})


def test_the_shipped_default_is_the_one_the_rule_picks() -> None:
    manifests = {name: json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                 for name, path in MODELS.items() if path.with_suffix(".json").is_file()}
    assert MODELS[default_model_name(manifests)] == models.PRETRAINED_MODEL
