"""One step of any decoder, for every decoding strategy: what the inference models read, the
decoder's starting state, and one decoder step for a whole batch, compiled once.

Taught in: ``04_inference_loop`` (section 4: the batched step that greedy decoding, beam search
and sampling share). The strategies themselves, and what they return, are in
:mod:`helpers.decoding`, which builds on this module.

The inference models are those the original text builds
(:func:`helpers.models.inference_models`): ``encoder_model(encoder_ids) -> [h, c]`` and
``decoder_model([decoder_ids, h, c]) -> [probabilities, h, c]``; those of every family follow
one interface (:func:`decoder_layout`). Course models read integer ids, models built exactly as in
the original text read one-hot vectors: :func:`as_model_input` makes those, the only place the
decoders do. :func:`encode` gives a padded batch the states each sentence gets alone; the
compiled step (:func:`_stepper`, kept on the decoder model) decodes any batch size without
retracing, as sentences finish and leave the batch (:func:`_rows`).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from helpers.checks import check_ids, check_tokens
from helpers.compiled import built_for
from helpers.encoding import PAD_INDEX, START_TOKEN, STOP_TOKEN, Vocabulary
from helpers.layers import one_hot_ids

# --- the inference models' inputs ------------------------------------------------------


def _wants_one_hot(model: keras.Model) -> bool:
    """True for models whose first input is one-hot ``(batch, steps, tokens)`` (the original's)."""
    return len(model.inputs[0].shape) == 3


def as_model_input(ids: np.ndarray | tf.Tensor, model: keras.Model, index: int = 0, *,
                   zero_padding: bool = True):
    """Integer ids as the model's input ``index`` wants them: unchanged, or (the original's
    one-hot models) :func:`helpers.layers.one_hot_ids`, padding all zeros unless
    ``zero_padding=False`` (a token fed back to the decoder). The only place the decoders make
    one-hot vectors; it works inside a ``tf.function`` too."""
    shape = model.inputs[index].shape
    if len(shape) != 3:
        return ids
    return one_hot_ids(ids, int(shape[-1]), zero_padding=zero_padding)


def _num_input_tokens(encoder_model: keras.Model) -> int | None:
    """How many token ids the encoder reads (its one-hot or embedding width), if it says."""
    if _wants_one_hot(encoder_model):
        return int(encoder_model.inputs[0].shape[-1])
    for layer in encoder_model.layers:
        size = getattr(layer, "num_tokens", None) or getattr(layer, "input_dim", None)
        if size:
            return int(size)
    return None



def _sentences(name: str, ids, encoder_model: keras.Model) -> np.ndarray:
    """:func:`helpers.checks.check_ids`, and no row of padding only: an empty sentence has
    nothing to translate (the model would still write a sentence, from no input at all)."""
    ids = check_ids(name, ids, _num_input_tokens(encoder_model))
    empty = np.flatnonzero((ids == PAD_INDEX).all(axis=1))
    if len(empty):
        raise ValueError(f"{name} row {empty[0]} holds only padding (an empty sentence): there "
                         "is nothing to translate; leave it out")
    return ids


def _start_stop(target_vocab: Vocabulary) -> tuple[int, int]:
    """The ids of the start and stop tokens, or a ``ValueError`` saying which is missing."""
    start, stop = check_tokens(
        "target_vocab", target_vocab, {"start": START_TOKEN, "stop": STOP_TOKEN},
        hint="build it from the translations wrapped in both (encoding.add_start_stop)")
    return start, stop


def _masks_padding(encoder_model: keras.Model) -> bool:
    """Does the encoder skip padded steps (so padding cannot change a sentence's states)?"""
    return any(getattr(layer, "mask_zero", False) or isinstance(layer, keras.layers.Masking)
               for layer in encoder_model.layers)


def _as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]



def encode(encoder_model: keras.Model, encoder_ids: np.ndarray) -> list:
    """The decoder's starting state for a padded batch of integer ids: the encoder's states
    (``[h, c]`` for an LSTM, ``[h]`` for a GRU), and for an attention model, whose encoder
    returns ``[encoder_outputs, *states]``, ``[*states, encoder_outputs, encoder_ids]``: what
    every decoder step reads besides the previous token (the last two never change).

    A padded sentence must get the states it gets alone. Course encoders mask padding. An
    encoder that does not must read its padding as it did in training: if its input has a
    fixed length (the original's model wrapped by :func:`helpers.original.wrap_original_model`)
    every row is padded to that length, as the original's loop feeds its rows; otherwise
    sentences are encoded in groups of equal length, so that no sentence is ever padded.
    """
    encoder_ids = check_ids("encoder_ids", encoder_ids, _num_input_tokens(encoder_model))
    if _masks_padding(encoder_model):
        lengths = (encoder_ids != PAD_INDEX).sum(axis=1)
        trimmed = encoder_ids[:, : max(int(lengths.max()), 1)]
        out = _as_list(encoder_model(as_model_input(trimmed, encoder_model), training=False))
        if len(out[0].shape) == 3:  # attention: [encoder_outputs, *states]
            return [*out[1:], out[0], tf.constant(trimmed)]
        return [np.asarray(s) for s in out]
    fixed = encoder_model.inputs[0].shape[1]
    if fixed is not None:  # trained on rows padded to this length: pad as it was trained
        if (encoder_ids[:, fixed:] != PAD_INDEX).any():
            raise ValueError(f"a sentence is longer than the {fixed} steps this model reads")
        encoder_ids = encoder_ids[:, :fixed]
        padded = np.pad(encoder_ids, ((0, 0), (0, fixed - encoder_ids.shape[1])))
        return [np.asarray(s) for s in _as_list(
            encoder_model(as_model_input(padded, encoder_model), training=False))]
    lengths = (encoder_ids != PAD_INDEX).sum(axis=1)
    states: list[np.ndarray] | None = None
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        group = encoder_ids[rows, : max(int(length), 1)]
        out = [np.asarray(s) for s in _as_list(
            encoder_model(as_model_input(group, encoder_model), training=False))]
        if states is None:
            states = [np.zeros((len(encoder_ids), s.shape[-1]), s.dtype) for s in out]
        for full, part in zip(states, out, strict=True):
            full[rows] = part
    assert states is not None
    return states


# --- one decoder step as a compiled function ------------------------------------------------


class _Stepper:
    """``step(token_ids, state) -> (probabilities, state, attention_weights)``: one decoder
    step for a whole batch, compiled once with ``tf.function`` for any batch size (no
    ``predict`` overhead per call, no retracing when the batch shrinks as sentences finish).

    ``state`` is what :func:`encode` returned: the recurrent states (``[h, c]`` or ``[h]``),
    then for an attention model ``encoder_outputs, encoder_ids`` (its decoder model reads them
    and returns the attention weights last: :func:`decoder_layout`);
    ``attention_weights`` is ``(batch, source_steps)`` for an attention model, else ``None``.
    """

    def __init__(self, decoder_model: keras.Model):
        self.attention, self.num_states = attention, num_states = decoder_layout(decoder_model)
        specs = [tf.TensorSpec((None,), tf.int32)] + [
            tf.TensorSpec((None, *t.shape[1:]), t.dtype) for t in decoder_model.inputs[1:]]

        @tf.function(input_signature=specs)
        def step(token_ids, *state):
            tokens = as_model_input(token_ids[:, None], decoder_model, zero_padding=False)
            out = _as_list(decoder_model([tokens, *state], training=False))
            last = [out[0][:, -1, :], *out[1:1 + num_states]]
            return [*last, out[-1][:, -1, :]] if attention else last

        self.step = step

    def __call__(self, token_ids: np.ndarray, state: list):
        out = self.step(tf.constant(token_ids, tf.int32), *state)
        k = self.num_states
        return out[0], [*out[1:1 + k], *state[k:]], (out[-1] if self.attention else None)


def decoder_layout(decoder_model: keras.Model) -> tuple[bool, int]:
    """``(attention, num_states)`` of a decoder model, from the interface every family's
    decoder has: it reads ``[tokens, *states]`` and returns ``[probabilities, *states]``, and
    with attention it also reads ``encoder_outputs, encoder_ids`` (which it does not change)
    and returns the attention weights last: one input more than outputs."""
    inputs = len(getattr(decoder_model, "inputs", None) or ())
    outputs = len(getattr(decoder_model, "outputs", None) or ())
    if outputs < 1 or inputs - outputs not in (0, 1):
        raise ValueError(
            "a decoder model reads [tokens, *states] (and, with attention, encoder_outputs and "
            "encoder_ids) and returns [probabilities, *states] (and, with attention, the "
            f"attention weights); this one reads {inputs} inputs and returns {outputs} outputs")
    attention = inputs == outputs + 1
    return attention, outputs - 1 - int(attention)


def _stepper(decoder_model: keras.Model) -> _Stepper:
    """The decoder model's :class:`_Stepper`, compiled once and kept on the model
    (:func:`helpers.compiled.built_for`: forgotten with it)."""
    return built_for(decoder_model, "stepper", _Stepper)


def _rows(state: list, rows: np.ndarray) -> list:
    """The decoder state of the given batch rows (finished sentences leave, beams copy)."""
    return [tf.gather(s, rows) for s in state]
