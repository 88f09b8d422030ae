"""Exercises that answer back (issue 21): the shared checks of ``helpers.exercises``, and every
notebook's exercises placed, tagged, checked in its solutions notebook and tested both ways.

Each notebook ``NN`` has ``helpers.exercises_NN`` with ``q1``, ``q2`` …; its tests,
``tests/test_exercises_NN.py``, hold ``test_qI_correct`` and ``test_qI_wrong`` for every
checkable exercise ``qI``.
"""

from __future__ import annotations

import ast
import importlib
import re

import numpy as np
import pytest

from helpers import exercises as ex
from tests.notebook_tools import ROOT, course_notebooks, load

SHARE_CHECKABLE = 0.8


def _exercise(checker, hints=("look again",)) -> ex.Exercise:
    return ex.Exercise("9.1", "a test", 1, 5, hints, "answer = 42", checker)


def _equals_42(answer):
    ex.expect_number("answer", answer, 42)


# --- the shared checks ----------------------------------------------------------------


def test_a_blank_answer_is_not_attempted() -> None:
    exercise = _exercise(_equals_42)
    for blank in (..., None):
        outcome = exercise.evaluate(blank)
        assert outcome.status == ex.NOT_ATTEMPTED and "not attempted" in str(outcome)
    assert exercise.evaluate().status == ex.NOT_ATTEMPTED


def test_a_function_left_blank_is_not_attempted() -> None:
    def stub(x):
        ...

    def raises(x):
        raise NotImplementedError

    exercise = _exercise(lambda f: ex.expect_number("f(1)", ex.call(f, 1), 2))
    assert exercise.evaluate(stub).status == ex.NOT_ATTEMPTED
    assert exercise.evaluate(raises).status == ex.NOT_ATTEMPTED
    assert exercise.evaluate(lambda x: x + 1).passed


def test_an_error_in_the_learners_code_is_one_line_not_a_traceback(capsys) -> None:
    exercise = _exercise(lambda f: ex.expect_number("f(1)", ex.call(f, 1), 2))
    exercise.check(lambda x: 1 / 0)
    said = capsys.readouterr().out
    assert said.startswith("✗ Exercise 9.1: calling your function raised ZeroDivisionError")
    assert "Traceback" not in said and said.count("\n") == 1


def test_a_wrong_number_says_which_side_not_the_answer() -> None:
    outcome = _exercise(_equals_42).evaluate(41)
    assert outcome.status == ex.WRONG and "too low" in outcome.message
    assert "42" not in outcome.message
    assert "should be a number" in _exercise(_equals_42).evaluate("42").message
    assert _exercise(_equals_42).evaluate(42).passed


@pytest.mark.parametrize(("got", "said"), [
    (np.zeros((2, 3)), "shape (2, 3); it should have shape (2, 2)"),
    (np.array([[1, 2], [3, 5]]), "differs at 1 of 4 positions, the first at index (1, 1)"),
    ("text", "cannot be read|shape ()"),
])
def test_a_wrong_array_names_shape_or_position(got, said) -> None:
    expected = np.array([[1, 2], [3, 4]])
    outcome = _exercise(lambda a: ex.expect_array("a", a, expected)).evaluate(got)
    assert outcome.status == ex.WRONG
    assert any(part in outcome.message for part in said.split("|")), outcome.message
    assert _exercise(lambda a: ex.expect_array("a", a, expected)).evaluate(
        expected.copy()).passed


def test_dtype_is_checked_when_asked() -> None:
    outcome = _exercise(lambda a: ex.expect_array("a", a, np.arange(3, dtype=np.int32),
                                                  check_dtype=True)).evaluate(np.arange(3.0))
    assert "dtype float64; it should have dtype int32" in outcome.message


def test_hints_come_one_tier_at_a_time(capsys) -> None:
    exercise = _exercise(_equals_42, hints=("first", "second"))
    exercise.hint()
    exercise.hint()
    exercise.hint()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Hint 1 of 2") and lines[0].endswith("first")
    assert lines[1].startswith("Hint 2 of 2") and lines[2].startswith("Hint 2 of 2")
    with pytest.raises(ValueError, match="hints 1 to 2"):
        exercise.hint(3)


def test_an_open_question_says_it_has_no_check() -> None:
    outcome = _exercise(None).evaluate("anything")
    assert not outcome.passed and "no automatic check" in outcome.message


# --- every notebook's exercises -------------------------------------------------------


def _number(path) -> str:
    return path.name[:2]


def _module(path):
    return importlib.import_module(f"helpers.exercises_{_number(path)}")


def _cells(path, kind: str) -> list[dict]:
    return [c for c in load(path)["cells"] if c["cell_type"] == kind]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _outputs(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_each_exercise_sits_in_its_notebook_with_a_tag_and_a_check(path) -> None:
    exercises = ex.exercises_of(vars(_module(path)))
    assert exercises, f"helpers.exercises_{_number(path)} has no exercises"
    markdown = [_text(c) for c in _cells(path, "markdown")]
    code = _cells(path, "code")
    for i, exercise in enumerate(exercises, start=1):
        assert exercise.number == f"{int(_number(path))}.{i}", exercise.number
        assert any(exercise.tag in m for m in markdown), f"no markdown cell has {exercise.tag!r}"
        calls = [c for c in code if f"q{i}.check(" in _text(c)]
        assert calls or not exercise.checkable, f"{path.name}: nothing calls q{i}.check("
        for cell in calls:  # committed blank: "not attempted", never a traceback
            said = _outputs(cell)
            assert f"○ Exercise {exercise.number} not attempted" in said, said
        assert (ROOT / "notebooks" / exercise.solutions_notebook.removeprefix(
            "notebooks/")).is_file() if exercise.solutions_notebook else False, (
            f"exercise {exercise.number}: solutions_notebook {exercise.solutions_notebook!r}")


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_the_solutions_notebook_passes_every_check(path) -> None:
    exercises = ex.exercises_of(vars(_module(path)))
    solution = ROOT / "notebooks" / "solutions" / f"{path.stem}_solutions.ipynb"
    code = _cells(solution, "code")
    for i, exercise in enumerate(exercises, start=1):
        if not exercise.checkable:
            continue
        calls = [c for c in code if f"q{i}.check(" in _text(c)]
        assert calls, f"{solution.name}: no cell calls q{i}.check("
        said = "".join(_outputs(c) for c in calls)
        assert f"✓ Exercise {exercise.number} correct" in said, (
            f"{solution.name}: exercise {exercise.number} does not pass its check: {said!r}")


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_every_checkable_exercise_is_tested_right_and_wrong(path) -> None:
    tests = ROOT / "tests" / f"test_exercises_{_number(path)}.py"
    assert tests.is_file(), f"no {tests.name}"
    names = {node.name for node in ast.walk(ast.parse(tests.read_text(encoding="utf-8")))
             if isinstance(node, ast.FunctionDef)}
    for i, exercise in enumerate(ex.exercises_of(vars(_module(path))), start=1):
        if exercise.checkable:
            assert f"test_q{i}_correct" in names and f"test_q{i}_wrong" in names, (
                f"{tests.name}: test_q{i}_correct and test_q{i}_wrong")


def test_at_least_four_exercises_in_five_can_be_checked() -> None:
    exercises = [e for p in course_notebooks() for e in ex.exercises_of(vars(_module(p)))]
    share = sum(e.checkable for e in exercises) / len(exercises)
    assert share >= SHARE_CHECKABLE, f"{share:.0%} of {len(exercises)} exercises checkable"


def test_no_notebook_keeps_its_exercises_in_the_last_cell_only() -> None:
    """Exercises sit next to what they practise: the tags are spread over the notebook."""
    for path in course_notebooks():
        cells = load(path)["cells"]
        places = [i for i, c in enumerate(cells) for e in ex.exercises_of(vars(_module(path)))
                  if c["cell_type"] == "markdown" and e.tag in _text(c)]
        if len(places) > 1:
            assert min(places) < len(cells) * 0.8, f"{path.name}: every exercise at the end"


def test_tags_follow_one_pattern() -> None:
    for path in course_notebooks():
        for exercise in ex.exercises_of(vars(_module(path))):
            assert re.fullmatch(r"Exercise \d\.\d+ ★{1,3} \(~\d+ min\): \S.*", exercise.tag)
