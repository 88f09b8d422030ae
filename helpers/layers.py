"""The course's own Keras layers: plain ``Layer`` subclasses with a ``get_config`` (never a
``Lambda``), registered under the package name ``seq2seq_course`` so that models using them
save as ``.keras`` and load back with ``safe_mode=True``.

Taught in: ``03_encoder_decoder_training`` (:class:`OneHot`) and ``05_attention``
(:class:`LuongAttention`).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from helpers.checks import check_positive


def one_hot_ids(ids, num_tokens: int, dtype: str = "float32", *, zero_padding: bool = True):
    """Integer ids → one-hot vectors, padding (id 0) all zeros: the one conversion of the
    package (the :class:`OneHot` layer, and the decoders for models that read one-hot input),
    the same numbers as :func:`helpers.encoding.one_hot` computes for whole arrays.

    ``zero_padding=False`` gives id 0 its one-hot vector too, as the original's loop does for
    a token it feeds back (an untrained model may predict id 0)."""
    ids = ops.cast(ids, "int32")
    vectors = ops.one_hot(ids, num_tokens, dtype=dtype)
    if not zero_padding:
        return vectors
    return vectors * ops.expand_dims(ops.cast(ops.not_equal(ids, 0), dtype), -1)


@keras.saving.register_keras_serializable(package="seq2seq_course")
class OneHot(layers.Layer):
    """Integer ids ``(batch, steps)`` → one-hot ``(batch, steps, num_tokens)`` inside the model.

    Padding (id 0) becomes an all-zero vector, exactly like :func:`helpers.encoding.one_hot`.
    With ``mask_zero=True`` the layer also emits a mask (``ids != 0``), so a following RNN
    skips padded steps: a padded sentence then gets the same final states as the same
    sentence alone. A plain layer with a ``get_config`` (not a ``Lambda``), so models that
    use it save as ``.keras`` and load with ``safe_mode=True``.
    """

    def __init__(self, num_tokens: int, mask_zero: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_positive(num_tokens=num_tokens)
        self.num_tokens = int(num_tokens)
        self.mask_zero = bool(mask_zero)

    def call(self, inputs):
        return one_hot_ids(inputs, self.num_tokens, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "mask_zero": self.mask_zero}


@keras.saving.register_keras_serializable(package="seq2seq_course")
class LuongAttention(layers.Layer):
    """Luong's "general" attention: ``[decoder_outputs, encoder_outputs, encoder_ids]`` →
    ``[context, weights]``.

    * ``decoder_outputs`` ``(batch, target_steps, units)``: the decoder's ``h_t``;
    * ``encoder_outputs`` ``(batch, source_steps, units)``: the encoder's ``h̄_s``;
    * ``encoder_ids`` ``(batch, source_steps)``: the source ids, only to find padding (id 0).

    ``score(t, s) = h_t · W_a · h̄_s``; padded source steps get ``-inf`` before the softmax, so
    their weight is exactly 0. ``context_t = Σ_s weights[t, s] · h̄_s``. ``W_a`` multiplies the
    query (``h_t · W_a``), not the keys: the same number, and a decoder step then costs one
    ``units × units`` product instead of one per source character.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def build(self, input_shape) -> None:
        query_shape, values_shape, _ = input_shape
        self.kernel = self.add_weight(name="kernel",
                                      shape=(int(query_shape[-1]), int(values_shape[-1])),
                                      initializer="glorot_uniform")

    def call(self, inputs, mask=None):
        query, values, source_ids = inputs
        scores = ops.matmul(ops.matmul(query, self.kernel), ops.transpose(values, (0, 2, 1)))
        is_real = ops.expand_dims(ops.not_equal(ops.cast(source_ids, "int32"), 0), 1)
        scores = ops.where(is_real, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        weights = weights * ops.cast(is_real, weights.dtype)  # exactly 0 on padding
        context = ops.matmul(weights, values)
        return context, weights

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        query_shape, values_shape, _ = input_shape
        return ((*query_shape[:-1], values_shape[-1]), (*query_shape[:-1], values_shape[1]))
