"""Notebook 02's exercises (``helpers.exercises_02``): a right answer passes, typical wrong
answers fail with a message that says what is wrong without giving the answer away, and a blank
is "not attempted". The models are tiny (the check builds them with 8 units) and never trained."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from helpers import exercises as ex
from helpers.addition import addition_columns, addition_questions, number_digits
from helpers.exercises_02 import CARRY_GROUPS, StandInAdder, q1, q2, q3, q4


def wrong(outcome: ex.Outcome, *said: str) -> None:
    """The outcome is a failure whose message holds every part of ``said``."""
    assert outcome.status == ex.WRONG, outcome
    for part in said:
        assert part in outcome.message, outcome.message


# --- 2.1 a GRU --------------------------------------------------------------------------------


def gru_builder(*, recurrent=None, input_steps=None, head=None,
                loss="sparse_categorical_crossentropy", compiled=True, fixed_units=None,
                fixed_rate=None):
    """A builder for exercise 2.1, right unless one of its arguments says otherwise."""
    def build_same_length_gru(units=64, learning_rate=1e-3):
        inputs = keras.Input(shape=(input_steps, 20))
        cell = recurrent(fixed_units or units) if recurrent else layers.GRU(
            fixed_units or units, return_sequences=True)
        x = cell(inputs)
        outputs = (head or layers.Dense(10, activation="softmax"))(x)
        model = keras.Model(inputs, outputs)
        if compiled:
            model.compile(optimizer=keras.optimizers.Adam(fixed_rate or learning_rate), loss=loss)
        return model
    return build_same_length_gru


def test_q1_correct() -> None:
    assert q1.evaluate(gru_builder()).passed

    def sequential(units=64, learning_rate=1e-3):
        model = keras.Sequential([keras.Input((None, 20)), layers.GRU(units, return_sequences=True),
                                  layers.Dense(10, activation="softmax")])
        model.compile(keras.optimizers.Adam(learning_rate),
                      keras.losses.SparseCategoricalCrossentropy())
        return model

    assert q1.evaluate(sequential).passed


@pytest.mark.parametrize(("builder", "said"), [
    (gru_builder(recurrent=lambda u: layers.LSTM(u, return_sequences=True)),
     "still has an LSTM layer"),
    (gru_builder(recurrent=lambda u: layers.GRU(u)), "return_sequences=True"),
    (gru_builder(recurrent=lambda u: layers.Bidirectional(layers.GRU(u, return_sequences=True))),
     "forwards only"),
    (gru_builder(input_steps=4), "keras.Input(shape=(None, 20))"),
    (gru_builder(head=layers.Dense(10)), "do not sum to 1"),
    (gru_builder(loss="categorical_crossentropy"), "sparse_categorical_crossentropy"),
    (gru_builder(compiled=False), "not compiled"),
    (gru_builder(fixed_units=64), "its GRU has 64 units"),
    (gru_builder(fixed_rate=1e-3), "learning rate is not the learning_rate argument"),
    (gru_builder(recurrent=lambda u: layers.GRU(u, return_sequences=True, reset_after=False)),
     "weights, fewer than"),
    (gru_builder(recurrent=lambda u: layers.GRU(u, return_sequences=True, activation="relu")),
     "outputs differ"),
], ids=["lstm", "last-output", "bidirectional", "fixed-steps", "no-softmax", "loss",
        "uncompiled", "units", "rate", "reset-after", "activation"])
def test_q1_wrong(builder, said) -> None:
    outcome = q1.evaluate(builder)
    wrong(outcome, said)
    assert "810" not in outcome.message  # the reference's weight count, shown only when right


def test_q1_not_attempted() -> None:
    def stub(units=64, learning_rate=1e-3):
        ...  # your code

    assert q1.evaluate(stub).status == ex.NOT_ATTEMPTED
    wrong(q1.evaluate(lambda units=64, learning_rate=1e-3: "a model"),
          "should return a keras Model, not a str")


# --- 2.2 has_carry ------------------------------------------------------------------------------


def has_carry(questions):
    pairs = np.asarray(questions)
    columns = number_digits(pairs[:, 0], 4) + number_digits(pairs[:, 1], 4)
    return (columns >= 10).any(axis=1)


def test_q2_correct() -> None:
    assert q2.evaluate(has_carry).passed

    def by_hand(questions):  # follows the carries column by column, as on paper
        out = []
        for a, b in questions:
            carry, carried = 0, False
            while a or b or carry:
                carry = (a % 10 + b % 10 + carry) // 10
                carried |= carry > 0
                a, b = a // 10, b // 10
            out.append(carried)
        return out

    assert q2.evaluate(by_hand).passed


@pytest.mark.parametrize(("answer", "said"), [
    (lambda qs: np.array([a % 10 + b % 10 >= 10 for a, b in qs]), "out of the tens column"),
    (lambda qs: np.array([a + b >= 1000 for a, b in qs]), "out of the ones column"),
    (lambda qs: (number_digits(np.asarray(qs)[:, 0], 4) + number_digits(np.asarray(qs)[:, 1], 4)
                 > 10).any(axis=1), "sums to exactly 10"),
    (lambda qs: np.ones(len(qs), dtype=bool), "without any carry"),
    (lambda qs: has_carry(qs).astype(int), "should give booleans"),
    (lambda qs: has_carry(qs)[:-1], "shape (23,); it should give one True or False per question"),
], ids=["ones-only", "sum-over-999", "above-10", "always", "ints", "short"])
def test_q2_wrong(answer, said) -> None:
    outcome = q2.evaluate(answer)
    wrong(outcome, said)
    questions = [q for _, group, _ in CARRY_GROUPS for q in group]
    assert not any(f"{a} + {b}" in outcome.message or f"({a}, {b})" in outcome.message
                   for a, b in questions)


def test_q2_not_attempted() -> None:
    assert q2.evaluate(lambda questions: None).status == ex.NOT_ATTEMPTED


# --- 2.3 read_then_write --------------------------------------------------------------------


def read_then_write(input_data, target_data):
    x = np.concatenate([input_data, np.zeros_like(input_data)], axis=1)
    y = np.concatenate([np.zeros_like(target_data), target_data], axis=1)
    weight = np.concatenate([np.zeros(target_data.shape), np.ones(target_data.shape)], axis=1)
    return x, y, weight


def test_q3_correct() -> None:
    assert q3.evaluate(read_then_write).passed
    # any digits will do at the first steps: their weight is 0
    assert q3.evaluate(lambda i, t: (read_then_write(i, t)[0], np.concatenate([t, t], axis=1),
                                     read_then_write(i, t)[2])).passed


def test_q3_wrong() -> None:
    def swap(which):
        def answer(i, t):
            x, y, w = read_then_write(i, t)
            steps = i.shape[1]
            parts = {"x": x, "y": y, "w": w}
            parts[which] = np.concatenate([parts[which][:, steps:], parts[which][:, :steps]],
                                          axis=1)
            return parts["x"], parts["y"], parts["w"]
        return answer

    wrong(q3.evaluate(swap("x")), "the digit columns come first")
    wrong(q3.evaluate(swap("y")), "put the answer digits at the last 4 steps")
    wrong(q3.evaluate(swap("w")), "sample_weight should be 0 at the first 4 steps")
    four = lambda i, t: (np.concatenate([i, np.zeros((len(i), 4, 20))], axis=1),  # noqa: E731
                         np.concatenate([np.zeros((len(t), 4), int), t], axis=1),
                         np.concatenate([np.zeros((len(t), 4)), np.ones(t.shape)], axis=1))
    wrong(q3.evaluate(four), "right for 4 digit columns, but with 5", "it should have 10 steps")
    wrong(q3.evaluate(lambda i, t: (read_then_write(i, t)[0],
                                    np.concatenate([-np.ones_like(t), t], axis=1),
                                    read_then_write(i, t)[2])), "digit ids 0 to 9")
    outcome = q3.evaluate(lambda i, t: (read_then_write(i, t)[0],
                                        np.concatenate([0 * t, (t + 1) % 10], axis=1),
                                        read_then_write(i, t)[2]))
    wrong(outcome, "y's last 4 steps differs at")
    target = addition_columns([(535, 61)], order="msb")[1]
    assert str(target[0].tolist()) not in outcome.message
    wrong(q3.evaluate(lambda i, t: read_then_write(i, t)[:2]), "three arrays")


def test_q3_not_attempted() -> None:
    def stub(input_data, target_data):
        ...  # your code

    assert q3.evaluate(stub).status == ex.NOT_ATTEMPTED


# --- 2.4 exact_match_sweep ----------------------------------------------------------------


def sweep(*, order="lsb", filtered=True, whole=True, scale=1.0, extra=1):
    def exact_match_sweep(model, digit_counts, num_questions):
        scores = {}
        for digits in digit_counts:
            questions = addition_questions(extra * 10 * num_questions, digits=digits, seed=digits)
            if filtered:
                questions = [q for q in questions if max(q) >= 10 ** (digits - 1)]
            x, y = addition_columns(questions[:num_questions], digits=digits, order=order)
            right = model.predict(x, verbose=0).argmax(axis=-1) == y
            scores[digits] = scale * float((right.all(axis=1) if whole else right).mean())
        return scores
    return exact_match_sweep


def test_q4_correct() -> None:
    assert q4.evaluate(sweep()).passed
    assert q4.evaluate(sweep(extra=3)).passed  # any honest draw of questions passes


@pytest.mark.parametrize(("answer", "said"), [
    (sweep(order="msb"), "ones digit first"),
    (sweep(filtered=False), "have no operand that long"),
    (sweep(whole=False), "every one of its steps is right"),
    (sweep(scale=100.0), "a share between 0 and 1"),
    (lambda model, counts, n: {str(d): v for d, v in sweep()(model, counts, n).items()},
     "exactly the ones asked for"),
    (lambda model, counts, n: sweep()(model, counts, n // 2), "num_questions (40) were asked"),
    (lambda model, counts, n: list(sweep()(model, counts, n).values()), "should return a dict"),
], ids=["msb", "unfiltered", "per-position", "percent", "str-keys", "half", "list"])
def test_q4_wrong(answer, said) -> None:
    wrong(q4.evaluate(answer), said)


def test_q4_step_count_and_stand_ins() -> None:
    def short(model, counts, n):  # forgets the step for the last carry
        for d in counts:
            questions = [q for q in addition_questions(10 * n, digits=d, seed=d)
                         if max(q) >= 10 ** (d - 1)][:n]
            model.predict(addition_columns(questions, digits=d)[0][:, :-1])
        return dict.fromkeys(counts, 1.0)

    wrong(q4.evaluate(short), "read 4 steps: it needs 5")
    x, y = addition_columns([(999, 1), (5, 5)], digits=3)
    assert np.array_equal(StandInAdder()(x).argmax(-1), y)
    assert np.array_equal(StandInAdder(horizon=2).predict(x).argmax(-1)[:, 2:], [[0, 0], [0, 0]])


def test_q4_not_attempted() -> None:
    def stub(model, digit_counts, num_questions):
        ...  # your code

    assert q4.evaluate(stub).status == ex.NOT_ATTEMPTED
