"""The Transformer: attention everywhere, no recurrence, on subword tokens.

Taught in: ``07_transformer``.

Notebook 05's decoder scored every encoder step against its own LSTM state. The Transformer
keeps only that idea. Each layer of its encoder lets every source token attend to every other
one (*self-attention*), each layer of its decoder lets every target token attend to the ones
before it (self-attention under a *causal mask*) and then to the encoder's output
(*cross-attention*, the Luong step of notebook 05 with a scaled dot-product score). Several
heads attend at once (*multi-head attention*); the order of the tokens comes in through a
*positional encoding* added to their embeddings, since nothing else in the model sees it.

- :func:`scaled_dot_product_attention`: the score ``q · k / √d``, a softmax, a weighted mean.
- :class:`PositionalEmbedding`: token embedding scaled by ``√d`` plus fixed sinusoids; one
  layer shared by the encoder, the decoder and the output softmax (tied weights).
- :func:`encoder_layer`, :func:`decoder_layer`, :func:`build_transformer_model`: the model from
  ``keras.layers.MultiHeadAttention`` and stock layers, post-layer-norm as in Vaswani et al.
- :func:`transformer_inference_models`, :func:`transformer_attention_weights`: what decoding
  and the attention maps need (plumbing, not written out in the notebook).

Layer names: ``shared_embedding``; ``encoder_{i}_self_attention``, ``…_norm1/2``,
``…_ff1/2``; ``decoder_{i}_self_attention``, ``decoder_{i}_cross_attention``, ``…_norm1/2/3``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from helpers.architecture import register_family
from helpers.checks import check_positive
from helpers.training import masked_accuracy, masked_loss


def scaled_dot_product_attention(queries, keys, values, mask=None):
    """``softmax(q · kᵀ / √d) · v`` for arrays ``(…, steps_q, d)``, ``(…, steps_k, d)`` and
    ``(…, steps_k, d_v)``: each query's weighted mean of the values, and the weights. ``mask``
    (``(…, steps_q, steps_k)``, True where a query may look) gives the other places weight 0.
    Notebook 05's Luong score ``h_t · W_a · h̄_s`` without ``W_a`` and divided by ``√d``."""
    d = ops.cast(ops.shape(keys)[-1], "float32")
    scores = ops.matmul(queries, ops.swapaxes(keys, -1, -2)) / ops.sqrt(d)
    if mask is not None:
        scores = ops.where(mask, scores, -1e9)
    weights = ops.softmax(scores, axis=-1)
    return ops.matmul(weights, values), weights


def positional_encoding(max_length: int, depth: int) -> np.ndarray:
    """``(max_length, depth)`` fixed sinusoids: position ``p``, dimension ``2i`` is
    ``sin(p / 10000^(2i/depth))`` and ``2i + 1`` its cosine."""
    positions = np.arange(max_length)[:, None]
    rates = 1 / np.power(10000, (2 * (np.arange(depth) // 2)) / depth)
    angles = positions * rates[None, :]
    return np.where(np.arange(depth) % 2 == 0, np.sin(angles), np.cos(angles)).astype("float32")


@keras.saving.register_keras_serializable(package="seq2seq_course")
class PositionalEmbedding(layers.Layer):
    """Token ids → embeddings scaled by ``√d_model`` plus :func:`positional_encoding`.
    Called on the decoder's last states with ``as_logits=True``, the same embedding matrix
    gives a probability for every token (``softmax(y · Eᵀ)``): the output
    layer shares the input's weights. More than ``max_length`` tokens: ``ValueError``
    (checked when their number is known as the layer is called: not inside a graph traced
    for any length)."""

    #: What decoding asks of an encoder that skips padding: :class:`PaddingMask` keeps the
    #: attention layers off padded tokens.
    mask_zero = True

    def __init__(self, vocab_size: int, d_model: int, max_length: int = 128, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.d_model, self.max_length = vocab_size, d_model, max_length
        self.embedding = layers.Embedding(vocab_size, d_model)
        self.positions = positional_encoding(max_length, d_model)

    def build(self, input_shape):
        self.embedding.build(input_shape)
        self.built = True

    def call(self, inputs, as_logits: bool = False):
        if as_logits:
            return ops.softmax(ops.matmul(inputs, ops.transpose(self.embedding.embeddings)),
                               axis=-1)
        length = ops.shape(inputs)[1]  # a number when known as the layer is called
        if isinstance(length, int) and length > self.max_length:
            raise ValueError(f"{self.name} has positions for at most max_length="
                             f"{self.max_length} tokens, got {length}: shorten the input, or "
                             "build the model with a larger max_length")
        scaled = self.embedding(inputs) * ops.sqrt(ops.cast(self.d_model, "float32"))
        return scaled + ops.convert_to_tensor(self.positions)[None, :length, :]

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "d_model": self.d_model,
                "max_length": self.max_length}


@keras.saving.register_keras_serializable(package="seq2seq_course")
class PaddingMask(layers.Layer):
    """``[query_ids, key_ids]`` → ``(batch, query_steps, key_steps)``, True where the key is a
    real token (not padding, id 0): the ``attention_mask`` that keeps every query off padding.
    The masks are given to the attention layers explicitly (Keras's implicit masks do not
    survive a ``MultiHeadAttention`` layer that reads a tensor twice)."""

    def call(self, inputs):
        query_ids, key_ids = inputs
        real = ops.not_equal(key_ids, 0)[:, None, :]
        return ops.logical_and(ops.ones_like(query_ids, dtype="bool")[:, :, None], real)


def feed_forward(x, d_model: int, ff_dim: int, dropout: float, name: str):
    """The position-wise feed-forward block: ``Dense(ff_dim, relu)`` → ``Dense(d_model)``."""
    h = layers.Dense(ff_dim, activation="relu", name=f"{name}_ff1")(x)
    h = layers.Dense(d_model, name=f"{name}_ff2")(h)
    return layers.Dropout(dropout, name=f"{name}_ff_dropout")(h)


def encoder_layer(x, source_mask, d_model: int, num_heads: int, ff_dim: int, dropout: float,
                  name: str):
    """Self-attention (off padding: ``source_mask``), then feed-forward, each added to its
    input and layer-normalised."""
    attended = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                         name=f"{name}_self_attention")(
        x, x, attention_mask=source_mask)
    x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm1")(layers.Add()([x, attended]))
    return layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm2")(
        layers.Add()([x, feed_forward(x, d_model, ff_dim, dropout, name)]))


def decoder_layer(y, memory, cross_mask, d_model: int, num_heads: int, ff_dim: int,
                  dropout: float, name: str):
    """Causal self-attention (a token sees only those before it), cross-attention to the
    encoder's output ``memory`` (off its padding: ``cross_mask``), feed-forward; each added to
    its input and layer-normalised."""
    attended = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                         name=f"{name}_self_attention")(y, y, use_causal_mask=True)
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm1")(layers.Add()([y, attended]))
    crossed = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                        name=f"{name}_cross_attention")(
        y, memory, attention_mask=cross_mask)
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm2")(layers.Add()([y, crossed]))
    return layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm3")(
        layers.Add()([y, feed_forward(y, d_model, ff_dim, dropout, name)]))


def build_transformer_model(num_encoder_tokens: int, num_decoder_tokens: int, *,
                            latent_dim: int = 160, num_heads: int = 4, ff_dim: int = 640,
                            num_layers: int = 2, dropout: float = 0.1,
                            learning_rate: float | keras.optimizers.schedules.LearningRateSchedule
                            = 7e-4, max_length: int = 128) -> keras.Model:
    """The encoder–decoder Transformer on one shared subword vocabulary (so
    ``num_encoder_tokens == num_decoder_tokens``). ``latent_dim`` is the model width
    (``d_model`` in the paper), split over ``num_heads`` heads; ``num_layers`` encoder and
    decoder layers. One :class:`PositionalEmbedding` reads the source and the target and
    writes the output probabilities. Adam (β₂ 0.98), the course's masked loss and accuracy."""
    check_positive(num_encoder_tokens=num_encoder_tokens,
                   num_decoder_tokens=num_decoder_tokens, latent_dim=latent_dim,
                   num_heads=num_heads, ff_dim=ff_dim, num_layers=num_layers,
                   max_length=max_length)
    if num_encoder_tokens != num_decoder_tokens:
        raise ValueError("the Transformer shares one vocabulary between source and target: "
                         f"num_encoder_tokens ({num_encoder_tokens}) must equal "
                         f"num_decoder_tokens ({num_decoder_tokens})")
    if latent_dim % num_heads:
        raise ValueError(f"latent_dim ({latent_dim}) must split evenly over num_heads "
                         f"({num_heads})")
    encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
    decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    embed = PositionalEmbedding(num_decoder_tokens, latent_dim, max_length,
                                name="shared_embedding")
    source_mask = PaddingMask(name="source_mask")([encoder_inputs, encoder_inputs])
    cross_mask = PaddingMask(name="cross_mask")([decoder_inputs, encoder_inputs])
    x = layers.Dropout(dropout, name="encoder_dropout")(embed(encoder_inputs))
    for i in range(num_layers):
        x = encoder_layer(x, source_mask, latent_dim, num_heads, ff_dim, dropout, f"encoder_{i}")
    y = layers.Dropout(dropout, name="decoder_dropout")(embed(decoder_inputs))
    for i in range(num_layers):
        y = decoder_layer(y, x, cross_mask, latent_dim, num_heads, ff_dim, dropout,
                          f"decoder_{i}")
    outputs = embed(y, as_logits=True)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="transformer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, beta_2=0.98, epsilon=1e-9),
                  loss=masked_loss, metrics=[masked_accuracy])
    return model


# --- decoding (plumbing: helpers.decoding steps these models) ---------------------------------


@keras.saving.register_keras_serializable(package="seq2seq_course")
class EmptyPrefix(layers.Layer):
    """``(batch, steps)`` ids → ``(batch, 0)`` ids: the decoder's history before its first
    token."""

    def call(self, ids):
        return ops.zeros((ops.shape(ids)[0], 0), dtype="int32")

    def compute_output_spec(self, ids):
        return keras.KerasTensor((ids.shape[0], 0), dtype="int32")


@keras.saving.register_keras_serializable(package="seq2seq_course")
class AttentionWeights(layers.Layer):
    """``[queries, keys, mask]`` projected by a ``MultiHeadAttention`` layer (``(batch, steps,
    heads, depth)``) → its attention weights, :func:`scaled_dot_product_attention`'s head by
    head: ``(batch, heads, steps_q, steps_k)``, or their mean over the heads
    (``average_heads=True``)."""

    def __init__(self, average_heads: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.average_heads = average_heads

    def call(self, inputs):
        queries, keys, mask = inputs
        _, weights = scaled_dot_product_attention(
            ops.transpose(queries, (0, 2, 1, 3)), ops.transpose(keys, (0, 2, 1, 3)),
            ops.transpose(keys, (0, 2, 1, 3)), mask[:, None, :, :])
        return ops.mean(weights, axis=1) if self.average_heads else weights

    def get_config(self):
        return {**super().get_config(), "average_heads": self.average_heads}


def _num_layers(model: keras.Model) -> int:
    return sum(layer.name.endswith("_cross_attention") for layer in model.layers)


def _cross_weights(model: keras.Model, query, memory, cross_mask, average_heads: bool = True):
    """The last decoder layer's cross-attention weights (from its own query and key
    projections), averaged over its heads or head by head."""
    cross = model.get_layer(f"decoder_{_num_layers(model) - 1}_cross_attention")
    return AttentionWeights(average_heads, name="cross_attention_weights")(
        [cross._query_dense(query), cross._key_dense(memory), cross_mask])


def _parts(model: keras.Model):
    """Tensors of the training graph: the encoder's output (``memory``), the query of the last
    cross-attention, and the cross-attention mask."""
    last = _num_layers(model) - 1
    return (model.get_layer(f"encoder_{last}_norm2").output,
            model.get_layer(f"decoder_{last}_norm1").output,
            model.get_layer("cross_mask").output)


def transformer_inference_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """``(encoder_model, decoder_model)`` of a trained Transformer, sharing its layers.

    ``encoder_model(encoder_ids)`` → ``[memory, prefix]`` (the encoder's output, and an empty
    history); ``decoder_model([token, prefix, encoder_outputs, encoder_ids])`` → the
    probabilities after the history plus ``token``, that longer history, and the last cross-
    attention's weights (mean over heads). Each step re-reads the whole history (no cache:
    sentences are short)."""
    memory, query, cross_mask = _parts(model)
    encoder_inputs = model.inputs[0]
    encoder_model = keras.Model(encoder_inputs, [memory, EmptyPrefix(name="empty_prefix")(
        encoder_inputs)], name="encoder_model")
    # The decoder half of the training graph, from the embedded target on. (A model made from
    # intermediate tensors only: one that also started at a training input would rewire it.)
    embedded = model.get_layer("decoder_dropout").output
    decoder_graph = keras.Model([embedded, memory, cross_mask], [model.outputs[0], query],
                                name="decoder_graph")
    token = keras.Input(shape=(1,), dtype="int32", name="decoder_inputs")
    prefix = keras.Input(shape=(None,), dtype="int32", name="decoder_prefix")
    encoder_outputs = keras.Input(shape=tuple(memory.shape[1:]), name="encoder_outputs")
    encoder_ids = keras.Input(shape=(None,), dtype="int32", name="encoder_ids")
    history = layers.Concatenate(axis=1, name="history")([prefix, token])
    mask = model.get_layer("cross_mask")([history, encoder_ids])
    probabilities, last_query = decoder_graph(
        [model.get_layer("shared_embedding")(history), encoder_outputs, mask])
    weights = _cross_weights(model, last_query, encoder_outputs, mask)
    decoder_model = keras.Model([token, prefix, encoder_outputs, encoder_ids],
                                [probabilities, history, weights], name="decoder_model")
    return encoder_model, decoder_model


def transformer_attention_weights(model: keras.Model) -> keras.Model:
    """A model of the training inputs ``[encoder_ids, decoder_ids]`` → the last decoder
    layer's cross-attention weights, mean over heads: ``(batch, target_steps, source_steps)``
    (what :func:`helpers.translation.attention_map` shows)."""
    memory, query, cross_mask = _parts(model)
    return keras.Model(model.inputs, _cross_weights(model, query, memory, cross_mask),
                       name="transformer_attention_weights")


def transformer_attention_heads(model: keras.Model) -> keras.Model:
    """:func:`transformer_attention_weights` head by head: ``(batch, heads, target_steps,
    source_steps)``, each head's weights summing to 1 over the source."""
    memory, query, cross_mask = _parts(model)
    return keras.Model(model.inputs, _cross_weights(model, query, memory, cross_mask, False),
                       name="transformer_attention_heads")


register_family(
    "transformer", build=build_transformer_model,
    inference_models=transformer_inference_models,
    attention_weights=transformer_attention_weights,
    attention_heads=transformer_attention_heads,
    cell="self-attention", tokens="subwords", reader="embedding", attention=True,
    description="the encoder–decoder Transformer on subword tokens (notebook 07)")
