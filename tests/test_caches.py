"""Caches that free their models (issue 22, item 3): what the helpers build once per model (its
inference models, the compiled decoder step, the attention reader, the scorer's compiled
predictor) goes when the model goes, and "load a model, translate" cycles (a notebook cell run
again and again) do not grow memory."""

from __future__ import annotations

import copy
import gc
import weakref
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import compiled, decoding, models, training, translation, variants
from helpers.attention import build_attention_model, has_attention

BUILDERS = {"course": models.build_course_model, "attention": build_attention_model,
            "gru": variants.build_gru_model}


def tiny_translator(kind: str, toy) -> models.TranslationModel:
    """An untrained tiny model of ``kind`` (what is cached does not depend on training)."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    model = BUILDERS[kind](len(input_vocab), len(target_vocab), latent_dim=8)
    return models.TranslationModel(model, input_vocab, target_vocab, {
        "max_encoder_seq_length": encoder_ids.shape[1],
        "max_decoder_seq_length": decoder_ids.shape[1]})


def fill_every_cache(translator: models.TranslationModel) -> None:
    """Every way the course decodes and looks inside a translation, each of which builds
    something for the model the first time."""
    for mode in ("greedy", "beam", "sample"):
        translation.translate(translator, ["Go.", "Hi."], mode=mode, seed=0)
    encoder_model, decoder_model = decoding.inference_models_for(translator.model)
    ids = np.array([translator.input_vocab.encode("Go.")], dtype=np.int32)
    decoding.decoding_steps(encoder_model, decoder_model, ids, translator.target_vocab,
                            max_decoder_seq_length=5)
    translation.character_confidences(translator, "Go.", "Va !")
    if has_attention(translator.model):
        translation.attention_map(translator, "Go.", "Va !")


def references(translator: models.TranslationModel) -> dict[str, weakref.ref]:
    """Weak references to the model, its inference models and a layer holding weights."""
    encoder_model, decoder_model = decoding.inference_models_for(translator.model)
    return {"model": weakref.ref(translator.model), "encoder_model": weakref.ref(encoder_model),
            "decoder_model": weakref.ref(decoder_model),
            "decoder_dense": weakref.ref(translator.model.get_layer("decoder_dense"))}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_dropped_model_is_freed_with_all_that_was_built_for_it(toy, kind) -> None:
    translator = tiny_translator(kind, toy)
    fill_every_cache(translator)
    refs = references(translator)
    assert all(ref() is not None for ref in refs.values())
    del translator
    gc.collect()  # a Keras model is a reference cycle: the cycle collector frees it
    assert {name: ref() is None for name, ref in refs.items()} == dict.fromkeys(refs, True)


def test_the_scorers_predictor_is_freed_with_its_model(toy) -> None:
    _, _, encoder_ids, decoder_ids = toy
    model = tiny_translator("course", toy).model
    scores = training.heldout_scores(model, encoder_ids, decoder_ids)
    assert training.heldout_scores(model, encoder_ids, decoder_ids) == scores
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_what_is_built_for_a_model_is_built_once(toy) -> None:
    translator = tiny_translator("attention", toy)
    fill_every_cache(translator)
    model = translator.model
    first = decoding.inference_models_for(model)
    assert decoding.inference_models_for(model) is first
    assert decoding._stepper(first[1]) is decoding._stepper(first[1])
    assert training._predictor(model) is training._predictor(model)
    assert compiled.is_built_for(model, "attention_reader")


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_a_model_with_its_caches_saves_and_loads_as_before(toy, tmp_path: Path) -> None:
    translator = tiny_translator("attention", toy)
    layers = [layer.name for layer in translator.model.layers]
    weights = len(translator.model.weights)
    fill_every_cache(translator)
    training._predictor(translator.model)
    assert [layer.name for layer in translator.model.layers] == layers  # no layer added
    assert len(translator.model.weights) == weights
    translator.model.save(tmp_path / "filled.keras")
    loaded = keras.saving.load_model(tmp_path / "filled.keras", safe_mode=True)
    assert [layer.name for layer in loaded.layers] == layers
    assert not compiled.is_built_for(loaded, "inference_models")
    for a, b in zip(loaded.get_weights(), translator.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_built_for_builds_once_per_model_and_name() -> None:
    class Thing:
        pass

    calls: list[str] = []
    one, two = Thing(), Thing()
    assert compiled.built_for(one, "a", lambda t: calls.append("a") or [t]) == [one]
    assert compiled.built_for(one, "a", lambda t: calls.append("again") or []) == [one]
    assert compiled.built_for(one, "b", lambda t: calls.append("b") or 2) == 2
    assert compiled.built_for(two, "a", lambda t: calls.append("two") or 3) == 3
    assert calls == ["a", "b", "two"]
    assert compiled.is_built_for(one, "b") and not compiled.is_built_for(two, "b")
    copied = copy.deepcopy(one)  # what was built for one calls one: a copy builds its own
    assert not compiled.is_built_for(copied, "a")
    assert compiled.built_for(copied, "a", lambda t: [t]) == [copied]


def resident_mb() -> float:
    """This process's resident memory in MB (psutil, else Linux's /proc/self/status)."""
    try:
        import psutil
    except ImportError:
        status = Path("/proc/self/status")
        if not status.is_file():
            pytest.skip("needs psutil or /proc/self/status to read resident memory")
        kb = next(line.split()[1] for line in status.read_text().splitlines()
                  if line.startswith("VmRSS:"))
        return int(kb) / 1024
    return psutil.Process().memory_info().rss / 2**20


@pytest.mark.slow  # 50 load-and-translate cycles
def test_load_and_translate_cycles_do_not_grow_memory(toy, tmp_path: Path) -> None:
    """50 cycles of what a notebook cell does when it is run again (load the model, translate)
    grow resident memory by less than 20 MB in all (each cycle left about 2.4 MB of compiled
    steps and graphs behind while a cache kept its models alive: 116 MB).

    The cycle collector runs after each cycle, as it does on its own sooner or later: a loaded
    Keras model is a reference cycle, so without it this would measure when the collector
    happens to run (a few cycles' garbage at a time), not memory that is never freed. What
    existed before the cycles is frozen (``gc.freeze``), so that each collection looks at the
    new objects only (it would take 0.2 s to look at all of TensorFlow's each time)."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    path = tmp_path / "tiny.keras"
    models.save_translation_model(
        models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=32), path,
        input_vocab=input_vocab, target_vocab=target_vocab,
        max_encoder_seq_length=encoder_ids.shape[1],
        max_decoder_seq_length=decoder_ids.shape[1])

    def cycle() -> None:
        translation.translate(models.load_translation_model(path), "Go.")
        gc.collect()

    for _ in range(5):  # TensorFlow's one-time costs (its first traces, thread pools)
        cycle()
    gc.freeze()
    try:
        before = resident_mb()
        for _ in range(50):
            cycle()
        grown = resident_mb() - before
    finally:
        gc.unfreeze()
    assert grown < 20, f"50 load-and-translate cycles grew resident memory by {grown:.1f} MB"
