"""Notebook 05 writes out Luong attention, the attention training model and its inference
models in full. They must be the same code as ``helpers.layers`` / ``helpers.attention``
(compared as syntax trees, docstrings included) and behave the same given the same weights,
on the tiny models of ``tests/conftest.py``."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import attention, decoding, layers, training
from helpers import encoding as enc
from tests.conftest import MAX_OUT, TARGETS
from tests.notebook_tools import (
    arrays,
    assert_same_code,
    describe,
    optimizer_config,
    sees_a_change,
    taught,
)

HELPERS = {
    "helpers.layers.LuongAttention": layers.LuongAttention,
    "helpers.attention.build_attention_model": attention.build_attention_model,
    "helpers.attention.attention_inference_models": attention.attention_inference_models,
}


@pytest.fixture(scope="module", autouse=True)
def course_class_stays_registered():
    """The notebook's class registers itself under the course's name
    (``seq2seq_course>LuongAttention``) when its cell runs; give the name back to the package's
    class afterwards, so that models loaded by later tests are built from ``helpers.layers``."""
    yield
    keras.saving.register_keras_serializable(package="seq2seq_course")(layers.LuongAttention)


# --- (a) the same code ------------------------------------------------------------------------


@pytest.mark.parametrize("dotted", sorted(HELPERS))
def test_notebook_code_is_the_helpers_code(dotted) -> None:
    assert_same_code(dotted, HELPERS[dotted])


def test_the_code_comparison_sees_a_one_character_change() -> None:
    assert sees_a_change("helpers.layers.LuongAttention", layers.LuongAttention, "-1e9", "-1e8")


def test_the_notebook_uses_its_own_definitions() -> None:
    mine = taught("helpers.layers.LuongAttention")
    assert mine is not layers.LuongAttention and mine.__name__ == "LuongAttention"
    model = taught("helpers.attention.build_attention_model")(5, 6, latent_dim=4)
    assert type(model.get_layer("attention")) is mine  # built from the notebook's class


# --- (b) the same behaviour -------------------------------------------------------------------


@pytest.fixture
def attention_inputs():
    rng = np.random.default_rng(0)
    query = rng.normal(size=(3, 4, 6)).astype("float32")   # decoder outputs h_t
    values = rng.normal(size=(3, 5, 8)).astype("float32")  # encoder outputs: other width
    source_ids = np.array([[3, 4, 5, 6, 7], [2, 3, 0, 0, 0], [0, 0, 0, 0, 0]], np.int32)
    return query, values, source_ids


def test_luong_attention_agrees_given_the_same_weights(attention_inputs) -> None:
    query, values, source_ids = attention_inputs
    keras.utils.set_random_seed(0)
    theirs = layers.LuongAttention()
    want = arrays(theirs([query, values, source_ids]))
    keras.utils.set_random_seed(1)  # other initial weights ...
    mine = taught("helpers.layers.LuongAttention")()
    before = arrays(mine([query, values, source_ids]))
    assert not np.allclose(before[0], want[0])
    mine.set_weights(theirs.get_weights())  # ... then the same
    got = arrays(mine([query, values, source_ids]))
    assert [w.shape for w in mine.get_weights()] == [(6, 8)]
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=1e-6)
    context, weights = got
    assert weights.shape == (3, 4, 5) and context.shape == (3, 4, 8)
    np.testing.assert_allclose(weights[:2].sum(axis=-1), 1.0, atol=1e-6)
    assert (weights[1, :, 2:] == 0).all()  # padding: exactly 0
    assert (weights[2] == 0).all() and (context[2] == 0).all()  # all padding: nothing read
    np.testing.assert_allclose(context, weights @ values, atol=1e-5)


def test_luong_attention_config_shapes_and_mask_agree(attention_inputs) -> None:
    query, values, source_ids = attention_inputs
    mine_class = taught("helpers.layers.LuongAttention")
    mine, theirs = mine_class(name="attention"), layers.LuongAttention(name="attention")
    shapes = ((None, 4, 6), (None, 5, 8), (None, 5))
    assert mine.compute_output_shape(shapes) == theirs.compute_output_shape(shapes)
    assert mine.compute_mask([query, values, source_ids]) is None
    assert mine.get_config() == theirs.get_config()
    assert keras.saving.get_registered_name(mine_class) == "seq2seq_course>LuongAttention"


@pytest.fixture(scope="module")
def built(toy):
    """The notebook's model and the helpers' one, same sizes."""
    input_vocab, target_vocab, _, _ = toy
    kwargs = {"latent_dim": 32, "learning_rate": 1e-2}
    keras.utils.set_random_seed(3)
    mine = taught("helpers.attention.build_attention_model")(len(input_vocab), len(target_vocab),
                                                             **kwargs)
    theirs = attention.build_attention_model(len(input_vocab), len(target_vocab), **kwargs)
    return mine, theirs


def test_build_attention_model_same_architecture(built) -> None:
    mine, theirs = built
    assert mine.name == theirs.name
    assert describe(mine) == describe(theirs)
    assert [(t.name, tuple(t.shape), t.dtype) for t in mine.inputs] == \
        [(t.name, tuple(t.shape), t.dtype) for t in theirs.inputs]
    assert [tuple(t.shape) for t in mine.outputs] == [tuple(t.shape) for t in theirs.outputs]
    assert mine.count_params() == theirs.count_params()
    assert mine.loss is training.masked_loss and theirs.loss is training.masked_loss
    assert optimizer_config(mine) == optimizer_config(theirs)
    assert mine.get_layer("encoder_onehot").mask_zero and \
        not mine.get_layer("decoder_onehot").mask_zero


def test_build_attention_model_same_predictions_after_set_weights(built, toy,
                                                                  attention_model) -> None:
    _, _, encoder_ids, decoder_ids = toy
    mine, _ = built
    padded = np.pad(encoder_ids, ((0, 0), (0, 3)))
    before = np.asarray(mine([padded, decoder_ids], training=False))
    mine.set_weights(attention_model.get_weights())
    got = np.asarray(mine([padded, decoder_ids], training=False))
    want = np.asarray(attention_model([padded, decoder_ids], training=False))
    assert not np.allclose(before, want, atol=1e-3)
    np.testing.assert_allclose(got, want, atol=1e-6)
    # the trained toy model recites its targets: the notebook's copy does too
    assert (got.argmax(-1) == enc.shift_left(decoder_ids))[enc.shift_left(decoder_ids) != 0].all()


def test_build_attention_model_takes_a_schedule_and_rejects_what_helpers_rejects() -> None:
    mine = taught("helpers.attention.build_attention_model")
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=10)
    with_schedule = [build(5, 6, latent_dim=4, learning_rate=schedule)
                     for build in (mine, attention.build_attention_model)]
    configs = [optimizer_config(m) for m in with_schedule]
    assert configs[0] == configs[1]
    assert configs[0]["learning_rate"]["class_name"] == "CosineDecay"
    for sizes, latent_dim, bad in (((5, 6), 0, "latent_dim"), ((5, 0), 4, "num_decoder_tokens"),
                                   ((0, 6), 4, "num_encoder_tokens")):
        for build in (mine, attention.build_attention_model):
            with pytest.raises(ValueError, match=f"{bad} must be positive"):
                build(*sizes, latent_dim=latent_dim)


@pytest.fixture(scope="module")
def both_inference(attention_model):
    return (taught("helpers.attention.attention_inference_models")(attention_model),
            attention.attention_inference_models(attention_model))


def test_attention_inference_models_agree(both_inference, toy, attention_model) -> None:
    _, _, encoder_ids, decoder_ids = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both_inference
    for a, b in ((mine_enc, their_enc), (mine_dec, their_dec)):
        assert a.name == b.name
        assert [(t.name, tuple(t.shape), t.dtype) for t in a.inputs] == \
            [(t.name, tuple(t.shape), t.dtype) for t in b.inputs]
        assert [tuple(t.shape) for t in a.outputs] == [tuple(t.shape) for t in b.outputs]
    shared = {id(w) for w in attention_model.weights}
    assert all(id(w) in shared for w in mine_enc.weights + mine_dec.weights)
    padded = np.pad(encoder_ids, ((0, 0), (0, 2)))
    mine_states, their_states = arrays(mine_enc(padded)), arrays(their_enc(padded))
    assert len(mine_states) == 3
    for a, b in zip(mine_states, their_states, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    encoder_outputs, h, c = their_states
    step_in = [decoder_ids[:, :3], h, c, encoder_outputs, padded]
    got, want = arrays(mine_dec(step_in)), arrays(their_dec(step_in))
    assert len(got) == 4  # probabilities, h, c, attention weights
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    weights = got[3]
    assert weights.shape == (len(padded), 3, padded.shape[1])
    assert (weights[np.broadcast_to((padded == 0)[:, None, :], weights.shape)] == 0).all()
    # teacher-forced with the whole target, the step model gives the training model's output
    whole = arrays(mine_dec([decoder_ids, h, c, encoder_outputs, padded]))[0]
    np.testing.assert_allclose(whole, np.asarray(attention_model([padded, decoder_ids])),
                               atol=1e-5)


def test_attention_inference_models_decode_the_targets(both_inference, toy) -> None:
    _, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both_inference
    ids = np.pad(encoder_ids, ((0, 0), (0, 4)))
    got = decoding.greedy_decode(mine_enc, mine_dec, ids, target_vocab,
                                 max_decoder_seq_length=MAX_OUT)
    want = decoding.greedy_decode(their_enc, their_dec, ids, target_vocab,
                                  max_decoder_seq_length=MAX_OUT)
    assert got == want == TARGETS


def test_attention_inference_models_of_a_notebook_built_model_after_reload(tmp_path,
                                                                          toy) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    model = taught("helpers.attention.build_attention_model")(len(input_vocab),
                                                              len(target_vocab), latent_dim=8)
    path = tmp_path / "notebook_attention.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True, compile=False)
    mine = taught("helpers.attention.attention_inference_models")
    for m in (model, reloaded):
        (m_enc, m_dec), (t_enc, t_dec) = mine(m), attention.attention_inference_models(m)
        states = arrays(t_enc(encoder_ids))
        np.testing.assert_allclose(arrays(m_enc(encoder_ids))[0], states[0], atol=1e-6)
        step_in = [decoder_ids[:, :2], states[1], states[2], states[0], encoder_ids]
        for a, b in zip(arrays(m_dec(step_in)), arrays(t_dec(step_in)), strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6)
