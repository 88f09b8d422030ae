"""Wrong arguments to the public functions, as a hostile user types them: each gets the
package's own sentence naming the argument, never a raw Python or TensorFlow message, and never
a silently wrong result."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from helpers import checks, data, decoding, encoding, evaluation, models, translation, widgets
from tests.conftest import MAX_OUT, SOURCES, TARGETS


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


def test_numpy_numbers_pass_where_python_numbers_do() -> None:
    for value in (np.int64(5), np.int32(5), np.uint8(5)):
        assert checks.check_count("n", value) == 5 and type(checks.check_count("n", value)) is int
        assert checks.check_optional_count("num_samples", value) == 5
    assert checks.check_optional_count("num_samples", None) is None
    checks.check_positive(temperature=np.float32(0.5), latent_dim=np.int64(8))
    for value in (0.25, np.float64(0.25), np.float32(0.25)):
        assert checks.check_fraction("f", value) == 0.25
        assert type(checks.check_fraction("f", value)) is float
    assert checks.check_fraction("f", np.int64(0)) == 0.0


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: checks.check_count("n", np.bool_(True)), TypeError, "n must be a whole number"),
    (lambda: checks.check_count("n", np.float64(2.0)), TypeError, "n must be a whole number"),
    (lambda: checks.check_optional_count("num_samples", "10"), TypeError,
     r"num_samples must be a whole number or None, not '10'"),
    (lambda: checks.check_optional_count("num_samples", np.int64(0)), ValueError,
     "num_samples must be at least 1, got 0"),
    (lambda: checks.check_fraction("f", "0.1"), TypeError,
     r"f must be a number from 0 up to \(not including\) 1, not '0.1'"),
    (lambda: checks.check_fraction("f", False), TypeError, "f must be a number"),
    (lambda: checks.check_fraction("f", np.float64("nan")), ValueError, "f must be from 0 up to"),
    (lambda: checks.check_fraction("f", 1.0), ValueError, "f must be from 0 up to"),
    (lambda: checks.check_fraction("f", -0.5), ValueError, "f must be from 0 up to"),
])
def test_number_checks_name_the_argument_and_what_it_accepts(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_paths_too_long_for_the_system_are_refused_in_words(tmp_path) -> None:
    assert checks.check_path("path", "models/x.keras") == Path("models/x.keras")
    assert checks.check_path("path", tmp_path) == tmp_path
    deep = Path(*["d" * 100] * 20) / "model.keras"  # 2,000 characters: legal on every system
    assert checks.check_path("path", deep) == deep
    for bad, message in [
        ("x" * 5000, r"path has a name of 5000 bytes \(xxxx.*at most 255"),
        ("models/" + "é" * 200 + ".keras", r"path has a name of 406 bytes"),
        (str(Path(*["d" * 200] * 30)), r"path is 6029 bytes long; .*at most \d+"),
        ("a\x00b.keras", r"path contains a NUL character"),
        ("", r"path is empty"),
        ("\ud800.keras", r"path holds a character no file name can hold"),
    ]:
        with pytest.raises(ValueError, match=message):
            checks.check_path("path", bad, what="a .keras file")
    with pytest.raises(TypeError, match="path must be a str or Path to a .keras file, not int"):
        checks.check_path("path", 42, what="a .keras file")
    with pytest.raises(TypeError, match="path must be a str or Path to a file, not bytes"):
        checks.check_path("path", b"x.keras")


def test_a_5000_character_path_is_what_the_system_refuses_raw() -> None:
    # What the check stands in front of: the operating system's own error.
    with pytest.raises(OSError, match="too long"):
        Path("x" * 5000).is_file()


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
        ("temperature must be a positive, finite number", lambda: decoding.sample_decode(
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


# --- issue 22: the decoders' settings, in the course's words ----------------------------------


def sampling_call(parts, **settings):
    translator, encoder_model, decoder_model = parts
    ids = translator.input_vocab.encode("Go.")
    return lambda: decoding.sample_decode(encoder_model, decoder_model, np.array([ids]),
                                          translator.target_vocab, max_decoder_seq_length=5,
                                          **settings)


@pytest.mark.parametrize(("settings", "error", "message"), [
    ({"seed": 1.5}, TypeError, "seed must be a whole number or None, not 1.5"),
    ({"seed": "abc"}, TypeError, "seed must be a whole number or None, not 'abc'"),
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"seed": True}, TypeError, "seed must be a whole number or None"),
    ({"temperature": float("inf")}, ValueError,
     "temperature must be a positive, finite number, got inf"),
    ({"temperature": float("nan")}, ValueError,
     "temperature must be a positive, finite number, got nan"),
    ({"temperature": -1}, ValueError, "temperature must be a positive, finite number"),
    ({"temperature": "hot"}, TypeError, "temperature must be a positive, finite number"),
])
def test_sampling_settings_are_checked_in_words(parts, settings, error, message) -> None:
    with pytest.raises(error, match=message):
        sampling_call(parts, **settings)()


def test_sampling_accepts_numpy_numbers(parts) -> None:
    a = sampling_call(parts, seed=np.int64(3), temperature=np.float32(2.0))()
    assert a == sampling_call(parts, seed=3, temperature=2.0)()
    assert isinstance(sampling_call(parts, seed=2**80)()[0], str)  # any whole number ≥ 0


@pytest.mark.parametrize("temperature", [1e-30, 1e-300, 5e-324])
def test_tiny_temperatures_sample_like_greedy_decoding(parts, temperature) -> None:
    translator, encoder_model, decoder_model = parts
    ids = enc_ids(translator, SOURCES)
    greedy = decoding.greedy_decode(encoder_model, decoder_model, ids, translator.target_vocab,
                                    max_decoder_seq_length=MAX_OUT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy "invalid value" warning either
        sampled = decoding.sample_decode(encoder_model, decoder_model, ids,
                                         translator.target_vocab, temperature=temperature,
                                         seed=0, max_decoder_seq_length=MAX_OUT)
    assert sampled == greedy == TARGETS


def enc_ids(translator, texts):
    return encoding.encode_sequences(list(texts), translator.input_vocab)


@pytest.mark.parametrize(("penalty", "error", "message"), [
    (-5, ValueError, r"length_penalty must be a number from 0 to 5, got -5"),
    (float("nan"), ValueError, r"length_penalty must be a number from 0 to 5, got nan"),
    (6, ValueError, r"length_penalty must be a number from 0 to 5, got 6"),
    ("1", TypeError, r"length_penalty must be a number from 0 to 5, not '1'"),
])
def test_beam_search_checks_its_length_penalty(parts, penalty, error, message) -> None:
    translator, encoder_model, decoder_model = parts
    with pytest.raises(error, match=message):
        decoding.beam_search(encoder_model, decoder_model, enc_ids(translator, ["Go."]),
                             translator.target_vocab, length_penalty=penalty,
                             max_decoder_seq_length=5)


def test_beam_search_accepts_numpy_length_penalties(parts) -> None:
    translator, encoder_model, decoder_model = parts
    ids = enc_ids(translator, SOURCES)
    kwargs = {"beam_width": 2, "max_decoder_seq_length": MAX_OUT}
    assert decoding.beam_search(encoder_model, decoder_model, ids, translator.target_vocab,
                                length_penalty=np.float32(0.5), **kwargs) == \
        decoding.beam_search(encoder_model, decoder_model, ids, translator.target_vocab,
                             length_penalty=0.5, **kwargs)


def test_display_token_checks_the_index(translator) -> None:
    vocab = translator.target_vocab
    assert decoding.display_token(vocab, np.int64(vocab.token_index["\n"])) == "⏎"
    last = len(vocab) - 1
    for bad in (-1, len(vocab), 10**6):
        with pytest.raises(ValueError, match=rf"index must be a token id from 0 to {last}, "
                                             rf"got {bad}"):
            decoding.display_token(vocab, bad)
    with pytest.raises(TypeError, match="index must be a token id"):
        decoding.display_token(vocab, "a")


def test_the_step_through_checks_top(parts) -> None:
    translator, encoder_model, decoder_model = parts
    ids = enc_ids(translator, ["Go."])
    for bad, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError), ("five", TypeError)):
        with pytest.raises(error, match="top must be"):
            decoding.decoding_steps(encoder_model, decoder_model, ids, translator.target_vocab,
                                    max_decoder_seq_length=5, top=bad)
    steps = decoding.decoding_steps(encoder_model, decoder_model, ids, translator.target_vocab,
                                    max_decoder_seq_length=MAX_OUT, top=np.int64(2))
    assert all(len(s.candidates) == 2 for s in steps)


def test_the_original_loop_refuses_an_attention_models_inference_models(
        attention_translator) -> None:
    encoder_model, decoder_model = decoding.inference_models_for(attention_translator.model)
    ids = enc_ids(attention_translator, ["Go."])[:, :3]
    with pytest.raises(ValueError, match="decode_sequence is the original loop for a model "
                                         "without attention"):
        decoding.decode_sequence(ids, encoder_model, decoder_model,
                                 attention_translator.target_vocab, 5)


def test_a_target_vocabulary_without_start_or_stop_token_is_refused(parts) -> None:
    translator, encoder_model, decoder_model = parts
    tokens = translator.target_vocab.tokens
    no_start = encoding.Vocabulary(tuple(t if t != "\t" else "§" for t in tokens))
    no_stop = encoding.Vocabulary(tuple(t if t != "\n" else "§" for t in tokens))
    ids = enc_ids(translator, ["Go."])
    for vocab, missing in ((no_start, r"start token '\\t'"), (no_stop, r"stop token '\\n'")):
        for call in (decoding.greedy_decode, decoding.beam_search, decoding.sample_decode,
                     decoding.decoding_steps):
            with pytest.raises(ValueError, match=rf"target_vocab has no {missing}"):
                call(encoder_model, decoder_model, ids, vocab, max_decoder_seq_length=5)
        with pytest.raises(ValueError, match=rf"target_vocab has no {missing}"):
            decoding.decode_sequence(ids, encoder_model, decoder_model, vocab, 5)


def test_an_empty_sentence_is_refused_by_the_decoders(parts) -> None:
    translator, encoder_model, decoder_model = parts
    ids = enc_ids(translator, ["Go.", "Hi."])
    ids[1] = 0  # all padding: an empty sentence
    kwargs = {"max_decoder_seq_length": 5}
    for call in (decoding.greedy_decode, decoding.beam_search, decoding.sample_decode):
        with pytest.raises(ValueError, match=r"encoder_ids row 1 holds only padding \(an empty "
                                             r"sentence\)"):
            call(encoder_model, decoder_model, ids, translator.target_vocab, **kwargs)
    with pytest.raises(ValueError, match="holds only padding"):
        decoding.decoding_steps(encoder_model, decoder_model, ids[1:], translator.target_vocab,
                                **kwargs)
    with pytest.raises(ValueError, match="holds only padding"):
        decoding.decode_sequence(ids[1:, :2], encoder_model, decoder_model,
                                 translator.target_vocab, 5)


def test_inference_models_for_refuses_what_is_not_a_model() -> None:
    for bad in ("x", None, 3):
        with pytest.raises(TypeError, match="model must be a keras.Model .*not "
                                            f"{type(bad).__name__}"):
            decoding.inference_models_for(bad)
