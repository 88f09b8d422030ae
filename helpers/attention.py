"""Attention: the decoder looks back at every encoder step instead of one summary vector.

Taught in: ``05_attention``.

The original encoder–decoder hands the decoder one pair of state vectors, whatever the
length of the sentence. Here the encoder keeps its output at every source character
(``return_sequences=True``) and, at every target step, the decoder scores each of them
against its own state (Luong's "general" score ``h_t · W_a · h̄_s``), turns the scores into
weights with a softmax over the source (padding gets weight 0), and reads their weighted
mean, the *context vector*. ``tanh(W_c [context; h_t])`` then replaces ``h_t`` as the input of
the softmax layer.

Layer names follow the original text and the course models (``encoder_lstm``,
``decoder_lstm``, ``decoder_dense``) plus ``attention`` and ``attention_combine``; inference
models are rebuilt from them by :func:`attention_inference_models`.
"""

from __future__ import annotations

import keras
from keras import layers

from helpers.architecture import architecture_of, register_family
from helpers.checks import check_positive
from helpers.layers import LuongAttention, OneHot
from helpers.training import masked_accuracy, masked_loss


def build_attention_model(num_encoder_tokens: int, num_decoder_tokens: int, *,
                          latent_dim: int = 256,
                          learning_rate: float | keras.optimizers.schedules.LearningRateSchedule
                          = 2e-3) -> keras.Model:
    """The course's encoder–decoder with Luong attention, on integer ids.

    ``encoder_inputs`` → ``OneHot(mask_zero=True)`` → ``encoder_lstm`` (``LSTM(latent_dim,
    return_sequences=True, return_state=True)``: its outputs at every step *and* its final
    states) ; ``decoder_inputs`` → ``OneHot`` → ``decoder_lstm`` started from the encoder's
    states → :class:`LuongAttention` over the encoder outputs → ``attention_combine``
    (``Dense(latent_dim, tanh)`` of ``[context; h_t]``) → ``decoder_dense`` (softmax).
    Compiled like the course model: adam with ``clipnorm=1.0``, masked loss and accuracy.
    """
    check_positive(num_encoder_tokens=num_encoder_tokens,
                   num_decoder_tokens=num_decoder_tokens, latent_dim=latent_dim)
    encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
    encoder_onehot = OneHot(num_encoder_tokens, mask_zero=True, name="encoder_onehot")
    encoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True,
                               name="encoder_lstm")
    encoder_outputs, state_h, state_c = encoder_lstm(encoder_onehot(encoder_inputs))
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_onehot = OneHot(num_decoder_tokens, name="decoder_onehot")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True,
                               name="decoder_lstm")
    decoder_outputs, _, _ = decoder_lstm(decoder_onehot(decoder_inputs),
                                         initial_state=[state_h, state_c])
    context, _ = LuongAttention(name="attention")([decoder_outputs, encoder_outputs,
                                                   encoder_inputs])
    combined = layers.Concatenate(name="attention_concat")([context, decoder_outputs])
    attentional = layers.Dense(latent_dim, activation="tanh", name="attention_combine")(combined)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")
    outputs = decoder_dense(attentional)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="attention_seq2seq")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=masked_loss,
                  metrics=[masked_accuracy])
    return model


def has_attention(model: keras.Model) -> bool:
    """Is ``model`` an attention encoder–decoder? Its architecture record says
    (:func:`helpers.architecture.architecture_of`; a model without one, e.g. built by a
    notebook's own code, counts when one of its layers is a :class:`LuongAttention` by its
    registered name, so a notebook's own copy of the class counts too)."""
    return architecture_of(model).attention


def attention_inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """``(encoder_model, decoder_model)`` of a trained attention model, sharing its layers.

    ``encoder_model(encoder_ids) -> [encoder_outputs, h, c]``;
    ``decoder_model([decoder_ids, h, c, encoder_outputs, encoder_ids]) ->
    [probabilities, h, c, attention_weights]``: the decoder step also reads the encoder's
    outputs (and the source ids, to give padding no weight), and returns where it looked.
    """
    by_name = {layer.name: layer for layer in model.layers}
    encoder_lstm, decoder_lstm = by_name["encoder_lstm"], by_name["decoder_lstm"]
    encoder_outputs, state_h, state_c = encoder_lstm.output
    encoder_model = keras.Model(model.inputs[0], [encoder_outputs, state_h, state_c],
                                name="encoder_model")
    latent_dim = int(decoder_lstm.units)
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_state_input_h = keras.Input(shape=(latent_dim,), name="decoder_state_input_h")
    decoder_state_input_c = keras.Input(shape=(latent_dim,), name="decoder_state_input_c")
    encoder_outputs_input = keras.Input(shape=(None, int(encoder_lstm.units)),
                                        name="encoder_outputs")
    encoder_ids_input = keras.Input(shape=(None,), dtype="int32", name="encoder_ids")
    decoder_outputs, h, c = decoder_lstm(
        by_name["decoder_onehot"](decoder_inputs),
        initial_state=[decoder_state_input_h, decoder_state_input_c])
    context, weights = by_name["attention"]([decoder_outputs, encoder_outputs_input,
                                             encoder_ids_input])
    combined = by_name["attention_concat"]([context, decoder_outputs])
    probabilities = by_name["decoder_dense"](by_name["attention_combine"](combined))
    decoder_model = keras.Model(
        [decoder_inputs, decoder_state_input_h, decoder_state_input_c, encoder_outputs_input,
         encoder_ids_input], [probabilities, h, c, weights], name="decoder_model")
    return encoder_model, decoder_model


def attention_weights_model(model: keras.Model) -> keras.Model:
    """The attention weights of a model built by :func:`build_attention_model`: a model of its
    inputs whose output is the weights of its ``attention`` layer, ``(batch, target steps,
    source steps)`` (what :func:`helpers.translation.attention_map` reads)."""
    return keras.Model(model.inputs, model.get_layer("attention").output[1])


register_family(
    "attention", build=build_attention_model, inference_models=attention_inference_models,
    attention_weights=attention_weights_model,
    cell="lstm", tokens="characters", reader="one-hot layer", attention=True,
    description="the encoder–decoder with Luong attention on characters (notebook 05), the "
                "course's default model")
