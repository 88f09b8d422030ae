"""The translation encoder–decoder: its builders and its inference models.

Taught in: ``03_encoder_decoder_training`` (the builders) and ``04_inference_loop`` (the
inference models). The addition models of notebook 02 are in :mod:`helpers.addition`.

Every builder returns a compiled ``keras.Model`` made of stock layers only (no ``Lambda``),
so it saves as ``.keras`` and loads back with ``safe_mode=True``. Targets are integer ids
and the loss is ``sparse_categorical_crossentropy`` — the same number as
``categorical_crossentropy`` on one-hot targets, without building the one-hot array.

A model's files (saving, loading, the manifest beside each ``.keras`` file, the shipped models'
paths) are :mod:`helpers.model_files`; this module gives the names the notebooks use of it too
(:func:`load_translation_model`, :data:`PRETRAINED_MODEL` …), so that a notebook imports a
translation model's builders, paths and loader from one place.
"""

from __future__ import annotations

import keras
from keras import layers

from helpers.architecture import register_family
from helpers.checks import check_positive
from helpers.layers import OneHot
from helpers.model_files import (
    ATTENTION_MODEL,
    ATTENTION_UNAUGMENTED_MODEL,
    MODELS_DIR,
    ORIGINAL_100_MODEL,
    ORIGINAL_MODEL,
    PRETRAINED_MODEL,
    SEED_MODEL,
    TRANSFORMER_MODEL,
    TranslationModel,
    WrongModelKindError,
    load_translation_model,
    manifest_path,
    save_translation_model,
    tokenizer_path,
)
from helpers.training import masked_accuracy, masked_loss

#: The builders and inference models defined here, then the names of :mod:`helpers.model_files`
#: the notebooks and scripts import from here.
__all__ = [
    "OneHot", "build_course_model", "build_original_model", "inference_models",
    "translation_layers",
    "ATTENTION_MODEL", "ATTENTION_UNAUGMENTED_MODEL", "MODELS_DIR", "ORIGINAL_100_MODEL",
    "ORIGINAL_MODEL", "PRETRAINED_MODEL", "SEED_MODEL", "TRANSFORMER_MODEL", "TranslationModel",
    "WrongModelKindError", "load_translation_model", "manifest_path", "save_translation_model",
    "tokenizer_path",
]

# --- translation encoder–decoder (notebook 03) ---------------------------------------
#
# Two builds of the same encoder–decoder: the original text's (one-hot inputs, rmsprop,
# categorical crossentropy) and the course's (integer inputs one-hot-ed inside the model by
# :class:`OneHot`, a masked loss, adam). Layers carry stable names (``encoder_lstm``,
# ``decoder_lstm``, ``decoder_dense`` …) so that inference models can be rebuilt by name
# after a reload.


def build_original_model(num_encoder_tokens: int, num_decoder_tokens: int, *,
                         latent_dim: int = 256) -> keras.Model:
    """The original text's training model, compiled as there.

    ``encoder_inputs`` (one-hot, ``(None, num_encoder_tokens)``) → ``LSTM(latent_dim,
    return_state=True)``: only its states ``[state_h, state_c]`` are kept →
    ``initial_state`` of ``LSTM(latent_dim, return_sequences=True, return_state=True)``
    reading ``decoder_inputs`` (one-hot) → ``Dense(num_decoder_tokens, softmax)`` at every
    step. ``rmsprop``, ``categorical_crossentropy``, accuracy (padding included).
    """
    check_positive(num_encoder_tokens=num_encoder_tokens,
                   num_decoder_tokens=num_decoder_tokens, latent_dim=latent_dim)
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens), name="encoder_inputs")
    encoder = layers.LSTM(latent_dim, return_state=True, name="encoder_lstm")
    _, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens), name="decoder_inputs")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True,
                               name="decoder_lstm")
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs,
                        name="original_seq2seq")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def build_course_model(num_encoder_tokens: int, num_decoder_tokens: int, *,
                       latent_dim: int = 256, learning_rate: float = 3e-3) -> keras.Model:
    """The course's training model: the same encoder–decoder on integer sequences.

    ``encoder_inputs`` / ``decoder_inputs`` are ``int32 (batch, steps)`` padded with 0;
    :class:`OneHot` layers (``encoder_onehot`` masks padding, ``decoder_onehot`` does not
    need to: padding comes after everything the decoder must predict) feed the same
    ``encoder_lstm`` → ``decoder_lstm`` → ``decoder_dense`` as the original. Compiled with
    adam, :func:`helpers.training.masked_loss` and :func:`helpers.training.masked_accuracy`
    (both ignore padded target positions); targets are integer ids.
    """
    check_positive(num_encoder_tokens=num_encoder_tokens,
                   num_decoder_tokens=num_decoder_tokens, latent_dim=latent_dim,
                   learning_rate=learning_rate)
    encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
    encoder_onehot = OneHot(num_encoder_tokens, mask_zero=True, name="encoder_onehot")
    encoder = layers.LSTM(latent_dim, return_state=True, name="encoder_lstm")
    _, state_h, state_c = encoder(encoder_onehot(encoder_inputs))
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_onehot = OneHot(num_decoder_tokens, name="decoder_onehot")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True,
                               name="decoder_lstm")
    decoder_outputs, _, _ = decoder_lstm(decoder_onehot(decoder_inputs),
                                         initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="course_seq2seq")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=masked_loss,
                  metrics=[masked_accuracy])
    return model


# --- inference models (notebook 04) -------------------------------------------------------


def translation_layers(model: keras.Model) -> tuple[keras.layers.LSTM, keras.layers.LSTM,
                                                      keras.layers.Dense]:
    """``(encoder_lstm, decoder_lstm, decoder_dense)`` of an LSTM encoder–decoder: by name for
    the course's models, by structure for one built as in the original text (the LSTM that
    returns only states, the LSTM that returns sequences, the last ``Dense``)."""
    by_name = {layer.name: layer for layer in model.layers}
    rnns = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    encoder_lstm = by_name.get("encoder_lstm") or next(
        (r for r in rnns if r.return_state and not r.return_sequences), None)
    decoder_lstm = by_name.get("decoder_lstm") or next(
        (r for r in rnns if r.return_state and r.return_sequences), None)
    denses = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    decoder_dense = by_name.get("decoder_dense") or (denses[-1] if denses else None)
    if encoder_lstm is None or decoder_lstm is None or decoder_dense is None:
        raise WrongModelKindError(
            "this model is not an LSTM encoder–decoder: it needs an encoder LSTM with "
            "return_state=True, a decoder LSTM with return_sequences=True and return_state=True, "
            "and a Dense softmax (GRU models are an exercise of notebook 04)")
    return encoder_lstm, decoder_lstm, decoder_dense


def inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """``(encoder_model, decoder_model)`` rebuilt from a trained encoder–decoder's layers.

    Works for the course's models (layers found by name: ``encoder_lstm``, ``decoder_lstm``,
    ``decoder_dense``, and ``decoder_onehot`` when present) and for a model built exactly as
    in the original text, whatever its layer names (found by structure: the LSTM that returns
    only states, the LSTM that returns sequences, the last ``Dense``) — freshly built, or
    saved to ``.keras`` and reloaded. The models share the trained layers (no copy).
    """
    if not isinstance(model, keras.Model) or len(model.inputs) != 2:
        raise WrongModelKindError("expected an encoder–decoder training model with two inputs "
                                  "(encoder_inputs, decoder_inputs)")
    by_name = {layer.name: layer for layer in model.layers}
    encoder_lstm, decoder_lstm, decoder_dense = translation_layers(model)
    _, state_h, state_c = encoder_lstm.output
    encoder_model = keras.Model(model.inputs[0], [state_h, state_c], name="encoder_model")

    latent_dim = int(decoder_lstm.units)
    template = model.inputs[1]
    decoder_inputs = keras.Input(shape=tuple(template.shape[1:]), dtype=template.dtype,
                                 name="decoder_inputs")
    decoder_state_input_h = keras.Input(shape=(latent_dim,), name="decoder_state_input_h")
    decoder_state_input_c = keras.Input(shape=(latent_dim,), name="decoder_state_input_c")
    x = decoder_inputs
    if "decoder_onehot" in by_name:
        x = by_name["decoder_onehot"](x)
    decoder_outputs, h, c = decoder_lstm(
        x, initial_state=[decoder_state_input_h, decoder_state_input_c])
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = keras.Model([decoder_inputs, decoder_state_input_h, decoder_state_input_c],
                                [decoder_outputs, h, c], name="decoder_model")
    return encoder_model, decoder_model


register_family(
    "original", build=build_course_model, inference_models=inference_models,
    cell="lstm", tokens="characters", reader="one-hot layer", attention=False,
    description="the original text's LSTM encoder–decoder on characters (notebooks 03–04); "
                "build_original_model builds it with one-hot inputs, as the text does")
