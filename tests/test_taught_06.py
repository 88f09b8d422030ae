"""Notebook 06 writes out the GRU model and its inference models, training without teacher
forcing (``ScheduledSampling`` and its schedule), word tokenisation and the word-level model.
They must be the same code as ``helpers.variants`` / ``helpers.encoding`` (compared as syntax
trees, docstrings included) and behave the same given the same weights, on tiny models of the
toy pairs of ``tests/conftest.py``."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from helpers import encoding as enc
from helpers import models, training, variants
from tests.conftest import SOURCES, TARGETS
from tests.notebook_tools import (
    MARKER,
    arrays,
    assert_same_code,
    code_sources,
    describe,
    optimizer_config,
    sees_a_change,
    taught,
    taught_map,
)

NOTEBOOK = "06_original_variants.ipynb"

HELPERS = {
    "helpers.variants.build_gru_model": variants.build_gru_model,
    "helpers.variants.gru_inference_models": variants.gru_inference_models,
    "helpers.variants.ScheduledSampling": variants.ScheduledSampling,
    "helpers.variants.TeacherForcingSchedule": variants.TeacherForcingSchedule,
    "helpers.variants.build_word_model": variants.build_word_model,
    "helpers.encoding.tokenize_words": enc.tokenize_words,
    "helpers.encoding.detokenize_words": enc.detokenize_words,
}


# --- (a) the same code ------------------------------------------------------------------------


def test_the_notebook_teaches_every_name_once() -> None:
    assert {taught_map()[name].name for name in HELPERS} == {NOTEBOOK}
    marked = [name for src in code_sources(taught_map()[next(iter(HELPERS))])
              for name in MARKER.findall(src)]
    assert sorted(marked) == sorted(HELPERS)


@pytest.mark.parametrize("dotted", sorted(HELPERS))
def test_notebook_code_is_the_helpers_code(dotted) -> None:
    assert_same_code(dotted, HELPERS[dotted])


def test_the_word_pattern_is_the_same() -> None:
    assert taught("helpers.encoding.tokenize_words").__globals__["WORD_PATTERN"].pattern == \
        enc.WORD_PATTERN.pattern


def test_the_code_comparison_sees_a_one_token_change() -> None:
    assert sees_a_change("helpers.variants.ScheduledSampling", variants.ScheduledSampling,
                         "coins < teacher_forcing", "coins <= teacher_forcing")


def test_the_notebook_uses_its_own_definitions() -> None:
    mine = taught("helpers.variants.ScheduledSampling")
    assert mine is not variants.ScheduledSampling and mine.__name__ == "ScheduledSampling"
    assert taught("helpers.variants.build_gru_model") is not variants.build_gru_model


# --- (b) the same behaviour -------------------------------------------------------------------


@pytest.fixture(scope="module")
def words():
    from helpers.data import Split

    pairs = list(zip(SOURCES, TARGETS, strict=True))
    return variants.word_translation_data(Split(train=pairs, validation=pairs[:2],
                                                test=pairs[:2]))


@pytest.mark.parametrize("which", ["gru", "word"])
def test_builders_agree(toy, words, which) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    if which == "gru":
        mine, theirs = taught("helpers.variants.build_gru_model"), variants.build_gru_model
        sizes, kwargs = (len(input_vocab), len(target_vocab)), {"latent_dim": 16}
    else:
        mine, theirs = taught("helpers.variants.build_word_model"), variants.build_word_model
        sizes = (len(words.input_vocab), len(words.target_vocab))
        kwargs = {"latent_dim": 16, "embedding_dim": 8}
        encoder_ids, decoder_ids = words.arrays["train"]
    keras.utils.set_random_seed(3)
    mine_model = mine(*sizes, learning_rate=1e-2, **kwargs)
    keras.utils.set_random_seed(4)
    their_model = theirs(*sizes, learning_rate=1e-2, **kwargs)
    assert mine_model.name == their_model.name
    assert describe(mine_model) == describe(their_model)
    assert [(t.name, tuple(t.shape), t.dtype) for t in mine_model.inputs] == \
        [(t.name, tuple(t.shape), t.dtype) for t in their_model.inputs]
    assert mine_model.loss is training.masked_loss and their_model.loss is training.masked_loss
    assert optimizer_config(mine_model) == optimizer_config(their_model)
    padded = np.pad(encoder_ids, ((0, 0), (0, 2)))
    before = np.asarray(mine_model([padded, decoder_ids]))
    want = np.asarray(their_model([padded, decoder_ids]))
    assert not np.allclose(before, want, atol=1e-4)  # other seeds, other weights ...
    mine_model.set_weights(their_model.get_weights())  # ... then the same
    np.testing.assert_allclose(np.asarray(mine_model([padded, decoder_ids])), want, atol=1e-6)
    for bad in ({"latent_dim": 0}, {"learning_rate": 0.0}):
        for build in (mine, theirs):
            with pytest.raises(ValueError, match="must be positive"):
                build(*sizes, **{**kwargs, **bad})


def test_gru_inference_models_agree(toy) -> None:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    model = variants.build_gru_model(len(input_vocab), len(target_vocab), latent_dim=16)
    (mine_enc, mine_dec) = taught("helpers.variants.gru_inference_models")(model)
    (their_enc, their_dec) = variants.gru_inference_models(model)
    for a, b in ((mine_enc, their_enc), (mine_dec, their_dec)):
        assert a.name == b.name
        assert [(t.name, tuple(t.shape)) for t in a.inputs] == \
            [(t.name, tuple(t.shape)) for t in b.inputs]
        assert [tuple(t.shape) for t in a.outputs] == [tuple(t.shape) for t in b.outputs]
    shared = {id(w) for w in model.weights}
    assert all(id(w) in shared for w in mine_enc.weights + mine_dec.weights)
    padded = np.pad(encoder_ids, ((0, 0), (0, 3)))
    h = arrays(mine_enc(padded))
    assert len(h) == 1  # one state
    np.testing.assert_allclose(h[0], arrays(their_enc(padded))[0], atol=1e-6)
    got, want = arrays(mine_dec([decoder_ids, h[0]])), arrays(their_dec([decoder_ids, h[0]]))
    assert len(got) == 2  # probabilities and h
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.fixture
def twin_course_models(toy):
    """Two course models with the same weights, and the toy arrays."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    twins = []
    for _ in range(2):
        keras.utils.set_random_seed(11)
        twins.append(models.build_course_model(len(input_vocab), len(target_vocab),
                                               latent_dim=16))
    return twins, encoder_ids, decoder_ids


def test_scheduled_sampling_computes_the_same_numbers(twin_course_models) -> None:
    (model, _), encoder_ids, decoder_ids = twin_course_models
    mine = taught("helpers.variants.ScheduledSampling")(model, seed=0)
    theirs = variants.ScheduledSampling(model, seed=0)
    for teacher_forcing in (1.0, 0.0, 0.5):
        got = [float(x) for x in mine.decode_steps(encoder_ids, decoder_ids, teacher_forcing)]
        want = [float(x) for x in theirs.decode_steps(encoder_ids, decoder_ids, teacher_forcing)]
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(mine([encoder_ids, decoder_ids])),
                               np.asarray(model([encoder_ids, decoder_ids])), atol=1e-6)


@pytest.mark.slow  # trains two models
def test_scheduled_sampling_trains_the_same_weights_on_a_schedule(twin_course_models) -> None:
    (a, b), encoder_ids, decoder_ids = twin_course_models
    targets = enc.shift_left(decoder_ids)
    histories, schedules = [], []
    for model, cls, schedule_cls in [
            (a, taught("helpers.variants.ScheduledSampling"),
             taught("helpers.variants.TeacherForcingSchedule")),
            (b, variants.ScheduledSampling, variants.TeacherForcingSchedule)]:
        trainer = cls(model, teacher_forcing=1.0, seed=3)
        trainer.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=1.0))
        schedule = schedule_cls(4, start=1.0, end=0.0)
        history = trainer.fit([encoder_ids, decoder_ids], targets, batch_size=3, epochs=3,
                              shuffle=False, callbacks=[schedule], verbose=0)
        histories.append(history.history)
        schedules.append((schedule.batches_seen, float(trainer.teacher_forcing.numpy())))
    assert schedules[0] == schedules[1] == (6, 0.0)
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-5)
    np.testing.assert_allclose(histories[0]["masked_accuracy"],
                               histories[1]["masked_accuracy"], rtol=1e-5)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, atol=1e-5)


def test_word_tokenisation_agrees() -> None:
    mine_tok = taught("helpers.encoding.tokenize_words")
    mine_detok = taught("helpers.encoding.detokenize_words")
    texts = ["Va !", "J'ai froid.", "Qu'est-ce que c'est ?", "Va-t'en !", "I'm cold.",
             "Cours\u202f!", "\tVa !\n", "Il est 8:30, non ?", "L’homme", ""]
    for text in texts:
        tokens = enc.tokenize_words(text)
        assert mine_tok(text) == tokens
        for french in (True, False):
            assert mine_detok(tokens, french=french) == enc.detokenize_words(tokens, french=french)


def test_the_notebook_tokeniser_is_not_trivially_equal() -> None:
    """The agreement test above could pass on a broken pattern only if helpers broke the same
    way: check the pattern splits what it must."""
    assert taught("helpers.encoding.tokenize_words")("J'ai froid !") == ["J'", "ai", "froid", "!"]
    assert re.fullmatch(r"\S+", "".join(enc.tokenize_words("Qu'est-ce que c'est ?")))
