"""Test configuration: notebooks run in the quick profile, on the course's data folder."""

from __future__ import annotations

import os

import pytest

# Executed notebooks (nbval) inherit this environment: same code, less data, fewer epochs.
os.environ.setdefault("COURSE_PROFILE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items) -> None:
    """Notebook runs (nbval) and browser tests are ``slow``, as are the tests marked so."""
    for item in items:
        if item.path.suffix == ".ipynb" or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


# --- tiny translation models shared by the decoding, widget and agreement tests -----------
# Imported here, after the environment is set, so TensorFlow reads TF_CPP_MIN_LOG_LEVEL.
import keras  # noqa: E402
import numpy as np  # noqa: E402

from helpers import encoding as enc  # noqa: E402
from helpers import models  # noqa: E402

SOURCES = ["Go.", "Hi.", "Run!", "Be nice.", "Get out!", "Wait!"]
TARGETS = ["Va !", "Salut !", "Cours !", "Soyez gentil !", "Sortez !", "Attends !"]
MAX_OUT = 20


@pytest.fixture(scope="session")
def toy():
    input_vocab = enc.build_vocabulary(SOURCES)
    target_vocab = enc.build_vocabulary([enc.add_start_stop(t) for t in TARGETS])
    wrapped = [enc.add_start_stop(t) for t in TARGETS]
    encoder_ids, decoder_ids = enc.integer_arrays(SOURCES, wrapped, input_vocab, target_vocab)
    return input_vocab, target_vocab, encoder_ids, decoder_ids


def fit_full_batches(model, encoder_ids, decoder_ids, steps: int = 120):
    """``steps`` teacher-forced steps, each on all the pairs at once: ``steps`` epochs of one
    batch, run as one epoch of ``steps`` copies (Keras's per-epoch work, once: half the time)."""
    copies = (steps, 1)
    model.fit([np.tile(encoder_ids, copies), np.tile(decoder_ids, copies)],
              np.tile(enc.shift_left(decoder_ids), copies), epochs=1,
              batch_size=len(encoder_ids), shuffle=False, verbose=0)
    return model


def recite_toy_pairs(build, toy):
    """A model from ``build(num_encoder_tokens, num_decoder_tokens, latent_dim=…,
    learning_rate=…)`` trained until it recites the toy pairs."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    model = build(len(input_vocab), len(target_vocab), latent_dim=32, learning_rate=1e-2)
    return fit_full_batches(model, encoder_ids, decoder_ids)


def toy_translator(model, toy) -> models.TranslationModel:
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    return models.TranslationModel(model, input_vocab, target_vocab, {
        "max_encoder_seq_length": encoder_ids.shape[1],
        "max_decoder_seq_length": decoder_ids.shape[1]})


@pytest.fixture(scope="session")
def course_model(toy):
    return recite_toy_pairs(models.build_course_model, toy)


@pytest.fixture(scope="session")
def original_model(toy, tmp_path_factory):
    """Built exactly as in the original text (default layer names), saved and reloaded."""
    input_vocab, target_vocab, encoder_ids, decoder_ids = toy
    keras.utils.set_random_seed(0)
    encoder_inputs = keras.Input(shape=(None, len(input_vocab)))
    _, state_h, state_c = keras.layers.LSTM(16, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, len(target_vocab)))
    decoder_lstm = keras.layers.LSTM(16, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    decoder_outputs = keras.layers.Dense(len(target_vocab), activation="softmax")(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    x = enc.one_hot(encoder_ids, len(input_vocab))
    y = enc.one_hot(decoder_ids, len(target_vocab))
    model.fit([x, y], enc.shift_left(y), epochs=30, batch_size=len(SOURCES), verbose=0)
    path = tmp_path_factory.mktemp("original") / "original.keras"
    model.save(path)
    return keras.saving.load_model(path, safe_mode=True)


@pytest.fixture(scope="session")
def translator(toy, course_model):
    return toy_translator(course_model, toy)


@pytest.fixture(scope="session")
def attention_model(toy):
    """A tiny attention model (helpers.attention) trained to recite the toy pairs."""
    from helpers.attention import build_attention_model

    return recite_toy_pairs(build_attention_model, toy)


@pytest.fixture(scope="session")
def attention_translator(toy, attention_model):
    return toy_translator(attention_model, toy)


#: The tiny Transformer's manifest lengths: the most subword pieces it reads and writes.
TRANSFORMER_MAX_LENGTH = 12


@pytest.fixture(scope="session")
def transformer_toy():
    """The toy pairs in subword pieces: a sentencepiece vocabulary of 50 trained on both
    languages, encoder ids and decoder ids (start, pieces, stop), padded."""
    from helpers import subwords

    vocab = subwords.train_subwords(SOURCES + TARGETS, 50)
    start, stop = vocab.token_index[enc.START_TOKEN], vocab.token_index[enc.STOP_TOKEN]
    enc_rows = [vocab.encode(s) for s in SOURCES]
    dec_rows = [[start, *vocab.encode(t), stop] for t in TARGETS]
    encoder_ids = np.zeros((len(enc_rows), max(map(len, enc_rows))), np.int32)
    decoder_ids = np.zeros((len(dec_rows), max(map(len, dec_rows))), np.int32)
    for row, (e, d) in enumerate(zip(enc_rows, dec_rows, strict=True)):
        encoder_ids[row, :len(e)], decoder_ids[row, :len(d)] = e, d
    return vocab, encoder_ids, decoder_ids


def recite_toy_pieces(transformer_toy, *, num_heads: int = 2, num_layers: int = 2,
                      seed: int = 0) -> keras.Model:
    """A tiny Transformer (width 32) on ``transformer_toy``'s pieces, trained until it recites
    the toy pairs."""
    from helpers import architecture

    vocab, encoder_ids, decoder_ids = transformer_toy
    keras.utils.set_random_seed(seed)
    model = architecture.family("transformer").build(
        len(vocab), len(vocab), latent_dim=32, num_heads=num_heads, ff_dim=64,
        num_layers=num_layers, dropout=0.0, learning_rate=3e-3)
    copies = (150, 1)
    model.fit([np.tile(encoder_ids, copies), np.tile(decoder_ids[:, :-1], copies)],
              np.tile(decoder_ids[:, 1:], copies), batch_size=len(SOURCES), epochs=1,
              shuffle=False, verbose=0)
    return model


@pytest.fixture(scope="session")
def transformer_model(transformer_toy):
    """A tiny Transformer (two layers, two attention heads) trained until it recites the toy
    pairs."""
    return recite_toy_pieces(transformer_toy)


@pytest.fixture(scope="session")
def transformer_translator(transformer_toy, transformer_model):
    """The tiny Transformer with its vocabulary (tests/test_transformer.py, the widget tests)."""
    vocab = transformer_toy[0]
    return models.TranslationModel(transformer_model, vocab, vocab, {
        "max_encoder_seq_length": TRANSFORMER_MAX_LENGTH,
        "max_decoder_seq_length": TRANSFORMER_MAX_LENGTH})
