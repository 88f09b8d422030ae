"""Notebook 04 writes out the inference models and the decoders in full; its versions must give
the same states, probabilities and strings as ``helpers.models`` / ``helpers.decoding`` on the
tiny trained models of ``tests/conftest.py``."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import decoding, models
from tests.conftest import MAX_OUT, SOURCES, TARGETS
from tests.notebook_tools import taught


@pytest.fixture(scope="module")
def both(course_model):
    """The notebook's inference models and the helpers' ones, from the same trained model."""
    return taught("helpers.models.inference_models")(course_model), \
        models.inference_models(course_model)


@pytest.fixture(scope="module")
def untrained(toy):
    """A course model that was never trained: its outputs rarely stop before the limit."""
    input_vocab, target_vocab, _, _ = toy
    keras.utils.set_random_seed(1)
    model = models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=8)
    return models.inference_models(model)


def padded(encoder_ids: np.ndarray, extra: int = 3) -> np.ndarray:
    return np.pad(encoder_ids, ((0, 0), (0, extra)))


def test_inference_models_agree(toy, both) -> None:
    _, target_vocab, encoder_ids, decoder_ids = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both
    assert [tuple(t.shape) for t in mine_dec.inputs] == [tuple(t.shape) for t in their_dec.inputs]
    mine_states = mine_enc(encoder_ids, training=False)
    their_states = their_enc(encoder_ids, training=False)
    for a, b in zip(mine_states, their_states, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    step_in = [decoder_ids[:, :3], *(np.asarray(s) for s in their_states)]
    for a, b in zip(mine_dec(step_in, training=False), their_dec(step_in, training=False),
                    strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    assert len(target_vocab) == mine_dec.outputs[0].shape[-1]


def test_inference_models_after_reload_and_for_the_original_layout(tmp_path) -> None:
    mine = taught("helpers.models.inference_models")
    keras.utils.set_random_seed(0)
    original = models.build_original_model(7, 9, latent_dim=8)  # named layers, one-hot inputs
    path = tmp_path / "original.keras"
    original.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    rng = np.random.default_rng(0)
    x = keras.utils.to_categorical(rng.integers(0, 7, (2, 4)), 7)
    y = keras.utils.to_categorical(rng.integers(0, 9, (2, 3)), 9)
    for model in (original, reloaded):
        (m_enc, m_dec), (t_enc, t_dec) = mine(model), models.inference_models(model)
        states = [np.asarray(s) for s in t_enc(x, training=False)]
        np.testing.assert_allclose(np.asarray(m_enc(x, training=False)[0]),
                                   np.asarray(states[0]), atol=1e-6)
        np.testing.assert_allclose(np.asarray(m_dec([y, *states], training=False)[0]),
                                   np.asarray(t_dec([y, *states], training=False)[0]), atol=1e-6)


def test_inference_models_reject_what_helpers_rejects() -> None:
    inputs = keras.Input(shape=(3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError):
        taught("helpers.models.inference_models")(plain)
    with pytest.raises(ValueError):
        models.inference_models(plain)


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_decode_sequence_agrees(toy, both) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both
    mine = taught("helpers.decoding.decode_sequence")
    for row in encoder_ids[:3]:
        seq = row[row != 0][None, :]
        got = mine(seq, mine_enc, mine_dec, target_vocab, MAX_OUT)
        want = decoding.decode_sequence(seq, their_enc, their_dec, target_vocab, MAX_OUT)
        assert got == want
        assert got.endswith("\n")  # with its stop token, as the original
    for i in (0, 3):
        seq = encoder_ids[i:i + 1, :len(SOURCES[i])]
        assert mine(seq, mine_enc, mine_dec, target_vocab, MAX_OUT) == TARGETS[i] + "\n"


def test_decode_sequence_agrees_when_it_never_stops(toy, untrained) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = untrained
    seq = encoder_ids[:1, :3]
    got = taught("helpers.decoding.decode_sequence")(seq, encoder_model, decoder_model,
                                                     target_vocab, 6)
    assert got == decoding.decode_sequence(seq, encoder_model, decoder_model, target_vocab, 6)


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_decode_sequence_agrees_on_the_original_one_hot_model(toy, original_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(original_model)
    seq = keras.utils.to_categorical(encoder_ids[3:4, :len(SOURCES[3])], len(input_vocab))
    got = taught("helpers.decoding.decode_sequence")(seq, encoder_model, decoder_model,
                                                     target_vocab, MAX_OUT)
    assert got == decoding.decode_sequence(seq, encoder_model, decoder_model, target_vocab, MAX_OUT)


@pytest.mark.parametrize("extra", [0, 4])
def test_greedy_decode_agrees(toy, both, extra) -> None:
    _, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both
    ids = padded(encoder_ids, extra)
    got = taught("helpers.decoding.greedy_decode")(mine_enc, mine_dec, ids, target_vocab,
                                                   max_decoder_seq_length=MAX_OUT)
    want = decoding.greedy_decode(their_enc, their_dec, ids, target_vocab,
                                  max_decoder_seq_length=MAX_OUT)
    assert got == want == TARGETS  # no trailing "\n"


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_greedy_decode_agrees_with_the_loop_and_on_an_untrained_model(toy, both,
                                                                     untrained) -> None:
    _, target_vocab, encoder_ids, _ = toy
    mine = taught("helpers.decoding.greedy_decode")
    (mine_enc, mine_dec), _ = both
    loop = [taught("helpers.decoding.decode_sequence")(row[row != 0][None, :], mine_enc, mine_dec,
                                                       target_vocab, MAX_OUT).removesuffix("\n")
            for row in encoder_ids[:2]]
    assert mine(mine_enc, mine_dec, encoder_ids[:2], target_vocab,
                max_decoder_seq_length=MAX_OUT) == loop
    encoder_model, decoder_model = untrained
    kwargs = {"max_decoder_seq_length": 7}
    got = mine(encoder_model, decoder_model, encoder_ids, target_vocab, **kwargs)
    assert got == decoding.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                         **kwargs)


@pytest.mark.parametrize("beam_width", [1, 2, 3])
def test_beam_search_agrees(toy, both, beam_width) -> None:
    _, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both
    mine = taught("helpers.decoding.beam_search")
    ids = padded(encoder_ids)
    kwargs = {"beam_width": beam_width, "max_decoder_seq_length": MAX_OUT}
    assert mine(mine_enc, mine_dec, ids, target_vocab, **kwargs) == \
        decoding.beam_search(their_enc, their_dec, ids, target_vocab, **kwargs)
    for penalty in (0.0, 1.0):
        got = mine(mine_enc, mine_dec, ids, target_vocab, length_penalty=penalty,
                   return_all=True, **kwargs)
        want = decoding.beam_search(their_enc, their_dec, ids, target_vocab,
                                    length_penalty=penalty, return_all=True, **kwargs)
        assert [[t for t, _ in beams] for beams in got] == [[t for t, _ in beams] for beams in want]
        np.testing.assert_allclose([s for beams in got for _, s in beams],
                                   [s for beams in want for _, s in beams], rtol=1e-5)


def test_beam_search_agrees_on_an_untrained_model_and_rejects_zero_width(toy, untrained) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = untrained
    mine = taught("helpers.decoding.beam_search")
    kwargs = {"beam_width": 3, "max_decoder_seq_length": 6, "return_all": True}
    got = mine(encoder_model, decoder_model, encoder_ids, target_vocab, **kwargs)
    want = decoding.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, **kwargs)
    assert [[t for t, _ in b] for b in got] == [[t for t, _ in b] for b in want]
    for search in (mine, decoding.beam_search):
        with pytest.raises(ValueError, match="beam_width"):
            search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=0,
                   max_decoder_seq_length=6)


@pytest.mark.parametrize(("temperature", "top_k", "seed"),
                         [(1.0, None, 0), (1.5, None, 7), (5.0, None, 3), (2.0, 2, 1),
                          (1e-3, None, 5)])
def test_sample_decode_agrees(toy, both, temperature, top_k, seed) -> None:
    _, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), (their_enc, their_dec) = both
    ids = padded(encoder_ids)
    kwargs = {"max_decoder_seq_length": MAX_OUT, "temperature": temperature, "top_k": top_k,
              "seed": seed}
    got = taught("helpers.decoding.sample_decode")(mine_enc, mine_dec, ids, target_vocab, **kwargs)
    assert got == decoding.sample_decode(their_enc, their_dec, ids, target_vocab, **kwargs)


def test_sample_decode_is_random_and_rejects_bad_arguments(toy, both) -> None:
    _, target_vocab, encoder_ids, _ = toy
    (mine_enc, mine_dec), _ = both
    mine = taught("helpers.decoding.sample_decode")
    hot = {tuple(mine(mine_enc, mine_dec, encoder_ids, target_vocab, max_decoder_seq_length=MAX_OUT,
                      temperature=5.0, seed=s)) for s in range(3)}
    assert len(hot) > 1  # different seeds, different draws
    with pytest.raises(ValueError, match="temperature"):
        mine(mine_enc, mine_dec, encoder_ids, target_vocab, max_decoder_seq_length=MAX_OUT,
             temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        mine(mine_enc, mine_dec, encoder_ids, target_vocab, max_decoder_seq_length=MAX_OUT,
             top_k=0)
