"""Argument checks for the package's public functions: a wrong argument gets one sentence that
names it and says what was expected, before any TensorFlow code runs.

Used in: every module of ``helpers`` that a notebook or a widget calls (plumbing, not taught).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from pathlib import Path
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


def _whole_number(name: str, value: Any, minimum: int, accepts: str) -> int:
    # numbers.Integral covers numpy's integers (np.int64 …) as well as int; bool is refused.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {accepts}, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_count(name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an ``int`` if it is a whole number ≥ ``minimum`` (Python's or NumPy's;
    not a bool, not 2.5)."""
    return _whole_number(name, value, minimum, "a whole number")


def check_optional_count(name: str, value: Any, *, minimum: int = 1) -> int | None:
    """:func:`check_count`, or ``None`` (which callers read as "all")."""
    return None if value is None else _whole_number(name, value, minimum,
                                                    "a whole number or None")


def check_fraction(name: str, value: Any) -> float:
    """``value`` as a ``float`` if it is a number (Python's or NumPy's, not a bool) from 0 up
    to, but not including, 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number from 0 up to (not including) 1, not {value!r}")
    if not 0 <= value < 1:  # also refuses nan
        raise ValueError(f"{name} must be from 0 up to (not including) 1, got {value}")
    return float(value)


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


def _path_limits() -> tuple[int, int]:
    """(longest file or folder name, longest path) in bytes, as this system says."""
    try:
        return os.pathconf(".", "PC_NAME_MAX"), os.pathconf(".", "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows has no pathconf
        return 255, 4096


def check_path(name: str, value: Any, *, what: str = "a file") -> Path:
    """``value`` as a :class:`~pathlib.Path` if it is a ``str`` or path the system could open:
    not empty, no NUL character, no name (between slashes) or whole path longer than the
    system allows — refused here in words rather than by the system's ``OSError``."""
    text = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str or Path to {what}, not {type(value).__name__}")
    if not text:
        raise ValueError(f"{name} is empty: give the path to {what}")
    if "\x00" in text:
        raise ValueError(f"{name} contains a NUL character (\\x00), which no file name can hold")
    try:
        sizes = [(part, len(os.fsencode(part))) for part in Path(text).parts]
    except UnicodeEncodeError as exc:
        raise ValueError(f"{name} holds a character no file name can hold: "
                         f"{exc.object[exc.start:exc.end]!r}") from exc
    name_max, path_max = _path_limits()
    for part, size in sizes:
        if size > name_max:
            raise ValueError(f"{name} has a name of {size} bytes ({part[:20]}…); names of files "
                             f"and folders can be at most {name_max} bytes on this system")
    if len(os.fsencode(text)) >= path_max:
        raise ValueError(f"{name} is {len(os.fsencode(text))} bytes long; a path can be at most "
                         f"{path_max - 1} bytes on this system")
    return Path(text)


def check_count_at_most(name: str, value: Any, maximum: int, *, minimum: int = 1,
                        why: str = "") -> int:
    """:func:`check_count`, and at most ``maximum`` (``why`` says why, after a colon)."""
    value = check_count(name, value, minimum=minimum)
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}"
                         + (f": {why}" if why else ""))
    return value


def check_positive_finite(name: str, value: Any) -> float:
    """``value`` as a ``float`` if it is a number (Python's or NumPy's, not a bool) above 0 and
    not infinite (``nan`` is refused too)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive, finite number, not {value!r}")
    if not 0 < value < float("inf"):  # also refuses nan
        raise ValueError(f"{name} must be a positive, finite number, got {value}")
    return float(value)


def check_between(name: str, value: Any, low: float, high: float) -> float:
    """``value`` as a ``float`` if it is a number (Python's or NumPy's, not a bool) from
    ``low`` to ``high``, both included (``nan`` is refused)."""
    accepts = f"a number from {low:g} to {high:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {accepts}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {accepts}, got {value}")
    return float(value)


def check_index(name: str, value: Any, size: int, *, what: str = "a token id") -> int:
    """``value`` as an ``int`` if it is a whole number (Python's or NumPy's, not a bool) from 0
    to ``size - 1``: a position in something of ``size`` items (negative ones refused: they
    would count from the end)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what} (a whole number), not {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be {what} from 0 to {size - 1}, got {value}")
    return int(value)


def check_tokens(name: str, vocab: Any, needed: dict[str, str], *, hint: str = "") -> list[int]:
    """The ids of the ``needed`` tokens (``{"start": "\\t", …}``: what each is called, the
    token) in the vocabulary ``vocab``, in order; ``ValueError`` naming the ones it lacks
    (``hint`` says what to do)."""
    index = getattr(vocab, "token_index", None)
    if not isinstance(index, dict):
        raise TypeError(f"{name} must be a vocabulary, not {type(vocab).__name__}")
    missing = [f"{what} token {token!r}" for what, token in needed.items() if token not in index]
    if missing:
        raise ValueError(f"{name} has no {' and no '.join(missing)}"
                         + (f": {hint}" if hint else ""))
    return [index[token] for token in needed.values()]
