"""Notebook 07's exercises: a correct answer passes each check, a typical wrong one fails it with
a message that says what is wrong without giving the answer away."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import exercises as ex
from helpers import exercises_07 as nb
from helpers.subwords import END_OF_WORD, apply_bpe, learn_bpe
from helpers.transformer import positional_encoding, scaled_dot_product_attention

# --- 7.1 · scaled dot-product attention in NumPy ------------------------------------------------


def attention_numpy(queries, keys, values):
    scores = queries @ np.swapaxes(keys, -1, -2) / np.sqrt(keys.shape[-1])
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = exp / exp.sum(axis=-1, keepdims=True)
    return weights @ values, weights


def test_q1_correct() -> None:
    outcome = nb.q1.evaluate(attention_numpy)
    assert outcome.passed, outcome.message
    # the Keras version is right too (it subtracts the maximum inside its softmax)
    outcome = nb.q1.evaluate(lambda q, k, v: tuple(
        np.asarray(a) for a in scaled_dot_product_attention(q, k, v)))
    assert outcome.passed, outcome.message


def _softmax_attention(scale, stable=True, axis=-1):
    def attention(queries, keys, values):
        scores = queries @ np.swapaxes(keys, -1, -2) / scale(keys.shape[-1])
        if stable:
            scores = scores - scores.max(axis=axis, keepdims=True)
        exp = np.exp(scores)
        weights = exp / exp.sum(axis=axis, keepdims=True)
        return weights @ values, weights
    return attention


@pytest.mark.parametrize(("answer", "said"), [
    (_softmax_attention(np.sqrt, stable=False), "returns nan or inf: exp of a score"),
    (_softmax_attention(lambda d: 1.0), "the scores are not divided by √d"),
    (_softmax_attention(lambda d: d), "the scores are divided by d, not by √d"),
    (_softmax_attention(np.sqrt, axis=-2), "do not sum to 1"),
    (lambda q, k, v: attention_numpy(q, k, v)[1], "should return two arrays"),
    (lambda q, k, v: attention_numpy(q, k, v)[::-1], "the weights have shape"),
    (lambda q, k, v: (attention_numpy(q, k, v)[0] * 1.1, attention_numpy(q, k, v)[1]),
     "the output differs"),
    (lambda q, k, v: attention_numpy(q[..., 0, :], k, v), "the weights have shape"),
])
def test_q1_wrong(answer, said) -> None:
    with np.errstate(all="ignore"):
        outcome = nb.q1.evaluate(answer)
    assert outcome.status == ex.WRONG, outcome.message
    assert said in outcome.message, outcome.message


def test_q1_not_attempted() -> None:
    def blank(queries, keys, values):
        """softmax(q · kᵀ / √d) · v in NumPy: (output, weights)."""
        ...  # your code

    for answer in (blank, ...):
        assert nb.q1.evaluate(answer).status == ex.NOT_ATTEMPTED
    assert nb.q1.evaluate(lambda q, k, v: 1 / 0).status == ex.WRONG  # an error, in one line


# --- 7.2 · what each head looks at --------------------------------------------------------------


def _head_weights(scale=None, biases=True, keys_from="key"):
    def head_weights(layer, query, value):
        wq, bq, wk, bk, wv, bv = layer.get_weights()[:6]
        if keys_from == "value":
            wk, bk = wv, bv
        q = np.einsum("btd,dhk->bhtk", query, wq) + (bq[:, None, :] if biases else 0)
        k = np.einsum("bsd,dhk->bhsk", value, wk) + (bk[:, None, :] if biases else 0)
        denominator = np.sqrt(wq.shape[-1]) if scale is None else scale(wq)
        scores = q @ np.swapaxes(k, -1, -2) / denominator
        exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
        return exp / exp.sum(axis=-1, keepdims=True)
    return head_weights


def test_q2_correct() -> None:
    outcome = nb.q2.evaluate(_head_weights())
    assert outcome.passed, outcome.message


@pytest.mark.parametrize(("answer", "said"), [
    (_head_weights(scale=lambda wq: np.sqrt(wq.shape[1] * wq.shape[2])),
     "scaled by √(heads · key_dim), the whole width"),
    (_head_weights(scale=lambda wq: 1.0), "scaled not at all"),
    (_head_weights(biases=False), "the biases are missing"),
    (_head_weights(keys_from="value"), "the array of head weights differs"),
    (lambda layer, q, v: _head_weights()(layer, q, v)[:, 0], "it should be (batch, heads"),
    (lambda layer, q, v: np.swapaxes(_head_weights()(layer, q, v), -1, -2),
     "it should be (batch, heads"),
])
def test_q2_wrong(answer, said) -> None:
    outcome = nb.q2.evaluate(answer)
    assert outcome.status == ex.WRONG, outcome.message
    assert said in outcome.message, outcome.message


def test_q2_not_attempted() -> None:
    def blank(layer, query, value):
        ...  # your code

    assert nb.q2.evaluate(blank).status == ex.NOT_ATTEMPTED


# --- 7.3 · positions as rotations ---------------------------------------------------------------


def shift_matrix(k, depth):
    matrix = np.zeros((depth, depth))
    for i in range(0, depth, 2):
        b = k / 10000 ** (i / depth)
        matrix[i:i + 2, i:i + 2] = [[np.cos(b), -np.sin(b)], [np.sin(b), np.cos(b)]]
    return matrix


def test_q3_correct() -> None:
    outcome = nb.q3.evaluate(shift_matrix)
    assert outcome.passed, outcome.message
    for k, depth in nb.SHIFT_CASES:  # the reference the module keeps is the same matrix
        np.testing.assert_allclose(nb.reference_shift(k, depth), shift_matrix(k, depth))
    table = positional_encoding(40, 8)
    np.testing.assert_allclose(table[:-3] @ shift_matrix(3, 8), table[3:], atol=1e-5)


@pytest.mark.parametrize(("answer", "said"), [
    (lambda k, d: shift_matrix(k, d).T, "turns the wrong way"),
    (lambda k, d: shift_matrix(2 * k, d), "moves positions wrongly in"),
    (lambda k, d: np.eye(d), "moves positions wrongly in"),
    (lambda k, d: shift_matrix(k, d)[:, :-1], "has shape"),
    (lambda k, d: [[1, 2], [3]], "is not an array of numbers"),
])
def test_q3_wrong(answer, said) -> None:
    outcome = nb.q3.evaluate(answer)
    assert outcome.status == ex.WRONG, outcome.message
    assert said in outcome.message, outcome.message


def test_q3_a_rate_per_dimension_is_caught() -> None:
    """The rate of dimension i is that of its pair, 1 / 10000^(2·(i // 2) / depth)."""
    def per_dimension(k, depth):
        matrix = np.zeros((depth, depth))
        for i in range(0, depth, 2):
            b = k / 10000 ** (2 * i / depth)  # 2i for the pair's first dimension i: twice too far
            matrix[i:i + 2, i:i + 2] = [[np.cos(b), -np.sin(b)], [np.sin(b), np.cos(b)]]
        return matrix

    outcome = nb.q3.evaluate(per_dimension)
    assert outcome.status == ex.WRONG and "share the rate" in outcome.message


def test_q3_not_attempted() -> None:
    def blank(k, depth):
        """..."""
        ...

    assert nb.q3.evaluate(blank).status == ex.NOT_ATTEMPTED


# --- 7.4 · the causal mask ----------------------------------------------------------------------


def test_q4_correct() -> None:
    for answer in (lambda s: np.tril(np.ones((s, s), bool)),
                   lambda s: np.arange(s)[None, :] <= np.arange(s)[:, None],
                   lambda s: np.tril(np.ones((s, s), int))):
        outcome = nb.q4.evaluate(answer)
        assert outcome.passed, outcome.message


@pytest.mark.parametrize(("answer", "said"), [
    (lambda s: np.triu(np.ones((s, s), bool)), "is the transpose of the causal mask"),
    (lambda s: np.tril(np.ones((s, s), bool), -1), "hides each token from itself"),
    (lambda s: np.ones((s, s), bool), "differs at"),
    (lambda s: np.tril(np.ones((s, s + 1), bool)), "has shape"),
    (lambda s: np.tril(np.full((s, s), 0.5)), "values other than True/False"),
])
def test_q4_wrong(answer, said) -> None:
    outcome = nb.q4.evaluate(answer)
    assert outcome.status == ex.WRONG, outcome.message
    assert said in outcome.message, outcome.message


def test_q4_not_attempted() -> None:
    def blank(steps):
        """(steps, steps) booleans: True where query i may look at key j."""
        ...  # your code

    assert nb.q4.evaluate(blank).status == ex.NOT_ATTEMPTED


# --- 7.5 · when a word becomes one piece --------------------------------------------------------


def merges_needed(words, word):
    merges = learn_bpe(words, 1000)
    for n in range(len(merges) + 1):
        if apply_bpe(word, merges[:n]) == [word + END_OF_WORD]:
            return n
    return None


def test_q5_correct() -> None:
    outcome = nb.q5.evaluate(merges_needed)
    assert outcome.passed, outcome.message
    assert "'newest' (6 times) is one piece after 8 merges" in outcome.message
    assert nb.reference_merges_needed(nb.TOY_WORDS, "lowest") is None


@pytest.mark.parametrize(("answer", "said"), [
    (lambda words, word: (merges_needed(words, word) or -1) + 1, "which is too high"),
    (lambda words, word: len(learn_bpe(words, 1000)), "which is too high"),
    (lambda words, word: merges_needed(words, word) or 0, "no number of merges writes"),
    (lambda words, word: learn_bpe(words, 1) and None,  # a body that runs, and returns None
     "is None, but 'newest' does become one piece"),
    (lambda words, word: next(n for n in range(100) if apply_bpe(word, learn_bpe(words, n))
                              == [word]), "calling merges_needed raised StopIteration"),
])
def test_q5_wrong(answer, said) -> None:
    outcome = nb.q5.evaluate(answer)
    assert outcome.status == ex.WRONG, outcome.message
    assert said in outcome.message, outcome.message


def test_q5_not_attempted() -> None:
    def blank(words, word):
        """The fewest merges … or None."""
        ...  # your code

    def passes(words, word):
        pass

    for answer in (blank, passes, ...):
        assert nb.q5.evaluate(answer).status == ex.NOT_ATTEMPTED
    assert nb.q5.evaluate(42).status == ex.WRONG
