"""A model trained with the original text's own code, made usable by the whole package.

Used in: ``04_inference_loop`` (section 2 says when you need it). Not a concept of its own:
plumbing for learners who trained the original's script and want the course's decoders,
``translate()`` and widgets for the model they have.

The original's model differs from a course model in two ways that matter when decoding:

* **Its token indices.** ``input_token_index`` numbers the sorted characters from 0, so index
  0 is a real character (usually the space), while the package keeps 0 for padding and 1 for
  the unknown marker. Read with the package's vocabularies, every space would be padding.
* **Its padding.** It reads one-hot rows padded to ``max_encoder_seq_length`` (with the space
  character in the keras-io version, with zero vectors in the 2017 blog post's) and has no
  mask, so the padding changes its states: it must be decoded with rows padded as it was
  trained, as its own loop does (``encoder_input_data[seq_index : seq_index + 1]``).

:func:`wrap_original_model` rebuilds it as a model of the course's layout: integer ids in the
package's vocabularies, turned by a fixed lookup table into exactly the original's one-hot
vectors (padding into the padding character's), the original's LSTMs with their own weights,
its softmax with the columns in the package's order; no mask, and an encoder input of the fixed
length ``max_encoder_seq_length``, which :func:`helpers.decoder_step.encode` pads every batch to.
The result saves as ``.keras`` and reloads with ``safe_mode=True`` like any model.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import layers

from helpers.architecture import Architecture, record
from helpers.checks import check_positive
from helpers.encoding import RESERVED_TOKENS, START_TOKEN, STOP_TOKEN, Vocabulary
from helpers.model_files import TranslationModel, WrongModelKindError
from helpers.models import translation_layers
from helpers.training import masked_accuracy, masked_loss

#: The decoder's bias for the package's padding and unknown ids, which the original's model
#: never predicts: their probability is exp(-1e9) = 0.
_NEVER = -1e9


def _check_token_index(name: str, token_index: Mapping[str, int], width: int) -> None:
    if not isinstance(token_index, Mapping):
        raise TypeError(f"{name} must be a dict {{character: index}}, not "
                        f"{type(token_index).__name__}")
    if any(not isinstance(ch, str) or len(ch) != 1 for ch in token_index):
        raise ValueError(f"{name}: every key must be a single character")
    if sorted(token_index.values()) != list(range(width)):
        raise ValueError(f"{name} must number its {width} characters 0 … {width - 1} (the model's "
                         f"one-hot width), each once; it has {len(token_index)} entries")
    reserved = [t for t in RESERVED_TOKENS if t in token_index]
    if reserved:
        raise ValueError(f"{name} holds {reserved}, which the package reserves")


def _vocabulary(token_index: Mapping[str, int]) -> Vocabulary:
    return Vocabulary(RESERVED_TOKENS + tuple(sorted(token_index)))


def _one_hot_table(vocab: Vocabulary, token_index: Mapping[str, int],
                   padding: str | None) -> np.ndarray:
    """Row ``i``: the original's one-hot vector of the package's token ``i``; padding gets the
    padding character's vector (zeros for zero padding), the unknown marker zeros."""
    table = np.zeros((len(vocab), len(token_index)), "float32")
    for i, token in enumerate(vocab.tokens):
        if token in token_index:
            table[i, token_index[token]] = 1.0
    if padding is not None:
        table[0, token_index[padding]] = 1.0
    return table


def wrap_original_model(model: keras.Model, input_token_index: Mapping[str, int],
                        target_token_index: Mapping[str, int], *, max_encoder_seq_length: int,
                        max_decoder_seq_length: int, padding: str | None = " "
                        ) -> TranslationModel:
    """The original's trained model as a :class:`TranslationModel` the package decodes exactly
    as the original's loop does.

    ``model``: the original's training model (one-hot inputs, an LSTM each side, a ``Dense``
    softmax), freshly trained or reloaded. ``input_token_index`` / ``target_token_index``: its
    dictionaries; ``max_encoder_seq_length`` / ``max_decoder_seq_length``: its lengths (the
    width of its training arrays). ``padding``: the character its rows were padded with
    (``" "`` in keras-io's version), or ``None`` for zero vectors (the 2017 blog post's).
    """
    check_positive(max_encoder_seq_length=max_encoder_seq_length,
                   max_decoder_seq_length=max_decoder_seq_length)
    if not isinstance(model, keras.Model) or len(model.inputs) != 2 or any(
            len(t.shape) != 3 for t in model.inputs):
        raise WrongModelKindError("expected the original's training model: two one-hot inputs "
                                  "(batch, steps, tokens)")
    encoder_lstm, decoder_lstm, decoder_dense = translation_layers(model)
    num_encoder_tokens = int(model.inputs[0].shape[-1])
    num_decoder_tokens = int(model.inputs[1].shape[-1])
    _check_token_index("input_token_index", input_token_index, num_encoder_tokens)
    _check_token_index("target_token_index", target_token_index, num_decoder_tokens)
    for token in (START_TOKEN, STOP_TOKEN):
        if token not in target_token_index:
            raise ValueError(f"target_token_index has no {token!r}: the original's targets start "
                             "with '\\t' and end with '\\n'")
    if padding is not None and (padding not in input_token_index
                                or padding not in target_token_index):
        raise ValueError(f"padding {padding!r} is not a character of both token indices; pass "
                         "padding=None if the rows were padded with zero vectors")
    input_vocab = _vocabulary(input_token_index)
    target_vocab = _vocabulary(target_token_index)

    # ids → the original's one-hot vectors: a fixed lookup table (an Embedding whose rows are
    # one-hot), then the original's own layers with their own weights. No mask: the original
    # reads its padding, so the wrapped model reads it too, at the length it was trained on.
    encoder_inputs = keras.Input(shape=(max_encoder_seq_length,), dtype="int32",
                                 name="encoder_inputs")
    encoder_onehot = layers.Embedding(len(input_vocab), num_encoder_tokens, trainable=False,
                                      name="encoder_onehot")
    encoder = layers.LSTM(int(encoder_lstm.units), return_state=True, name="encoder_lstm")
    _, state_h, state_c = encoder(encoder_onehot(encoder_inputs))
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    decoder_onehot = layers.Embedding(len(target_vocab), num_decoder_tokens, trainable=False,
                                      name="decoder_onehot")
    decoder = layers.LSTM(int(decoder_lstm.units), return_sequences=True, return_state=True,
                          name="decoder_lstm")
    decoder_outputs, _, _ = decoder(decoder_onehot(decoder_inputs),
                                    initial_state=[state_h, state_c])
    dense = layers.Dense(len(target_vocab), activation="softmax", name="decoder_dense")
    wrapped = keras.Model([encoder_inputs, decoder_inputs], dense(decoder_outputs),
                          name="original_seq2seq")

    encoder_onehot.set_weights([_one_hot_table(input_vocab, input_token_index, padding)])
    decoder_onehot.set_weights([_one_hot_table(target_vocab, target_token_index, padding)])
    encoder.set_weights(encoder_lstm.get_weights())
    decoder.set_weights(decoder_lstm.get_weights())
    # the softmax in the package's order; padding and unknown, never predicted, get exp(-1e9)
    kernel, bias = decoder_dense.get_weights()
    columns = np.zeros((kernel.shape[0], len(target_vocab)), kernel.dtype)
    biases = np.full(len(target_vocab), _NEVER, bias.dtype)
    for i, token in enumerate(target_vocab.tokens):
        if token in target_token_index:
            columns[:, i] = kernel[:, target_token_index[token]]
            biases[i] = bias[target_token_index[token]]
    dense.set_weights([columns, biases])
    wrapped.compile(optimizer="adam", loss=masked_loss, metrics=[masked_accuracy])
    record(wrapped, Architecture("original", "lstm", "characters", "one-hot layer", False,
                                 int(decoder_lstm.units), len(input_vocab), len(target_vocab)))
    return TranslationModel(wrapped, input_vocab, target_vocab, {
        "max_encoder_seq_length": int(max_encoder_seq_length),
        "max_decoder_seq_length": int(max_decoder_seq_length),
        "metadata": {"architecture": "original", "wrapped": "helpers.original.wrap_original_model",
                     "padding": padding}})
