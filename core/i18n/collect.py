"""Find every message id of `core/` and `bots/` by walking their syntax trees.

Message ids are English texts found by walking the AST (nothing is imported):
- the first argument of `reply(...)`, `Choice(...)`, `N_(...)` and of the constructor of any
  `DomainError` subclass (`InvalidInput("...")`, `NotAllowed("...")`, ...);
- the second argument of `translate(language, ...)`, `outbox.write(uow, ...)` and
  `ask_again(turn, ...)`;
- `key = "..."` in the body of a `DomainError` subclass;
- the string values of CATEGORY_LABELS, STATE_LABELS, AVAILABILITY_LABELS, the labels of
  WHEN_PRESETS and PROPOSAL_OPTIONS;
- `what="..."` given to `clean_text(...)` or to an error (translated at render time, see
  `TRANSLATED_PARAMS` in core/dialogue/render.py);
- `otherwise="..."` given to `step(...)`: a conversation step's kind reminder (`routing`).
An argument may be a literal (implicitly concatenated or not), `a if test else b`, or a local
variable assigned such values in the same function (`key = "..." if ... else "..."`).
A `Choice` whose params say `{"translate": False}` is shown as is and is not collected.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "bots")

FIRST_ARG_CALLS = {"reply", "Choice", "N_"}
SECOND_ARG_CALLS = {"translate", "write", "ask_again"}
WHAT_CALLS = {"clean_text"}
# Keyword arguments that are message ids, by the name of the function called.
KEYWORD_MESSAGES = {"step": "otherwise"}
LABEL_DICTS = {"CATEGORY_LABELS", "STATE_LABELS", "AVAILABILITY_LABELS"}
LABEL_PAIRS = {"WHEN_PRESETS"}  # [(label, code), ...]
LABEL_SEQUENCES = {"PROPOSAL_OPTIONS"}
BASE_ERROR = "DomainError"

Location = tuple[str, int]


def source_files(root: Path = ROOT) -> list[Path]:
    files: list[Path] = []
    for top in SOURCES:
        files += sorted(p for p in (root / top).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def error_classes(trees: Iterable[ast.Module]) -> set[str]:
    """`DomainError` and every class deriving from it, directly or not, in the scanned code."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    name for name in map(_name_of, node.bases) if name
                )
    found = {BASE_ERROR}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


class _Collector(ast.NodeVisitor):
    """Finds the message ids of one module."""

    def __init__(self, path: str, errors: set[str]) -> None:
        self.path = path
        self.errors = errors
        self.found: list[tuple[str, int]] = []
        # Local variables of the enclosing scopes: name -> values assigned to it.
        self.scopes: list[dict[str, list[ast.expr]]] = []

    # -- scopes --------------------------------------------------------------------------------

    def visit_Module(self, node: ast.Module) -> None:
        self._in_scope(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._what_default(node)
        self._in_scope(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._what_default(node)
        self._in_scope(node)

    def _what_default(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`def clean_text(..., what: str = "text")`: the default is shown like a given value."""
        if node.name not in WHAT_CALLS:
            return
        arguments = node.args
        positional = arguments.posonlyargs + arguments.args
        pairs = [
            *zip(
                positional[len(positional) - len(arguments.defaults) :],
                arguments.defaults,
                strict=True,
            ),
            *(
                (a, d)
                for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                if d is not None
            ),
        ]
        for argument, default in pairs:
            if argument.arg == "what":
                self._add(default, resolve_names=False)

    def _in_scope(self, node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        assigned: dict[str, list[ast.expr]] = {}
        for child in _own_nodes(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(child.value)
            elif (
                isinstance(child, ast.AnnAssign)
                and child.value is not None
                and isinstance(child.target, ast.Name)
            ):
                assigned.setdefault(child.target.id, []).append(child.value)
        self.scopes.append(assigned)
        self.generic_visit(node)
        self.scopes.pop()

    # -- what is collected ---------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if node.name in self.errors:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "key" for t in statement.targets
                ):
                    self._add(statement.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        self._labels(names, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.value is not None:
            self._labels({node.target.id}, node.value)
        self.generic_visit(node)

    def _labels(self, names: set[str], value: ast.expr) -> None:
        if names & LABEL_DICTS and isinstance(value, ast.Dict):
            for item in value.values:
                if not _is_call_to(item, "N_"):  # N_(...) calls are collected on their own
                    self._add(item)
        if names & LABEL_PAIRS and isinstance(value, ast.List | ast.Tuple):
            for item in value.elts:
                if isinstance(item, ast.Tuple | ast.List) and item.elts:
                    self._add(item.elts[0])
        if names & LABEL_SEQUENCES and isinstance(value, ast.List | ast.Tuple | ast.Set):
            for item in value.elts:
                self._add(item)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name_of(node.func)
        args = [a for a in node.args if not isinstance(a, ast.Starred)]
        if (
            name in FIRST_ARG_CALLS
            and args
            and not (name == "Choice" and _untranslated_choice(node))
        ):
            self._add(args[0])
        if name in SECOND_ARG_CALLS and len(args) >= 2:
            self._add(args[1])
        if name in self.errors and args:
            self._add(args[0])
        if name in WHAT_CALLS or name in self.errors:
            for keyword in node.keywords:
                if keyword.arg == "what":
                    self._add(keyword.value, resolve_names=False)
        if name in KEYWORD_MESSAGES:
            for keyword in node.keywords:
                if keyword.arg == KEYWORD_MESSAGES[name]:
                    self._add(keyword.value)
        self.generic_visit(node)

    # -- helpers -------------------------------------------------------------------------------

    def _add(self, node: ast.expr, *, resolve_names: bool = True) -> None:
        for text, line in self._strings(node, resolve_names, depth=0):
            if text.strip():
                self.found.append((text, line))

    def _strings(
        self, node: ast.expr, resolve_names: bool, depth: int
    ) -> Iterator[tuple[str, int]]:
        if depth > 4:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno
        elif isinstance(node, ast.IfExp):
            yield from self._strings(node.body, resolve_names, depth + 1)
            yield from self._strings(node.orelse, resolve_names, depth + 1)
        elif isinstance(node, ast.Name) and resolve_names:
            for scope in reversed(self.scopes):
                if node.id in scope:
                    for value in scope[node.id]:
                        yield from self._strings(value, resolve_names, depth + 1)
                    break


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope, without descending into nested functions, lambdas or classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        yield child
        yield from _own_nodes(child)


def _is_call_to(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and _name_of(node.func) == name


def _untranslated_choice(node: ast.Call) -> bool:
    """`Choice("Français", "lang:fr", {"translate": False})` is shown as is."""
    params = (
        node.args[2]
        if len(node.args) >= 3
        else next((k.value for k in node.keywords if k.arg == "params"), None)
    )
    if not isinstance(params, ast.Dict):
        return False
    for key, value in zip(params.keys, params.values, strict=True):
        if (
            isinstance(key, ast.Constant)
            and key.value == "translate"
            and isinstance(value, ast.Constant)
            and value.value is False
        ):
            return True
    return False


def collect(root: Path = ROOT) -> dict[str, list[Location]]:
    """Every message id of the code, in order of appearance, with where it appears."""
    files = source_files(root)
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in files
    }
    errors = error_classes(trees.values())
    messages: dict[str, list[Location]] = {}
    for path, tree in trees.items():
        relative = path.relative_to(root).as_posix()
        collector = _Collector(relative, errors)
        collector.visit(tree)
        for text, line in collector.found:
            locations = messages.setdefault(text, [])
            if (relative, line) not in locations:
                locations.append((relative, line))
    return messages


# -- catalogs ----------------------------------------------------------------------------------
