"""The attention model (helpers.layers.LuongAttention, helpers.attention) and what decodes it:
padding gets no weight, padded batches decode as single sentences, a saved model reloads with
the same translations, and every input rule of ``translate`` holds for it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from helpers import attention, decoding, encoding, layers, models, translation
from helpers.layers import LuongAttention
from tests.conftest import MAX_OUT, SOURCES, TARGETS

# --- the layer ------------------------------------------------------------------------------


def test_padding_gets_exactly_zero_weight_and_rows_sum_to_one() -> None:
    rng = np.random.default_rng(0)
    query = rng.normal(size=(3, 4, 8)).astype("float32")
    values = rng.normal(size=(3, 6, 8)).astype("float32")
    ids = np.array([[5, 6, 7, 0, 0, 0], [5, 6, 7, 8, 9, 4], [3, 0, 0, 0, 0, 0]], np.int32)
    context, weights = LuongAttention()([query, values, ids])
    weights = np.asarray(weights)
    assert weights.shape == (3, 4, 6)
    assert np.all(weights[0, :, 3:] == 0.0) and np.all(weights[2, :, 1:] == 0.0)
    np.testing.assert_allclose(weights[2, :, 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(context), weights @ values, rtol=1e-5, atol=1e-6)


def test_the_layer_is_the_general_score_written_in_numpy() -> None:
    rng = np.random.default_rng(1)
    query = rng.normal(size=(2, 3, 4)).astype("float32")
    values = rng.normal(size=(2, 5, 4)).astype("float32")
    ids = np.array([[1, 2, 3, 4, 0], [1, 2, 0, 0, 0]], np.int32)
    layer = LuongAttention()
    _, weights = layer([query, values, ids])
    kernel = np.asarray(layer.kernel)
    scores = np.einsum("btq,qv,bsv->bts", query, kernel, values)
    scores = np.where(ids[:, None, :] != 0, scores, -np.inf)
    expected = np.exp(scores - scores.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(np.asarray(weights), expected, rtol=1e-5, atol=1e-7)


def test_padding_does_not_change_the_training_model_output(attention_model, toy) -> None:
    _, _, encoder_ids, decoder_ids = toy
    together = np.asarray(attention_model([encoder_ids, decoder_ids]))
    for row in range(len(encoder_ids)):
        enc = encoder_ids[row][encoder_ids[row] != 0][None, :]
        alone = np.asarray(attention_model([enc, decoder_ids[row:row + 1]]))
        np.testing.assert_allclose(alone[0], together[row], rtol=1e-5, atol=1e-6)


def test_builder_checks_its_sizes() -> None:
    with pytest.raises(ValueError, match="latent_dim must be positive"):
        attention.build_attention_model(5, 5, latent_dim=0)
    assert attention.has_attention(attention.build_attention_model(5, 6, latent_dim=4))
    assert not attention.has_attention(models.build_course_model(5, 6, latent_dim=4))


# --- decoding -----------------------------------------------------------------------------


def reference_loop(encoder_model, decoder_model, ids: np.ndarray, target_vocab) -> str:
    """The original inference loop, written out for an attention decoder: one sentence, one
    ``predict`` per character, the encoder outputs fed at every step."""
    encoder_outputs, h, c = encoder_model.predict(ids, verbose=0)
    token = target_vocab.token_index[encoding.START_TOKEN]
    text = ""
    for _ in range(MAX_OUT + 1):
        probs, h, c, _ = decoder_model.predict(
            [np.array([[token]], np.int32), h, c, encoder_outputs, ids], verbose=0)
        token = int(np.argmax(probs[0, -1]))
        if target_vocab.tokens[token] == encoding.STOP_TOKEN:
            break
        text += target_vocab.tokens[token]
    return text


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_batched_greedy_equals_the_one_sentence_loop(attention_translator, toy) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = decoding.inference_models_for(attention_translator.model)
    batched = decoding.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                     max_decoder_seq_length=MAX_OUT)
    loop = [reference_loop(encoder_model, decoder_model, row[row != 0][None, :], target_vocab)
            for row in encoder_ids]
    assert batched == loop == TARGETS


def test_a_padded_batch_decodes_as_single_sentences(attention_translator) -> None:
    texts = ["Be nice.", "Go.", "Get out!", "Hi."]
    for mode in ("greedy", "beam"):
        together = [t.text for t in translation.translate(attention_translator, texts, mode=mode)]
        alone = [translation.translate(attention_translator, t, mode=mode).text for t in texts]
        assert together == alone, mode
    sampled = [t.text for t in translation.translate(attention_translator, texts, mode="sample",
                                                  seed=3)]
    assert len(sampled) == len(texts)


def test_save_and_reload_with_safe_mode_gives_identical_translations(
        attention_translator, toy, tmp_path) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    path = tmp_path / "attention.keras"
    models.save_translation_model(
        attention_translator.model, path, input_vocab=input_vocab, target_vocab=target_vocab,
        max_encoder_seq_length=encoder_ids.shape[1], max_decoder_seq_length=decoder_ids.shape[1])
    reloaded = models.load_translation_model(path)  # safe_mode=True inside
    assert isinstance(reloaded.model.get_layer("attention"), LuongAttention)
    for mode in ("greedy", "beam"):
        before = [t.text for t in translation.translate(attention_translator, SOURCES, mode=mode)]
        after = [t.text for t in translation.translate(reloaded, SOURCES, mode=mode)]
        assert before == after
    plain = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(np.asarray(plain([encoder_ids, decoder_ids])),
                                  np.asarray(attention_translator.model([encoder_ids,
                                                                         decoder_ids])))


def test_attention_map_is_what_greedy_decoding_used(attention_translator, toy) -> None:
    input_vocab, target_vocab, _, _ = toy
    source = "Be nice."
    french = translation.translate(attention_translator, source).text
    weights = translation.attention_map(attention_translator, source, french)
    assert weights.shape == (len(french) + 1, len(source))
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    encoder_model, decoder_model = decoding.inference_models_for(attention_translator.model)
    steps = decoding.decoding_steps(encoder_model, decoder_model,
                                    np.array([input_vocab.encode(source)]), target_vocab,
                                    max_decoder_seq_length=MAX_OUT)
    np.testing.assert_allclose(np.array([s.attention for s in steps]), weights, atol=1e-5)


def test_attention_map_refuses_what_it_cannot_show(attention_translator, translator) -> None:
    with pytest.raises(TypeError, match="no attention layer"):
        translation.attention_map(translator, "Go.", "Va !")
    with pytest.raises(TypeError, match="source must be a str"):
        translation.attention_map(attention_translator, None, "Va !")
    with pytest.raises(translation.EmptyInputError):
        translation.attention_map(attention_translator, "", "Va !")


def test_every_input_rule_of_translate_holds(attention_translator) -> None:
    t = attention_translator
    with pytest.raises(translation.EmptyInputError):
        translation.translate(t, "   ")
    with pytest.raises(translation.EmptyInputError):
        translation.translate(t, [])
    with pytest.raises(translation.UnknownInputError, match="'€'"):
        translation.translate(t, "Go €.")
    dropped = translation.translate(t, "Go€.", on_unknown="drop")
    assert dropped.used_input == "Go." and dropped.notices
    assert translation.translate(t, "Go\t\n.", on_unknown="drop").used_input == "Go ."
    too_long = "Be nice. " * 5
    with pytest.raises(translation.InputTooLongError):
        translation.translate(t, too_long)
    cut = translation.translate(t, too_long, on_overflow="truncate")
    assert len(cut.used_input) <= t.max_encoder_seq_length and cut.notices
    with pytest.raises(TypeError):
        translation.translate(t, 42)
    with pytest.raises(ValueError, match="mode"):
        translation.translate(t, "Go.", mode="fast")


# --- training under a tf.distribute strategy ------------------------------------------------

DISTRIBUTED = textwrap.dedent("""
    import os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from helpers import attention, data, training
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    prepared = training.prepare_translation_data(data.load_fra_eng(400))
    with strategy.scope():
        model = attention.build_attention_model(len(prepared.input_vocab),
                                                len(prepared.target_vocab), latent_dim=16)
    run = training.train_course(model, prepared, epochs=1, batch_size=64, strategy=strategy,
                                verbose=0)
    plain = attention.build_attention_model(len(prepared.input_vocab),
                                            len(prepared.target_vocab), latent_dim=16)
    kernel = model.get_layer("decoder_lstm").weights[0]
    print("replicas", strategy.num_replicas_in_sync)
    print("mirrored", type(kernel.value).__name__)
    print("same layers", [l.name for l in model.layers] == [l.name for l in plain.layers])
    print("same params", model.count_params() == plain.count_params())
    print("epochs", len(run.rows), "finite", bool(run.rows[0]["heldout_loss"] < 10))
    try:
        training.train_course(plain, prepared, epochs=1, strategy=strategy, verbose=0)
    except ValueError as exc:
        print("refused", "strategy.scope()" in str(exc))
""")


@pytest.mark.slow  # a subprocess trains
def test_train_course_runs_under_a_mirrored_strategy_on_two_cpu_devices() -> None:
    out = subprocess.run([sys.executable, "-c", DISTRIBUTED], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert "replicas 2" in lines
    assert "mirrored MirroredVariable" in lines
    assert "same layers True" in lines and "same params True" in lines
    assert "epochs 1 finite True" in lines
    assert "refused True" in lines


def test_train_course_refuses_a_strategy_that_is_not_one(course_model, toy) -> None:
    from helpers import data, training

    prepared = training.prepare_translation_data(data.load_fra_eng(200))
    model = models.build_course_model(len(prepared.input_vocab), len(prepared.target_vocab),
                                      latent_dim=4)
    with pytest.raises(TypeError, match="tf.distribute.Strategy"):
        training.train_course(model, prepared, epochs=1, strategy="mirrored", verbose=0)


def test_has_attention_recognises_a_notebook_copy_of_the_layer() -> None:
    """A class written out in a notebook registers under the same name; models built from it,
    which carry no architecture record, are still attention models (else translate would pick
    the wrong inference models)."""
    register = keras.saving.register_keras_serializable(package="seq2seq_course")
    try:
        @register
        class LuongAttention(keras.layers.Layer):  # noqa: N801  (as a notebook cell writes it)
            def call(self, inputs):
                return inputs[0]

        source = keras.Input((None,), dtype="int32", name="encoder_inputs")
        target = keras.Input((None,), dtype="int32", name="decoder_inputs")
        encoded = layers.OneHot(5, name="encoder_onehot")(source)
        decoded = keras.layers.LSTM(4, return_sequences=True, name="decoder_lstm")(
            layers.OneHot(6, name="decoder_onehot")(target))
        attended = LuongAttention(name="attention")([decoded, encoded])
        model = keras.Model([source, target],
                            keras.layers.Dense(6, name="decoder_dense")(attended))
        assert attention.has_attention(model)
    finally:
        register(layers.LuongAttention)
    plain = keras.Input((3,))
    with pytest.raises(ValueError, match="two inputs"):
        attention.has_attention(keras.Model(plain, keras.layers.Dense(2)(plain)))
    assert not attention.has_attention(models.build_course_model(5, 6, latent_dim=4))
