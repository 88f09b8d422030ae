"""The exercises of notebook 07 (the Transformer), each with its check, hints and solution.

Used in: notebooks/07_transformer.ipynb (its exercises) and its solutions notebook.

``q1`` is scaled dot-product attention in NumPy, checked against
:func:`helpers.transformer.scaled_dot_product_attention` (and on scores large enough to
overflow an ``exp`` taken without care); ``q2`` reads each head's attention weights out of a
``keras.layers.MultiHeadAttention`` layer's weights, checked against what the layer returns;
``q3`` is the matrix that moves the sinusoidal positional encoding ``k`` positions on;
``q4`` is the causal mask, checked as a matrix and by what it does to attention; ``q5`` counts
the byte-pair merges after which a word is one piece.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.exercises import (
    Exercise,
    NotAttempted,
    Wrong,
    call,
    expect,
    expect_array,
    expect_number,
    is_blank,
    is_stub,
)
from helpers.subwords import END_OF_WORD, apply_bpe, learn_bpe
from helpers.transformer import positional_encoding

SOLUTIONS = "notebooks/solutions/07_transformer_solutions.ipynb"


def _pair(result: Any, name: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The two arrays a function returns as ``(a, b)``, or :class:`Wrong` saying so."""
    if not isinstance(result, list | tuple) or len(result) != 2:
        raise Wrong(f"{name} should return two arrays, {what}, not a {type(result).__name__}")
    try:
        return np.asarray(result[0], dtype="float64"), np.asarray(result[1], dtype="float64")
    except Exception as error:
        raise Wrong(f"{name} returns something that is not two arrays of numbers "
                    f"({type(error).__name__})") from error


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


# --- 7.1 · scaled dot-product attention in NumPy ------------------------------------------------


def reference_attention(queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
                        scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(q · kᵀ / scale) · v`` in float64 (``scale`` None: ``√d``), and the weights."""
    queries, keys, values = (np.asarray(a, dtype="float64") for a in (queries, keys, values))
    scale = math.sqrt(keys.shape[-1]) if scale is None else scale
    weights = _softmax(queries @ np.swapaxes(keys, -1, -2) / scale)
    return weights @ values, weights


def attention_cases() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Where the check calls the learner's function: a small batch, a batch of heads (two
    leading axes), and queries and keys large enough that ``exp`` of the raw scores
    overflows."""
    rng = np.random.default_rng(71)
    small = tuple(rng.normal(size=(2, n, 8)).astype("float32") for n in (3, 5, 5))
    heads = (rng.normal(size=(2, 3, 4, 16)).astype("float32"),
             rng.normal(size=(2, 3, 6, 16)).astype("float32"),
             rng.normal(size=(2, 3, 6, 5)).astype("float32"))
    large = (30 * rng.normal(size=(1, 2, 64)).astype("float32"),
             30 * rng.normal(size=(1, 4, 64)).astype("float32"),
             rng.normal(size=(1, 4, 3)).astype("float32"))
    return {"on a batch of 2 sentences": small,
            "on a batch of 2 sentences × 3 heads (two leading axes)": heads,
            "on queries and keys of size 30 (raw scores in the thousands)": large}


def _check_attention(attention_numpy: Callable[..., Any]) -> str:
    for where, (q, k, v) in attention_cases().items():
        result = call(attention_numpy, q.copy(), k.copy(), v.copy(), what="attention_numpy")
        output, weights = _pair(result, "attention_numpy", "(output, weights)")
        want_output, want_weights = reference_attention(q, k, v)
        expect(weights.shape == want_weights.shape,
               f"{where}, the weights have shape {weights.shape}; one weight per query and key: "
               f"{want_weights.shape}")
        expect(output.shape == want_output.shape,
               f"{where}, the output has shape {output.shape}; one value-sized vector per "
               f"query: {want_output.shape}")
        if not np.isfinite(weights).all() or not np.isfinite(output).all():
            raise Wrong(f"{where}, your function returns nan or inf: exp of a score in the "
                        "thousands overflows. Subtract each row's largest score before exp "
                        "(the softmax does not change)")
        sums = weights.sum(axis=-1)
        expect(np.allclose(sums, 1.0, atol=1e-4),
               f"{where}, the weights of a query do not sum to 1: the softmax runs over the "
               "keys, the last axis")
        if not np.allclose(weights, want_weights, atol=1e-4):
            d = q.shape[-1]
            for scale, said in ((1.0, "the scores are not divided by √d"),
                                (float(d), "the scores are divided by d, not by √d")):
                if np.allclose(weights, reference_attention(q, k, v, scale)[1], atol=1e-4):
                    raise Wrong(f"{where}, {said}")
            expect_array(f"{where}, the weight array", weights, want_weights, atol=1e-4)
        expect_array(f"{where}, the output", output, want_output, atol=1e-3)
    return ("The same numbers as scaled_dot_product_attention, and finite where exp of the raw "
            "scores is not: softmax(x) = softmax(x - max x)")


q1 = Exercise(
    "7.1", "Scale the scores by hand", 1, 10,
    hints=(
        "Three steps: scores = queries @ keys with its last two axes swapped, divided by √d "
        "(d = keys.shape[-1]); a softmax over the last axis; the weighted mean weights @ values.",
        "np.swapaxes(keys, -1, -2) transposes the last two axes whatever comes before them (a "
        "batch, heads). Before np.exp, subtract scores.max(axis=-1, keepdims=True): exp of a "
        "score of 5,000 is inf, and inf / inf is nan.",
        "scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(k.shape[-1]); e = np.exp(scores - "
        "scores.max(axis=-1, keepdims=True)); weights = e / e.sum(axis=-1, keepdims=True); "
        "return weights @ v, weights",
    ),
    solution_code='''
def attention_numpy(queries, keys, values):
    """softmax(q · kᵀ / √d) · v in NumPy: (output, weights)."""
    d = keys.shape[-1]
    scores = queries @ np.swapaxes(keys, -1, -2) / np.sqrt(d)
    scores = scores - scores.max(axis=-1, keepdims=True)  # exp never overflows; same softmax
    exp = np.exp(scores)
    weights = exp / exp.sum(axis=-1, keepdims=True)
    return weights @ values, weights

q1.check(attention_numpy)
''',
    checker=_check_attention, solutions_notebook=SOLUTIONS)

# --- 7.2 · what each head looks at --------------------------------------------------------------

#: (num_heads, key_dim, query width, value width) of the layers the check builds.
HEAD_LAYERS: tuple[tuple[int, int, int, int], ...] = ((2, 4, 8, 8), (3, 5, 6, 10))


def head_layer(num_heads: int, key_dim: int, query_width: int, value_width: int, seed: int):
    """A built ``keras.layers.MultiHeadAttention``, a query batch and a value batch."""
    import keras

    rng = np.random.default_rng(seed)
    query = rng.normal(size=(2, 4, query_width)).astype("float32")
    value = rng.normal(size=(2, 6, value_width)).astype("float32")
    keras.utils.set_random_seed(seed)
    layer = keras.layers.MultiHeadAttention(num_heads, key_dim)
    layer(query, value)
    # non-zero biases, so that forgetting them shows
    layer.set_weights([w + 0.1 * rng.normal(size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    return layer, query, value


def projected_heads(layer: Any, query: np.ndarray, value: np.ndarray, *,
                    biases: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Each head's queries and keys: ``(batch, heads, steps, key_dim)`` each."""
    wq, bq, wk, bk = (np.asarray(w, dtype="float64") for w in layer.get_weights()[:4])
    q = np.einsum("btd,dhk->bhtk", query, wq) + (bq[None, :, None, :] if biases else 0)
    k = np.einsum("bsd,dhk->bhsk", value, wk) + (bk[None, :, None, :] if biases else 0)
    return q, k


def _check_heads(head_weights: Callable[..., Any]) -> str:
    for i, sizes in enumerate(HEAD_LAYERS):
        layer, query, value = head_layer(*sizes, seed=72 + i)
        heads, key_dim = sizes[0], sizes[1]
        where = f"for a layer of {heads} heads of key_dim {key_dim}"
        got = call(head_weights, layer, query.copy(), value.copy(), what="head_weights")
        try:
            got = np.asarray(got, dtype="float64")
        except Exception as error:
            raise Wrong(f"{where}, head_weights returns something that is not an array of "
                        f"numbers ({type(got).__name__})") from error
        _, expected = layer(query, value, return_attention_scores=True)
        expected = np.asarray(expected, dtype="float64")
        expect(got.shape == expected.shape,
               f"{where}, head_weights returns shape {got.shape}; it should be (batch, heads, "
               f"query steps, key steps) = {expected.shape}")
        expect(np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
               f"{where}, the weights of a query do not sum to 1: the softmax runs over the "
               "key steps, the last axis")
        if np.allclose(got, expected, atol=1e-4):
            continue
        q, k = projected_heads(layer, query, value)
        width = heads * key_dim
        for scale, said in ((math.sqrt(width), "by √(heads · key_dim), the whole width"),
                            (math.sqrt(query.shape[-1]), "by √(the query's width)"),
                            (1.0, "not at all")):
            if np.allclose(got, _softmax(q @ np.swapaxes(k, -1, -2) / scale), atol=1e-4):
                raise Wrong(f"{where}, your scores are scaled {said}: each head compares "
                            "vectors of key_dim numbers, so it divides by √key_dim")
        q, k = projected_heads(layer, query, value, biases=False)
        if np.allclose(got, _softmax(q @ np.swapaxes(k, -1, -2) / math.sqrt(key_dim)),
                       atol=1e-4):
            raise Wrong(f"{where}, the biases are missing: each projection is x @ kernel + bias")
        expect_array(f"{where}, the array of head weights", got, expected, atol=1e-4)
    return ("Each head projects with its own slice of the kernels, (d, heads, key_dim), and "
            "divides its scores by √key_dim")


q2 = Exercise(
    "7.2", "What each head looks at", 2, 15,
    hints=(
        "layer.get_weights() lists, in order, the query kernel and bias, the key kernel and "
        "bias, the value kernel and bias, the output kernel and bias. A query kernel has shape "
        "(query width, heads, key_dim): head h's projection is query @ kernel[:, h] + bias[h].",
        "np.einsum('btd,dhk->bhtk', query, wq) + bq[:, None, :] projects every head at once "
        "into (batch, heads, steps, key_dim); do the same for the keys, from the value input. "
        "The values are not needed for the weights.",
        "scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(key_dim), with key_dim = wq.shape[-1]; "
        "then a softmax over the last axis (subtract the row maximum first).",
    ),
    solution_code='''
def head_weights(layer, query, value):
    """Each head's attention weights of a MultiHeadAttention layer, from its weights."""
    wq, bq, wk, bk = layer.get_weights()[:4]      # (width, heads, key_dim), (heads, key_dim)
    q = np.einsum("btd,dhk->bhtk", query, wq) + bq[:, None, :]   # (batch, heads, T, key_dim)
    k = np.einsum("bsd,dhk->bhsk", value, wk) + bk[:, None, :]   # (batch, heads, S, key_dim)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(wq.shape[-1])
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)

q2.check(head_weights)
''',
    checker=_check_heads, solutions_notebook=SOLUTIONS)

# --- 7.3 · positions as rotations ---------------------------------------------------------------

#: (k, depth) pairs the check tries: the matrix must work for every position p.
SHIFT_CASES: tuple[tuple[int, int], ...] = ((1, 8), (5, 16), (17, 16), (0, 8), (3, 6))
SHIFT_POSITIONS = 64


def reference_shift(k: int, depth: int) -> np.ndarray:
    """``M`` with ``PE[p + k] = PE[p] @ M``: a 2 × 2 rotation by ``k·ω_i`` for each pair of
    dimensions ``(2i, 2i + 1)``."""
    rates = 1 / np.power(10000, (2 * (np.arange(depth) // 2)) / depth)
    matrix = np.zeros((depth, depth))
    for i in range(0, depth - 1, 2):
        angle = k * rates[i]
        matrix[i:i + 2, i:i + 2] = [[math.cos(angle), -math.sin(angle)],
                                    [math.sin(angle), math.cos(angle)]]
    return matrix


def _check_shift(shift_matrix: Callable[..., Any]) -> str:
    for k, depth in SHIFT_CASES:
        where = f"shift_matrix({k}, {depth})"
        got = call(shift_matrix, k, depth, what="shift_matrix")
        try:
            got = np.asarray(got, dtype="float64")
        except Exception as error:
            raise Wrong(f"{where} is not an array of numbers ({type(got).__name__})") from error
        expect(got.shape == (depth, depth),
               f"{where} has shape {got.shape}; it multiplies a row of {depth} numbers and "
               f"gives one: ({depth}, {depth})")
        table = positional_encoding(SHIFT_POSITIONS + k, depth).astype("float64")
        moved = table[:SHIFT_POSITIONS] @ got
        if np.allclose(moved, table[k:k + SHIFT_POSITIONS], atol=1e-4):
            continue
        if np.allclose(table[:SHIFT_POSITIONS] @ got.T, table[k:k + SHIFT_POSITIONS],
                       atol=1e-4):
            raise Wrong(f"{where} turns the wrong way (it is the transpose of the right one): "
                        "the row vector [sin a, cos a] times M must give [sin(a + b), cos(a + b)]"
                        ", and sin(a + b) = sin a cos b + cos a sin b")
        bad = np.flatnonzero(~np.isclose(moved, table[k:k + SHIFT_POSITIONS],
                                         atol=1e-4).all(axis=0))
        raise Wrong(f"{where} moves positions wrongly in {len(bad)} of {depth} dimensions, the "
                    f"first being dimension {int(bad[0])} (PE[p] @ M is not PE[p + {k}]); "
                    "dimensions 2i and 2i + 1 share the rate 1 / 10000^(2i / depth)")
    return ("PE[p + k] = PE[p] @ M_k for every p, with M_k the same for all positions: moving by "
            "k positions is one fixed linear map, which attention's projections can learn")


q3 = Exercise(
    "7.3", "Positions as rotations", 3, 20,
    hints=(
        "Dimensions 2i and 2i + 1 of PE[p] are sin(p·ω) and cos(p·ω) with the same rate "
        "ω = 1 / 10000^(2i / depth). Moving k positions on adds the angle k·ω to both: a "
        "rotation of that pair, which touches no other dimension.",
        "M is zero except for 2 × 2 blocks on its diagonal, one per pair of dimensions. For "
        "the row vector [s, c] = [sin a, cos a], you need [s, c] @ block = [sin(a + b), "
        "cos(a + b)] with b = k·ω: use sin(a + b) = s cos b + c sin b and cos(a + b) = "
        "c cos b − s sin b.",
        "block = [[cos b, -sin b], [sin b, cos b]]: its first column gives sin(a + b), its "
        "second cos(a + b). Put it at M[2i:2i + 2, 2i:2i + 2] for every i.",
    ),
    solution_code='''
def shift_matrix(k, depth):
    """The (depth, depth) matrix M with positional_encoding(...)[p + k] == PE[p] @ M."""
    matrix = np.zeros((depth, depth))
    for i in range(0, depth, 2):
        b = k / 10000 ** (i / depth)                  # the angle k·ω of dimensions i and i + 1
        matrix[i:i + 2, i:i + 2] = [[np.cos(b), -np.sin(b)],
                                    [np.sin(b), np.cos(b)]]
    return matrix

q3.check(shift_matrix)
''',
    checker=_check_shift, solutions_notebook=SOLUTIONS)

# --- 7.4 · the causal mask ----------------------------------------------------------------------


def _check_causal(causal_mask: Callable[..., Any]) -> str:
    for steps in (1, 4, 7):
        where = f"causal_mask({steps})"
        got = call(causal_mask, steps, what="causal_mask")
        try:
            got = np.asarray(got)
        except Exception as error:
            raise Wrong(f"{where} is not an array ({type(got).__name__})") from error
        expect(got.shape == (steps, steps),
               f"{where} has shape {got.shape}; one row per query step and one column per key "
               f"step: ({steps}, {steps})")
        expect(got.dtype == bool or np.isin(got, (0, 1)).all(),
               f"{where} holds values other than True/False (or 1/0)")
        got = got.astype(bool)
        want = np.tril(np.ones((steps, steps), bool))
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, want.T):
            raise Wrong(f"{where} is the transpose of the causal mask: row i is the query "
                        "(token i), column j the key; token i may look at the tokens j ≤ i")
        if np.array_equal(got, np.tril(want, -1)):
            raise Wrong(f"{where} hides each token from itself: token i may look at every j ≤ "
                        "i, itself included (the first token would otherwise see nothing, and "
                        "a softmax over nothing spreads its weight over every token, the "
                        "future ones too)")
        expect_array(f"the mask {where}", got, want)
    rng = np.random.default_rng(74)
    x = rng.normal(size=(1, 5, 8))
    changed = x.copy()
    changed[0, 3:] = rng.normal(size=(2, 8))
    mask = np.asarray(call(causal_mask, 5, what="causal_mask"), bool)
    masked = np.where(mask, 0.0, -1e9)
    before = _softmax(x @ x.transpose(0, 2, 1) / math.sqrt(8) + masked) @ x
    after = _softmax(changed @ changed.transpose(0, 2, 1) / math.sqrt(8) + masked) @ changed
    expect(np.allclose(before[0, :3], after[0, :3]),
           "with your mask, changing tokens 4 and 5 changes the outputs of tokens 1 to 3")
    return ("Self-attention under your mask: changing the last two tokens of a sequence of 5 "
            "leaves the first three outputs exactly as they were")


q4 = Exercise(
    "7.4", "Write the causal mask", 1, 10,
    hints=(
        "The mask has one row per query (the token looking) and one column per key (the token "
        "looked at). Token i may look at tokens 0 … i: True on and below the diagonal.",
        "np.tril keeps the lower triangle of a matrix, the diagonal included.",
        "return np.tril(np.ones((steps, steps), dtype=bool))",
    ),
    solution_code='''
def causal_mask(steps):
    """(steps, steps) booleans: True where query i may look at key j, i.e. j <= i."""
    return np.tril(np.ones((steps, steps), dtype=bool))

q4.check(causal_mask)
''',
    checker=_check_causal, solutions_notebook=SOLUTIONS)

# --- 7.5 · when a word becomes one piece --------------------------------------------------------

#: Sennrich et al.'s toy corpus (2016), as notebook 07 writes it: each word as often as it
#: occurs.
TOY_WORDS: tuple[str, ...] = ("low",) * 5 + ("lower",) * 2 + ("newest",) * 6 + ("widest",) * 3
#: A second corpus, so that an answer cannot be a table for the first.
OTHER_WORDS: tuple[str, ...] = ("banana",) * 4 + ("bandana",) * 2 + ("band",) * 3 + ("ban",) * 5

#: The fewest merges learn_bpe needs to write a word whole is searched up to this many.
MAX_MERGES = 200


def reference_merges_needed(words: Sequence[str], word: str) -> int | None:
    """The fewest ``n`` with ``apply_bpe(word, learn_bpe(words, n))`` one piece, or None."""
    merges = learn_bpe(words, MAX_MERGES)
    for n in range(len(merges) + 1):
        if apply_bpe(word, merges[:n]) == [word + END_OF_WORD]:
            return n
    return None


MERGE_CASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (TOY_WORDS, "newest"), (TOY_WORDS, "low"), (TOY_WORDS, "widest"), (TOY_WORDS, "lower"),
    (TOY_WORDS, "lowest"), (TOY_WORDS, "x"), (OTHER_WORDS, "ban"), (OTHER_WORDS, "bandana"),
    (OTHER_WORDS, "nab"))


def _check_merges(merges_needed: Callable[..., Any]) -> str:
    if is_blank(merges_needed) or is_stub(merges_needed):
        raise NotAttempted  # a correct answer returns None for some words: call() would not do
    if not callable(merges_needed):
        raise Wrong(f"merges_needed should be a function, not a {type(merges_needed).__name__}")
    for words, word in MERGE_CASES:
        corpus = "the toy corpus" if words == TOY_WORDS else "the second corpus"
        where = f"merges_needed({corpus}, {word!r})"
        want = reference_merges_needed(words, word)
        try:
            got = merges_needed(list(words), word)
        except (NotAttempted, Wrong):
            raise
        except Exception as error:
            raise Wrong(f"calling merges_needed raised {type(error).__name__}: {error}"
                        ) from error
        if want is None:
            expect(got is None,
                   f"{where} is {got!r}, but no number of merges writes {word!r} as one piece "
                   "(is it a word of the corpus?): return None")
            continue
        expect(got is not None, f"{where} is None, but {word!r} does become one piece")
        expect_number(where, got, want, rtol=0)
    frequent = reference_merges_needed(TOY_WORDS, "newest")
    rare = reference_merges_needed(TOY_WORDS, "widest")
    return (f"In the toy corpus, 'newest' (6 times) is one piece after {frequent} merges and "
            f"'widest' (3 times) after {rare}: frequent words become whole first")


q5 = Exercise(
    "7.5", "When a word becomes one piece", 2, 15,
    hints=(
        "learn_bpe(words, n) returns the first n merges, and the first n merges of a longer "
        "run are the same ones: learn once with many merges, then try the prefixes merges[:n] "
        "for n = 0, 1, 2, … .",
        "A word is one piece when apply_bpe(word, merges[:n]) == [word + END_OF_WORD] (the "
        "end-of-word mark is part of the piece). learn_bpe stops early when every word of the "
        "corpus is one symbol; a word that is still cut then never becomes whole: return None.",
        "merges = learn_bpe(words, 1000); for n in range(len(merges) + 1): if apply_bpe(word, "
        "merges[:n]) == [word + END_OF_WORD]: return n; after the loop, return None.",
    ),
    solution_code='''
def merges_needed(words, word):
    """The fewest merges of learn_bpe(words, ...) after which apply_bpe writes word as one
    piece; None if no number of merges does."""
    merges = learn_bpe(words, 1000)  # stops by itself once every word is one symbol
    for n in range(len(merges) + 1):
        if apply_bpe(word, merges[:n]) == [word + END_OF_WORD]:
            return n
    return None

q5.check(merges_needed)
''',
    checker=_check_merges, solutions_notebook=SOLUTIONS)
