"""Wrong arguments to the public functions, as a hostile user types them: each gets the
package's own sentence naming the argument, never a raw Python or TensorFlow message, and never
a silently wrong result."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checks, data, decoding, encoding, evaluation, models, translation, widgets


@pytest.fixture(scope="module")
def parts(translator):
    encoder_model, decoder_model = models.inference_models(translator.model)
    return translator, encoder_model, decoder_model


def test_the_checks_themselves() -> None:
    assert checks.check_count("n", 3) == 3 and checks.check_count("n", np.int64(2)) == 2
    for bad, error in [(True, TypeError), (2.5, TypeError), ("3", TypeError), (0, ValueError)]:
        with pytest.raises(error, match="n must be"):
            checks.check_count("n", bad)
    with pytest.raises(TypeError, match="latent_dim must be a positive number"):
        checks.check_positive(latent_dim="8")
    with pytest.raises(ValueError, match="latent_dim must be positive"):
        checks.check_positive(latent_dim=0)
    assert checks.check_texts("texts", ("a", "b")) == ["a", "b"]
    assert checks.check_ids("ids", np.array([[1.0, 2.0]]), 3).dtype == np.int32


def decoder_calls(parts):
    translator, encoder_model, decoder_model = parts
    vocab, ids = translator.target_vocab, np.array([[3, 4]])
    size = len(translator.input_vocab)
    return [
        ("encoder_ids must be a 2-D array", lambda: decoding.greedy_decode(
            encoder_model, decoder_model, ["Go."], vocab, max_decoder_seq_length=5)),
        ("max_decoder_seq_length must be at least 1", lambda: decoding.greedy_decode(
            encoder_model, decoder_model, ids, vocab, max_decoder_seq_length=0)),
        ("whole-number token ids", lambda: decoding.greedy_decode(
            encoder_model, decoder_model, np.array([[3.5, 4]]), vocab, max_decoder_seq_length=5)),
        (f"outside the model's vocabulary of {size}", lambda: decoding.greedy_decode(
            encoder_model, decoder_model, np.array([[size, 4]]), vocab, max_decoder_seq_length=5)),
        ("outside the model's vocabulary", lambda: decoding.beam_search(
            encoder_model, decoder_model, np.array([[-1, 4]]), vocab, max_decoder_seq_length=5)),
        ("beam_width must be a whole number", lambda: decoding.beam_search(
            encoder_model, decoder_model, ids, vocab, beam_width="3", max_decoder_seq_length=5)),
        ("top_k must be a whole number", lambda: decoding.sample_decode(
            encoder_model, decoder_model, ids, vocab, top_k=2.5, max_decoder_seq_length=5)),
        ("temperature must be a positive number", lambda: decoding.sample_decode(
            encoder_model, decoder_model, ids, vocab, temperature="hot",
            max_decoder_seq_length=5)),
        ("input_seq must hold one sentence", lambda: decoding.decode_sequence(
            np.array([[3, 4], [3, 4]]), encoder_model, decoder_model, vocab, 5)),
        ("input_seq must be a 2-D array", lambda: decoding.decode_sequence(
            np.array([3, 4]), encoder_model, decoder_model, vocab, 5)),
    ]


@pytest.mark.parametrize("index", range(10))
def test_decoders_refuse_bad_ids_and_settings(parts, index) -> None:
    message, call = decoder_calls(parts)[index]
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_translate_and_the_widgets_refuse_what_is_not_a_model(translator) -> None:
    for call in (lambda: translation.translate("model", "Go."),
                 lambda: translation.character_confidences(None, "Go.", "Va !"),
                 lambda: widgets.Translator(None), lambda: widgets.StepThrough("model")):
        with pytest.raises(TypeError, match="translator must be a TranslationModel"):
            call()
    with pytest.raises(TypeError, match="beam_width must be a whole number"):
        translation.translate(translator, "Go.", mode="beam", beam_width="3")


def test_files_data_encoding_and_scores_refuse_the_wrong_kind_of_argument(translator) -> None:
    cases = [
        ("path must be a str or Path", lambda: models.load_translation_model(42)),
        ("pairs must be a list of", lambda: data.split_pairs(None)),
        (r"pairs\[1\] must be an \(english, french\) pair", lambda: data.split_pairs(
            [("Go.", "Va !"), "Hi."])),
        (r"texts must be a list of strings, not str \(wrap one sentence",
         lambda: encoding.encode_sequences("Go.", translator.input_vocab)),
        (r"texts\[1\] must be a str", lambda: encoding.encode_sequences(
            ["Go.", 2], translator.input_vocab)),
        ("texts must be a list of strings, not NoneType", lambda: encoding.build_vocabulary(None)),
        (r"references\[0\] is a str", lambda: evaluation.corpus_scores(["abc"], ["abc"])),
        (r"references\[0\] is empty", lambda: evaluation.corpus_scores(["abc"], [[]])),
        ("hypotheses must be a list of strings", lambda: evaluation.corpus_scores("abc", [["a"]])),
        ("hypothesis must be a str", lambda: evaluation.sentence_chrf(1, ["a"])),
    ]
    for message, call in cases:
        with pytest.raises((TypeError, ValueError), match=message):
            call()
    # the same calls, right: a bare string reference used to score against its characters
    assert evaluation.corpus_scores(["abc"], [["abc"]]).exact_match == 100.0
