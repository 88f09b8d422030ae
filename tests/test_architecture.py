"""helpers.architecture (issue 23): a model's architecture is recorded by its builder, written
into its manifest and read back, derived from layers only for models without a record; the
decoders ask the registry of families, so a new family plugs in with one registration."""

from __future__ import annotations

import dataclasses
import json

import keras
import pytest

from helpers import architecture as arch
from helpers import decoding, model_files, models, translation
from helpers.attention import build_attention_model
from helpers.variants import build_gru_model, build_word_model
from tests.conftest import SOURCES, TARGETS, recite_toy_pairs, toy_translator

BUILT = {
    "original": (models.build_course_model, "lstm", "characters", "one-hot layer", False),
    "attention": (build_attention_model, "lstm", "characters", "one-hot layer", True),
    "gru": (build_gru_model, "gru", "characters", "one-hot layer", False),
    "word": (build_word_model, "lstm", "words", "embedding", False),
}


@pytest.mark.parametrize("family", sorted(BUILT))
def test_each_family_records_what_it_builds(family: str) -> None:
    build, cell, tokens, reader, attention = BUILT[family]
    assert arch.family(family).builder is build  # the notebook's function, word for word
    model = arch.family(family).build(7, 9, latent_dim=8)
    record = arch.architecture_of(model)
    assert record == arch.Architecture(family, cell, tokens, reader, attention, 8, 7, 9)
    unrecorded = build(7, 9, latent_dim=8)  # as a notebook calls it: derived, and alike
    assert arch.derive_architecture(unrecorded) == record == arch.architecture_of(unrecorded)


def test_a_default_latent_dim_is_recorded_too() -> None:
    assert arch.architecture_of(arch.family("attention").build(7, 9)).latent_dim == 256


def test_the_original_texts_one_hot_model_is_derived_as_such() -> None:
    model = models.build_original_model(7, 9, latent_dim=8)
    assert arch.architecture_of(model) == arch.Architecture(
        "original", "lstm", "characters", "one-hot input", False, 8, 7, 9)


def test_a_model_without_a_record_is_derived_once(toy, original_model) -> None:
    """A model built as in the original text (default layer names) carries no record."""
    record = arch.architecture_of(original_model)
    assert record.family == "original" and record.reader == "one-hot input"
    assert arch.architecture_of(original_model) is record


def test_the_record_travels_with_the_saved_model(tmp_path, toy, attention_model) -> None:
    input_vocab, target_vocab, _, _ = toy
    path = tmp_path / "m.keras"
    manifest = models.save_translation_model(
        attention_model, path, input_vocab=input_vocab, target_vocab=target_vocab,
        max_encoder_seq_length=9, max_decoder_seq_length=20)
    assert manifest["architecture"] == arch.architecture_of(attention_model).as_dict()
    loaded = models.load_translation_model(path)
    assert loaded.architecture == arch.architecture_of(attention_model)
    assert loaded.architecture.attention


def _rewrite(path, change) -> None:
    meta = models.manifest_path(path)
    manifest = json.loads(meta.read_text(encoding="utf-8"))
    change(manifest)
    model_files.write_manifest(path, manifest)


def _saved(model, toy, tmp_path):
    input_vocab, target_vocab, _, _ = toy
    path = tmp_path / "m.keras"
    models.save_translation_model(model, path, input_vocab=input_vocab,
                                  target_vocab=target_vocab, max_encoder_seq_length=9,
                                  max_decoder_seq_length=20)
    return path


def test_a_manifest_from_before_records_loads_by_derivation(tmp_path, toy,
                                                            course_model) -> None:
    path = _saved(course_model, toy, tmp_path)
    _rewrite(path, lambda m: m.pop("architecture"))
    loaded = models.load_translation_model(path)
    assert loaded.architecture == arch.architecture_of(course_model)
    assert translation.translate(loaded, "Go.").text == "Va !"


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.update(cell="transformer"), "field 'cell' must be one of"),
    (lambda r: r.pop("latent_dim"), "missing: latent_dim"),
    (lambda r: r.update(colour="red"), "unknown: colour"),
    (lambda r: r.update(num_decoder_tokens=3), "'architecture' does not fit.*says 3 tokens"),
    (lambda r: r.update(num_encoder_tokens=3), "encoder reads 3 tokens"),
])
def test_a_wrong_record_is_refused_in_words(tmp_path, toy, course_model, change,
                                            message) -> None:
    path = _saved(course_model, toy, tmp_path)
    _rewrite(path, lambda m: change(m["architecture"]))
    with pytest.raises(model_files.ManifestError, match=message):
        models.load_translation_model(path)


def test_an_unknown_family_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no model family 'mamba'.*attention.*transformer"):
        arch.family("mamba")
    assert set(arch.families()) >= set(arch.FAMILY_MODULES)


def test_a_new_family_plugs_in_with_one_registration(toy) -> None:
    """A family the decoders have never heard of: its module registers a builder and its
    inference models, and translate, the step-through's steps and the widgets' checks use them
    without a line of decoding changed."""
    built: list[str] = []

    def build_toy_family(num_encoder_tokens, num_decoder_tokens, *, latent_dim=16, **kwargs):
        return models.build_course_model(num_encoder_tokens, num_decoder_tokens,
                                         latent_dim=latent_dim, **kwargs)

    def toy_inference_models(model):
        built.append(model.name)
        return models.inference_models(model)

    arch.register_family("toyfamily", build=build_toy_family,
                         inference_models=toy_inference_models, description="a test family",
                         cell="lstm", tokens="characters", reader="one-hot layer",
                         attention=False)
    try:
        model = recite_toy_pairs(arch.family("toyfamily").build, toy)
        translator = toy_translator(model, toy)
        assert translator.architecture.family == "toyfamily"
        assert [t.text for t in translation.translate(translator, SOURCES)] == TARGETS
        assert built == [model.name]  # the registry's inference models, built once
        assert decoding.inference_models_for(model) is decoding.inference_models_for(model)
    finally:
        arch._FAMILIES.pop("toyfamily", None)


def test_the_registry_refuses_what_is_not_a_family() -> None:
    fields = {"description": "", "cell": "lstm", "tokens": "characters",
              "reader": "one-hot layer", "attention": False}
    with pytest.raises(ValueError, match="identifier"):
        arch.register_family("two words", build=models.build_course_model,
                             inference_models=len, **fields)
    with pytest.raises(TypeError, match="inference_models must be a function"):
        arch.register_family("x", build=models.build_course_model, inference_models=3, **fields)
    with pytest.raises(TypeError, match="latent_dim"):
        arch.register_family("x", build=len, inference_models=len, **fields)
    with pytest.raises(ValueError, match="'cell' must be one of"):
        arch.register_family("x", build=models.build_course_model, inference_models=len,
                             **{**fields, "cell": "rnn"})
    with pytest.raises(TypeError, match="must give attention_weights"):
        arch.register_family("x", build=models.build_course_model, inference_models=len,
                             **{**fields, "attention": True})
    with pytest.raises(TypeError, match="attention_weights must be a function"):
        arch.register_family("x", build=models.build_course_model, inference_models=len,
                             attention_weights="attention", **{**fields, "attention": True})
    assert "x" not in arch._FAMILIES
    with pytest.raises(TypeError, match="keras.Model"):
        arch.architecture_of("a model")
    with pytest.raises(ValueError, match="two inputs"):
        inputs = keras.Input((3,))
        arch.architecture_of(keras.Model(inputs, keras.layers.Dense(2)(inputs)))


def test_an_attention_map_asks_the_family_for_its_weights(toy) -> None:
    """translation.attention_map reads the weights through the family's registered
    ``attention_weights``, not through a layer name of its own."""
    from helpers.attention import attention_weights_model

    asked: list[str] = []

    def counted(model):
        asked.append(model.name)
        return attention_weights_model(model)

    attention = arch.family("attention")
    arch._FAMILIES["attention"] = dataclasses.replace(attention, attention_weights=counted)
    try:
        input_vocab, target_vocab = toy[:2]
        model = arch.family("attention").build(len(input_vocab), len(target_vocab), latent_dim=8)
        fresh = toy_translator(model, toy)  # a new model: no reader cached for it yet
        weights = translation.attention_map(fresh, "Go.", "Va !")
    finally:
        arch._FAMILIES["attention"] = attention
    assert weights.shape == (5, 3) and asked
