"""The shape of the code, checked: no import cycles, routing declared by the flows themselves.

Adding a step touches only its flow module: the step is registered beside its handler, and the
flows move between steps only with `turn.goto(...)`, to steps that are registered.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import core
import core.dialogue.engine
from core.dialogue import flows, routing
from core.dialogue.turn import Turn

ROOT = Path(core.__file__).resolve().parent
DIALOGUE = ROOT / "dialogue"
# The packages of the product: the core, the adapters and the NLU (not tests, benches, scripts).
PACKAGES = [ROOT.parent / name for name in ("core", "bots", "nlu")]


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs (at module level or in a function), not those for type checkers."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    if isinstance(node, ast.If) and _is_type_checking(node):
        return
    for child in ast.iter_child_nodes(node):
        yield from _imports_in(child)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of `core`, `bots` and `nlu` it imports (a package's name when a
    name is taken from its `__init__`, the submodule when a submodule is imported)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, if there is one (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_module_of_core_bots_or_nlu_imports_in_a_cycle() -> None:
    graph = import_graph()
    assert graph["core.dialogue.engine"], "the graph sees the engine's imports"
    assert graph["bots.telegram.channel"], "and the adapters' imports"
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle_of_lazy_imports() -> None:
    # What understanding's old lazy import of the engine made: the test above would see it.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    tree = ast.parse("def f():\n    from core.dialogue.engine import X\n")
    assert [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)] == [
        "core.dialogue.engine"
    ]


def _gotos() -> Iterator[tuple[Path, int, str | None, str | None]]:
    """Every `turn.goto(flow, step)` of the conversation layer whose arguments are written."""
    for path in DIALOGUE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        constants = {  # FLOW = "onboarding"
            target.id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "goto"
            ):
                values = []
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Constant):
                        values.append(arg.value)
                    elif isinstance(arg, ast.Name) and arg.id in constants:
                        values.append(constants[arg.id])
                    else:
                        pytest.fail(f"{path.name}:{node.lineno}: goto to a computed step")
                values += [None] * (2 - len(values))
                yield path, node.lineno, values[0], values[1]


def test_every_step_a_flow_goes_to_is_registered_and_every_registered_step_is_reached() -> None:
    reached = set()
    for path, line, flow, step in _gotos():
        if flow is None:
            continue
        assert step is not None, f"{path.name}:{line}: a flow entered without a step"
        assert (flow, step) in routing.STEPS, f"{path.name}:{line}: {flow}/{step} has no handler"
        reached.add((flow, step))
    assert set(routing.STEPS) == reached, "registered steps no flow goes to"


def test_flows_move_between_steps_only_with_goto() -> None:
    for path in DIALOGUE.rglob("*.py"):
        if path.name == "turn.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    assert not (
                        isinstance(target, ast.Attribute) and target.attr in ("step", "flow")
                    ), f"{path.name}:{node.lineno} sets the conversation's step"


def test_every_flow_module_is_loaded_with_the_engine() -> None:
    # A flow module that the dispatcher forgot would have its steps silently unreachable.
    for module in pkgutil.iter_modules(flows.__path__):
        assert f"{flows.__name__}.{module.name}" in importlib.sys.modules, module.name  # type: ignore[attr-defined]


def test_a_step_or_an_action_registered_twice_is_refused() -> None:
    async def handler(turn: Turn, answer: routing.Answer) -> None:
        pass

    with pytest.raises(ValueError, match="twice"):
        routing.step("ask", "when")(handler)
    with pytest.raises(ValueError, match="twice"):
        routing.action("accept", arg=routing.RequestId)(handler)


def test_no_source_file_of_core_bots_or_nlu_is_over_400_lines() -> None:
    paths = [path for package in PACKAGES for path in package.rglob("*.py")]
    assert any(path.parent.name == "telegram" for path in paths), "the adapters are counted"
    too_long = {
        str(path.relative_to(ROOT.parent)): lines
        for path in paths
        if (lines := len(path.read_text().splitlines())) > 400
    }
    assert not too_long


# Who reads a member's phone or address: contact.py for showing them (to whom may see them),
# and the services that store, merge, export or erase them.
CONTACT_READERS = {"contact.py", "members.py", "identity.py", "privacy.py"}


def test_only_the_contact_module_reads_a_requesters_phone_and_address_to_show_them() -> None:
    for path in ROOT.rglob("*.py"):
        if path.name in CONTACT_READERS and path.parent.name == "services":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            assert not (
                isinstance(node, ast.Attribute)
                and node.attr in ("phone", "address")
                and isinstance(node.ctx, ast.Load)
            ), f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}"
