"""The Transformer (helpers.transformer) and what decodes it: padding and the causal mask leak
nothing, the inference models give the training model's probabilities, batched decoding is
one sentence at a time, a saved model and its tokenizer reload with the same translations,
and every input rule of ``translate`` holds for a subword model."""

from __future__ import annotations

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import architecture, encoding, model_files, models, subwords, transformer, translation
from tests.conftest import SOURCES, TARGETS
from tests.conftest import TRANSFORMER_MAX_LENGTH as MAX_LENGTH

# The tiny Transformer and its toy pairs are conftest.py's (the widget tests use them too);
# the short names below are this file's.


@pytest.fixture
def vocab(transformer_toy):
    return transformer_toy[0]


@pytest.fixture
def ids(transformer_toy):
    """Encoder ids and decoder ids (start, pieces, stop) of the toy pairs, padded."""
    return transformer_toy[1:]


@pytest.fixture
def model(transformer_model):
    return transformer_model


@pytest.fixture
def translator(transformer_translator):
    return transformer_translator


def untrained(vocab_size=30, **sizes):
    keras.utils.set_random_seed(1)
    return transformer.build_transformer_model(
        vocab_size, vocab_size, **{"latent_dim": 16, "num_heads": 2, "ff_dim": 32,
                                   "num_layers": 2, **sizes})


# --- attention, written out and as Keras does it ------------------------------------------


def test_scaled_dot_product_attention_is_a_weighted_mean_with_masked_places_at_zero() -> None:
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, n, 4)).astype("float32") for n in (3, 5, 5))
    mask = np.ones((2, 3, 5), bool)
    mask[1, :, 3:] = False
    out, weights = (np.asarray(t) for t in transformer.scaled_dot_product_attention(q, k, v, mask))
    scores = q @ k.transpose(0, 2, 1) / 2.0
    scores[1, :, 3:] = -np.inf
    expected = np.exp(scores - scores.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-7)
    assert np.all(weights[1, :, 3:] == 0.0)
    np.testing.assert_allclose(out, weights @ v, rtol=1e-5, atol=1e-6)


def test_keras_multi_head_attention_is_scaled_dot_product_attention_per_head() -> None:
    """What lets the notebook replace its hand-written layer by keras.layers.MultiHeadAttention:
    project, attend head by head, join the heads, project back."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 8)).astype("float32")
    memory = rng.normal(size=(2, 6, 8)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    expected, expected_weights = layer(x, memory, return_attention_scores=True)
    wq, bq, wk, bk, wv, bv, wo, bo = (np.asarray(w) for w in layer.weights)
    heads = []
    for h in range(2):
        out, weights = transformer.scaled_dot_product_attention(
            x @ wq[:, h] + bq[h], memory @ wk[:, h] + bk[h], memory @ wv[:, h] + bv[h])
        np.testing.assert_allclose(np.asarray(weights), np.asarray(expected_weights)[:, h],
                                   rtol=1e-5, atol=1e-6)
        heads.append(np.asarray(out))
    joined = np.einsum("bthd,hdo->bto", np.stack(heads, axis=2), wo) + bo
    np.testing.assert_allclose(joined, np.asarray(expected), rtol=1e-4, atol=1e-5)


def test_positional_encoding_is_sines_and_cosines_of_the_position() -> None:
    table = transformer.positional_encoding(50, 16)
    assert table.shape == (50, 16)
    np.testing.assert_allclose(table[:, 0], np.sin(np.arange(50)), atol=1e-6)
    np.testing.assert_allclose(table[:, 1], np.cos(np.arange(50)), atol=1e-6)
    assert len({tuple(row.round(4)) for row in table}) == 50  # every position differs


# --- no information leaks ------------------------------------------------------------------


def test_source_padding_changes_nothing() -> None:
    model = untrained()
    enc = np.array([[5, 6, 7, 8]], np.int32)
    dec = np.array([[2, 9, 10, 11]], np.int32)
    alone = np.asarray(model([enc, dec], training=False))
    padded = np.asarray(model([np.pad(enc, ((0, 0), (0, 5))), dec], training=False))
    np.testing.assert_allclose(padded, alone, rtol=1e-5, atol=1e-6)


def test_a_later_target_token_leaves_earlier_outputs_unchanged() -> None:
    model = untrained()
    enc = np.array([[5, 6, 7, 8]], np.int32)
    dec = np.array([[2, 9, 10, 11, 12]], np.int32)
    changed = dec.copy()
    changed[0, 3:] = [20, 21]
    a = np.asarray(model([enc, dec], training=False))
    b = np.asarray(model([enc, changed], training=False))
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=1e-5, atol=1e-6)
    assert np.abs(a[:, 3:] - b[:, 3:]).max() > 1e-4  # the later positions do see the change


def test_the_builder_checks_its_sizes() -> None:
    with pytest.raises(ValueError, match="shares one vocabulary"):
        transformer.build_transformer_model(30, 40)
    with pytest.raises(ValueError, match="split evenly"):
        transformer.build_transformer_model(30, 30, latent_dim=30, num_heads=4)
    with pytest.raises(ValueError, match="num_layers"):
        transformer.build_transformer_model(30, 30, num_layers=0)


def test_it_is_recorded_and_derived_as_a_transformer(model) -> None:
    recorded = architecture.architecture_of(model)
    assert (recorded.family, recorded.cell, recorded.tokens, recorded.attention) == (
        "transformer", "self-attention", "subwords", True)
    assert architecture.derive_architecture(model) == recorded
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in model.layers)


def character_vocabulary():
    return encoding.build_vocabulary(SOURCES + [encoding.add_start_stop(t) for t in TARGETS])


def test_the_token_level_comes_from_the_vocabulary_when_it_is_known(vocab) -> None:
    """A Transformer's layers are the same on characters and on subwords (notebook 07 § 8
    trains both): derived with its vocabulary it gets the vocabulary's level, without one its
    family's usual level."""
    chars = character_vocabulary()
    on_characters = untrained(len(chars))  # built by the builder itself: no record
    assert architecture.derive_architecture(on_characters).tokens == "subwords"
    assert architecture.derive_architecture(on_characters, vocabulary=chars).tokens == "characters"
    on_pieces = untrained(len(vocab))
    assert architecture.derive_architecture(on_pieces, vocabulary=vocab).tokens == "subwords"

    class Vocabulary:  # a notebook's own copy of the class (notebook 01 writes one)
        pass

    assert architecture.token_level(Vocabulary()) == "characters"
    assert architecture.token_level(None) is None and architecture.token_level(["a"]) is None


def test_a_character_transformer_saves_and_reloads_as_characters(tmp_path) -> None:
    """The family records its usual level, subwords; the vocabulary corrects it, so that the
    manifest names a character vocabulary and loading reads one (not a tokenizer file)."""
    chars = character_vocabulary()
    keras.utils.set_random_seed(1)
    model = architecture.family("transformer").build(
        len(chars), len(chars), latent_dim=16, num_heads=2, ff_dim=32, num_layers=1)
    assert architecture.architecture_of(model).tokens == "subwords"
    assert architecture.architecture_of(model, vocabulary=chars).tokens == "characters"
    assert architecture.architecture_of(model).tokens == "characters"  # kept as corrected
    path = tmp_path / "characters.keras"
    manifest = models.save_translation_model(model, path, input_vocab=chars, target_vocab=chars,
                                             max_encoder_seq_length=10, max_decoder_seq_length=16)
    assert manifest["architecture"]["tokens"] == "characters"
    assert "tokenizer_file" not in manifest
    loaded = models.load_translation_model(path)
    assert loaded.input_vocab == chars
    assert loaded.architecture == architecture.architecture_of(model)
    assert isinstance(translation.translate(loaded, "Go.", mode="greedy").text, str)


def test_a_sequence_longer_than_max_length_is_refused_with_both_lengths() -> None:
    layer = transformer.PositionalEmbedding(10, 8, max_length=5, name="shared_embedding")
    assert tuple(layer(np.ones((2, 5), np.int32)).shape) == (2, 5, 8)
    with pytest.raises(ValueError, match="shared_embedding has positions for at most "
                                         "max_length=5 tokens, got 6"):
        layer(np.ones((2, 6), np.int32))
    with pytest.raises(ValueError, match="max_length=5"):  # a length known as a graph is built
        layer(keras.Input(shape=(6,), dtype="int32"))
    assert tuple(layer(keras.Input(shape=(None,), dtype="int32")).shape) == (None, None, 8)
    model = untrained(max_length=8)  # an unknown length builds; a long input is refused
    with pytest.raises(ValueError, match="max_length=8 tokens, got 9"):
        model([np.ones((1, 9), np.int32), np.array([[2, 5]], np.int32)], training=False)


def test_translate_refuses_a_text_too_long_before_the_model_sees_it(translator, vocab) -> None:
    """InputTooLongError (the model's manifest limit), never the layer's ValueError, even for a
    text longer than the layer's max_length."""
    text = " ".join(["Be nice."] * 60)
    assert len(vocab.pieces(text)) > translator.model.get_layer("shared_embedding").max_length
    with pytest.raises(translation.InputTooLongError, match="subword pieces"):
        translation.translate(translator, text)
    cut = translation.translate(translator, text, on_overflow="truncate")
    assert 0 < len(vocab.pieces(cut.used_input)) <= MAX_LENGTH


# --- inference ------------------------------------------------------------------------------


def test_each_decoder_step_gives_the_training_models_probabilities(model, ids) -> None:
    encoder_ids, decoder_ids = ids
    full = np.asarray(model([encoder_ids, decoder_ids], training=False))
    encoder_model, decoder_model = transformer.transformer_inference_models(model)
    memory, prefix = encoder_model(encoder_ids, training=False)
    for t in range(decoder_ids.shape[1]):
        probs, prefix, weights = decoder_model(
            [tf.constant(decoder_ids[:, t:t + 1]), prefix, memory, tf.constant(encoder_ids)],
            training=False)
        np.testing.assert_allclose(np.asarray(probs)[:, -1], full[:, t], rtol=1e-4, atol=1e-5)
    assert prefix.shape == decoder_ids.shape
    weights = np.asarray(weights)[:, -1]
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert np.all(weights[encoder_ids == 0] == 0.0)


def test_the_attention_weights_are_the_last_cross_attentions_mean_over_heads(model, ids) -> None:
    encoder_ids, decoder_ids = ids
    reader = transformer.transformer_attention_weights(model)
    weights = np.asarray(reader([encoder_ids, decoder_ids]))
    last = len([n for n in (layer.name for layer in model.layers) if "cross_attention" in n]) - 1
    parts = keras.Model(model.inputs, [model.get_layer(f"decoder_{last}_norm1").output,
                                       model.get_layer(f"encoder_{last}_norm2").output,
                                       model.get_layer("cross_mask").output])
    query, memory, mask = parts([encoder_ids, decoder_ids])
    _, scores = model.get_layer(f"decoder_{last}_cross_attention")(
        query, memory, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(weights, np.asarray(scores).mean(axis=1), rtol=1e-5, atol=1e-6)


def test_it_recites_the_toy_pairs(translator) -> None:
    got = translation.translate(translator, SOURCES)
    assert [str(t.text) for t in got] == TARGETS
    assert all(t.finished for t in got)


@pytest.mark.parametrize("mode", ["greedy", "beam", "sample"])
def test_a_batch_decodes_as_one_sentence_at_a_time(translator, mode) -> None:
    texts = SOURCES + ["Be.", "Get nice!"]
    together = translation.translate(translator, texts, mode=mode, seed=3)
    alone = [translation.translate(translator, t, mode=mode, seed=3) for t in texts]
    assert [str(t.text) for t in together] == [str(t.text) for t in alone]


def test_the_attention_map_has_a_row_per_piece_written(translator, vocab) -> None:
    weights = translation.attention_map(translator, "Be nice.", "Soyez gentil !")
    assert weights.shape == (len(vocab.pieces("Soyez gentil !")) + 1,
                             len(vocab.pieces("Be nice.")))
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)


# --- files ---------------------------------------------------------------------------------


def test_a_saved_model_reloads_with_its_tokenizer_and_the_same_translations(
        translator, vocab, tmp_path) -> None:
    path = tmp_path / "toy_transformer.keras"
    manifest = models.save_translation_model(
        translator.model, path, input_vocab=vocab, target_vocab=vocab,
        max_encoder_seq_length=MAX_LENGTH, max_decoder_seq_length=MAX_LENGTH)
    assert manifest["tokenizer_file"] == "toy_transformer.sentencepiece.model"
    loaded = models.load_translation_model(path)
    assert loaded.input_vocab == vocab and loaded.target_vocab is loaded.input_vocab
    assert loaded.architecture == translator.architecture
    ids = np.array([vocab.encode("Wait!")], np.int32)
    dec = np.array([[2, *vocab.encode("Attends !")]], np.int32)
    np.testing.assert_array_equal(np.asarray(loaded.model([ids, dec])),
                                  np.asarray(translator.model([ids, dec])))
    assert ([str(t.text) for t in translation.translate(loaded, SOURCES, mode="beam")]
            == [str(t.text) for t in translation.translate(translator, SOURCES, mode="beam")])


def test_a_missing_or_changed_tokenizer_is_refused(translator, vocab, tmp_path) -> None:
    path = tmp_path / "t.keras"
    models.save_translation_model(translator.model, path, input_vocab=vocab, target_vocab=vocab,
                                  max_encoder_seq_length=MAX_LENGTH,
                                  max_decoder_seq_length=MAX_LENGTH)
    tokenizer = models.tokenizer_path(path)
    other = subwords.train_subwords(SOURCES + TARGETS, 49)
    tokenizer.write_bytes(other.model_proto)
    with pytest.raises(model_files.ModelHashMismatchError, match="not the tokenizer"):
        models.load_translation_model(path)
    tokenizer.unlink()
    with pytest.raises(model_files.ModelNotFoundError, match="needs its tokenizer"):
        models.load_translation_model(path)


def test_a_manifest_without_its_tokenizer_fields_is_refused(translator, vocab, tmp_path) -> None:
    path = tmp_path / "t.keras"
    manifest = models.save_translation_model(
        translator.model, path, input_vocab=vocab, target_vocab=vocab,
        max_encoder_seq_length=MAX_LENGTH, max_decoder_seq_length=MAX_LENGTH)
    del manifest["tokenizer_file"]
    model_files.write_manifest(path, manifest)
    with pytest.raises(model_files.ManifestError, match="names its tokenizer"):
        models.load_translation_model(path)
    assert json.loads(models.manifest_path(path).read_text())["kind"]


def test_one_shared_vocabulary_is_saved(translator, vocab, tmp_path) -> None:
    other = subwords.train_subwords([t.upper() for t in SOURCES + TARGETS] + SOURCES + TARGETS,
                                    len(vocab))
    with pytest.raises(ValueError, match="shared SubwordVocabulary"):
        models.save_translation_model(translator.model, tmp_path / "t.keras", input_vocab=vocab,
                                      target_vocab=other, max_encoder_seq_length=MAX_LENGTH,
                                      max_decoder_seq_length=MAX_LENGTH)


# --- translate()'s rules for a subword model ---------------------------------------------------


def test_characters_no_piece_holds_follow_the_rules(translator) -> None:
    with pytest.raises(translation.UnknownInputError, match="☃"):
        translation.translate(translator, "Wait ☃!")
    dropped = translation.translate(translator, "Wait ☃!", on_unknown="drop")
    assert dropped.used_input == "Wait !" and "☃" in dropped.notices[0]
    unk = translation.translate(translator, "Wait ☃!", on_unknown="unk")
    assert unk.used_input == "Wait ☃!" and unk.unknown == ["☃"]
    with pytest.raises(translation.EmptyInputError):
        translation.translate(translator, "  ")


def test_length_is_counted_in_pieces_and_a_cut_falls_between_words(translator, vocab) -> None:
    text = "Be nice. Get out! Wait! Run! Go."
    assert len(vocab.pieces(text)) > MAX_LENGTH
    with pytest.raises(translation.InputTooLongError, match="subword pieces"):
        translation.translate(translator, text)
    cut = translation.translate(translator, text, on_overflow="truncate")
    assert text.startswith(cut.used_input) and len(vocab.pieces(cut.used_input)) <= MAX_LENGTH
    assert cut.used_input in {" ".join(text.split(" ")[:n]) for n in range(1, 8)}
    assert "subword pieces" in cut.notices[-1]


def test_each_head_of_the_map_is_a_distribution_and_their_mean_is_the_map(translator) -> None:
    assert translation.attention_heads(translator) == 2
    mean = translation.attention_map(translator, "Be nice.", "Soyez gentil !")
    heads = [translation.attention_map(translator, "Be nice.", "Soyez gentil !", head=h)
             for h in range(2)]
    for weights in heads:
        assert weights.shape == mean.shape
        np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.mean(heads, axis=0), mean, rtol=1e-5, atol=1e-6)
    assert np.abs(heads[0] - heads[1]).max() > 1e-3  # the heads look at different places
    with pytest.raises(ValueError, match="head must be a head number from 0 to 1"):
        translation.attention_map(translator, "Be nice.", "Soyez gentil !", head=2)


def test_a_model_with_one_attention_has_no_heads_to_show(attention_translator) -> None:
    assert translation.attention_heads(attention_translator) == 0
    with pytest.raises(ValueError, match="not several heads"):
        translation.attention_map(attention_translator, "Go.", "Va !", head=0)


@pytest.mark.slow  # a fresh Python process imports TensorFlow
def test_a_fresh_process_loads_a_saved_transformer(translator, vocab, tmp_path) -> None:
    """Loading imports the family module the manifest names before Keras reads the file, so
    its registered layers are known (a process that never imported helpers.transformer)."""
    path = tmp_path / "fresh.keras"
    models.save_translation_model(translator.model, path, input_vocab=vocab, target_vocab=vocab,
                                  max_encoder_seq_length=MAX_LENGTH,
                                  max_decoder_seq_length=MAX_LENGTH)
    expected = str(translation.translate(translator, "Wait!").text)
    code = ("import sys; from helpers import models, translation; "
            f"t = models.load_translation_model({str(path)!r}); "
            "assert 'helpers.transformer' in sys.modules; "
            "print(translation.translate(t, 'Wait!').text)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == expected
