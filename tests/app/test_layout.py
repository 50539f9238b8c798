"""The shape of app/, read from its source: no import cycle, and no import of an app module
inside a function (an import there hides an edge that goes sideways or up).

Modules are found by parsing every file under app/ with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Function-local imports of app modules that are allowed, each with why.
ALLOWED_LOCAL = {
    # The package root runs before any app.* module is imported; create_app and its helpers
    # import the rest of the app when an app is built, so importing app.db (or any service)
    # never pulls in every feature, its views and the CLI.
    "app": "the application factory",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(APP.rglob("*.py")):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _targets(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The app modules an import statement loads (``from app.x import y``: app.x.y when y is
    a module, else app.x)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level == 0 and node.module:
        names = [
            f"{node.module}.{alias.name}"
            if f"{node.module}.{alias.name}" in MODULES
            else node.module
            for alias in node.names
        ]
    else:
        names = []
    yield from (name for name in names if name in MODULES)


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _top_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (class bodies and top-level blocks
    included; function bodies and ``if TYPE_CHECKING:`` not)."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _top_level(node.orelse)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from _top_level(inner)


def import_graph() -> dict[str, set[str]]:
    """module -> the app modules its import runs. Importing app.x.y also runs app.x (the
    package), unless the importer is inside app.x already (then app.x is being imported)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges: set[str] = set()
        for node in _top_level(ast.parse(path.read_text(encoding="utf-8")).body):
            for target in _targets(node):
                parts = target.split(".")
                for end in range(2, len(parts) + 1):  # the root package is the factory
                    step = ".".join(parts[:end])
                    inside = name == step or name.startswith(step + ".")
                    if end == len(parts) or not inside:
                        edges.add(step)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_app_modules_import_each_other_without_a_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_function_imports_an_app_module_except_the_factory() -> None:
    found = []
    for name, path in MODULES.items():
        if name in ALLOWED_LOCAL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and list(_targets(node)):
                    found.append(f"{path.relative_to(APP.parent)}:{node.lineno} {function.name}")
    assert found == []


def test_a_feature_package_holds_only_its_blueprint() -> None:
    """Importing a service runs its package's __init__: it must not import views (routes are
    imported by app/blueprints.py, which only create_app imports)."""
    packages = [
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py" and (path.parent / "views.py").exists()
    ]
    assert packages
    importing = {name: sorted(import_graph()[name]) for name in packages}
    assert importing == {name: [] for name in packages}


def test_only_the_factory_imports_the_route_and_wiring_modules() -> None:
    graph = import_graph()
    for wired in ("app.blueprints", "app.wiring"):
        assert [name for name, edges in graph.items() if wired in edges] == []


ROUTE_MODULES = ("views", "api", "hosted")  # modules that register routes
# ... and a feature's further route modules, named for what they serve (research_views).
ROUTE_SUFFIXES = ("_views", "_api")


def _is_route_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last in ROUTE_MODULES or last.endswith(ROUTE_SUFFIXES)


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        for target in graph.get(name, set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_importing_a_service_never_imports_a_route_module() -> None:
    """Business rules sit below the web: a service (or any module that is not itself a route
    module, the factory or its registration modules) reaches no views, APIs or hosted routes
    through its imports, so a job or a CLI command never loads the web layer by accident."""
    graph = import_graph()
    web = {name for name in graph if _is_route_module(name)}
    edges = {"app", "app.blueprints", "app.wiring", "app.cli"}
    offenders = {
        name: sorted(_reaches(graph, name) & web)
        for name in graph
        if name not in web
        and name not in edges
        and not name.startswith("app.api")
        and _reaches(graph, name) & web
    }
    assert offenders == {}
