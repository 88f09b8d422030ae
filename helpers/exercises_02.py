"""Notebook 02's exercises: a GRU, the carries, reading before writing, a sweep over lengths.

Used in: notebooks/02_same_length_addition.ipynb (its exercises) and its solutions notebook.

The checks never train anything: a model builder is checked by building it small, copying in
the weights of a reference model built here and comparing outputs; a function on questions or
arrays by running it on a few questions of the check's own; the sweep of exercise 2.4 by handing
it stand-in models whose answers are known in advance (one adds perfectly, one cannot write a
digit beyond its fifth step), so the verdict holds whatever seed or profile the learner uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras
import numpy as np
from keras import layers

from helpers.addition import addition_columns
from helpers.exercises import (
    Exercise,
    Wrong,
    call,
    expect,
    expect_array,
    expect_number,
)

SOLUTIONS = "notebooks/solutions/02_same_length_addition_solutions.ipynb"


def _array(answer: Any, name: str) -> np.ndarray:
    """``answer`` as an array, or :class:`Wrong` saying it cannot be read as one."""
    try:
        return np.asarray(answer)
    except Exception as error:
        raise Wrong(f"{name} cannot be read as an array ({type(error).__name__})") from error


# --- exercise 2.1 ---------------------------------------------------------------------------

#: The check builds the learner's GRU model with these (small, unlike the notebook's).
CHECK_UNITS, CHECK_LEARNING_RATE = 8, 5e-3


def _reference_gru(units: int) -> keras.Model:
    """What exercise 2.1 asks for, uncompiled: GRU(return_sequences=True) → Dense softmax."""
    inputs = keras.Input(shape=(None, 20))
    x = layers.GRU(units, return_sequences=True)(inputs)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def _all_layers(model: keras.Layer) -> list[keras.Layer]:
    """Every layer inside ``model``, nested models and wrappers opened."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        if isinstance(layer, layers.Bidirectional):
            found += [layer.forward_layer, layer.backward_layer]
        found += _all_layers(layer)
    return found


def _loss_name(loss: Any) -> str:
    if isinstance(loss, str):
        return loss
    return str(getattr(loss, "name", getattr(loss, "__name__", type(loss).__name__)))


def check_gru_builder(build_same_length_gru: Callable[..., Any]) -> str:
    """Exercise 2.1: ``build_same_length_gru(units, learning_rate)`` is the same-length model
    with a GRU: its layers, its compile settings, and its outputs with fixed weights."""
    model = call(build_same_length_gru, units=CHECK_UNITS, learning_rate=CHECK_LEARNING_RATE,
                 what="build_same_length_gru(units=8, learning_rate=5e-3)")
    expect(isinstance(model, keras.Model), "build_same_length_gru should return a keras Model, "
                                           f"not a {type(model).__name__}")
    inside = _all_layers(model)
    expect(not any(isinstance(layer, layers.LSTM) for layer in inside),
           "the model still has an LSTM layer: put a layers.GRU in its place")
    expect(not any(isinstance(layer, layers.Bidirectional) for layer in inside),
           "the GRU should read forwards only, as the LSTM did (no Bidirectional)")
    grus = [layer for layer in inside if isinstance(layer, layers.GRU)]
    expect(len(grus) == 1, f"the model has {len(grus)} GRU layers; it should have one")
    gru = grus[0]
    expect(gru.return_sequences, "the GRU gives only its last output: the model needs one at "
                                 "every step (return_sequences=True)")
    expect(gru.units == CHECK_UNITS, f"built with units=8, its GRU has {gru.units} units: use "
                                     "the units argument")
    expect(getattr(model, "optimizer", None) is not None,
           "the model is not compiled: compile it as build_same_length_lstm does")
    loss = _loss_name(getattr(model, "loss", None)).lower().replace("_", "")
    expect("sparse" in loss and "categoricalcrossentropy" in loss,
           "the loss should be sparse_categorical_crossentropy: the targets are digit ids, not "
           "one-hot vectors")
    rate = float(np.asarray(model.optimizer.learning_rate))
    expect(np.isclose(rate, CHECK_LEARNING_RATE, rtol=1e-5),
           "the optimizer's learning rate is not the learning_rate argument")

    x, _ = addition_columns([(535, 61), (7, 998), (4321, 99)], digits=4, order="lsb")
    try:
        out = np.asarray(model(x, training=False))
    except Exception as error:
        raise Wrong(f"the model cannot read 5 steps of 20 features ({type(error).__name__}): "
                    "leave the number of steps open, keras.Input(shape=(None, 20))") from error
    expect(out.shape == (3, 5, 10), f"for 3 questions of 5 steps the model gives shape "
                                    f"{out.shape}; it should give (3, 5, 10): ten digit "
                                    "probabilities at every step")
    expect(np.allclose(out.sum(axis=-1), 1, atol=1e-4),
           "the outputs at a step do not sum to 1: end with Dense(10, activation='softmax')")
    reference = _reference_gru(CHECK_UNITS)
    weights = reference.get_weights()
    shapes = [w.shape for w in model.get_weights()]
    if shapes != [w.shape for w in weights]:
        if model.count_params() == reference.count_params():
            raise Wrong("the model's weights are not those of one GRU followed by one "
                        "Dense(10): are its layers in another order?")
        side = "more" if model.count_params() > reference.count_params() else "fewer"
        raise Wrong(f"the model has {model.count_params():,} weights, {side} than one GRU on the "
                    "20 features and a Dense(10) on its outputs have (keep Keras' default "
                    "GRU settings)")
    model.set_weights(weights)
    expect(np.allclose(np.asarray(model(x, training=False)),
                       np.asarray(reference(x, training=False)), atol=1e-5),
           "with the reference model's weights copied in, the outputs differ from those of "
           "GRU(units, return_sequences=True) followed by Dense(10, softmax): is there an "
           "extra activation or a layer in another order?")
    return (f"With units=8 it has {reference.count_params():,} weights; train it with the "
            "notebook's settings and compare its count_params() and exact match with the LSTM's")


q1 = Exercise(
    number="2.1",
    title="A GRU instead of an LSTM",
    difficulty=2,
    minutes=15,
    hints=[
        "Start from `build_same_length_lstm` above: only the recurrent layer changes.",
        "`layers.GRU(units, return_sequences=True)` takes the place of `layers.LSTM(...)`; keep "
        "`keras.Input(shape=(None, 20))`, the `Dense(10, activation=\"softmax\")` and the "
        "`compile(...)` call.",
        "`inputs = keras.Input(shape=(None, 20))`, `x = layers.GRU(units, return_sequences=True)"
        "(inputs)`, `outputs = layers.Dense(10, activation=\"softmax\")(x)`, then `keras.Model`"
        " and `compile(optimizer=keras.optimizers.Adam(learning_rate), loss=\"sparse_"
        "categorical_crossentropy\")`.",
    ],
    solution_code='''
def build_same_length_gru(units=64, learning_rate=1e-3):
    inputs = keras.Input(shape=(None, 20), name="digit_columns")
    x = layers.GRU(units, return_sequences=True, name="gru")(inputs)
    outputs = layers.Dense(10, activation="softmax", name="digit")(x)
    model = keras.Model(inputs, outputs, name="same_length_gru")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    checker=check_gru_builder,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 2.2 ---------------------------------------------------------------------------

#: Questions by what their carries look like; the check names the group a wrong answer fails.
CARRY_GROUPS: list[tuple[str, list[tuple[int, int]], bool]] = [
    ("questions without any carry (it says True for some)",
     [(0, 0), (123, 876), (45, 54), (500, 499), (4, 5), (300, 600), (81, 18)], False),
    ("questions whose only carry is out of the ones column",
     [(17, 8), (236, 7), (48, 36)], True),
    ("questions whose only carry is out of the tens column", [(50, 60), (140, 70), (92, 27)], True),
    ("questions whose only carry is out of the hundreds column",
     [(600, 500), (900, 200), (710, 430)], True),
    ("questions whose only carry comes from a column that sums to exactly 10",
     [(5, 5), (109, 1), (30, 70), (500, 500)], True),
    ("questions where one carry makes the next column carry too",
     [(999, 1), (199, 1), (95, 5), (456, 544)], True),
]


def check_has_carry(has_carry: Callable[[Sequence[tuple[int, int]]], Any]) -> str:
    """Exercise 2.2: ``has_carry(questions)`` is True where column addition carries at least
    once."""
    questions = [q for _, group, _ in CARRY_GROUPS for q in group]
    got = _array(call(has_carry, list(questions), what="has_carry"), "has_carry's answer")
    expect(got.shape == (len(questions),), f"for {len(questions)} questions has_carry gives "
                                           f"shape {got.shape}; it should give one True or "
                                           f"False per question, shape ({len(questions)},)")
    expect(got.dtype == bool, f"has_carry gives {got.dtype} values: it should give booleans "
                              "(True/False), so that ~carry selects the others")
    start = 0
    for name, group, expected in CARRY_GROUPS:
        part = got[start:start + len(group)]
        start += len(group)
        expect(bool(np.all(part == expected)), f"has_carry is wrong for {name}")
    return ("Now split the held-out questions with it and compare the MSB model's exact match "
            "on the two groups")


q2 = Exercise(
    number="2.2",
    title="Which sums does the MSB model get wrong?",
    difficulty=2,
    minutes=10,
    hints=[
        "A question has a carry as soon as one digit column of `a` and `b` adds up to 10 or "
        "more. The first carry always starts in such a column, so you need not follow the "
        "carries along.",
        "`number_digits(a_values, DIGITS + 1)` gives the digit columns of every `a` at once "
        "(ones digit first); add those of `b` and look for a column that reaches 10.",
        "`pairs = np.asarray(questions)`, then `columns = number_digits(pairs[:, 0], DIGITS + 1)"
        " + number_digits(pairs[:, 1], DIGITS + 1)` and `return (columns >= 10).any(axis=1)`.",
    ],
    solution_code='''
def has_carry(questions):
    pairs = np.asarray(questions)
    columns = number_digits(pairs[:, 0], DIGITS + 1) + number_digits(pairs[:, 1], DIGITS + 1)
    return (columns >= 10).any(axis=1)   # the first carry starts where a column reaches 10
''',
    checker=check_has_carry,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 2.3 ---------------------------------------------------------------------------

#: Questions for exercise 2.3's check, encoded MSB first with 3 and with 4 digits.
DELAY_QUESTIONS = [(535, 61), (7, 998), (199, 1)]


def _check_delayed(read_then_write: Callable[..., Any], digits: int) -> None:
    input_data, target_data = addition_columns(DELAY_QUESTIONS, digits=digits, order="msb")
    n, steps, features = input_data.shape
    got = call(read_then_write, input_data.copy(), target_data.copy(), what="read_then_write")
    expect(isinstance(got, tuple) and len(got) == 3,
           "read_then_write should return three arrays: (x, y, sample_weight)")
    x, y, weight = (_array(part, name) for part, name in zip(got, ("x", "y", "sample_weight"),
                                                             strict=True))
    expect(x.shape == (n, 2 * steps, features),
           f"for {steps} digit columns x has shape {x.shape}; it should have {2 * steps} steps: "
           f"the {steps} columns, then {steps} all-zero steps")
    if np.array_equal(x[:, steps:], input_data):
        raise Wrong("x starts with the all-zero steps: the digit columns come first (the model "
                    "reads), then the empty steps (it writes)")
    expect(np.array_equal(x[:, :steps], input_data),
           f"x's first {steps} steps should be the digit columns exactly as given")
    expect(not np.any(x[:, steps:]), f"x's last {steps} steps should be all zeros")
    expect(y.shape == (n, 2 * steps), f"y has shape {y.shape}; it should have one digit id per "
                                      f"step, shape {(n, 2 * steps)}")
    if np.array_equal(y[:, :steps], target_data) and not np.array_equal(y[:, steps:],
                                                                         target_data):
        raise Wrong("y asks for the answer at the first steps: put the answer digits at the "
                    f"last {steps} steps, when every column has been read")
    expect_array(f"y's last {steps} steps", y[:, steps:], target_data)
    expect(np.issubdtype(y.dtype, np.number) and y.min() >= 0 and y.max() <= 9,
           f"y's first {steps} steps should still hold digit ids 0 to 9 (any will do: their "
           "weight is 0)")
    expect(weight.shape == (n, 2 * steps), f"sample_weight has shape {weight.shape}; it should "
                                           f"have one weight per step, shape {(n, 2 * steps)}")
    expect(not np.any(weight[:, :steps]), f"sample_weight should be 0 at the first {steps} "
                                          "steps: nothing is asked there")
    expect(np.all(weight[:, steps:] == 1), f"sample_weight should be 1 at the last {steps} "
                                           "steps, where the answer is asked")


def check_read_then_write(read_then_write: Callable[..., Any]) -> str:
    """Exercise 2.3: ``read_then_write(input_data, target_data)`` gives ``(x, y, sample_weight)``
    with empty steps appended and the answer asked only there (checked for 4 and 5 columns)."""
    _check_delayed(read_then_write, digits=3)
    try:
        _check_delayed(read_then_write, digits=4)
    except Wrong as wrong:
        raise Wrong(f"right for 4 digit columns, but with 5: {wrong}") from wrong
    return "Now train the MSB model on it, as the exercise says, and watch the answer steps"


q3 = Exercise(
    number="2.3",
    title="Read first, then write",
    difficulty=2,
    minutes=20,
    hints=[
        "Three arrays, each twice as many steps as the input: `np.concatenate([..., ...], "
        "axis=1)` joins along the steps.",
        "x: the columns, then `np.zeros_like(input_data)`. y: any digits at the first steps "
        "(zeros will do), then `target_data`. sample_weight: zeros, then ones, each of "
        "`target_data`'s shape.",
        "`x = np.concatenate([input_data, np.zeros_like(input_data)], axis=1)`, `y = np."
        "concatenate([np.zeros_like(target_data), target_data], axis=1)`, `sample_weight = np."
        "concatenate([np.zeros(target_data.shape), np.ones(target_data.shape)], axis=1)`.",
    ],
    solution_code='''
def read_then_write(input_data, target_data):
    x = np.concatenate([input_data, np.zeros_like(input_data)], axis=1)      # read, then wait
    y = np.concatenate([np.zeros_like(target_data), target_data], axis=1)    # answer at the end
    sample_weight = np.concatenate([np.zeros(target_data.shape), np.ones(target_data.shape)],
                                   axis=1)                                  # only there counts
    return x, y, sample_weight
''',
    checker=check_read_then_write,
    solutions_notebook=SOLUTIONS,
)


# --- exercise 2.4 ---------------------------------------------------------------------------


class _Probabilities(np.ndarray):
    """A numpy array that also answers ``.numpy()``, as a tensor would."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


class StandInAdder:
    """A stand-in for a trained same-length model (``predict`` and calling it both work): it
    reads digit columns ones digit first and writes the digits of the sum, but 0 from step
    ``horizon`` on and a wrong digit at step ``wrong_at``. It records the shape of every input
    it is given."""

    def __init__(self, horizon: int | None = None, wrong_at: int | None = None):
        self.horizon, self.wrong_at = horizon, wrong_at
        self.shapes: list[tuple[int, ...]] = []

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        return self(x)

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[-1] != 20:
            raise ValueError(f"the model reads (questions, steps, 20) arrays, not {x.shape}")
        self.shapes.append(x.shape)
        a, b = x[..., :10].argmax(axis=-1), x[..., 10:].argmax(axis=-1)
        digits = np.zeros(a.shape, dtype=np.int64)
        carry = np.zeros(len(x), dtype=np.int64)
        for t in range(x.shape[1]):
            total = a[:, t] + b[:, t] + carry
            digits[:, t], carry = total % 10, total // 10
        if self.horizon is not None:
            digits[:, self.horizon:] = 0
        if self.wrong_at is not None:
            digits[:, self.wrong_at] = (digits[:, self.wrong_at] + 1) % 10
        probabilities = np.full((*digits.shape, 10), 0.01, dtype=np.float32)
        np.put_along_axis(probabilities, digits[..., None], 0.91, axis=-1)
        return probabilities.view(_Probabilities)


#: Exercise 2.4's check: the digit counts and the questions per count it asks for.
SWEEP_DIGITS, SWEEP_QUESTIONS = [4, 6, 8], 40


def _sweep(function: Callable[..., Any], model: StandInAdder) -> dict[int, float]:
    """Run the learner's sweep on ``model``; check the keys, the values and what it read."""
    got = call(function, model, list(SWEEP_DIGITS), SWEEP_QUESTIONS,
               what="exact_match_sweep")
    expect(isinstance(got, Mapping), "exact_match_sweep should return a dict {digits: exact "
                                     f"match}}, not a {type(got).__name__}")
    expect(sorted(got) == SWEEP_DIGITS, f"asked for digit counts {SWEEP_DIGITS}, "
                                        f"exact_match_sweep returns the keys {sorted(got)}: "
                                        "they should be exactly the ones asked for")
    rows = Counter()
    for shape in model.shapes:
        rows[shape[1]] += shape[0]
    for digits in SWEEP_DIGITS:
        if rows.get(digits) and not rows.get(digits + 1):
            raise Wrong(f"for operands of up to {digits} digits the model read {digits} steps: "
                        f"it needs {digits + 1}, one more for the last carry "
                        f"(addition_columns(..., digits={digits}))")
        expect(rows.get(digits + 1) == SWEEP_QUESTIONS,
               f"for {digits} digits the model answered {rows.get(digits + 1, 0)} questions; "
               f"num_questions ({SWEEP_QUESTIONS}) were asked for")
    for digits, value in got.items():
        expect(not isinstance(value, bool) and isinstance(value, (int, float, np.number)),
               f"the exact match for {digits} digits should be a number, not a "
               f"{type(value).__name__}")
        expect(0 <= value <= 1, f"the exact match for {digits} digits is {value}: give it as a "
                                "share between 0 and 1")
    return {int(digits): float(value) for digits, value in got.items()}


def check_sweep(exact_match_sweep: Callable[..., Any]) -> str:
    """Exercise 2.4: ``exact_match_sweep(model, digit_counts, num_questions)`` on stand-in
    models: a perfect adder must score 1 everywhere; one that writes nothing beyond step 4 must
    score 1 on 4 digits and 0 wherever every question has an operand that long; one with a
    wrong ones digit must score 0."""
    perfect = _sweep(exact_match_sweep, StandInAdder())
    for digits, value in perfect.items():
        expect(value == 1, f"a model that adds every column right scores {value:.2f} on "
                           f"{digits} digits by your sweep: are the columns ones digit first "
                           "(order=\"lsb\"), and do you compare whole answers with their "
                           "targets?")
    wrong_ones = _sweep(exact_match_sweep, StandInAdder(wrong_at=0))
    for digits, value in wrong_ones.items():
        expect(value == 0, f"a model that writes a wrong ones digit in every answer scores "
                           f"{value:.2f} on {digits} digits by your sweep: an answer counts only "
                           "if every one of its steps is right (.all(axis=1))")
    short = _sweep(exact_match_sweep, StandInAdder(horizon=5))
    expect_number("the exact match for 4 digits of a model that writes 5 digits right", short[4],
                  1.0)
    for digits in SWEEP_DIGITS[1:]:
        expect(short[digits] == 0,
               f"some of your {digits}-digit questions have no operand that long (a model that "
               f"writes nothing beyond step 4 gets some right): keep only questions whose larger "
               f"operand has {digits} digits")
    return ("Now train a model on up to 6 digits and run your sweep on it and on lsb_model")


q4 = Exercise(
    number="2.4",
    title="Longer numbers",
    difficulty=3,
    minutes=20,
    hints=[
        "Section 7's loop does the work for one model: for each digit count, draw questions, "
        "keep those with an operand that long, encode them, predict, compare.",
        "`[q for q in addition_questions(10 * num_questions, digits=d, seed=d) if max(q) >= "
        "10 ** (d - 1)][:num_questions]` gives the questions; `addition_columns(questions, "
        "digits=d, order=\"lsb\")` their columns and targets.",
        "In the loop: `predicted = model.predict(x, batch_size=2048, verbose=0).argmax(axis=-1)`"
        " and `scores[d] = float((predicted == y).all(axis=1).mean())`; return `scores`.",
    ],
    solution_code='''
def exact_match_sweep(model, digit_counts, num_questions):
    scores = {}
    for digits in digit_counts:
        questions = [q for q in addition_questions(10 * num_questions, digits=digits, seed=digits)
                     if max(q) >= 10 ** (digits - 1)][:num_questions]
        x, y = addition_columns(questions, digits=digits, order="lsb")
        predicted = model.predict(x, batch_size=2048, verbose=0).argmax(axis=-1)
        scores[digits] = float((predicted == y).all(axis=1).mean())
    return scores
''',
    checker=check_sweep,
    solutions_notebook=SOLUTIONS,
)

