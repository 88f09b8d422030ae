"""Argument checks for the package's public functions: a wrong argument gets one sentence that
names it and says what was expected, before any TensorFlow code runs.

Used in: every module of ``helpers`` that a notebook or a widget calls (plumbing, not taught).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np


def check_positive(**values: Any) -> None:
    """Each argument must be a positive number (not a bool): ``TypeError`` or ``ValueError``
    naming the first that is not."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a positive number, not {value!r}")
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")


def check_count(name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an ``int`` if it is a whole number ≥ ``minimum`` (not a bool, not 2.5)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_texts(name: str, texts: Any) -> list[str]:
    """A list or tuple of strings (one string alone is refused: it would be read as a list of
    characters)."""
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a list of strings, not {type(texts).__name__}"
                        + (" (wrap one sentence in a list: [text])" if isinstance(texts, str)
                           else ""))
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(text).__name__}")
    return list(texts)


def check_ids(name: str, ids: Any, num_tokens: int | None = None) -> np.ndarray:
    """A 2-D array of whole-number token ids ``(batch, steps)``, each in ``[0, num_tokens)``,
    as ``int32``."""
    array = np.asarray(ids)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a 2-D array of token ids (batch, steps), got shape "
                         f"{array.shape}")
    if array.dtype.kind not in "iu":
        if array.dtype.kind != "f" or not np.all(np.mod(array, 1) == 0):
            raise TypeError(f"{name} must hold whole-number token ids, not {array.dtype} values "
                            "(encode text with encoding.encode_sequences)")
    if array.size and (array.min() < 0 or (num_tokens is not None and array.max() >= num_tokens)):
        raise ValueError(f"{name} holds ids outside the model's vocabulary of {num_tokens} tokens "
                         f"(smallest {array.min()}, largest {array.max()})")
    return array.astype(np.int32)
