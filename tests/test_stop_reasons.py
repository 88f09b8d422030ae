"""Every decoding result says why decoding stopped: the stop token, or the length limit (the
model never ended the sentence). ``translate`` says so in a notice, and an evaluation can count
the translations that never finished (issue 22, item 1)."""

from __future__ import annotations

import copy
import json
import pickle

import keras
import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import evaluation as ev
from helpers import models, translation
from tests.conftest import MAX_OUT, SOURCES, TARGETS

FINISHED, CUT = "stop_token", "length_limit"


def without_stop(model: keras.Model, target_vocab: enc.Vocabulary) -> keras.Model:
    """``model`` with its stop token (and padding, unknown and start, which decoding does not
    write out) made all but impossible: it writes characters and never ends a sentence."""
    dense = model.get_layer("decoder_dense")
    kernel, bias = dense.get_weights()
    index = target_vocab.token_index
    bias[[enc.PAD_INDEX, enc.UNK_INDEX, index[enc.START_TOKEN], index[enc.STOP_TOKEN]]] = -100.0
    dense.set_weights([kernel, bias])
    return model


@pytest.fixture(scope="module")
def never_stops(toy):
    """A tiny untrained course model that never writes the stop token, whose input vocabulary
    has the letters of "very", and which reads up to 300 characters."""
    _, target_vocab, _, _ = toy
    input_vocab = enc.build_vocabulary([*SOURCES, "very "])
    keras.utils.set_random_seed(3)
    model = models.build_course_model(len(input_vocab), len(target_vocab), latent_dim=8)
    return models.TranslationModel(without_stop(model, target_vocab), input_vocab, target_vocab,
                                   {"max_encoder_seq_length": 300,
                                    "max_decoder_seq_length": MAX_OUT})


def decoders(encoder_model, decoder_model, ids, vocab, **kwargs):
    kwargs = {"max_decoder_seq_length": MAX_OUT, **kwargs}
    return {
        "greedy": dec.greedy_decode(encoder_model, decoder_model, ids, vocab, **kwargs),
        "beam": dec.beam_search(encoder_model, decoder_model, ids, vocab, beam_width=2,
                                **kwargs),
        "sample": dec.sample_decode(encoder_model, decoder_model, ids, vocab, temperature=1e-3,
                                    seed=0, **kwargs),
    }


def test_finished_decodings_say_they_met_the_stop_token(toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    for mode, outputs in decoders(*models.inference_models(course_model), encoder_ids,
                                  target_vocab).items():
        assert outputs == TARGETS, mode  # still strings, equal to plain ones
        assert [o.stop_reason for o in outputs] == [FINISHED] * len(TARGETS), mode
        assert all(o.finished for o in outputs), mode


def test_decodings_cut_by_the_length_limit_say_so(toy, never_stops) -> None:
    _, target_vocab, _, _ = toy
    ids = np.array([never_stops.input_vocab.encode("very very")], np.int32)
    for mode, outputs in decoders(*models.inference_models(never_stops.model), ids,
                                  target_vocab).items():
        assert [o.stop_reason for o in outputs] == [CUT], mode
        assert len(outputs[0]) == MAX_OUT + 1 and not outputs[0].finished, mode


def test_every_beam_says_why_it_stopped(toy, course_model, never_stops) -> None:
    _, target_vocab, encoder_ids, _ = toy
    beams = dec.beam_search(*models.inference_models(course_model), encoder_ids, target_vocab,
                            beam_width=2, max_decoder_seq_length=MAX_OUT, return_all=True)
    assert all(text.stop_reason == FINISHED for hyps in beams for text, _ in hyps[:1])
    ids = np.array([never_stops.input_vocab.encode("very")], np.int32)
    cut = dec.beam_search(*models.inference_models(never_stops.model), ids, target_vocab,
                          beam_width=2, max_decoder_seq_length=MAX_OUT, return_all=True)
    assert {text.stop_reason for text, _ in cut[0]} == {CUT}


def test_the_original_loop_says_why_it_stopped(toy, course_model, never_stops) -> None:
    _, target_vocab, encoder_ids, _ = toy
    seq = encoder_ids[:1, :len(SOURCES[0])]
    done = dec.decode_sequence(seq, *models.inference_models(course_model), target_vocab, MAX_OUT)
    assert done == TARGETS[0] + "\n" and done.stop_reason == FINISHED
    seq = np.array([never_stops.input_vocab.encode("very")], np.int32)
    cut = dec.decode_sequence(seq, *models.inference_models(never_stops.model), target_vocab, 5)
    assert len(cut) == 6 and cut.stop_reason == CUT


@pytest.mark.slow  # decodes to the length limit in every mode
def test_a_translation_that_never_finishes_has_a_notice(never_stops) -> None:
    for mode in ("greedy", "beam", "sample"):
        result = translation.translate(never_stops, "very " * 50, mode=mode, seed=1)
        assert result.stop_reason == CUT and not result.finished, mode
        assert result.text.stop_reason == CUT, mode
        assert len(result.notices) == 1, mode
        notice = result.notices[0]
        assert "did not finish" in notice and f"{MAX_OUT + 1} characters" in notice, mode
        assert "cut" in notice, mode


def test_a_lowered_decoder_length_gives_the_notice(toy, course_model) -> None:
    input_vocab, target_vocab, encoder_ids, _ = toy
    short = models.TranslationModel(course_model, input_vocab, target_vocab, {
        "max_encoder_seq_length": encoder_ids.shape[1], "max_decoder_seq_length": 3})
    result = translation.translate(short, "Be nice.")
    assert result.text == TARGETS[3][:4] and result.stop_reason == CUT
    assert len(result.notices) == 1 and "did not finish" in result.notices[0]


def test_a_normal_translation_has_no_notice(translator) -> None:
    one = translation.translate(translator, "Be nice.")
    assert one.text == "Soyez gentil !" and one.notices == [] and one.stop_reason == FINISHED
    assert one.finished
    many = translation.translate(translator, SOURCES, mode="beam", beam_width=2)
    assert all(t.finished and not t.notices for t in many)


def test_unfinished_translations_can_be_counted(translator, never_stops) -> None:
    done = translation.translate(translator, SOURCES)
    cut = translation.translate(never_stops, ["very", "very very"])
    assert translation.unfinished(done) == []
    assert translation.unfinished(done + cut) == cut
    # what an evaluation keeps (texts) still knows: the course's scorer keeps t.text
    run = lambda texts: [t.text for t in translation.translate(never_stops, texts)]  # noqa: E731
    result = ev.evaluate(run, ["very", "very very", "very"], [["Très"]] * 3)
    assert len(translation.unfinished(result.outputs)) == 3
    assert translation.unfinished(["plain text, reason unknown"]) == []
    with pytest.raises(TypeError, match="results must be a list"):
        translation.unfinished("abc")


def test_a_decoded_text_keeps_its_reason_when_copied_or_pickled() -> None:
    text = dec.Decoded("Très très", "length_limit")
    for again in (copy.copy(text), copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert again == "Très très" and again.stop_reason == CUT and not again.finished
    assert json.dumps([text]) == '["Tr\\u00e8s tr\\u00e8s"]'
    assert type(text.upper()) is str  # string methods give plain text, which no longer says
    with pytest.raises(ValueError, match="stop_reason must be 'stop_token' or 'length_limit'"):
        dec.Decoded("x", "repetition")
