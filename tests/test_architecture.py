"""The shape of the code: which module may import which, and how long a module may grow.

Read from the source with ``ast``, not by importing it: a module's imports are its ``import`` and
``from ... import`` statements. Those at module level make the import graph that must have no cycle at
all; those inside a function (lazy imports) are collected apart and checked again with the others, since
a lazy import that closes a cycle hides the circle instead of removing it. ``server/`` is the import
package ``kg.server`` (pyproject.toml ``package-dir``).

The stages depend one way: read (``kg.sources``) -> map (``kg.mappers``) -> validate (``kg.validation``),
run file by file by ``kg.pipeline`` -> store and dump (``kg.publish``, run by ``kg.build``) -> serve
(``kg.server``). Validation never imports the pipeline or the build that use it, and the server imports no
build-time code: it reads what a build wrote, where ``kg.publish.layout`` says it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"kg": ROOT / "kg", "kg.server": ROOT / "server"}
MAX_LINES = 450
# Modules allowed past MAX_LINES, each with its reason. Remove an entry when its module shrinks.
LONG_MODULES = {
    "kg.sources.journal_export": "the one reader of the one export format: the parser's guards (entities, "
    "encodings, compressed files, truncation) and the cleaning of each element share one streaming walk; "
    "splitting it is a change of its own, not part of untangling the build",
    "kg.server.dataset": "one release described four ways (landing page, VoID, DCAT, dumps listing) from one "
    "set of counts; being given type fixes on another branch, so not restructured here",
}
# Import cycles allowed for now, each with its reason; none among module-level imports. Keep this empty.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


@dataclass
class Module:
    name: str
    path: Path
    lines: int
    top: set[str] = field(default_factory=set)  # imported at module level
    lazy: set[str] = field(default_factory=set)  # imported inside a function or method


def _module_name(package: str, folder: Path, path: Path) -> str:
    parts = list(path.relative_to(folder).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    is_package = module.path.name == "__init__.py"
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: Module, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The project modules an import statement loads (``from pkg import mod`` names the submodule)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        origin = _resolve(module, node)
        names = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in known] or [origin]
    found = set()
    for name in names:
        while name and name not in known:  # kg.publish.layout.Layout -> kg.publish.layout
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


class _Imports(ast.NodeVisitor):
    def __init__(self, module: Module, known: set[str]) -> None:
        self.module, self.known, self.depth = module, known, 0

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        targets = _targets(self.module, node, self.known) - {self.module.name}
        (self.module.lazy if self.depth else self.module.top).update(targets)

    visit_Import = visit_ImportFrom = _import

    def visit_If(self, node: ast.If) -> None:  # `if TYPE_CHECKING:` imports load nothing at run time
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)


def modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            name = _module_name(package, folder, path)
            if package == "kg" and name.startswith("kg.server"):
                continue
            found[name] = Module(name, path, len(path.read_text(encoding="utf-8").splitlines()))
    known = set(found)
    for module in found.values():
        _Imports(module, known).visit(ast.parse(module.path.read_text(encoding="utf-8"), str(module.path)))
    # a package's __init__ runs before any of its modules: importing kg.a.b imports kg.a too
    for module in found.values():
        for target in list(module.top):
            parent = target.rpartition(".")[0]
            while parent:
                if parent in found and parent != module.name and not module.name.startswith(parent + "."):
                    module.top.add(parent)
                parent = parent.rpartition(".")[0]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _in(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def test_the_scan_sees_the_project() -> None:
    found = modules()
    assert {"kg.build", "kg.pipeline", "kg.validation", "kg.server.releases", "kg.publish.layout"} <= set(found)
    assert "kg.pipeline" in found["kg.build"].top and "kg.validation" in found["kg.pipeline"].top


def test_no_import_cycle_among_kg_and_kg_server_modules() -> None:
    """Module-level imports: what runs when a module is first imported."""
    found = modules()
    graph = {name: module.top for name, module in found.items()}
    assert not cycles(graph), f"module-level import cycles: {cycles(graph)}"


def test_no_import_cycle_even_through_imports_inside_functions() -> None:
    """A lazy import (inside a function) that closes a cycle only hides it: counted here with the others."""
    found = modules()
    graph = {name: module.top | module.lazy for name, module in found.items()}
    unexpected = [c for c in cycles(graph) if frozenset(c) not in KNOWN_CYCLES]
    assert not unexpected, f"import cycles closed by imports inside functions: {unexpected}"


def test_validation_never_imports_the_build() -> None:
    found = modules()
    graph = {name: module.top | module.lazy for name, module in found.items()}
    for name in found:
        if _in(name, ("kg.validation",)):
            reached = {target for target in _reaches(graph, name) if _in(target, ("kg.build", "kg.pipeline"))}
            assert not reached, f"{name} reaches {reached}"


def test_the_server_imports_no_build_time_module() -> None:
    found = modules()
    graph = {name: module.top | module.lazy for name, module in found.items()}
    for name in found:
        if _in(name, ("kg.server",)):
            reached = {target for target in _reaches(graph, name) if _in(target, ("kg.build", "kg.pipeline"))}
            assert not reached, f"{name} reaches {reached}"


def test_the_layout_is_a_leaf() -> None:
    """The output folder's names: read by the build and the server alike, so it imports nothing of either."""
    found = modules()
    assert not found["kg.publish.layout"].top | found["kg.publish.layout"].lazy


def test_no_module_over_450_lines_without_a_reason() -> None:
    found = modules()
    long = {name: module.lines for name, module in found.items() if module.lines > MAX_LINES}
    unexplained = {name: lines for name, lines in long.items() if name not in LONG_MODULES}
    assert not unexplained, f"modules over {MAX_LINES} lines: {unexplained} (split them, or say why in LONG_MODULES)"
    stale = sorted(name for name in LONG_MODULES if name not in long)
    assert not stale, f"LONG_MODULES lists modules that are no longer long: {stale}"


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]
