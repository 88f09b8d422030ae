"""Notebook 05's exercises: a correct answer passes each check, a typical wrong one fails it with
a message that says what is wrong without giving the answer away."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import ops

from helpers import exercises as ex
from helpers import exercises_05 as nb
from helpers import exercises_05_checks as checks
from helpers.layers import LuongAttention
from helpers.translation import attention_map


def _mask(scores, source_ids):
    is_real = ops.expand_dims(ops.not_equal(ops.cast(source_ids, "int32"), 0), 1)
    scores = ops.where(is_real, scores, ops.full_like(scores, -1e9))
    return ops.softmax(scores, axis=-1) * ops.cast(is_real, scores.dtype)


# --- 5.1 · dot score --------------------------------------------------------------------------


class DotAttention(LuongAttention):
    def build(self, input_shape):
        pass

    def call(self, inputs, mask=None):
        query, values, source_ids = inputs
        weights = _mask(ops.matmul(query, ops.transpose(values, (0, 2, 1))), source_ids)
        return ops.matmul(weights, values), weights


def test_q1_correct() -> None:
    outcome = nb.q1.evaluate(DotAttention)
    assert outcome.passed, outcome.message


def test_q1_wrong() -> None:
    class KeepsWa(DotAttention):  # LuongAttention.build still creates W_a
        build = LuongAttention.build

    outcome = nb.q1.evaluate(KeepsWa)
    assert outcome.status == ex.WRONG
    assert "has 16 weights; the dot score has none" in outcome.message

    class NoMask(DotAttention):
        def call(self, inputs, mask=None):
            query, values, _ = inputs
            weights = ops.softmax(ops.matmul(query, ops.transpose(values, (0, 2, 1))), axis=-1)
            return ops.matmul(weights, values), weights

    outcome = nb.q1.evaluate(NoMask)
    assert outcome.status == ex.WRONG
    assert "gives weight to the padded positions of sentence 2" in outcome.message

    class WrongAxis(DotAttention):
        def call(self, inputs, mask=None):
            query, values, _ = inputs
            weights = ops.softmax(ops.matmul(query, ops.transpose(values, (0, 2, 1))), axis=1)
            return ops.matmul(weights, values), weights

    outcome = nb.q1.evaluate(WrongAxis)
    assert outcome.status == ex.WRONG and "do not sum to 1" in outcome.message

    class OnlyContext(DotAttention):
        def call(self, inputs, mask=None):
            return super().call(inputs)[0]

    outcome = nb.q1.evaluate(OnlyContext)
    assert outcome.status == ex.WRONG and "[context, weights]" in outcome.message

    class UsesNumPy(DotAttention):
        def call(self, inputs, mask=None):
            query, values, source_ids = inputs
            weights = _mask(np.einsum("btu,bsu->bts", query, values), source_ids)
            return ops.matmul(weights, values), weights

    outcome = nb.q1.evaluate(UsesNumPy)
    assert outcome.status == ex.WRONG and "fails inside a Keras model" in outcome.message


def test_q1_not_attempted() -> None:
    class Blank(LuongAttention):
        def build(self, input_shape):
            ...  # your code

        def call(self, inputs, mask=None):
            ...  # your code

    class Untouched(LuongAttention):
        """Nothing written yet."""

    for blank in (Blank, Untouched, ...):
        assert nb.q1.evaluate(blank).status == ex.NOT_ATTEMPTED
    assert nb.q1.evaluate(lambda: 1).status == ex.WRONG  # not a class


# --- 5.2 · additive score ---------------------------------------------------------------------


class AdditiveAttention(LuongAttention):
    def build(self, input_shape):
        query_shape, values_shape, _ = input_shape
        units = int(query_shape[-1])
        self.w_query = self.add_weight(name="w_query", shape=(units, units))
        self.w_values = self.add_weight(name="w_values", shape=(int(values_shape[-1]), units))
        self.v = self.add_weight(name="v", shape=(units,))

    def call(self, inputs, mask=None):
        query, values, source_ids = inputs
        q = ops.expand_dims(ops.matmul(query, self.w_query), 2)
        k = ops.expand_dims(ops.matmul(values, self.w_values), 1)
        weights = _mask(ops.sum(ops.tanh(q + k) * self.v, axis=-1), source_ids)
        return ops.matmul(weights, values), weights


def test_q2_correct() -> None:
    outcome = nb.q2.evaluate(AdditiveAttention)
    assert outcome.passed, outcome.message


def test_q2_wrong() -> None:
    class NoTanh(AdditiveAttention):
        def call(self, inputs, mask=None):
            query, values, source_ids = inputs
            q = ops.expand_dims(ops.matmul(query, self.w_query), 2)
            k = ops.expand_dims(ops.matmul(values, self.w_values), 1)
            weights = _mask(ops.sum((q + k) * self.v, axis=-1), source_ids)
            return ops.matmul(weights, values), weights

    outcome = nb.q2.evaluate(NoTanh)
    assert outcome.status == ex.WRONG
    assert "the weight array of AdditiveAttention differs at" in outcome.message

    class SwappedShapes(AdditiveAttention):
        def build(self, input_shape):
            query_shape, values_shape, _ = input_shape
            units = int(query_shape[-1])
            self.w_values = self.add_weight(name="w_values", shape=(int(values_shape[-1]), units))
            self.w_query = self.add_weight(name="w_query", shape=(units, units))
            self.v = self.add_weight(name="v", shape=(units,))

    outcome = nb.q2.evaluate(SwappedShapes)
    assert outcome.status == ex.WRONG
    assert "weights have shapes [(6, 4), (4, 4), (4,)]" in outcome.message


def test_q2_not_attempted() -> None:
    class Blank(LuongAttention):
        def build(self, input_shape):
            ...

        def call(self, inputs, mask=None):
            ...

    assert nb.q2.evaluate(Blank).status == ex.NOT_ATTEMPTED


# --- 5.3 · remove the mask --------------------------------------------------------------------


class UnmaskedAttention(LuongAttention):
    def call(self, inputs, mask=None):
        query, values, _ = inputs
        scores = ops.matmul(ops.matmul(query, self.kernel), ops.transpose(values, (0, 2, 1)))
        weights = ops.softmax(scores, axis=-1)
        return ops.matmul(weights, values), weights


CHANGED = {"with the mask": 0, "without the mask": 160}


def test_q3_correct() -> None:
    outcome = nb.q3.evaluate(UnmaskedAttention, CHANGED)
    assert outcome.passed, outcome.message
    assert "changed 160 translations of the unmasked model" in outcome.message


def test_q3_wrong() -> None:
    outcome = nb.q3.evaluate(LuongAttention, CHANGED)  # call inherited: not attempted
    assert outcome.status == ex.NOT_ATTEMPTED

    class StillMasked(LuongAttention):
        def call(self, inputs, mask=None):
            return super().call(inputs)

    outcome = nb.q3.evaluate(StillMasked, CHANGED)
    assert outcome.status == ex.WRONG
    assert "gives the padded positions of sentence 2 no weight" in outcome.message

    outcome = nb.q3.evaluate(UnmaskedAttention, {"with the mask": 3, "without the mask": 160})
    assert outcome.status == ex.WRONG and "with the mask, padding changed 3" in outcome.message
    outcome = nb.q3.evaluate(UnmaskedAttention, {"with the mask": 0, "without the mask": 0})
    assert outcome.status == ex.WRONG and "without the mask no translation changed" in (
        outcome.message)
    outcome = nb.q3.evaluate(UnmaskedAttention, {"masked": 0, "unmasked": 160})
    assert outcome.status == ex.WRONG and "it should have exactly" in outcome.message


def test_q3_not_attempted() -> None:
    class Blank(LuongAttention):
        def call(self, inputs, mask=None):
            ...  # your code

    assert nb.q3.evaluate(Blank, ...).status == ex.NOT_ATTEMPTED
    assert nb.q3.evaluate(UnmaskedAttention, ...).status == ex.NOT_ATTEMPTED


# --- 5.4 · attention entropy ------------------------------------------------------------------


def attention_entropy(weights):
    weights = np.asarray(weights, dtype="float64")
    return -(weights * np.log2(np.where(weights > 0, weights, 1.0))).sum(axis=-1)


def test_q4_correct() -> None:
    assert nb.q4.evaluate(attention_entropy).passed
    assert attention_entropy(np.array([0.25] * 4)) == pytest.approx(2.0)


@pytest.mark.parametrize(("wrong", "said"), [
    (lambda w: -(w * np.log2(w)).sum(axis=-1), "gives nan where a weight is 0"),
    (lambda w: -(w * np.log(np.where(w > 0, w, 1.0))).sum(axis=-1), "in nats"),
    (lambda w: (w * np.log2(np.where(w > 0, w, 1.0))).sum(axis=-1), "negative entropy"),
    (lambda w: attention_entropy(w).sum(), "should return one number per row, shape (6,)"),
    (lambda w: -(w * np.log2(np.where(w > 0, w, 1.0))).mean(axis=-1), "differs at"),
])
def test_q4_wrong(wrong, said) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        outcome = nb.q4.evaluate(wrong)
    assert outcome.status == ex.WRONG and said in outcome.message, outcome.message
    assert "1.3567" not in outcome.message  # the entropy of the row (0.7, 0.1, 0.1, 0.1)


def test_q4_not_attempted() -> None:
    def stub(weights):
        ...

    assert nb.q4.evaluate(stub).status == ex.NOT_ATTEMPTED


# --- 5.5 · where two translations part --------------------------------------------------------


def parting(translator, source, text_a, text_b):
    first = next((i for i, (a, b) in enumerate(zip(text_a, text_b, strict=False)) if a != b),
                 min(len(text_a), len(text_b)))
    map_a = attention_map(translator, source, text_a)
    map_b = attention_map(translator, source, text_b)
    shared = 0
    while shared < min(len(map_a), len(map_b)) and np.allclose(map_a[shared], map_b[shared],
                                                               atol=1e-5):
        shared += 1
    return first, shared


def test_q5_correct() -> None:
    outcome = nb.q5.evaluate(parting)
    assert outcome.passed, outcome.message
    translator = checks.pretrained_translator()
    # what the exercise teaches: the parting row is shared
    for source, a, b in checks.PARTING_CASES:
        first, shared = parting(translator, source, a, b)
        assert shared == first + 1, (source, first, shared)


def test_q5_wrong() -> None:
    def rows_before_parting(translator, source, text_a, text_b):
        first, _ = parting(translator, source, text_a, text_b)
        return first, first  # forgets that the row of the parting step is still shared

    outcome = nb.q5.evaluate(rows_before_parting)
    assert outcome.status == ex.WRONG
    assert "the attention rows the maps share, is 20, which is too low" in outcome.message

    def no_prefix_case(translator, source, text_a, text_b):
        first = next(i for i, (a, b) in enumerate(zip(text_a, text_b, strict=False)) if a != b)
        return first, first + 1

    outcome = nb.q5.evaluate(no_prefix_case)
    assert outcome.status == ex.WRONG
    assert "'Aide-moi', 'Aide-moi.')" in outcome.message and "StopIteration" in outcome.message

    outcome = nb.q5.evaluate(lambda translator, source, a, b: 20)
    assert outcome.status == ex.WRONG and "should return two numbers" in outcome.message


def test_q5_not_attempted() -> None:
    def stub(translator, source, text_a, text_b):
        ...

    assert nb.q5.evaluate(stub).status == ex.NOT_ATTEMPTED


def test_the_toy_batch_is_notebook_05s() -> None:
    """Section 2's example: sentence 2 has two characters, then three padded positions."""
    query, values, ids = checks.toy_inputs()
    assert query.shape == (2, 3, 4) and values.shape == (2, 5, 4)
    assert (ids[1, 2:] == 0).all() and (ids[0] != 0).all()
    keras.utils.set_random_seed(0)
    context, weights = LuongAttention()([query, values, ids])
    assert np.allclose(np.asarray(weights).sum(axis=-1), 1.0)
