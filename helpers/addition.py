"""The digit-addition problem of notebook 02: random questions, their two encodings (aligned
digit columns for the same-length model, the ``addition_rnn`` strings for the encoder–decoder),
and both models.

Taught in: ``02_same_length_addition``.

Two forms of the same question ``a + b``:

* aligned digit columns (the same-length model): step ``t`` holds digit ``t`` of ``a``
  and digit ``t`` of ``b`` (one-hot, 10 + 10 features) and the target at step ``t`` is
  digit ``t`` of the sum; numbers are padded with zeros to the answer's length;
* the string form of Keras' ``addition_rnn`` example: ``"535+61 "`` → ``"596 "``,
  padded with spaces (the encoder–decoder model).

Every builder returns a compiled ``keras.Model`` made of stock layers only (no ``Lambda``);
targets are integer ids and the loss is ``sparse_categorical_crossentropy``.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterable, Sequence
from typing import Literal

import keras
import numpy as np
from keras import layers

from helpers.checks import check_positive

# --- questions ------------------------------------------------------------------------------
Question = tuple[int, int]


def _random_number(rng: random.Random, digits: int) -> int:
    """A number with 1 to ``digits`` digits, each length equally likely (as addition_rnn)."""
    length = rng.randint(1, digits)
    return int("".join(rng.choice("0123456789") for _ in range(length)))


def addition_questions(count: int, *, digits: int = 3, seed: int = 0,
                       exclude: set[frozenset[int]] | None = None) -> list[Question]:
    """``count`` distinct questions ``(a, b)`` (meaning ``a + b``), each operand with 1 to
    ``digits`` digits. ``a + b`` and ``b + a`` count as the same question, so neither can
    appear twice; questions in ``exclude`` are never drawn.
    """
    if digits < 1:
        raise ValueError("digits must be at least 1")
    # Unordered pairs of numbers below 10**digits: an upper bound on distinct questions.
    n = 10**digits
    if count > n * (n + 1) // 2 - len(exclude or ()):
        raise ValueError(f"there are fewer than {count} distinct {digits}-digit questions")
    rng = random.Random(seed)
    seen: set[frozenset[int]] = set(exclude or ())
    questions: list[Question] = []
    while len(questions) < count:
        a, b = _random_number(rng, digits), _random_number(rng, digits)
        key = frozenset((a, b))
        if key in seen:
            continue
        seen.add(key)
        questions.append((a, b))
    return questions


def addition_split(num_train: int, num_test: int, *, digits: int = 3,
                   seed: int = 0) -> tuple[list[Question], list[Question]]:
    """Disjoint train and test questions: no test question (in either order) is in training."""
    train = addition_questions(num_train, digits=digits, seed=seed)
    seen = {frozenset(q) for q in train}
    test = addition_questions(num_test, digits=digits, seed=seed + 1, exclude=seen)
    return train, test


# --- the two encodings -------------------------------------------------------------------

#: The characters of the string form, as in ``addition_rnn``.
ADDITION_CHARACTERS = "0123456789+ "

DigitOrder = Literal["lsb", "msb"]


def _check_order(order: str) -> None:
    if order not in ("lsb", "msb"):
        raise ValueError(
            f"order must be 'lsb' (ones digit first) or 'msb' (leading digit first), "
            f"not {order!r}"
        )


def number_digits(numbers: Sequence[int] | np.ndarray, width: int, *,
                  order: DigitOrder = "lsb") -> np.ndarray:
    """The decimal digits of each number, padded with zeros to ``width``: ``int32 (n, width)``.

    ``order="lsb"`` puts the ones digit first (``535`` → ``[5, 3, 5, 0]`` for width 4);
    ``order="msb"`` the leading digit first (``[0, 5, 3, 5]``).
    """
    _check_order(order)
    values = np.asarray(numbers)
    if values.ndim != 1 or (values.size and not np.issubdtype(values.dtype, np.integer)):
        raise ValueError("numbers must be a flat sequence of integers")
    values = values.astype(np.int64)
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    if values.size and values.min() < 0:
        raise ValueError(f"numbers must not be negative (got {values.min()})")
    if values.size and values.max() >= 10**width:
        raise ValueError(f"{values.max()} has more than {width} digits")
    digits = (values[:, None] // 10 ** np.arange(width, dtype=np.int64)) % 10
    return (digits[:, ::-1] if order == "msb" else digits).astype(np.int32)


def digits_to_numbers(digits: np.ndarray, *, order: DigitOrder = "lsb") -> np.ndarray:
    """Inverse of :func:`number_digits`: an ``int64`` number per row of digits (or of
    predicted digit ids, e.g. ``probabilities.argmax(-1)``)."""
    _check_order(order)
    digits = np.asarray(digits)
    if digits.ndim != 2:
        raise ValueError(f"digits must be a 2-D array (questions, steps), got {digits.ndim}-D")
    if digits.size and (digits.min() < 0 or digits.max() > 9):
        raise ValueError("digits must lie between 0 and 9")
    if order == "msb":
        digits = digits[:, ::-1]
    return (digits.astype(np.int64) * 10 ** np.arange(digits.shape[1], dtype=np.int64)).sum(axis=1)


def addition_columns(questions: Sequence[tuple[int, int]], *, digits: int = 3,
                     order: DigitOrder = "lsb") -> tuple[np.ndarray, np.ndarray]:
    """The same-length form of ``a + b``: one time step per digit column.

    Both operands and the sum are padded with zeros to ``digits + 1`` (the answer's length).

    Returns:
        ``input_data`` ``float32 (n, digits + 1, 20)``: at step ``t``, the one-hot digit
        ``t`` of ``a`` (features 0–9) next to that of ``b`` (features 10–19) — unlike
        :func:`one_hot`, 0 is a digit here, not padding; and ``target_data``
        ``int32 (n, digits + 1)``: digit ``t`` of ``a + b``. ``order`` is the same for both.
    """
    pairs = np.asarray(questions, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        raise ValueError("no questions to encode")
    width = digits + 1
    if pairs.max() >= 10**digits:
        raise ValueError(f"{pairs.max()} has more than digits={digits} digits")
    eye = np.eye(10, dtype=np.float32)
    input_data = np.concatenate(
        [eye[number_digits(pairs[:, 0], width, order=order)],
         eye[number_digits(pairs[:, 1], width, order=order)]], axis=-1)
    target_data = number_digits(pairs.sum(axis=1), width, order=order)
    return input_data, target_data


def addition_strings(questions: Sequence[tuple[int, int]], *, digits: int = 3,
                     reverse: bool = False) -> tuple[list[str], list[str]]:
    """The ``addition_rnn`` string form: ``(535, 61)`` → ``"535+61 "`` and ``"596 "``.

    Queries are padded with spaces to ``2 * digits + 1`` characters and answers to
    ``digits + 1``. With ``reverse=True`` each query is read backwards (``" 16+535"``),
    the trick ``addition_rnn`` uses to put the ones digits close to the start of the answer.
    """
    if len(questions) == 0:
        raise ValueError("no questions to encode")
    queries: list[str] = []
    answers: list[str] = []
    for a, b in questions:
        if min(a, b) < 0 or max(a, b) >= 10**digits:
            raise ValueError(f"{a}+{b}: operands must have 0 to {digits} digits")
        query = f"{a}+{b}".ljust(2 * digits + 1)
        queries.append(query[::-1] if reverse else query)
        answers.append(str(a + b).ljust(digits + 1))
    return queries, answers


def answers_to_numbers(texts: Iterable[str]) -> np.ndarray:
    """Decoded answers (``"596 "``) → ``int64`` numbers; ``-1`` where a text is not a
    number (a model can write ``"5 96"`` or nothing at all)."""
    out = []
    for text in texts:
        core = text.strip(" ")
        out.append(int(core) if core.isascii() and core.isdigit() else -1)
    return np.asarray(out, dtype=np.int64)


# --- the two models ------------------------------------------------------------------------

LearningRate = keras.optimizers.schedules.LearningRateSchedule


def _check_learning_rate(learning_rate: float | LearningRate) -> None:
    if isinstance(learning_rate, LearningRate):
        return
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise ValueError("learning_rate must be a positive number or a "
                         f"keras.optimizers.schedules.LearningRateSchedule, got {learning_rate!r}")
    check_positive(learning_rate=learning_rate)


def build_same_length_lstm(num_features: int = 20, num_classes: int = 10, *, units: int = 64,
                           num_layers: int = 1, bidirectional: bool = False,
                           learning_rate: float | LearningRate = 1e-3) -> keras.Model:
    """The same-length model: one output per input step.

    ``Input (steps, num_features)`` → ``num_layers`` × ``LSTM(units, return_sequences=True)``
    (each wrapped in ``Bidirectional`` if asked) → ``Dense(num_classes, softmax)`` applied
    at every step. Without ``bidirectional`` the output at step ``t`` has seen inputs
    ``0 … t`` only. The number of steps is left open (``None``), so a model trained on
    4 steps also runs on 5.
    """
    check_positive(num_features=num_features, num_classes=num_classes, units=units,
                   num_layers=num_layers)
    _check_learning_rate(learning_rate)
    inputs = keras.Input(shape=(None, num_features), name="digit_columns")
    x = inputs
    for i in range(num_layers):
        lstm = layers.LSTM(units, return_sequences=True, name=f"lstm_{i}")
        x = layers.Bidirectional(lstm, name=f"bidirectional_{i}")(x) if bidirectional else lstm(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="digit")(x)
    model = keras.Model(inputs, outputs, name="same_length_lstm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_addition_encoder_decoder(num_tokens: int, output_length: int, *,
                                   latent_dim: int = 128,
                                   learning_rate: float | LearningRate = 1e-3) -> keras.Model:
    """The encoder–decoder of Keras' ``addition_rnn`` example.

    ``Input (steps, num_tokens)`` → ``LSTM(latent_dim)`` (the encoder: only its last
    output is kept) → ``RepeatVector(output_length)`` (that one vector, once per answer
    character) → ``LSTM(latent_dim, return_sequences=True)`` (the decoder) →
    ``Dense(num_tokens, softmax)`` at every step. The answer's length is fixed at
    ``output_length``; the question's is left open. ``learning_rate`` is adam's: a number or
    a ``keras.optimizers.schedules.LearningRateSchedule``.
    """
    check_positive(num_tokens=num_tokens, output_length=output_length, latent_dim=latent_dim)
    _check_learning_rate(learning_rate)
    encoder_inputs = keras.Input(shape=(None, num_tokens), name="question")
    encoded = layers.LSTM(latent_dim, name="encoder")(encoder_inputs)
    repeated = layers.RepeatVector(output_length, name="repeat")(encoded)
    decoded = layers.LSTM(latent_dim, return_sequences=True, name="decoder")(repeated)
    outputs = layers.Dense(num_tokens, activation="softmax", name="character")(decoded)
    model = keras.Model(encoder_inputs, outputs, name="addition_encoder_decoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
