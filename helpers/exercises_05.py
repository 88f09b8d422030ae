"""The exercises of notebook 05 (attention), each with its check, hints and solution.

Used in: notebooks/05_attention.ipynb (its exercises) and its solutions notebook.

``q1``, ``q2`` and ``q3`` are attention layers (Luong's dot score, Bahdanau's additive score,
Luong's general score without the mask); ``q3`` also asks what removing the mask does to padded
translations. ``q4`` is the entropy of attention rows; ``q5`` finds where two translations of one
sentence part and how many attention rows they share (with the attention model). Each exercise
here is what a learner meets: its title, difficulty, hints and worked solution; its check is in
:mod:`helpers.exercises_05_checks`.
"""

from __future__ import annotations

from helpers.exercises import Exercise
from helpers.exercises_05_checks import (
    check_additive,
    check_dot,
    check_entropy,
    check_parting,
    check_unmasked,
)

SOLUTIONS = "notebooks/solutions/05_attention_solutions.ipynb"

# --- 5.1 · dot score ------------------------------------------------------------------------

q1 = Exercise(
    "5.1", "Dot versus general score", 2, 15,
    hints=(
        "Subclass LuongAttention and override two methods: build (the dot score has no weights, "
        "so it creates none) and call (the scores without self.kernel).",
        "Copy LuongAttention.call and change only the line of the scores: "
        "ops.matmul(query, ops.transpose(values, (0, 2, 1))). The mask, the softmax and the "
        "context stay as they are.",
        "def build(self, input_shape): pass  — then in call: scores = ops.matmul(query, "
        "ops.transpose(values, (0, 2, 1))); is_real = ...; scores = ops.where(is_real, scores, "
        "ops.full_like(scores, -1e9)); weights = ops.softmax(scores, axis=-1) * "
        "ops.cast(is_real, scores.dtype); return ops.matmul(weights, values), weights",
    ),
    solution_code='''
class DotAttention(LuongAttention):
    """Luong's "dot" score h_t · h̄_s: LuongAttention without W_a (no weights at all)."""

    def build(self, input_shape):
        pass  # nothing to learn

    def call(self, inputs, mask=None):
        query, values, source_ids = inputs
        scores = ops.matmul(query, ops.transpose(values, (0, 2, 1)))
        is_real = ops.expand_dims(ops.not_equal(ops.cast(source_ids, "int32"), 0), 1)
        scores = ops.where(is_real, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1) * ops.cast(is_real, scores.dtype)
        return ops.matmul(weights, values), weights

q1.check(DotAttention)
''',
    checker=check_dot, solutions_notebook=SOLUTIONS)

# --- 5.2 · additive score -----------------------------------------------------------------------

q2 = Exercise(
    "5.2", "Bahdanau's additive score", 2, 20,
    hints=(
        "Three weights, created in build in this order: w_query (query width × units), w_values "
        "(values width × units) and v (units,), with units = the query's width. In call, every "
        "target step must be paired with every source step before the tanh.",
        "ops.matmul(query, self.w_query) is (batch, T, units) and ops.matmul(values, "
        "self.w_values) is (batch, S, units): ops.expand_dims them to (batch, T, 1, units) and "
        "(batch, 1, S, units), add (broadcasting gives (batch, T, S, units)), take ops.tanh, and "
        "sum the product with self.v over the last axis to get the (batch, T, S) scores.",
        "scores = ops.sum(ops.tanh(q + k) * self.v, axis=-1); then the mask, the softmax and "
        "the context exactly as in LuongAttention.call.",
    ),
    solution_code='''
class AdditiveAttention(LuongAttention):
    """Bahdanau's additive score v · tanh(W1 h_t + W2 h̄_s), placed where Luong's score is."""

    def build(self, input_shape):
        query_shape, values_shape, _ = input_shape
        units = int(query_shape[-1])
        self.w_query = self.add_weight(name="w_query", shape=(units, units),
                                       initializer="glorot_uniform")
        self.w_values = self.add_weight(name="w_values", shape=(int(values_shape[-1]), units),
                                        initializer="glorot_uniform")
        self.v = self.add_weight(name="v", shape=(units,), initializer="glorot_uniform")

    def call(self, inputs, mask=None):
        query, values, source_ids = inputs
        q = ops.expand_dims(ops.matmul(query, self.w_query), 2)    # (batch, T, 1, units)
        k = ops.expand_dims(ops.matmul(values, self.w_values), 1)  # (batch, 1, S, units)
        scores = ops.sum(ops.tanh(q + k) * self.v, axis=-1)         # (batch, T, S)
        is_real = ops.expand_dims(ops.not_equal(ops.cast(source_ids, "int32"), 0), 1)
        scores = ops.where(is_real, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1) * ops.cast(is_real, scores.dtype)
        return ops.matmul(weights, values), weights

q2.check(AdditiveAttention)
''',
    checker=check_additive, solutions_notebook=SOLUTIONS)

# --- 5.3 · remove the mask ----------------------------------------------------------------------

q3 = Exercise(
    "5.3", "Remove the mask", 3, 25,
    hints=(
        "The layer: LuongAttention.call without is_real, the ops.where and the multiplication by "
        "is_real (keep build and its W_a). The model: keras.models.clone_model can rebuild "
        "attention_model.model with another layer in place of the one named 'attention'.",
        "clone_model(attention_model.model, clone_function=f) builds each layer from f(layer): "
        "return UnmaskedAttention(name='attention') for the attention layer and "
        "layer.__class__.from_config(layer.get_config()) for every other, then "
        "unmasked.set_weights(attention_model.model.get_weights()). Encode the sentences once, "
        "padded: ids = encoding.encode_sequences(sentences, attention_model.input_vocab, "
        "on_unknown='unk'); lengths = (ids != 0).sum(axis=1).",
        "For each model: encoder_model, decoder_model = attention_inference_models(model); "
        "'together' is greedy_decode(encoder_model, decoder_model, ids, "
        "attention_model.target_vocab, max_decoder_seq_length="
        "attention_model.max_decoder_seq_length); 'alone' decodes "
        "ids[rows, :length] for the rows of each length. Count the rows where the two differ: "
        "changed = {'with the mask': ..., 'without the mask': ...}.",
    ),
    solution_code='''
class UnmaskedAttention(LuongAttention):
    def call(self, inputs, mask=None):
        query, values, _ = inputs
        scores = ops.matmul(ops.matmul(query, self.kernel), ops.transpose(values, (0, 2, 1)))
        weights = ops.softmax(scores, axis=-1)
        return ops.matmul(weights, values), weights

def rebuild(layer):
    if layer.name == "attention":
        return UnmaskedAttention(name="attention")
    return layer.__class__.from_config(layer.get_config())

unmasked = keras.models.clone_model(attention_model.model, clone_function=rebuild)
unmasked.set_weights(attention_model.model.get_weights())
ids = encoding.encode_sequences(course_sources[:200], attention_model.input_vocab, on_unknown="unk")
lengths = (ids != 0).sum(axis=1)

def padding_changes(model):
    encoder_model, decoder_model = attention_inference_models(model)
    decode = lambda x: greedy_decode(encoder_model, decoder_model, x, attention_model.target_vocab,
                                     max_decoder_seq_length=attention_model.max_decoder_seq_length)
    together, alone = decode(ids), [""] * len(ids)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        for row, text in zip(rows, decode(ids[rows, :length])):
            alone[row] = text
    return sum(a != b for a, b in zip(together, alone))

changed = {"with the mask": padding_changes(attention_model.model),
           "without the mask": padding_changes(unmasked)}
q3.check(UnmaskedAttention, changed)
''',
    checker=check_unmasked, solutions_notebook=SOLUTIONS)

# --- 5.4 · attention entropy ----------------------------------------------------------------------

q4 = Exercise(
    "5.4", "Attention entropy", 1, 15,
    hints=(
        "The entropy of a row a is -Σ_s a(s) · log2 a(s): 0 bits when one weight is 1, log2(S) "
        "when S weights are equal. Compute it over the last axis, so that it works for one row, "
        "a map or a batch of maps.",
        "np.log2(0) is -inf and 0 · -inf is nan: take the log of the positive weights only, e.g. "
        "np.log2(np.where(weights > 0, weights, 1.0)), which gives log 1 = 0 for the zeros.",
        "return -(weights * np.log2(np.where(weights > 0, weights, 1.0))).sum(axis=-1)",
    ),
    solution_code='''
def attention_entropy(weights):
    weights = np.asarray(weights, dtype="float64")
    return -(weights * np.log2(np.where(weights > 0, weights, 1.0))).sum(axis=-1)

q4.check(attention_entropy)
# then, e.g., every row of a held-out translation's attention map:
print(attention_entropy(attention_map(attention_model, source, translation)).round(2))
''',
    checker=check_entropy, solutions_notebook=SOLUTIONS)

# --- 5.5 · where beam search and greedy decoding part ------------------------------------------

q5 = Exercise(
    "5.5", "Where beam search and greedy decoding part", 2, 15,
    hints=(
        "attention_map(translator, source, text) has one row per character of text and a last "
        "row for the stop token. Row t is computed from source and text[:t] only: the characters "
        "already written.",
        "The first character that differs: the first i with text_a[i] != text_b[i], or the "
        "length of the shorter text if one is the start of the other. Then count the leading "
        "rows of the two maps that are equal, with np.allclose (two passes over different "
        "lengths can differ in the last bits of a float).",
        "first = next((i for i, (a, b) in enumerate(zip(text_a, text_b)) if a != b), "
        "min(len(text_a), len(text_b))); shared = 0; while shared < min(len(map_a), len(map_b)) "
        "and np.allclose(map_a[shared], map_b[shared], atol=1e-5): shared += 1",
    ),
    solution_code='''
def parting(translator, source, text_a, text_b):
    first = next((i for i, (a, b) in enumerate(zip(text_a, text_b)) if a != b),
                 min(len(text_a), len(text_b)))
    map_a = attention_map(translator, source, text_a)
    map_b = attention_map(translator, source, text_b)
    shared = 0
    while (shared < min(len(map_a), len(map_b))
           and np.allclose(map_a[shared], map_b[shared], atol=1e-5)):
        shared += 1
    return first, shared

q5.check(parting)
''',
    checker=check_parting, solutions_notebook=SOLUTIONS)
