"""Reading notebooks from tests: the cells that teach a helper, and the helpers a notebook imports.

A code cell that writes out, in full, a function the course later imports from ``helpers``
starts with a marker line naming it::

    # teaches: helpers.encoding.build_vocabulary

All marked cells of a notebook are executed, in order, in a fresh namespace that holds only
``np`` (numpy), so they must not lean on ``helpers`` for what they teach.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MARKER = re.compile(r"^#\s*teaches:\s*(helpers(?:\.\w+)+)\s*$", re.MULTILINE)
IPYTHON_LINE = re.compile(r"^\s*[%!].*$", re.MULTILINE)


def course_notebooks() -> list[Path]:
    """The course's notebooks (``NN_title.ipynb``), in order; solutions are not included."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def all_notebooks() -> list[Path]:
    """Course notebooks and solution notebooks."""
    return course_notebooks() + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))


def notebook_number(path: Path) -> int:
    """``02_same_length_addition.ipynb`` → 2 (solutions count as their notebook's number)."""
    return int(path.name[:2])


def load(path: Path) -> dict:
    """The notebook's JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def code_sources(path: Path) -> list[str]:
    """Source text of each code cell."""
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in load(path)["cells"] if c["cell_type"] == "code"]


def taught_names(path: Path) -> list[str]:
    """Dotted names of the helpers this notebook teaches (``helpers.encoding.one_hot``)."""
    return [name for src in code_sources(path) for name in MARKER.findall(src)]


@cache
def taught_map() -> dict[str, Path]:
    """Every taught helper → the notebook that teaches it."""
    out: dict[str, Path] = {}
    for path in course_notebooks():
        for name in taught_names(path):
            if name in out:
                raise AssertionError(f"{name} is taught twice: {out[name].name} and {path.name}")
            out[name] = path
    return out


@cache
def _taught_namespace(path: Path) -> dict:
    namespace: dict = {"np": np, "__name__": f"taught_{path.stem}"}
    for src in code_sources(path):
        if MARKER.search(src):
            exec(compile(IPYTHON_LINE.sub("", src), f"{path.name}", "exec", dont_inherit=True),
                 namespace)
    return namespace


def taught(dotted: str):
    """The notebook's own version of ``helpers.module.name``."""
    path = taught_map().get(dotted)
    if path is None:
        raise KeyError(f"no notebook has a cell marked '# teaches: {dotted}'")
    name = dotted.rsplit(".", 1)[1]
    namespace = _taught_namespace(path)
    if name not in namespace:
        raise AssertionError(f"{path.name} marks '{dotted}' as taught but defines no {name}")
    return namespace[name]


def helpers_used(path: Path) -> set[str]:
    """Dotted ``helpers.module.name`` names a notebook's code refers to."""
    used: set[str] = set()
    aliases: dict[str, str] = {}  # names bound to helpers modules, across the notebook's cells
    for src in code_sources(path):
        try:
            tree = ast.parse(IPYTHON_LINE.sub("", src))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("helpers"):
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    if module == "helpers":
                        aliases[alias.asname or alias.name] = full
                    else:
                        used.add(full)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("helpers"):
                        if alias.asname:
                            aliases[alias.asname] = alias.name
                        else:
                            aliases["helpers"] = "helpers"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                chain = []
                cur: ast.AST = node
                while isinstance(cur, ast.Attribute):
                    chain.append(cur.attr)
                    cur = cur.value
                if isinstance(cur, ast.Name) and cur.id in aliases:
                    used.add(".".join([aliases[cur.id], *reversed(chain)]))
    return used


# --- comparing a notebook's code with the helper's (the taught_NN tests) -----------------------


def notebook_definition(dotted: str) -> ast.stmt:
    """The ``class`` / ``def`` statement of the notebook cell marked ``# teaches: dotted``."""
    name = dotted.rsplit(".", 1)[1]
    found = []
    for src in code_sources(taught_map()[dotted]):
        if dotted in MARKER.findall(src):
            tree = ast.parse(IPYTHON_LINE.sub("", src))
            found += [node for node in tree.body
                      if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name]
    assert len(found) == 1, f"{dotted}: {len(found)} definitions of {name} in its marked cell"
    return found[0]


def helper_definition(obj) -> ast.stmt:
    """The ``class`` / ``def`` statement of a helper, parsed from its source."""
    return ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]


def assert_same_code(dotted: str, helper) -> None:
    """The cell marked ``# teaches: dotted`` defines ``helper``'s code: the same syntax tree,
    docstring included (layout and comments aside), or an assertion naming the notebook."""
    mine, theirs = notebook_definition(dotted), helper_definition(helper)
    assert ast.get_docstring(mine) == ast.get_docstring(theirs)
    assert ast.dump(mine) == ast.dump(theirs), (
        f"notebook {taught_map()[dotted].name[:2]}'s {dotted.rsplit('.', 1)[1]} is not the code "
        f"of {dotted}: copy it again")


def sees_a_change(dotted: str, helper, old: str, new: str) -> bool:
    """Does :func:`assert_same_code`'s comparison tell the notebook's ``dotted`` from
    ``helper``'s code with ``old`` replaced by ``new`` (a change of one character or token)?"""
    source = textwrap.dedent(inspect.getsource(helper))
    changed = ast.parse(source.replace(old, new)).body[0]
    return ast.dump(changed) != ast.dump(notebook_definition(dotted))


def describe(model) -> list[tuple[str, str, int]]:
    """A model's layers as ``(name, class name, parameter count)``."""
    return [(layer.name, type(layer).__name__, layer.count_params()) for layer in model.layers]


def optimizer_config(model) -> dict:
    """A compiled model's optimizer settings, without the optimizer's name."""
    return {k: v for k, v in model.optimizer.get_config().items() if k != "name"}


def arrays(outputs) -> list[np.ndarray]:
    """A model's output(s) as a list of NumPy arrays."""
    return [np.asarray(o) for o in (outputs if isinstance(outputs, list | tuple) else [outputs])]
