"""How each pretrained model is trained: its settings, its data split and its training run.

Run by ``make pretrained`` (``python -m helpers.pretrained train NAME``: the release pipeline of
:mod:`helpers.pretrained`, which also scores the models and writes their cards); not taught in a
notebook. ``seed`` is the seed model (the original architecture, notebooks 03–04), ``attention``
the course's default model (notebook 05 on), ``original`` and ``original-100`` the original
text's configuration. Every shipped model keeps the English sentences of the course's validation
and test parts (``split_pairs(load_fra_eng(30_000))``) out of training. A model saved here comes
with its manifest; its card is written when it is scored.
"""

from __future__ import annotations

import functools
import math
import os
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from helpers import data as course_data
from helpers import evaluation
from helpers.architecture import family
from helpers.augmentation import AUGMENT_PROBABILITIES, augment_pair
from helpers.model_files import (
    ATTENTION_MODEL,
    ORIGINAL_MODEL,
    SEED_MODEL,
    load_translation_model,
    save_translation_model,
    write_manifest,
)
from helpers.models import build_course_model
from helpers.training import (
    TrainingRun,
    TranslationData,
    heldout_scores,
    masked_accuracy,
    masked_loss,
    prepare_translation_data,
    train_course,
    translation_data_from_split,
)

#: The seed model: the original architecture on the first 30,000 pairs, course trainer.
SEED_SETTINGS: dict[str, Any] = {
    "num_samples": evaluation.COURSE_SPLIT_PAIRS,
    "validation_fraction": 0.1,
    "test_fraction": 0.1,
    "split_seed": 0,
    "latent_dim": 256,
    "batch_size": 128,
    "learning_rate": 3e-3,
    "epochs": 100,
    "patience": 4,
    "time_budget_minutes": None,  # train until early stopping fires
    "seed": 42,
}

#: The attention model: the whole corpus minus the held-out sources, cosine decay with warm
#: restarts (SGDR, Loshchilov & Hutter 2017): each cycle starts a fresh Adam at its learning rate
#: and decays it to ``final_learning_rate_fraction`` of it over the cycle's epochs.
#: How often the attention recipe's last cycles change each training pair (issue 20): a
#: corpus name is swapped in nine pairs of ten that have one, so that copying a name is learned.
ROBUST_RATES: dict[str, float] = {
    "names": 0.9, "lower_case": 0.3, "no_final_punctuation": 0.35, "typo": 0.15}

#: The last cycles of the attention recipe (issue 20): the same model goes on, on the pairs as
#: people type them; the model before them is saved as ``attention-unaugmented``.
ROBUST_CYCLES: list[dict[str, Any]] = [
    {"epochs": 4, "learning_rate": 1e-3, "seed": 46, "augment": ROBUST_RATES},
    {"epochs": 4, "learning_rate": 1e-3, "seed": 47,
     "augment": {**ROBUST_RATES, "varied_names": 0.7}}]

ATTENTION_SETTINGS: dict[str, Any] = {
    "pairs": "all",
    **{f"split_{k}" if k == "seed" else k: v for k, v in evaluation.CORPUS_SPLIT.items()},
    "latent_dim": 256,
    "batch_size": 256,
    "cycles": [{"epochs": 7, "learning_rate": 3e-3, "seed": 42},
               {"epochs": 5, "learning_rate": 1e-3, "seed": 7},
               {"epochs": 10, "learning_rate": 1e-3, "seed": 44},
               {"epochs": 5, "learning_rate": 5e-4, "seed": 45},
               *ROBUST_CYCLES],
    "final_learning_rate_fraction": 0.01,
    "patience": 3,
    "seed": 42,
}

#: The original text's configuration: its architecture and its data (the first 10,000 pairs).
ORIGINAL_SETTINGS: dict[str, Any] = {
    "num_samples": 10_000,
    "latent_dim": 256,
    "batch_size": 64,
    "learning_rate": 2e-3,
    "epochs": 200,
    "patience": 5,
    "time_budget_minutes": None,  # train until early stopping fires
    "seed": 42,
}

#: The same configuration trained as the original text trains it: 100 epochs, no early
#: stopping, so that it learns its training sentences by heart (issue 10's recitation goal).
ORIGINAL_100_SETTINGS: dict[str, Any] = {**ORIGINAL_SETTINGS, "epochs": 100, "patience": None}

#: The held-out floor each model's issue names (course set, greedy): stated in its card.


def _machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.machine()}, {cores} CPU cores, {platform.system()}"


def attention_split(settings: dict[str, Any] = ATTENTION_SETTINGS) -> course_data.Split:
    """The whole corpus split by English sentence, with every course held-out source removed
    from the training part."""
    split = course_data.split_pairs(course_data.load_fra_eng(),
                                    validation_fraction=settings["validation_fraction"],
                                    test_fraction=settings["test_fraction"],
                                    seed=settings["split_seed"])
    excluded = evaluation.course_heldout_sources()
    train = [(e, f) for e, f in split.train if e not in excluded]
    return course_data.Split(train=train, validation=split.validation, test=split.test)


def original_split(settings: dict[str, Any] = ORIGINAL_SETTINGS) -> course_data.Split:
    """The original's first 10,000 pairs, divided as the course split divides them: pairs whose
    English is in the course validation or test part validate or test, the rest train."""
    pairs = course_data.load_fra_eng(settings["num_samples"])
    course = course_data.split_pairs(course_data.load_fra_eng(evaluation.COURSE_SPLIT_PAIRS))
    validation_sources = {e for e, _ in course.validation}
    test_sources = {e for e, _ in course.test}
    return course_data.Split(
        train=[p for p in pairs if p[0] not in validation_sources | test_sources],
        validation=[p for p in pairs if p[0] in validation_sources],
        test=[p for p in pairs if p[0] in test_sources])


def training_pairs(name: str) -> list[tuple[str, str]]:
    """The pairs the model ``name`` was trained on (its recipe's split, rebuilt)."""
    if name in ("attention", "attention-unaugmented", "transformer"):
        return attention_split().train
    if name in ("original", "original-100"):
        return original_split().train
    settings = SEED_SETTINGS
    return course_data.split_pairs(course_data.load_fra_eng(settings["num_samples"]),
                                   validation_fraction=settings["validation_fraction"],
                                   test_fraction=settings["test_fraction"],
                                   seed=settings["split_seed"]).train


def _training_metadata(model: keras.Model, run, prepared: TranslationData,
                       settings: dict[str, Any], wall: float, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "settings": settings,
        "epochs_run": len(run.rows),
        "best_epoch": int(run.best["epoch"]),
        "stopped_early": run.stopped_early,
        "train_seconds": round(run.train_seconds, 1),
        "wall_seconds": round(wall, 1),
        "samples_trained": int(prepared.sizes()["train"] * len(run.rows)),
        "validation": heldout_scores(model, *prepared.arrays["validation"]),
        "test": heldout_scores(model, *prepared.arrays["test"]),
        "epochs": run.rows,
        "machine": _machine(),
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
    }


def train_seed(out: str | Path = SEED_MODEL, **overrides: Any) -> dict[str, Any]:
    """Train and save the seed model: the original architecture of notebooks 03–04."""
    settings = {**SEED_SETTINGS, **overrides}
    keras.utils.set_random_seed(settings["seed"])
    data = prepare_translation_data(course_data.load_fra_eng(settings["num_samples"]),
                                    validation_fraction=settings["validation_fraction"],
                                    test_fraction=settings["test_fraction"],
                                    seed=settings["split_seed"])
    model = build_course_model(len(data.input_vocab), len(data.target_vocab),
                               latent_dim=settings["latent_dim"],
                               learning_rate=settings["learning_rate"])
    budget = settings["time_budget_minutes"]
    started = time.perf_counter()
    run = train_course(model, data, epochs=settings["epochs"], batch_size=settings["batch_size"],
                       patience=settings["patience"], seed=settings["seed"],
                       time_budget=budget * 60 if budget else None)
    metadata = _training_metadata(
        model, run, data, settings, time.perf_counter() - started, architecture="original",
        data={"corpus": _corpus(), "pairs": f"first {settings['num_samples']:,} lines of fra.txt",
              "split": "helpers.data.split_pairs (shuffled, grouped by English sentence)",
              "sizes": data.sizes()})
    return _save(model, out, data, metadata)


def train_original(out: str | Path = ORIGINAL_MODEL, *,
                   recipe: dict[str, Any] = ORIGINAL_SETTINGS, **overrides: Any) -> dict[str, Any]:
    """Train and save the original text's configuration (its architecture, its 10,000 pairs)
    with the course trainer: until early stopping fires (``ORIGINAL_SETTINGS``), or for the
    text's 100 epochs (``ORIGINAL_100_SETTINGS``)."""
    settings = {**recipe, **overrides}
    keras.utils.set_random_seed(settings["seed"])
    data = translation_data_from_split(original_split(settings))
    model = build_course_model(len(data.input_vocab), len(data.target_vocab),
                               latent_dim=settings["latent_dim"],
                               learning_rate=settings["learning_rate"])
    started = time.perf_counter()
    run = train_course(model, data, epochs=settings["epochs"], batch_size=settings["batch_size"],
                       patience=settings["patience"], seed=settings["seed"])
    metadata = _training_metadata(
        model, run, data, settings, time.perf_counter() - started, architecture="original",
        data={"corpus": _corpus(), "pairs": f"first {settings['num_samples']:,} lines of "
                                           "fra.txt (the original text's data)",
              "split": "the course split's (helpers.data.split_pairs of the first 30,000 "
                       "pairs) validation and test sources validate and test, the rest train",
              "sizes": data.sizes()})
    return _save(model, out, data, metadata)


def train_attention(out: str | Path = ATTENTION_MODEL, *, resume: str | Path | None = None,
                    stage_dir: str | Path | None = None,
                    unaugmented_out: str | Path | None = None,
                    **overrides: Any) -> dict[str, Any]:
    """Train and save the attention model (the course's default); return its manifest.

    ``epochs=N`` among ``overrides`` replaces the cycles by one cycle of ``N`` epochs at the
    first cycle's learning rate (a short run, e.g. to try the pipeline). ``resume``: a model
    saved by an earlier run of this recipe whose epochs are exactly its first cycles; training
    goes on from its weights with the remaining cycles (every cycle starts a fresh optimizer, so
    nothing is lost), and the manifest keeps the earlier epochs. ``stage_dir``: the model is also
    saved there after every cycle, so that a stopped run can be resumed. ``unaugmented_out``:
    the model as it stands after the last cycle on the corpus as written (before the first
    cycle with ``"augment"``) is also saved there (copied, if ``resume`` is that model)."""
    settings = {**ATTENTION_SETTINGS, **overrides}
    if "epochs" in overrides:
        settings["cycles"] = [{**settings["cycles"][0], "epochs": overrides["epochs"]}]
    settings["epochs"] = sum(cycle["epochs"] for cycle in settings["cycles"])
    keras.utils.set_random_seed(settings["seed"])
    data = translation_data_from_split(attention_split(settings))
    batches = math.ceil(data.sizes()["train"] / settings["batch_size"])
    model = family("attention").build(len(data.input_vocab), len(data.target_vocab),
                                      latent_dim=settings["latent_dim"])
    runs: list[TrainingRun] = []
    extra: dict[str, Any] = {}
    cycles_done = 0
    if resume is not None:
        model, earlier, extra["resumed_from"] = _resume_from(resume, data, settings)
        runs.append(earlier)
        cycles_done = extra["resumed_from"]["cycles"]
    done = sum(cycle["epochs"] for cycle in settings["cycles"][:cycles_done])
    print(f"split {data.sizes()}, tokens {len(data.input_vocab)} → {len(data.target_vocab)}, "
          f"lengths {data.max_encoder_seq_length} / {data.max_decoder_seq_length}, "
          f"cycles {settings['cycles']}, starting after epoch {done}", flush=True)
    plain = next((n for n, c in enumerate(settings["cycles"]) if c.get("augment")), None)
    if unaugmented_out is not None and plain is not None and plain == cycles_done and resume:
        copy_model(resume, unaugmented_out)
    started = time.perf_counter()
    for number, cycle in enumerate(settings["cycles"], start=1):
        if number <= cycles_done:
            continue
        keras.utils.set_random_seed(cycle["seed"])
        schedule = keras.optimizers.schedules.CosineDecay(
            cycle["learning_rate"], decay_steps=cycle["epochs"] * batches,
            alpha=settings["final_learning_rate_fraction"])
        model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
                      loss=masked_loss, metrics=[masked_accuracy])
        runs.append(train_course(model, data, epochs=cycle["epochs"],
                                 batch_size=settings["batch_size"],
                                 patience=settings["patience"], seed=cycle["seed"],
                                 augment=cycle_augment(cycle)))
        if unaugmented_out is not None and number == plain:
            first = settings["cycles"][:plain]
            _save(model, unaugmented_out, data, _training_metadata(
                model, chain_runs(runs), data,
                {**settings, "cycles": first, "epochs": sum(c["epochs"] for c in first)},
                time.perf_counter() - started,
                architecture="attention", data=_attention_data(data), **extra))
        if stage_dir is not None:
            Path(stage_dir).mkdir(parents=True, exist_ok=True)
            staged = Path(stage_dir) / f"attention_cycle{number}.keras"
            _save(model, staged, data, _training_metadata(
                model, chain_runs(runs), data, settings, time.perf_counter() - started,
                architecture="attention", data=_attention_data(data), **extra))
    metadata = _training_metadata(
        model, chain_runs(runs), data, settings, time.perf_counter() - started, **extra,
        architecture="attention", data=_attention_data(data))
    return _save(model, out, data, metadata)


def _attention_data(data: TranslationData) -> dict[str, Any]:
    return {"corpus": _corpus(), "pairs": "every pair of fra.txt",
            "split": "helpers.data.split_pairs (shuffled, grouped by English sentence) of the "
                     "whole corpus, minus the course validation and test sources",
            "sizes": data.sizes()}


def copy_model(source: str | Path, out: str | Path) -> dict[str, Any]:
    """Copy the saved model ``source`` (checked as it loads) to ``out``, with its manifest
    (naming the new file); its card is written when it is scored."""
    earlier = load_translation_model(source)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    return write_manifest(out, {**earlier.manifest, "model_file": out.name})


def cycle_augment(cycle: dict[str, Any]) -> Callable | None:
    """What a recipe cycle trains on: the pairs as they are (no ``"augment"``), as people type
    them (``"augment": True``, :data:`helpers.augmentation.AUGMENT_PROBABILITIES`), or with the
    changes drawn at the cycle's own rates (``"augment": {"names": 0.9, ...}``)."""
    rates = cycle.get("augment")
    if not rates:
        return None
    if rates is True:
        return augment_pair
    unknown = set(rates) - set(AUGMENT_PROBABILITIES)
    if unknown or not all(0.0 <= p <= 1.0 for p in rates.values()):
        raise ValueError(f"a cycle's augment rates are probabilities of "
                         f"{sorted(AUGMENT_PROBABILITIES)}, not {rates!r}")
    return functools.partial(augment_pair, probabilities={**AUGMENT_PROBABILITIES, **rates})


def _resume_from(path: str | Path, data: TranslationData, settings: dict[str, Any]
                 ) -> tuple[keras.Model, TrainingRun, dict[str, Any]]:
    """The model at ``path``, its epochs as a run, and what the new manifest says of it
    (``resumed_from``: its hash, epochs, cycles, training and wall seconds).
    Refused unless it was trained on the same vocabularies for exactly the first cycles."""
    earlier = load_translation_model(path)
    if (earlier.input_vocab, earlier.target_vocab) != (data.input_vocab, data.target_vocab):
        raise ValueError(f"{path} was trained on other vocabularies than this recipe's data")
    meta = earlier.manifest["metadata"]
    epochs = len(meta["epochs"])
    ends = [sum(c["epochs"] for c in settings["cycles"][:k])
            for k in range(1, len(settings["cycles"]))]
    if epochs not in ends:
        raise ValueError(f"{path} ran {epochs} epochs; a resumed run must start where a cycle "
                         f"of the recipe ends (after epoch {', '.join(map(str, ends))})")
    run = TrainingRun(rows=meta["epochs"], history={}, train_seconds=meta["train_seconds"],
                      stopped_early=meta["stopped_early"])
    runs = training_runs(meta)
    resumed = {"sha256": earlier.manifest["sha256"], "epochs": epochs,
               "cycles": ends.index(epochs) + 1, "train_seconds": meta["train_seconds"],
               "wall_seconds": round(sum(r["wall_seconds"] for r in runs), 1), "runs": runs}
    return earlier.model, run, resumed


def training_runs(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs of ``python -m helpers.pretrained train`` that made a model, from its manifest's
    metadata: each run's first and last epoch, training and wall seconds (a run that went on
    from an earlier one, ``--resume``, records the runs before it)."""
    resumed = meta.get("resumed_from")
    if not resumed:
        return [{"first_epoch": 1, "last_epoch": len(meta["epochs"]),
                 "train_seconds": meta["train_seconds"], "wall_seconds": meta["wall_seconds"]}]
    before = resumed.get("runs") or [
        {"first_epoch": 1, "last_epoch": resumed["epochs"],
         "train_seconds": resumed["train_seconds"], "wall_seconds": resumed["wall_seconds"]}]
    return [*before, {"first_epoch": resumed["epochs"] + 1, "last_epoch": len(meta["epochs"]),
                      "train_seconds": round(meta["train_seconds"] - resumed["train_seconds"], 1),
                      "wall_seconds": meta["wall_seconds"]}]


def chain_runs(runs: Sequence[TrainingRun]) -> TrainingRun:
    """Training runs one after the other (the cycles of a schedule) as one run: epochs
    numbered on, seconds counted on from the end of the run before."""
    rows: list[dict[str, float]] = []
    for run in runs:
        epoch, seconds = (rows[-1]["epoch"], rows[-1]["seconds"]) if rows else (0, 0.0)
        rows += [{**row, "epoch": epoch + row["epoch"], "seconds": seconds + row["seconds"]}
                 for row in run.rows]
    history = {key: [value for run in runs for value in run.history.get(key, [])]
               for key in {key for run in runs for key in run.history}}
    return TrainingRun(rows=rows, history=history,
                       train_seconds=sum(run.train_seconds for run in runs),
                       stopped_early=any(run.stopped_early for run in runs))


def _corpus() -> str:
    return "fra-eng (Tatoeba via manythings.org), fra.txt sha256 " + \
        course_data.FRA_TXT_SHA256[:12]


def _save(model: keras.Model, out: str | Path, data: TranslationData,
          metadata: dict[str, Any]) -> dict[str, Any]:
    out = Path(out)
    manifest = save_translation_model(
        model, out, input_vocab=data.input_vocab, target_vocab=data.target_vocab,
        max_encoder_seq_length=data.max_encoder_seq_length,
        max_decoder_seq_length=data.max_decoder_seq_length, metadata=metadata)
    print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB), "
          f"{metadata['train_seconds'] / 60:.1f} min training, {metadata['epochs_run']} epochs, "
          f"best {metadata['best_epoch']}", flush=True)
    return manifest
