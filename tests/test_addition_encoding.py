"""The digit-addition encodings of ``helpers.addition`` (taught in notebook 02), and their
agreement with the notebook's own versions."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.addition import (
    ADDITION_CHARACTERS,
    addition_columns,
    addition_questions,
    addition_strings,
    answers_to_numbers,
    digits_to_numbers,
    number_digits,
)
from helpers.encoding import build_vocabulary
from tests.notebook_tools import taught

RNG = np.random.default_rng(0)
NUMBERS = np.concatenate([[0, 9, 10, 99, 100, 535, 999], RNG.integers(0, 10_000, 50)])
QUESTIONS = [(535, 61), (0, 0), (999, 999), (7, 998), (1, 9), *addition_questions(40, seed=3)]


# --- number_digits / digits_to_numbers ------------------------------------------------------


def test_number_digits_lsb_and_msb() -> None:
    assert number_digits([535, 61, 0], 4).tolist() == [[5, 3, 5, 0], [1, 6, 0, 0], [0, 0, 0, 0]]
    assert number_digits([535, 61], 4, order="msb").tolist() == [[0, 5, 3, 5], [0, 0, 6, 1]]
    assert number_digits([9999], 4).dtype == np.int32


def test_number_digits_msb_is_lsb_reversed() -> None:
    np.testing.assert_array_equal(number_digits(NUMBERS, 5, order="msb"),
                                  number_digits(NUMBERS, 5)[:, ::-1])


@pytest.mark.parametrize("order", ["lsb", "msb"])
def test_digits_round_trip(order: str) -> None:
    digits = number_digits(NUMBERS, 5, order=order)
    np.testing.assert_array_equal(digits_to_numbers(digits, order=order), NUMBERS)


def test_digits_to_numbers_reads_the_order() -> None:
    assert digits_to_numbers([[6, 9, 5, 0]]).tolist() == [596]
    assert digits_to_numbers([[6, 9, 5, 0]], order="msb").tolist() == [6950]


@pytest.mark.parametrize("numbers, width, match", [
    ([1000], 3, "more than 3 digits"),
    ([-1], 3, "negative"),
    ([1.5], 3, "integers"),
    ([[1, 2]], 3, "flat"),
    ([5], 0, "width"),
])
def test_number_digits_rejects_bad_input(numbers, width, match) -> None:
    with pytest.raises(ValueError, match=match):
        number_digits(numbers, width)


def test_unknown_order_is_rejected() -> None:
    with pytest.raises(ValueError, match="'lsb'"):
        number_digits([1], 2, order="little")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'msb'"):
        digits_to_numbers([[1]], order="big")  # type: ignore[arg-type]


def test_digits_to_numbers_rejects_non_digits() -> None:
    with pytest.raises(ValueError, match="between 0 and 9"):
        digits_to_numbers([[1, 10]])
    with pytest.raises(ValueError, match="2-D"):
        digits_to_numbers([1, 2])


# --- addition_columns -----------------------------------------------------------------------


@pytest.mark.parametrize("order", ["lsb", "msb"])
def test_addition_columns_encode_operands_and_sum(order: str) -> None:
    x, y = addition_columns(QUESTIONS, digits=3, order=order)
    assert x.shape == (len(QUESTIONS), 4, 20) and x.dtype == np.float32
    assert y.shape == (len(QUESTIONS), 4) and y.dtype == np.int32
    # exactly one digit of each operand per step
    np.testing.assert_array_equal(x[..., :10].sum(-1), 1)
    np.testing.assert_array_equal(x[..., 10:].sum(-1), 1)
    a = digits_to_numbers(x[..., :10].argmax(-1), order=order)
    b = digits_to_numbers(x[..., 10:].argmax(-1), order=order)
    np.testing.assert_array_equal(np.stack([a, b], axis=1), np.array(QUESTIONS))
    np.testing.assert_array_equal(digits_to_numbers(y, order=order), a + b)


def test_addition_columns_example_and_order() -> None:
    x, y = addition_columns([(535, 61)])
    assert x[0, :, :10].argmax(-1).tolist() == [5, 3, 5, 0]
    assert x[0, :, 10:].argmax(-1).tolist() == [1, 6, 0, 0]
    assert y.tolist() == [[6, 9, 5, 0]]
    x_msb, y_msb = addition_columns([(535, 61)], order="msb")
    np.testing.assert_array_equal(x_msb, x[:, ::-1])
    assert y_msb.tolist() == [[0, 5, 9, 6]]


def test_addition_columns_width_follows_digits() -> None:
    x, y = addition_columns([(9999, 1)], digits=4)
    assert x.shape == (1, 5, 20)
    assert digits_to_numbers(y).tolist() == [10000]


def test_addition_columns_rejects_long_operands_and_nothing() -> None:
    with pytest.raises(ValueError, match="more than digits=3"):
        addition_columns([(1000, 1)])
    with pytest.raises(ValueError, match="no questions"):
        addition_columns([])


# --- addition_strings / answers_to_numbers --------------------------------------------------


def test_addition_strings_as_addition_rnn() -> None:
    queries, answers = addition_strings([(535, 61), (7, 998), (0, 0)])
    assert queries == ["535+61 ", "7+998  ", "0+0    "]
    assert answers == ["596 ", "1005", "0   "]
    reversed_queries, same_answers = addition_strings([(535, 61)], reverse=True)
    assert reversed_queries == [" 16+535"] and same_answers == ["596 "]


def test_addition_strings_lengths_and_characters() -> None:
    queries, answers = addition_strings(QUESTIONS, digits=3)
    assert {len(q) for q in queries} == {7} and {len(a) for a in answers} == {4}
    assert set("".join(queries + answers)) <= set(ADDITION_CHARACTERS)
    vocab = build_vocabulary([ADDITION_CHARACTERS])
    assert all(vocab.decode(vocab.encode(q)) == q for q in queries)


def test_addition_strings_rejects_long_operands() -> None:
    with pytest.raises(ValueError, match="0 to 3 digits"):
        addition_strings([(1234, 5)])
    with pytest.raises(ValueError, match="0 to 2 digits"):
        addition_strings([(5, -1)], digits=2)
    with pytest.raises(ValueError, match="no questions"):
        addition_strings([])


def test_answers_to_numbers() -> None:
    texts = ["596 ", "1005", "0   ", "5 96", "    ", "", "+12 ", "٣", "12a "]
    assert answers_to_numbers(texts).tolist() == [596, 1005, 0, -1, -1, -1, -1, -1, -1]
    _, answers = addition_strings(QUESTIONS)
    np.testing.assert_array_equal(answers_to_numbers(answers), [a + b for a, b in QUESTIONS])


# --- agreement with notebook 02 -------------------------------------------------------------


@pytest.mark.parametrize("order", ["lsb", "msb"])
@pytest.mark.parametrize("width", [1, 4, 6])
def test_taught_number_digits_agrees(order: str, width: int) -> None:
    mine = taught("helpers.addition.number_digits")
    numbers = NUMBERS[NUMBERS < 10**width]
    np.testing.assert_array_equal(mine(numbers, width, order=order),
                                  number_digits(numbers, width, order=order))
    assert mine(numbers, width, order=order).dtype == np.int32
    with pytest.raises(ValueError):
        mine([10**width], width)


@pytest.mark.parametrize("order", ["lsb", "msb"])
def test_taught_digits_to_numbers_agrees(order: str) -> None:
    mine = taught("helpers.addition.digits_to_numbers")
    digits = RNG.integers(0, 10, (30, 5))
    np.testing.assert_array_equal(mine(digits, order=order), digits_to_numbers(digits, order=order))


@pytest.mark.parametrize("order", ["lsb", "msb"])
@pytest.mark.parametrize("digits", [2, 3, 4])
def test_taught_addition_columns_agrees(order: str, digits: int) -> None:
    mine = taught("helpers.addition.addition_columns")
    questions = addition_questions(30, digits=digits, seed=digits)
    for got, want in zip(mine(questions, digits=digits, order=order),
                         addition_columns(questions, digits=digits, order=order), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError):
        mine([(10**digits, 1)], digits=digits)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("digits", [1, 3, 4])
def test_taught_addition_strings_agrees(reverse: bool, digits: int) -> None:
    mine = taught("helpers.addition.addition_strings")
    questions = addition_questions(20, digits=digits, seed=digits)
    assert mine(questions, digits=digits, reverse=reverse) == addition_strings(
        questions, digits=digits, reverse=reverse)
    with pytest.raises(ValueError):
        mine([(10**digits, 0)], digits=digits)


def test_taught_answers_to_numbers_agrees() -> None:
    mine = taught("helpers.addition.answers_to_numbers")
    texts = ["596 ", "1005", "0   ", "5 96", "    ", "", "+12 ", "٣", "12a ", "007 "]
    np.testing.assert_array_equal(mine(texts), answers_to_numbers(texts))
    assert mine(texts).dtype == np.int64
