"""Exercises that answer back: ``check(...)``, ``hint()`` and ``solution()`` for every exercise.

Used in: every notebook's exercises (plumbing, not taught). Each notebook's exercises live in
``helpers.exercises_NN`` (``NN`` the notebook's number), their checks beside them or, where
they are long, in ``helpers.exercises_NN_checks``; this module is what they all share.

An exercise cell ends with ``q1.check(answer)``. The check prints one line:

* ``○ Exercise 3.1 not attempted yet`` while the answer is still ``...`` (or a function whose
  body is still ``...``, so that it returns ``None``);
* ``✗ Exercise 3.1: <what is wrong>`` naming the shape, the dtype, the position or the property
  that is wrong, without printing the right answer;
* ``✓ Exercise 3.1 correct`` (and, sometimes, what the answer shows).

It never shows a traceback: an error raised by the learner's own code is reported in one line.
``hint()`` gives the next of the exercise's hints each time it is called (``hint(2)`` a given
one); ``solution()`` prints a worked solution and where the solutions notebook is.
"""

from __future__ import annotations

import dis
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOT_ATTEMPTED = "not attempted"
WRONG = "wrong"
CORRECT = "correct"
_SYMBOL = {NOT_ATTEMPTED: "○", WRONG: "✗", CORRECT: "✓"}


class NotAttempted(Exception):
    """Raised inside a checker when an answer is still the blank of the exercise cell."""


class Wrong(Exception):
    """Raised inside a checker with one sentence saying what is wrong with the answer."""


@dataclass(frozen=True)
class Outcome:
    """What a check found: ``status`` is ``"correct"``, ``"wrong"`` or ``"not attempted"``."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        return f"{_SYMBOL[self.status]} {self.message}"


def is_blank(answer: Any) -> bool:
    """True for the blanks an exercise cell starts with: ``...`` and ``None``."""
    return answer is ... or answer is None


def is_stub(function: Any) -> bool:
    """True for a function whose body is still only ``...`` (or ``pass``), after a docstring or
    not: its code returns None and does nothing else. A check that must load or build a model
    before it calls the learner's function says "not attempted" at once for such a blank."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    steps = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP")]
    return all(i.opname in ("LOAD_CONST", "RETURN_VALUE", "RETURN_CONST") and i.argval is None
               or i.opname == "RETURN_VALUE" for i in steps)


def error_line(error: Exception) -> str:
    """The first informative line of an error's message, without terminal colours (Keras wraps
    the real message in lines of its own), for a one-line :class:`Wrong`."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(error).splitlines()]
    return next((line for line in lines
                 if line and not line.startswith("Exception encountered")), "")


def call(function: Any, *args: Any, what: str = "your function", **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` as a checker calls a learner's function: a blank or a
    function that returns a blank is :class:`NotAttempted`; an error it raises becomes
    :class:`Wrong` naming the error in one line."""
    if is_blank(function):
        raise NotAttempted
    if not callable(function):
        raise Wrong(f"{what} should be a function, but it is a {type(function).__name__}")
    try:
        result = function(*args, **kwargs)
    except NotImplementedError as error:
        raise NotAttempted from error
    except (NotAttempted, Wrong):
        raise
    except Exception as error:  # the learner's code failed: say how, in one line
        raise Wrong(f"calling {what} raised {type(error).__name__}: {error}") from error
    if is_blank(result):
        raise NotAttempted
    return result


def expect_array(name: str, got: Any, expected: Any, *, atol: float = 0.0,
                 rtol: float = 0.0, check_dtype: bool = False) -> None:
    """:class:`Wrong` unless ``got`` equals the array ``expected`` (within ``atol``/``rtol``):
    the message names the shape, the dtype or the first position that differs, never the
    expected values."""
    if is_blank(got):
        raise NotAttempted
    try:
        array = np.asarray(got)
    except Exception as error:
        raise Wrong(f"{name} cannot be read as an array ({type(error).__name__})") from error
    expected = np.asarray(expected)
    if array.shape != expected.shape:
        raise Wrong(f"{name} has shape {array.shape}; it should have shape {expected.shape}")
    if check_dtype and array.dtype != expected.dtype:
        raise Wrong(f"{name} has dtype {array.dtype}; it should have dtype {expected.dtype}")
    if expected.dtype.kind in "fc" or array.dtype.kind in "fc":
        if array.dtype.kind not in "biufc":
            raise Wrong(f"{name} holds {array.dtype} values, not numbers")
        close = np.isclose(array, expected, atol=atol, rtol=rtol, equal_nan=False)
    else:
        close = array == expected
    if not np.all(close):
        wrong = np.argwhere(~np.asarray(close))
        where = tuple(int(i) for i in wrong[0]) if array.ndim else ()
        raise Wrong(f"{name} differs at {len(wrong)} of {expected.size} positions, "
                    f"the first at index {where}")


def expect_number(name: str, got: Any, expected: float, *, atol: float = 0.0,
                  rtol: float = 1e-6) -> None:
    """:class:`Wrong` unless ``got`` is a number close to ``expected``; the message says
    whether it is too high or too low, not what it should be."""
    if is_blank(got):
        raise NotAttempted
    if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
        raise Wrong(f"{name} should be a number, but it is a {type(got).__name__}")
    if not math.isfinite(float(got)):
        raise Wrong(f"{name} is {got}, not a finite number")
    if not math.isclose(float(got), float(expected), abs_tol=atol, rel_tol=rtol):
        side = "too high" if float(got) > float(expected) else "too low"
        raise Wrong(f"{name} is {got}, which is {side}")


def expect(condition: bool, message: str) -> None:
    """:class:`Wrong` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Wrong(message)


@dataclass
class Exercise:
    """One exercise: its number (``"3.1"``), title, difficulty (1–3 stars), minutes, tiered
    hints, a worked solution (code as text), and a checker that raises :class:`Wrong` or
    :class:`NotAttempted`, or returns a sentence on what a correct answer shows (or None).
    ``checker`` None marks an open question: :meth:`check` then says it has no check."""

    number: str
    title: str
    difficulty: int
    minutes: int
    hints: Sequence[str]
    solution_code: str
    checker: Callable[..., str | None] | None
    solutions_notebook: str = ""
    _hints_shown: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.difficulty not in (1, 2, 3):
            raise ValueError(f"difficulty is 1, 2 or 3 stars, not {self.difficulty!r}")
        if not self.hints:
            raise ValueError(f"exercise {self.number} needs at least one hint")

    @property
    def checkable(self) -> bool:
        return self.checker is not None

    @property
    def tag(self) -> str:
        """``"Exercise 3.1 ★★ (~10 min): A masked loss by hand"``"""
        return (f"Exercise {self.number} {'★' * self.difficulty} (~{self.minutes} min): "
                f"{self.title}")

    def evaluate(self, *answers: Any, **kw_answers: Any) -> Outcome:
        """The outcome of checking ``answers``, without printing it."""
        name = f"Exercise {self.number}"
        if self.checker is None:
            return Outcome(NOT_ATTEMPTED, f"{name} is an open question with no automatic "
                                          "check: compare with q.solution() when done")
        if not answers and not kw_answers or all(
                is_blank(a) for a in (*answers, *kw_answers.values())):
            return Outcome(NOT_ATTEMPTED, f"{name} not attempted yet "
                                          "(fill in the blanks marked ...; hint() helps)")
        try:
            note = self.checker(*answers, **kw_answers)
        except NotAttempted:
            return Outcome(NOT_ATTEMPTED, f"{name} not attempted yet: part of the answer is "
                                          "still ... (or a function returns None)")
        except Wrong as wrong:
            return Outcome(WRONG, f"{name}: {wrong}")
        except Exception as error:  # a checker never shows the learner a traceback
            return Outcome(WRONG, f"{name}: checking the answer raised "
                                  f"{type(error).__name__}: {error}")
        return Outcome(CORRECT, f"{name} correct" + (f". {note}" if note else ""))

    def check(self, *answers: Any, **kw_answers: Any) -> None:
        """Print whether ``answers`` are right (see the module's docstring)."""
        print(self.evaluate(*answers, **kw_answers))

    def hint(self, level: int | None = None) -> None:
        """Print the next hint (or hint ``level``, from 1)."""
        if level is None:
            level = min(self._hints_shown + 1, len(self.hints))
        if not 1 <= level <= len(self.hints):
            raise ValueError(f"exercise {self.number} has hints 1 to {len(self.hints)}")
        self._hints_shown = max(self._hints_shown, level)
        more = " (call hint() again for the next)" if level < len(self.hints) else ""
        print(f"Hint {level} of {len(self.hints)}{more}: {self.hints[level - 1]}")

    def solution(self) -> None:
        """Print a worked solution, and where the solutions notebook is."""
        where = f"\n# The whole worked solution: {self.solutions_notebook}" \
            if self.solutions_notebook else ""
        print(f"# Exercise {self.number}: a solution{where}\n{self.solution_code.strip()}")


def exercises_of(namespace: dict[str, Any]) -> list[Exercise]:
    """The exercises of a module's namespace (``q1``, ``q2`` …) in order."""
    found = [(name, value) for name, value in namespace.items()
             if isinstance(value, Exercise) and name[:1] == "q" and name[1:].isdigit()]
    return [value for _, value in sorted(found, key=lambda item: int(item[0][1:]))]
