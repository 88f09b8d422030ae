"""Long lists are decoded in chunks of a bounded size, with the same results as one batch; beam
width and the inputs of ``attention_map`` / ``character_confidences`` have stated limits, and
are refused in words past them (issue 22, item 2)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import decoding as dec
from helpers import encoding as enc
from helpers import models, translation
from tests.conftest import MAX_OUT, SOURCES

#: 13 sentences: the toy's, their pairs, and a repeat (equal sentences must sample alike).
LONG_LIST = [*SOURCES, *(f"{a} {b}" for a, b in zip(SOURCES, SOURCES[1:], strict=False)),
             SOURCES[2], "Wait! Go."][:13]


@pytest.fixture()
def batch_sizes(monkeypatch):
    """The number of sentences in every batch the decoders encode."""
    seen: list[int] = []
    encode = dec.encode

    def spy(encoder_model, encoder_ids):
        seen.append(len(encoder_ids))
        return encode(encoder_model, encoder_ids)

    monkeypatch.setattr(dec, "encode", spy)
    return seen


def run_all(translator, chunk_size, monkeypatch):
    monkeypatch.setattr(dec, "CHUNK_SIZE", chunk_size)
    texts = {mode: [t.text for t in translation.translate(
        translator, LONG_LIST, mode=mode, beam_width=3, temperature=2.0, seed=5,
        on_overflow="truncate")] for mode in ("greedy", "beam", "sample")}
    return texts


@pytest.mark.slow  # decodes a list in chunks of one and three, in every mode
def test_translate_in_chunks_gives_the_same_strings(translator, monkeypatch,
                                                    batch_sizes) -> None:
    whole = run_all(translator, 1000, monkeypatch)
    assert max(batch_sizes) == len(LONG_LIST)
    for size in (1, 3):
        batch_sizes.clear()
        assert run_all(translator, size, monkeypatch) == whole, size
        assert max(batch_sizes) <= size, size  # beam: CHUNK_SIZE // beam_width, at least 1
    assert len(set(whole["sample"])) > 1


def test_the_decoders_chunk_a_long_batch(toy, course_model, monkeypatch, batch_sizes) -> None:
    input_vocab, target_vocab, _, _ = toy
    ids = enc.encode_sequences([t[:8] for t in LONG_LIST], input_vocab)
    parts = models.inference_models(course_model)
    kwargs = {"max_decoder_seq_length": MAX_OUT}
    calls = {
        "greedy": lambda: dec.greedy_decode(*parts, ids, target_vocab, **kwargs),
        "beam": lambda: dec.beam_search(*parts, ids, target_vocab, beam_width=2,
                                        return_all=True, **kwargs),
        "sample": lambda: dec.sample_decode(*parts, ids, target_vocab, temperature=3.0, seed=2,
                                            **kwargs),
    }
    for mode, call in calls.items():
        monkeypatch.setattr(dec, "CHUNK_SIZE", 1000)
        whole = call()
        monkeypatch.setattr(dec, "CHUNK_SIZE", 4)
        batch_sizes.clear()
        chunked = call()
        assert batch_sizes and max(batch_sizes) <= 4, mode
        if mode != "beam":
            assert chunked == whole, mode
            continue
        # the beams' texts are the same; their scores, sums of float32 probabilities computed
        # in batches of another size, agree to float32 precision
        assert [[t for t, _ in b] for b in chunked] == [[t for t, _ in b] for b in whole]
        np.testing.assert_allclose([s for b in chunked for _, s in b],
                                   [s for b in whole for _, s in b], rtol=1e-5, atol=1e-7)


def test_an_unseeded_sample_draws_once_for_all_chunks(toy, course_model, monkeypatch) -> None:
    """``seed=None``: fresh randomness per call, but one stream for the whole call, so two
    equal sentences in different chunks still draw alike."""
    input_vocab, target_vocab, _, _ = toy
    ids = enc.encode_sequences(["Wait!", "Go.", "Wait!"], input_vocab)
    monkeypatch.setattr(dec, "CHUNK_SIZE", 1)
    out = dec.sample_decode(*models.inference_models(course_model), ids, target_vocab,
                            temperature=50.0, max_decoder_seq_length=MAX_OUT)
    assert out[0] == out[2]


def test_beam_width_has_a_limit(translator, toy, course_model) -> None:
    _, target_vocab, encoder_ids, _ = toy
    limit = dec.MAX_BEAM_WIDTH
    assert 16 <= limit <= 256
    assert f"at most {limit}" in dec.beam_search.__doc__.replace("\n", " ")
    with pytest.raises(ValueError, match=f"beam_width must be at most {limit}, got {limit + 1}"):
        dec.beam_search(*models.inference_models(course_model), encoder_ids, target_vocab,
                        beam_width=limit + 1, max_decoder_seq_length=MAX_OUT)
    with pytest.raises(ValueError, match=f"beam_width must be at most {limit}"):
        translation.translate(translator, "Go.", mode="beam", beam_width=100_000)


@pytest.mark.parametrize("look", ["attention_map", "character_confidences"])
def test_looking_inside_has_length_limits(look, attention_translator) -> None:
    function = getattr(translation, look)
    t = attention_translator
    longest_in, longest_out = t.max_encoder_seq_length, t.max_decoder_seq_length + 1
    assert function(t, "G" * longest_in, "V" * longest_out) is not None  # at the limits: fine
    for doc_limit in ("max_encoder_seq_length", "max_decoder_seq_length + 1"):
        assert doc_limit in function.__doc__
    with pytest.raises(translation.InputTooLongError, match=r"source has 10000 characters; "
                       rf"this model reads at most {longest_in}"):
        function(t, "G" * 10_000, "Va !")
    with pytest.raises(translation.InputTooLongError, match=r"translation has 10000 characters;"
                       rf" this model writes at most {longest_out}"):
        function(t, "Go.", "V" * 10_000)
