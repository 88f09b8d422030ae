"""Figures a back row can read: one course style, set in helpers.figures, used everywhere.

What is checked, and how: the style itself (every Matplotlib text size it leaves in force is
≥ 12 pt); and the notebooks' code cells *as text* (their syntax tree), not the drawn figures:
no cell sets a font size below 12 pt or a style of its own, every setup cell of a notebook
that imports pyplot calls ``use_course_style()``, no title shows a ``!r`` repr, a cell that
plots names both of its axes, and the meanings one cell colours from ``COLORS`` have
different colours. A look at the figures themselves is still needed for overlaps.
"""

from __future__ import annotations

import ast
import re

import matplotlib
import pytest
from matplotlib.colors import is_color_like, to_hex
from matplotlib.font_manager import FontProperties

from helpers.figures import COLORS, COURSE_STYLE, TEXT_SIZES, shades, use_course_style
from tests.notebook_tools import all_notebooks, code_sources

MIN_POINTS = 12
#: Keyword arguments and rcParams (the part after the dot) that set a text size.
SIZE_NAMES = {"fontsize", "labelsize", "titlesize", "title_fontsize", "size"}
#: Calls whose ``size=`` is a font size (elsewhere ``size=`` is, say, NumPy's array shape).
TEXT_CALLS = {"text", "annotate", "set_title", "suptitle", "title", "set_xlabel", "set_ylabel",
              "xlabel", "ylabel", "legend", "tick_params", "set_xticks", "set_yticks",
              "set_xticklabels", "set_yticklabels", "colorbar", "figtext", "FontProperties", "rc",
              "set"}
#: Named sizes smaller than ``medium`` (= font.size = 12 pt).
SMALL_NAMES = {"xx-small", "x-small", "small", "smaller"}
TEXT_SIZE_KEY = re.compile(r"^font\.size$|(titlesize|labelsize|fontsize)$")
MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)  # an IPython line, parsed as `pass`
OWN_STYLE = re.compile(r"rcParams\.update\(|rcParams\[.+\]\s*=|rc_context\(|plt\.rc\(|style\.use\(")


def cells() -> list[tuple[str, int, str, ast.Module]]:
    """(notebook name, code-cell index, source, syntax tree) of every code cell."""
    found = []
    for path in all_notebooks():
        for i, source in enumerate(code_sources(path)):
            found.append((path.name, i, source, ast.parse(MAGIC.sub(r"\1pass", source))))
    return found


def func_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def too_small(node: ast.AST) -> bool:
    """A literal font size below 12 pt (a number, or a name such as ``"small"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return not isinstance(node.value, bool) and node.value < MIN_POINTS
    return isinstance(node, ast.Constant) and node.value in SMALL_NAMES


def small_font_sizes(tree: ast.Module) -> list[str]:
    """Every place a cell's code sets a text size below 12 pt."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in SIZE_NAMES - {"size"} or (
                        kw.arg == "size" and func_name(node) in TEXT_CALLS):
                    if too_small(kw.value):
                        found.append(f"{func_name(node)}({kw.arg}={ast.unparse(kw.value)})")
            if (func_name(node) in {"set_fontsize", "set_size"} and node.args
                    and too_small(node.args[0])):
                found.append(ast.unparse(node))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and isinstance(key.value, str)
                        and key.value.rsplit(".", 1)[-1] in SIZE_NAMES and too_small(value)):
                    found.append(f"{key.value!r}: {ast.unparse(value)}")
    return found


def test_small_font_sizes_are_found() -> None:
    tree = ast.parse('ax.legend(fontsize=8)\nax.text(0, 0, "a", size="small")\n'
                     'ax.tick_params(labelsize=9)\nd = {"font.size": 10}\nt.set_fontsize(7)\n'
                     'ok = rng.normal(size=3)\nfine = ax.set_title("b", fontsize=14)')
    assert len(small_font_sizes(tree)) == 5, small_font_sizes(tree)


def test_course_style_text_is_at_least_12_points() -> None:
    """Every text size Matplotlib uses under the course style, set by it or left at a default
    relative to ``font.size``, resolves to ≥ 12 pt."""
    assert COURSE_STYLE["figure.dpi"] and COURSE_STYLE["figure.figsize"]
    for key in TEXT_SIZES:
        assert isinstance(COURSE_STYLE[key], int | float) and COURSE_STYLE[key] >= MIN_POINTS, key
    with matplotlib.rc_context():
        use_course_style()
        for key, value in matplotlib.rcParams.items():
            if TEXT_SIZE_KEY.search(key) and value is not None:
                points = FontProperties(size=value).get_size_in_points()
                assert points >= MIN_POINTS, f"rcParams[{key!r}] = {value!r} is {points:.1f} pt"


def test_use_course_style_applies_the_style_and_returns_nothing() -> None:
    with matplotlib.rc_context():
        assert use_course_style() is None
        for key, value in COURSE_STYLE.items():
            expected = list(value) if isinstance(value, tuple) else value  # figsize: a list
            assert matplotlib.rcParams[key] == expected, key


def test_colors_are_colors_and_every_meaning_is_used() -> None:
    every_source = "\n".join(source for _, _, source, _ in CELLS)
    for meaning, color in COLORS.items():
        assert is_color_like(color), (meaning, color)
        assert f'COLORS["{meaning}"]' in every_source, f'no figure uses COLORS["{meaning}"]'
    used = set(re.findall(r'COLORS\["(\w+)"\]', every_source))
    assert used <= set(COLORS), f"not meanings in helpers.figures.COLORS: {used - set(COLORS)}"


def test_shades_are_ordered_colors() -> None:
    assert shades(1) == [shades(3)[0]]
    assert len(set(shades(6))) == 6 and all(is_color_like(c) for c in shades(6))
    with pytest.raises(ValueError):
        shades(0)


CELLS = cells()


@pytest.mark.parametrize("name, index, source, tree", CELLS,
                         ids=[f"{name}-cell{index}" for name, index, _, _ in CELLS])
def test_figure_cell(name: str, index: int, source: str, tree: ast.Module) -> None:
    where = f"{name}, code cell {index}"
    assert not small_font_sizes(tree), f"{where}: text below 12 pt: {small_font_sizes(tree)}"
    assert not OWN_STYLE.search(source), (
        f"{where}: a style of its own (helpers.figures.use_course_style sets the course's)")
    # titles: no raw repr
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            titles = [kw.value for kw in node.keywords if kw.arg == "title"]
            if func_name(node) in {"set_title", "suptitle", "title"}:
                titles += node.args[:1]
            for title in titles:
                reprs = [v for v in ast.walk(title)
                         if isinstance(v, ast.FormattedValue) and v.conversion == ord("r")]
                assert not reprs, f"{where}: a title shows a repr: {ast.unparse(title)}"
    # a cell that plots labels both axes (the text of the cell, not the figure: see the docstring)
    if re.search(r"\b(ax\w*|axes\[\d\]|plt)\.(plot|bar|barh|hist|scatter|imshow)\(", source) \
            and "set_axis_off()" not in source:
        for axis in "xy":
            assert re.search(rf"(set_{axis}label\(|\b{axis}label=|plt\.{axis}label\()", source), (
                f"{where}: plots but sets no {axis} label")
    # one colour per meaning within a cell
    meanings = sorted(set(re.findall(r'COLORS\["(\w+)"\]', source)))
    colors = [to_hex(COLORS[m]) for m in meanings if m in COLORS]
    assert len(set(colors)) == len(colors), f"{where}: two meanings, one colour: {meanings}"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_setup_cell_uses_the_course_style(path) -> None:
    sources = code_sources(path)
    setup = [s for s in sources if "profiles.describe()" in s]
    assert len(setup) == 1, f"{path.name}: one setup cell prints profiles.describe()"
    draws = any(re.search(r"^import matplotlib\.pyplot", s, re.MULTILINE) for s in sources)
    if draws:
        assert re.search(r"^from helpers\.figures import .*\buse_course_style\b", setup[0],
                         re.MULTILINE), f"{path.name}: the setup cell imports no use_course_style"
        assert re.search(r"^use_course_style\(\)$", setup[0], re.MULTILINE), (
            f"{path.name}: the setup cell does not call use_course_style()")
        assert not any("use_course_style()" in s for s in sources if s is not setup[0]), (
            f"{path.name}: use_course_style() is called outside the setup cell")
    else:
        assert not any(re.search(r"\bplt\.", s) for s in sources), (
            f"{path.name}: draws with plt but never imports matplotlib.pyplot")
