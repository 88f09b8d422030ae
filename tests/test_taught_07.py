"""Notebook 07 writes out the Transformer (``helpers.transformer``) and subword tokens
(``helpers.subwords``). Each taught name must be the same code as the helper's (compared as
syntax trees, docstrings included) and behave the same: the same numbers from the functions,
and for the layers and models the same layers, names and parameters, and the same outputs given
the same weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import subwords, training, transformer, translation
from helpers.models import TranslationModel
from tests.conftest import SOURCES, TARGETS
from tests.notebook_tools import (
    arrays,
    assert_same_code,
    describe,
    optimizer_config,
    sees_a_change,
    taught,
)

HELPERS = {
    "helpers.transformer.scaled_dot_product_attention": transformer.scaled_dot_product_attention,
    "helpers.transformer.positional_encoding": transformer.positional_encoding,
    "helpers.transformer.PositionalEmbedding": transformer.PositionalEmbedding,
    "helpers.transformer.PaddingMask": transformer.PaddingMask,
    "helpers.transformer.feed_forward": transformer.feed_forward,
    "helpers.transformer.encoder_layer": transformer.encoder_layer,
    "helpers.transformer.decoder_layer": transformer.decoder_layer,
    "helpers.transformer.build_transformer_model": transformer.build_transformer_model,
    "helpers.subwords.learn_bpe": subwords.learn_bpe,
    "helpers.subwords.apply_bpe": subwords.apply_bpe,
    "helpers.subwords.train_subwords": subwords.train_subwords,
}
SIZES = {"latent_dim": 16, "num_heads": 2, "ff_dim": 32, "num_layers": 2, "dropout": 0.1}


@pytest.fixture(scope="module", autouse=True)
def course_classes_stay_registered():
    """The notebook's layers register themselves under the course's names
    (``seq2seq_course>PositionalEmbedding`` …) when their cells run; give the names back to the
    package's classes afterwards, so that models loaded by later tests are built from
    ``helpers.transformer``."""
    yield
    for cls in (transformer.PositionalEmbedding, transformer.PaddingMask):
        keras.saving.register_keras_serializable(package="seq2seq_course")(cls)


# --- (a) the same code ------------------------------------------------------------------------


@pytest.mark.parametrize("dotted", sorted(HELPERS))
def test_notebook_code_is_the_helpers_code(dotted) -> None:
    assert_same_code(dotted, HELPERS[dotted])


def test_the_code_comparison_sees_a_one_character_change() -> None:
    assert sees_a_change("helpers.transformer.scaled_dot_product_attention",
                         transformer.scaled_dot_product_attention, "-1e9", "-1e8")


def test_the_notebook_uses_its_own_definitions() -> None:
    mine = taught("helpers.transformer.PositionalEmbedding")
    assert mine is not transformer.PositionalEmbedding and mine.__name__ == "PositionalEmbedding"
    model = taught("helpers.transformer.build_transformer_model")(12, 12, **SIZES)
    assert type(model.get_layer("shared_embedding")) is mine  # built from the notebook's class
    assert type(model.get_layer("source_mask")) is taught("helpers.transformer.PaddingMask")


# --- (b) the same behaviour: functions --------------------------------------------------------


def test_scaled_dot_product_attention_agrees() -> None:
    rng = np.random.default_rng(0)
    queries, keys, values = (rng.normal(size=(2, 3, n, 8)).astype("float32") for n in (4, 5, 5))
    mask = np.ones((2, 3, 4, 5), bool)
    mask[1, :, :, 3:] = False
    mask[0, 0] = np.tril(np.ones((4, 5), bool))
    mine = taught("helpers.transformer.scaled_dot_product_attention")
    for m in (None, mask):
        got = arrays(mine(queries, keys, values, m))
        want = arrays(transformer.scaled_dot_product_attention(queries, keys, values, m))
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, atol=1e-6)
    weights = arrays(mine(queries, keys, values, mask))[1]
    assert (weights[1, :, :, 3:] == 0).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-6)


@pytest.mark.parametrize(("length", "depth"), [(50, 16), (7, 6), (3, 5), (1, 1)])
def test_positional_encoding_agrees(length, depth) -> None:
    got = taught("helpers.transformer.positional_encoding")(length, depth)
    want = transformer.positional_encoding(length, depth)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got, want)


TOY_WORDS = ["low"] * 5 + ["lower"] * 2 + ["newest"] * 6 + ["widest"] * 3


def test_learn_bpe_and_apply_bpe_agree() -> None:
    learn, apply = taught("helpers.subwords.learn_bpe"), taught("helpers.subwords.apply_bpe")
    rng = np.random.default_rng(0)
    random_words = ["".join(rng.choice(list("abcde"), size=rng.integers(1, 7)))
                    for _ in range(200)]
    for words in (TOY_WORDS, random_words, [], ["a"]):
        for n in (0, 1, 10, 1000):
            mine, theirs = learn(words, n), subwords.learn_bpe(words, n)
            assert mine == theirs
            for word in ["lowest", "newer", "slow", "abcabc", "e", ""]:
                assert apply(word, mine) == subwords.apply_bpe(word, theirs)
    assert learn(TOY_WORDS, 3) == [("e", "s"), ("es", "t"), ("est", "</w>")]
    for bad in (-1, 1.5):
        for function in (learn, subwords.learn_bpe):
            with pytest.raises((ValueError, TypeError)):
                function(TOY_WORDS, bad)


def test_train_subwords_agrees() -> None:
    mine = taught("helpers.subwords.train_subwords")
    texts = SOURCES + TARGETS + ["Tom is hungry.", "Tom a faim.", "I am cold.", "J'ai froid."]
    got, want = mine(texts, 40), subwords.train_subwords(texts, 40)
    assert type(got).__name__ == type(want).__name__ == "SubwordVocabulary"
    assert got.tokens == want.tokens and len(got) == 40
    for text in [*texts, "Tom is cold.", "Cours, Tom !"]:
        assert got.pieces(text) == want.pieces(text)
        assert got.encode(text, on_unknown="unk") == want.encode(text, on_unknown="unk")
    assert mine(texts, 45, model_type="unigram").tokens == subwords.train_subwords(
        texts, 45, model_type="unigram").tokens
    for function in (mine, subwords.train_subwords):
        with pytest.raises(ValueError, match="model_type"):
            function(texts, 40, model_type="word")
        with pytest.raises(ValueError, match="sentencepiece could not train"):
            function(texts, 5000)
        with pytest.raises(ValueError):
            function(texts, 4)


# --- (b) the same behaviour: layers and models ------------------------------------------------


def test_positional_embedding_agrees_given_the_same_weights() -> None:
    ids = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 2]], np.int32)
    keras.utils.set_random_seed(0)
    theirs = transformer.PositionalEmbedding(11, 8, max_length=20, name="shared_embedding")
    want = np.asarray(theirs(ids))
    keras.utils.set_random_seed(1)
    mine_class = taught("helpers.transformer.PositionalEmbedding")
    mine = mine_class(11, 8, max_length=20, name="shared_embedding")
    before = np.asarray(mine(ids))
    assert not np.allclose(before, want)
    mine.set_weights(theirs.get_weights())
    np.testing.assert_allclose(np.asarray(mine(ids)), want, atol=1e-6)
    y = np.random.default_rng(2).normal(size=(2, 3, 8)).astype("float32")
    np.testing.assert_allclose(np.asarray(mine(y, as_logits=True)),
                               np.asarray(theirs(y, as_logits=True)), atol=1e-6)
    assert mine.get_config() == theirs.get_config()
    assert mine.mask_zero is True and mine.count_params() == theirs.count_params() == 88
    assert keras.saving.get_registered_name(mine_class) == "seq2seq_course>PositionalEmbedding"


def test_padding_mask_agrees() -> None:
    mine_class = taught("helpers.transformer.PaddingMask")
    query_ids = np.array([[2, 5, 6, 0], [2, 7, 0, 0]], np.int32)
    key_ids = np.array([[4, 5, 0], [3, 0, 0]], np.int32)
    got = np.asarray(mine_class()([query_ids, key_ids]))
    want = np.asarray(transformer.PaddingMask()([query_ids, key_ids]))
    assert got.dtype == want.dtype == bool and got.shape == (2, 4, 3)
    np.testing.assert_array_equal(got, want)
    assert keras.saving.get_registered_name(mine_class) == "seq2seq_course>PaddingMask"


def _named(model) -> list[tuple[str, str, int]]:
    """:func:`describe` without the ``Add`` and input layers, whose names Keras numbers as it
    makes them."""
    return [(n, c, p) for n, c, p in describe(model) if c not in ("Add", "InputLayer")]


NOTEBOOK_BLOCKS = {
    "feed_forward": lambda: taught("helpers.transformer.feed_forward"),
    "encoder_layer": lambda: taught("helpers.transformer.encoder_layer"),
    "decoder_layer": lambda: taught("helpers.transformer.decoder_layer"),
}


def _block_models(build_block):
    """Two functional models made of one encoder, decoder or feed-forward block: one from the
    notebook's function, one from the helper's."""
    models = []
    for function in (NOTEBOOK_BLOCKS[build_block](), getattr(transformer, build_block)):
        x = keras.Input(shape=(None, 8))
        if build_block == "feed_forward":
            outputs = function(x, 8, 16, 0.1, "encoder_0")
            inputs = [x]
        else:
            mask = keras.Input(shape=(None, None), dtype="bool")
            memory = keras.Input(shape=(None, 8))
            if build_block == "encoder_layer":
                outputs = function(x, mask, 8, 2, 16, 0.1, "encoder_0")
                inputs = [x, mask]
            else:
                outputs = function(x, memory, mask, 8, 2, 16, 0.1, "decoder_0")
                inputs = [x, memory, mask]
        models.append(keras.Model(inputs, outputs))
    return models


@pytest.mark.parametrize("block", ["feed_forward", "encoder_layer", "decoder_layer"])
def test_layers_agree_given_the_same_weights(block) -> None:
    keras.utils.set_random_seed(0)
    mine, theirs = _block_models(block)
    assert _named(mine) == _named(theirs)
    assert mine.count_params() == theirs.count_params()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 8)).astype("float32")
    memory = rng.normal(size=(2, 5, 8)).astype("float32")
    steps = 4 if block == "encoder_layer" else 5
    mask = np.ones((2, 4, steps), bool)
    mask[1, :, 2:] = False
    inputs = {"feed_forward": [x], "encoder_layer": [x, mask],
              "decoder_layer": [x, memory, mask]}[block]
    before = np.asarray(mine(inputs, training=False))
    mine.set_weights(theirs.get_weights())
    got = np.asarray(mine(inputs, training=False))
    want = np.asarray(theirs(inputs, training=False))
    assert not np.allclose(before, want)
    np.testing.assert_allclose(got, want, atol=1e-5)
    if block == "decoder_layer":  # causal: a later target position changes no earlier output
        later = x.copy()
        later[:, 3] += 1.0
        moved = np.asarray(mine([later, memory, mask], training=False))
        np.testing.assert_allclose(moved[:, :3], got[:, :3], atol=1e-5)


@pytest.fixture(scope="module")
def built():
    """The notebook's model and the helpers' one, same sizes."""
    keras.utils.set_random_seed(3)
    mine = taught("helpers.transformer.build_transformer_model")(40, 40, **SIZES,
                                                                  learning_rate=1e-3)
    theirs = transformer.build_transformer_model(40, 40, **SIZES, learning_rate=1e-3)
    return mine, theirs


def test_build_transformer_model_same_architecture(built) -> None:
    mine, theirs = built
    assert mine.name == theirs.name == "transformer"
    assert _named(mine) == _named(theirs)
    assert [type(layer).__name__ for layer in mine.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    assert [(t.name, tuple(t.shape), t.dtype) for t in mine.inputs] == \
        [(t.name, tuple(t.shape), t.dtype) for t in theirs.inputs]
    assert [tuple(t.shape) for t in mine.outputs] == [tuple(t.shape) for t in theirs.outputs]
    assert mine.count_params() == theirs.count_params()
    assert mine.loss is training.masked_loss and theirs.loss is training.masked_loss
    assert optimizer_config(mine) == optimizer_config(theirs)


def test_build_transformer_model_same_outputs_after_set_weights(built) -> None:
    mine, theirs = built
    rng = np.random.default_rng(4)
    encoder_ids = rng.integers(4, 40, size=(3, 6)).astype("int32")
    encoder_ids[1, 4:] = 0
    decoder_ids = np.concatenate([np.full((3, 1), 2), rng.integers(4, 40, size=(3, 5))],
                                 axis=1).astype("int32")
    before = np.asarray(mine([encoder_ids, decoder_ids], training=False))
    mine.set_weights(theirs.get_weights())
    got = np.asarray(mine([encoder_ids, decoder_ids], training=False))
    want = np.asarray(theirs([encoder_ids, decoder_ids], training=False))
    assert not np.allclose(before, want, atol=1e-4)
    np.testing.assert_allclose(got, want, atol=1e-5)
    padded = np.asarray(mine([np.pad(encoder_ids, ((0, 0), (0, 3))), decoder_ids],
                             training=False))
    np.testing.assert_allclose(padded, got, atol=1e-5)  # source padding changes nothing


def test_build_transformer_model_takes_a_schedule_and_rejects_what_helpers_rejects() -> None:
    mine = taught("helpers.transformer.build_transformer_model")
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=10)
    configs = [optimizer_config(build(12, 12, **SIZES, learning_rate=schedule))
               for build in (mine, transformer.build_transformer_model)]
    assert configs[0] == configs[1]
    assert configs[0]["learning_rate"]["class_name"] == "CosineDecay"
    for args, kwargs, said in (((30, 40), {}, "shares one vocabulary"),
                               ((30, 30), {"latent_dim": 30, "num_heads": 4}, "split evenly"),
                               ((30, 30), {"num_layers": 0}, "num_layers"),
                               ((0, 0), {}, "num_encoder_tokens")):
        for build in (mine, transformer.build_transformer_model):
            with pytest.raises(ValueError, match=said):
                build(*args, **kwargs)


def test_a_notebook_built_transformer_translates_like_the_helpers_one(built, tmp_path) -> None:
    """Decoding finds the notebook's model's layers by their names, and a saved notebook model
    loads back with safe_mode=True (its layers are registered under the course's names)."""
    mine, theirs = built
    mine.set_weights(theirs.get_weights())
    vocab = subwords.train_subwords(SOURCES + TARGETS, 40)
    sizes = {"max_encoder_seq_length": 8, "max_decoder_seq_length": 8}
    texts = SOURCES[:3]
    got = [t.text for t in translation.translate(TranslationModel(mine, vocab, vocab, sizes),
                                                 texts)]
    want = [t.text for t in translation.translate(TranslationModel(theirs, vocab, vocab, sizes),
                                                  texts)]
    assert got == want
    path = tmp_path / "notebook_transformer.keras"
    mine.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True, compile=False)
    ids = [np.array([[5, 6, 7]], np.int32), np.array([[2, 8, 9]], np.int32)]
    np.testing.assert_allclose(np.asarray(reloaded(ids)), np.asarray(mine(ids)), atol=1e-6)
