"""helpers/ reads like the course: imports flow one way (no cycle, not even through imports
inside functions), no module is imported only for its side effects, and every module says
which notebook teaches or uses it."""

from __future__ import annotations

import ast
import re

from tests.notebook_tools import ROOT

HELPERS = ROOT / "helpers"


def helpers_imports() -> dict[str, set[str]]:
    """Module → the helpers modules it imports anywhere (top level or inside a function)."""
    graph: dict[str, set[str]] = {}
    names = {p.stem for p in HELPERS.glob("*.py") if p.stem != "__init__"}
    for path in HELPERS.glob("*.py"):
        if path.stem == "__init__":
            continue
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "helpers":
                    found |= {a.name for a in node.names if a.name in names}
                elif node.module.startswith("helpers."):
                    found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names
                          if a.name.startswith("helpers.")}
        graph[path.stem] = found - {path.stem}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_helpers_has_no_import_cycle() -> None:
    graph = helpers_imports()
    assert graph["decoding"] >= {"architecture", "checks"}  # the parser sees real imports
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in helpers/: " + " → ".join(cycle)


#: The modules that register a model family (helpers.architecture.FAMILY_MODULES), and those
#: that must not import one: they ask the architecture record and the registry (issue 23).
FAMILY_MODULE_NAMES = {"attention", "variants", "models", "transformer"}
FAMILY_FREE = ("model_files", "decoder_step", "decoding", "translation_input", "translation",
               "widget_html", "widget_static", "widget_input", "widget_models",
               "widget_translator", "widget_steps", "widgets", "pretrained")


def test_decoders_and_widgets_import_no_family_module() -> None:
    from helpers.architecture import FAMILY_MODULES

    assert {m.removeprefix("helpers.") for m in FAMILY_MODULES.values()} == FAMILY_MODULE_NAMES
    graph = helpers_imports()
    for module in FAMILY_FREE:
        family_imports = graph[module] & (FAMILY_MODULE_NAMES - {"models"})
        assert not family_imports, f"helpers.{module} imports {family_imports}: ask the registry"


def test_no_import_for_a_side_effect() -> None:
    for path in HELPERS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"import .*#\s*noqa:\s*F401", text), (
            f"{path.name} imports something only for its side effects")


def test_every_module_names_its_notebook() -> None:
    for path in HELPERS.glob("*.py"):
        if path.stem == "__init__":
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert re.search(r"(Taught in|Used in|Run by)", doc), (
            f"{path.name}: its docstring does not say which notebook teaches or uses it")


#: The course's layers, bottom first: a module imports only from layers below its own (or its
#: own layer's modules listed before it), as the issue's "data/encoding → models/training →
#: decoding → translation API → widgets, the release pipeline on top" says.
LAYERS = [
    ["checks", "compiled", "exercises", "profiles", "data", "encoding", "layers", "architecture",
     "baselines", "evaluation", "figures", "augmentation", "robustness", "app_server", "subwords",
     "model_goals", "typing_repair"],
    ["training", "model_files", "models", "attention", "original", "addition", "transformer"],
    ["decoder_step", "decoding"],
    ["translation_input", "translation"],
    ["variants", "widget_html", "widget_static", "widget_input", "widget_models",
     "widget_translator", "widget_steps", "widgets"],
    ["recipes", "transformer_recipe", "card_scores", "model_cards", "pretrained"],
    ["exercises_01", "exercises_02", "exercises_03_checks", "exercises_03", "exercises_04_checks",
     "exercises_04", "exercises_05_checks", "exercises_05", "exercises_06", "exercises_07",
     "exercises_08_checks", "exercises_08"],
]


def test_imports_flow_one_way() -> None:
    order = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    position = {name: n for n, name in enumerate(m for layer in LAYERS for m in layer)}
    graph = helpers_imports()
    assert set(graph) == set(order), "a helpers module is missing from LAYERS (or gone)"
    for module, imported in graph.items():
        for other in imported:
            assert order[other] < order[module] or (
                order[other] == order[module] and position[other] < position[module]), (
                f"helpers.{module} imports helpers.{other}: imports must flow down "
                f"{' → '.join('/'.join(layer) for layer in LAYERS)}")


def test_one_hot_vectors_are_made_in_one_place() -> None:
    """Tensors: helpers.layers.one_hot_ids (the OneHot layer and the decoders' input); arrays:
    helpers.encoding.one_hot (notebook 01). No other module calls a one_hot of its own."""
    calls = sorted(
        (path.stem, node.func.value.id)
        for path in HELPERS.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr == "one_hot" and isinstance(node.func.value, ast.Name))
    assert calls == [("layers", "ops")], calls
    source = (HELPERS / "encoding.py").read_text(encoding="utf-8")
    assert "def one_hot(" in source
