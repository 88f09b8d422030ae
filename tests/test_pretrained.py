"""The models the course ships: each loads (hash checked), is small, states its held-out scores in
a card that the release pipeline (helpers.pretrained) writes entirely, and never trained on the
course's held-out sentences."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from helpers import (
    architecture,
    data,
    evaluation,
    model_cards,
    model_goals,
    models,
    pretrained,
    recipes,
)
from helpers.augmentation import augment_pair


@pytest.mark.parametrize("name", sorted(model_cards.MODELS))
def test_shipped_model_loads_is_small_and_its_card_is_the_generated_one(name, tmp_path) -> None:
    path = model_cards.MODELS[name]
    assert path.stat().st_size <= 10_000_000
    shipped = models.load_translation_model(path)  # verifies the SHA-256, safe_mode=True
    # One probability per target token, whatever writes them (a Dense softmax, or the
    # Transformer's tied shared_embedding); and the manifest's record is what the layers show.
    assert shipped.model.outputs[0].shape[-1] == len(shipped.target_vocab)
    derived = architecture.derive_architecture(shipped.model, vocabulary=shipped.target_vocab)
    assert shipped.architecture == derived, f"{path.name}: its manifest's record is not its model"
    scores = shipped.manifest["metadata"].get("scores")
    assert scores, f"{path.name} was never scored: python -m helpers.pretrained score {name}"
    regenerated = model_cards.write_card(shipped.manifest, path, out=tmp_path / "card.md")
    committed = path.with_suffix(".md")
    assert committed.read_text(encoding="utf-8") == regenerated.read_text(encoding="utf-8"), (
        f"{committed.name} is not what `python -m helpers.pretrained score {name}` writes")
    assert f"{scores['course']['chrF']:.2f}" in committed.read_text(encoding="utf-8")


def test_the_default_model_attends_and_its_card_states_its_floor_and_goals() -> None:
    default = models.load_translation_model()
    assert default.architecture.attention
    name = next(n for n, path in model_cards.MODELS.items() if path == models.PRETRAINED_MODEL)
    scores = default.manifest["metadata"]["scores"]
    assert scores["course"]["sentences"] == 1000
    seed = models.load_translation_model(models.SEED_MODEL).manifest["metadata"]["scores"]
    assert scores["course"]["chrF"] > seed["course"]["chrF"]
    met = model_goals.floor_met(name, scores)
    assert met is not None, f"the default model {name!r} has no floor in model_goals.FLOORS"
    card = models.PRETRAINED_MODEL.with_suffix(".md").read_text(encoding="utf-8")
    assert ("**met**" if met else "**not met**") in card
    assert "**The course's default model**" in card
    for other in set(model_cards.MODELS) - {name}:
        path = model_cards.MODELS[other].with_suffix(".md")
        assert "**The course's default model**" not in path.read_text(encoding="utf-8"), other
    robust = scores["robustness"]
    verdict = "**met**." if model_goals.robustness_goals_met(robust) else "**not met**"
    assert "Text as people type it" in card and f"{robust['lower']['chrF']:.2f}" in card
    assert "Issue 20's goals" in card and verdict in card
    assert model_goals.floor_met("seed", scores) is None


def test_the_attention_floor_is_read_as_a_floor() -> None:
    assert model_goals.floor_met("attention", {"course": {"chrF": 55.0, "exact match %": 20.0}})
    assert not model_goals.floor_met("attention", {"course": {"chrF": 54.9, "exact match %": 30}})
    assert model_goals.floor_met("transformer", {"course": {"chrF": 62.0}})
    assert not model_goals.floor_met("transformer", {"course": {"chrF": 61.99}})


def test_issue_20s_goals_are_read_as_floors_and_ceilings() -> None:
    goals = {"novel": {"exact match %": 50.0}, "names": {"carried %": 90.0},
             "costs": {"lower": 3.0, "nopunct": 3.0, "typo": 10.0, "names": 5.0}}
    assert model_goals.robustness_goals_met(goals)
    for part, key, value in [("novel", "exact match %", 49.9), ("names", "carried %", 89.9),
                             ("costs", "lower", 3.1), ("costs", "nopunct", 3.1),
                             ("costs", "typo", 10.1), ("costs", "names", 5.1)]:
        worse = copy.deepcopy(goals)
        worse[part][key] = value
        assert not model_goals.robustness_goals_met(worse), (part, key, value)


def test_the_original_100_model_recites_and_its_card_states_its_goal() -> None:
    shipped = models.load_translation_model(models.ORIGINAL_100_MODEL).manifest["metadata"]
    assert shipped["epochs_run"] == 100 and not shipped["stopped_early"]
    assert shipped["settings"]["patience"] is None
    scores = shipped["scores"]
    card = models.ORIGINAL_100_MODEL.with_suffix(".md").read_text(encoding="utf-8")
    met = model_goals.floor_met("original-100", scores)
    assert ("**met**" if met else "**not met**") in card and "no early stopping" in card
    early = models.load_translation_model(models.ORIGINAL_MODEL).manifest["metadata"]["scores"]
    assert scores["training"]["exact match %"] > early["training"]["exact match %"]
    assert not model_goals.floor_met("original-100", {"training": {"exact match %": 49.9}})


@pytest.mark.slow  # reads the whole corpus
def test_no_course_heldout_sentence_is_in_the_attention_training_split() -> None:
    heldout = evaluation.course_heldout_sources()
    split = recipes.attention_split()
    trained = {e for e, _ in split.train}
    assert heldout and not heldout & trained
    sources, _ = evaluation.heldout_set("course")
    assert set(sources) <= heldout
    everything = {e for e, _ in data.load_fra_eng()}
    assert len(trained) + len(heldout | {e for e, _ in split.validation + split.test}) >= \
        len(everything) - 1


def test_heldout_set_answers_bad_arguments_in_its_own_words() -> None:
    with pytest.raises(ValueError, match="which must be"):
        evaluation.heldout_set("train")
    with pytest.raises(ValueError, match="count must be"):
        evaluation.heldout_set("course", 0)
    with pytest.raises(TypeError, match="count must be a whole number"):
        evaluation.heldout_set("course", 2.5)
    assert len(evaluation.heldout_set("course", np.int64(5))[0]) == 5
    sources, refs = evaluation.heldout_set("all_lengths", 50)
    assert len(sources) == len(refs) == 50 and all(refs)


@pytest.mark.slow  # trains on the corpus
def test_the_release_pipeline_trains_scores_and_writes_the_card(tmp_path) -> None:
    out = tmp_path / "fra_eng_original.keras"
    manifest = recipes.train_original(out, num_samples=1500, epochs=1, latent_dim=8)
    assert manifest["metadata"]["epochs_run"] == 1 and "validation" in manifest["metadata"]
    scored = pretrained.score("original", out, count=20)
    scores = scored["metadata"]["scores"]
    assert {"course", "all_lengths", "training", "everyday"} <= set(scores)
    assert scores["course"]["sentences"] == 20
    card = out.with_suffix(".md").read_text(encoding="utf-8")
    assert f"{scores['course']['chrF']:.2f}" in card and "recitation" in card
    assert models.load_translation_model(out).manifest == scored  # the digest was rewritten


def test_cycles_chain_into_one_run() -> None:
    from helpers.training import TrainingRun

    def run(losses, seconds, stopped=False):
        rows = [{"epoch": i + 1, "seconds": s, "heldout_loss": loss}
                for i, (loss, s) in enumerate(zip(losses, seconds, strict=True))]
        return TrainingRun(rows=rows, history={"loss": list(losses)}, train_seconds=seconds[-1],
                           stopped_early=stopped)

    chained = recipes.chain_runs([run([3.0, 2.0], [10.0, 20.0]),
                                  run([2.5, 1.5, 1.6], [5.0, 9.0, 14.0])])
    assert [r["epoch"] for r in chained.rows] == [1, 2, 3, 4, 5]
    assert [r["seconds"] for r in chained.rows] == [10.0, 20.0, 25.0, 29.0, 34.0]
    assert chained.history["loss"] == [3.0, 2.0, 2.5, 1.5, 1.6]
    assert chained.train_seconds == 34.0 and not chained.stopped_early
    assert chained.best["epoch"] == 4
    assert recipes.chain_runs([run([1.0], [1.0], stopped=True)]).stopped_early


def test_the_attention_recipe_totals_its_cycles() -> None:
    cycles = recipes.ATTENTION_SETTINGS["cycles"]
    assert len(cycles) >= 1 and all(c["epochs"] > 0 and c["learning_rate"] > 0 for c in cycles)
    shipped = models.load_translation_model(models.ATTENTION_MODEL).manifest["metadata"]
    if "cycles" in shipped["settings"]:  # the shipped model was trained by this recipe
        assert shipped["settings"]["cycles"] == cycles
        assert shipped["epochs_run"] == sum(c["epochs"] for c in cycles)


@pytest.mark.slow  # trains on the corpus
def test_the_attention_recipe_resumes_where_a_cycle_ends(tmp_path, monkeypatch) -> None:
    pairs = data.load_fra_eng(1200)
    tiny = data.split_pairs(pairs, validation_fraction=0.1, test_fraction=0.1, seed=0)
    monkeypatch.setattr(recipes, "attention_split", lambda settings=None: tiny)
    recipe = {"latent_dim": 8, "batch_size": 64,
              "cycles": [{"epochs": 1, "learning_rate": 1e-3, "seed": 1},
                         {"epochs": 2, "learning_rate": 1e-3, "seed": 2},
                         {"epochs": 1, "learning_rate": 5e-4, "seed": 3, "augment": True}]}
    stage = tmp_path / "stage"
    first = recipes.train_attention(tmp_path / "full.keras", stage_dir=stage,
                                    unaugmented_out=tmp_path / "plain.keras", **recipe)
    assert first["metadata"]["epochs_run"] == 4 and "resumed_from" not in first["metadata"]
    plain = models.load_translation_model(tmp_path / "plain.keras").manifest["metadata"]
    assert plain["epochs_run"] == 3 and len(plain["settings"]["cycles"]) == 2
    assert plain["settings"]["epochs"] == 3 and not any(
        c.get("augment") for c in plain["settings"]["cycles"])
    assert [r["last_epoch"] for r in recipes.training_runs(first["metadata"])] == [4]
    cycle1 = stage / "attention_cycle1.keras"
    assert len(models.load_translation_model(cycle1).manifest["metadata"]["epochs"]) == 1
    # go on from cycle 1 (saving cycle 2 again), then from that cycle 2: three runs in all
    again = tmp_path / "again"
    recipes.train_attention(tmp_path / "second.keras", resume=cycle1, stage_dir=again,
                            **recipe)
    resumed = recipes.train_attention(tmp_path / "third.keras",
                                      resume=again / "attention_cycle2.keras",
                                      unaugmented_out=tmp_path / "copied.keras", **recipe)
    copied = models.load_translation_model(tmp_path / "copied.keras")  # checked as it loads
    assert copied.manifest["model_file"] == "copied.keras"
    assert not (tmp_path / "copied.md").exists()  # its card comes when it is scored
    meta = resumed["metadata"]
    assert meta["epochs_run"] == 4 and [r["epoch"] for r in meta["epochs"]] == [1, 2, 3, 4]
    assert meta["resumed_from"]["epochs"] == 3 and meta["resumed_from"]["cycles"] == 2
    assert meta["samples_trained"] == 4 * meta["data"]["sizes"]["train"]
    runs = recipes.training_runs(meta)
    assert [(r["first_epoch"], r["last_epoch"]) for r in runs] == [(1, 1), (2, 3), (4, 4)]
    assert sum(r["train_seconds"] for r in runs) == pytest.approx(meta["train_seconds"], abs=0.5)
    card = model_cards.write_card(resumed, tmp_path / "third.keras").read_text(encoding="utf-8")
    assert "In 3 runs" in card and "epochs 2–3" in card
    assert "1 epochs from 0.0005 on the pairs as people type them" in card
    with pytest.raises(ValueError, match="where a cycle of the recipe ends"):
        recipes.train_attention(tmp_path / "x.keras", resume=tmp_path / "full.keras", **recipe)


def test_a_cycle_trains_on_pairs_as_written_as_typed_or_at_its_own_rates() -> None:
    assert recipes.cycle_augment({"epochs": 1}) is None
    assert recipes.cycle_augment({"augment": True}) is augment_pair
    always_lower = recipes.cycle_augment(
        {"augment": {"lower_case": 1.0, "names": 0.0, "typo": 0.0, "no_final_punctuation": 0.0}})
    rng = np.random.default_rng(0)
    assert always_lower("Tom is hungry.", "Tom a faim.", rng) == ("tom is hungry.", "Tom a faim.")
    with pytest.raises(ValueError, match="probabilities of"):
        recipes.cycle_augment({"augment": {"upper_case": 0.5}})
    with pytest.raises(ValueError, match="probabilities of"):
        recipes.cycle_augment({"augment": {"typo": 1.5}})


@pytest.mark.slow  # reads the whole corpus
def test_the_cards_count_the_held_out_sentences_a_model_trained_on() -> None:
    sources, refs = evaluation.heldout_set("all_lengths", 3)
    overlap = pretrained.heldout_overlap([(sources[0], refs[0][0]), ("Go.", "Va !")], count=3)
    assert overlap == {"course": 0, "all_lengths": 1}
    assert pretrained.heldout_overlap(recipes.attention_split().train) == {
        "course": 0, "all_lengths": 0}
    for name, path in model_cards.MODELS.items():
        scores = models.load_translation_model(path).manifest["metadata"]["scores"]
        card = path.with_suffix(".md").read_text(encoding="utf-8")
        if scores["all_lengths"]["trained on"]:
            assert f"{scores['all_lengths']['trained on']} of the all-lengths" in card, name
            assert "No sentence of either set was trained on" not in card, name
        else:
            assert "No sentence of either set was trained on" in card, name
