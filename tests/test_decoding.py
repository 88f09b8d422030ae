"""helpers.decoding: greedy, beam and sampling decoders, on tiny models trained in seconds."""

from __future__ import annotations

import copy
import pickle

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import model_files, models
from tests.conftest import MAX_OUT, TARGETS


def original_loop(encoder_model, decoder_model, encoder_ids, target_vocab, one_hot_width=None):
    out = []
    for row in encoder_ids:
        seq = row[row != 0][None, :]
        if one_hot_width:
            seq = enc.one_hot(seq, one_hot_width)
        text = dec.decode_sequence(seq, encoder_model, decoder_model, target_vocab, MAX_OUT)
        out.append(text[:-1] if text.endswith("\n") else text)
    return out


def test_course_model_learns_the_toy_set(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    assert dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             max_decoder_seq_length=MAX_OUT) == TARGETS


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_batched_greedy_equals_the_original_loop(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    batched = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                max_decoder_seq_length=MAX_OUT)
    assert batched == original_loop(encoder_model, decoder_model, encoder_ids, target_vocab)


@pytest.mark.slow  # the one-sentence loop, sentence by sentence
def test_original_layout_after_reload(toy, original_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_ids = encoder_ids[:3]  # predict() per character is slow: three sentences suffice
    encoder_model, decoder_model = models.inference_models(original_model)
    assert [len(o.shape) for o in decoder_model.outputs] == [3, 2, 2]
    looped = original_loop(encoder_model, decoder_model, encoder_ids, target_vocab,
                           one_hot_width=len(input_vocab))
    batched = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                max_decoder_seq_length=MAX_OUT)
    assert batched == looped  # equal-length groups: the unmasked encoder never sees padding


def test_padding_does_not_change_an_encoding(toy, course_model) -> None:
    _, _, encoder_ids, _ = toy
    encoder_model, _ = models.inference_models(course_model)
    padded = np.pad(encoder_ids, ((0, 0), (0, 5)))
    together = dec.encode(encoder_model, padded)
    for i, row in enumerate(encoder_ids):
        alone = dec.encode(encoder_model, row[row != 0][None, :])
        for a, b in zip(alone, together, strict=True):
            np.testing.assert_allclose(a[0], b[i], atol=1e-5)


def test_inference_models_reject_other_models() -> None:
    inputs = keras.Input(shape=(3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(model_files.WrongModelKindError, match="two inputs"):
        models.inference_models(plain)


def test_beam_search(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    greedy = dec.greedy_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                               max_decoder_seq_length=MAX_OUT)
    assert dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=1,
                           max_decoder_seq_length=MAX_OUT) == greedy
    beams = dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=3,
                            max_decoder_seq_length=MAX_OUT, return_all=True)
    for hyps in beams:
        assert len(hyps) == 3 and len({h for h, _ in hyps}) == 3  # distinct beams
        scores = [s for _, s in hyps]
        assert scores == sorted(scores, reverse=True)
    assert [hyps[0][0] for hyps in beams] == TARGETS
    with pytest.raises(ValueError, match="beam_width"):
        dec.beam_search(encoder_model, decoder_model, encoder_ids, target_vocab, beam_width=0,
                        max_decoder_seq_length=MAX_OUT)


def test_sampling(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    kwargs = {"max_decoder_seq_length": MAX_OUT}
    first = dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                              temperature=1.5, seed=7, **kwargs)
    assert first == dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                                      temperature=1.5, seed=7, **kwargs)
    cold = dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             temperature=1e-3, seed=1, **kwargs)
    assert cold == TARGETS  # almost no temperature: sampling is greedy
    assert dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab, top_k=1,
                             seed=3, **kwargs) == TARGETS
    hot = [dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                             temperature=5.0, seed=s, **kwargs) for s in range(3)]
    assert any(h != TARGETS for h in hot)
    with pytest.raises(ValueError, match="temperature"):
        dec.sample_decode(encoder_model, decoder_model, encoder_ids, target_vocab,
                          temperature=0, **kwargs)


def test_a_seeded_sample_does_not_depend_on_the_rest_of_the_batch(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)

    def sample(ids, seed=11):
        return dec.sample_decode(encoder_model, decoder_model, ids, target_vocab,
                                 temperature=3.0, seed=seed, max_decoder_seq_length=MAX_OUT)

    batch = sample(encoder_ids)
    alone = [sample(encoder_ids[row:row + 1])[0] for row in range(len(encoder_ids))]
    assert alone == batch
    assert sample(encoder_ids[::-1]) == batch[::-1]  # another order, the same samples
    assert any(sample(encoder_ids, seed=s) != batch for s in range(12, 16))  # the seed matters


def test_decoding_steps(toy, course_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    steps = dec.decoding_steps(encoder_model, decoder_model, encoder_ids[3:4, :8], target_vocab,
                               max_decoder_seq_length=MAX_OUT)
    assert steps[-1].chosen == "⏎" and steps[-1].text_so_far == TARGETS[3]
    assert all(len(s.candidates) == 5 and s.candidates[0][0] == s.chosen for s in steps)
    assert all(s.candidates[0][1] >= s.candidates[1][1] for s in steps)


def test_a_decoded_text_holds_the_ids_written_and_keeps_them_when_copied(toy,
                                                                         course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    encoder_model, decoder_model = models.inference_models(course_model)
    text = dec.greedy_decode(encoder_model, decoder_model, encoder_ids[:1], target_vocab,
                             max_decoder_seq_length=MAX_OUT)[0]
    assert text == TARGETS[0] and text.ids == tuple(target_vocab.encode(TARGETS[0]))
    pickled = [pickle.loads(pickle.dumps(text, protocol))
               for protocol in range(pickle.HIGHEST_PROTOCOL + 1)]
    for again in (copy.copy(text), copy.deepcopy(text), *pickled):
        assert type(again) is dec.Decoded and again == text
        assert again.ids == text.ids and again.stop_reason == text.stop_reason
    index = target_vocab.token_index
    a, b = target_vocab.encode("Va")
    row = np.array([index["\t"], a, 0, b, index["\n"], a])  # start, padding, stop: read as text
    decoded = dec._decoded(target_vocab, row, True)
    assert decoded == "Va" and decoded.ids == (a, b) and decoded.finished
    by_hand = dec.Decoded("Va", "length_limit")
    assert by_hand.ids is None and pickle.loads(pickle.dumps(by_hand)).ids is None
    assert dec.Decoded("Va", "stop_token", np.array([a, b])).ids == (a, b)
    assert all(type(i) is int for i in dec.Decoded("Va", "stop_token", np.array([a, b])).ids)
