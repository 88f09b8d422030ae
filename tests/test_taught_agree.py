"""The course's rule: a concept is written out in the notebook that teaches it and imported
from ``helpers`` only from the next notebook on; the two versions must agree.

The agreement itself is tested next to each helper (look for ``taught("...")``); this file
checks the bookkeeping, so that a new marked cell cannot go untested.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache

import pytest

from tests.notebook_tools import (
    ROOT,
    all_notebooks,
    course_notebooks,
    helpers_used,
    notebook_number,
    taught_map,
)


def test_there_are_taught_helpers() -> None:
    assert taught_map(), "no notebook marks a cell with '# teaches: helpers.…'"


@pytest.mark.parametrize("dotted", sorted(taught_map()))
def test_taught_name_exists_in_helpers(dotted: str) -> None:
    module, name = dotted.rsplit(".", 1)
    assert hasattr(importlib.import_module(module), name), f"{dotted} is not in helpers"


def taught_calls(paths) -> set[str]:
    """The names given to ``taught("…")`` in calls of these Python files (code, not comments or
    strings that mention it)."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "taught" and len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value)
    return names


@cache
def taught_in_tests() -> set[str]:
    """The names of :func:`taught_calls` in the course's test files."""
    return taught_calls(sorted((ROOT / "tests").glob("test_*.py")))


@pytest.mark.parametrize("dotted", sorted(taught_map()))
def test_taught_name_has_an_agreement_test(dotted: str) -> None:
    assert dotted in taught_in_tests(), (
        f"{dotted} is taught in {taught_map()[dotted].name} but no test compares it with helpers "
        f'(write one that calls taught("{dotted}"))'
    )


def test_only_a_call_of_taught_counts(tmp_path) -> None:
    """A comment, a docstring or a string that mentions taught("…") is not an agreement test."""
    path = tmp_path / "test_x.py"
    path.write_text('"""taught("helpers.a.doc")"""\n# taught("helpers.a.comment")\n'
                    'TEXT = \'taught("helpers.a.string")\'\n\n\n'
                    'def test_it():\n    cell = taught("helpers.a.called")\n')
    assert taught_calls([path]) == {"helpers.a.called"}


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_helpers_imported_only_after_they_are_taught(path) -> None:
    own = notebook_number(path)
    is_solution = path.parent.name == "solutions"
    for used in sorted(helpers_used(path)):
        for dotted, teacher in taught_map().items():
            if used == dotted or used.startswith(dotted + "."):
                taught_in = notebook_number(teacher)
                ok = taught_in <= own if is_solution else taught_in < own
                assert ok, f"{path.name} imports {dotted}, which {teacher.name} teaches"


def test_notebook_numbers_are_unique_and_consecutive() -> None:
    numbers = [notebook_number(p) for p in course_notebooks()]
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_helpers_used_sees_every_import_style(tmp_path) -> None:
    import json

    cells = [
        "from helpers import encoding, profiles as pr\nimport helpers.data as d",
        "x = encoding.one_hot_arrays(a, b)\ny = d.load_fra_eng()\nz = pr.pick(quick=1, full=2)",
        "from helpers.encoding import build_vocabulary\nimport helpers.models\n"
        "helpers.models.build(1)\n%time w = 1",
    ]
    nb = {"cells": [{"cell_type": "code", "source": c} for c in cells]}
    path = tmp_path / "09_x.ipynb"
    path.write_text(json.dumps(nb))
    used = helpers_used(path)
    for name in ("helpers.encoding.one_hot_arrays", "helpers.data.load_fra_eng",
                 "helpers.profiles.pick", "helpers.encoding.build_vocabulary",
                 "helpers.models.build"):
        assert name in used, (name, used)
