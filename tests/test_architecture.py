"""The dependency rule of docs/architecture.md, read from the code's syntax tree.

- No import cycle between first-party apps (each Django app, nested ones such as
  ``perimeter.importing`` and ``datacollection.followup`` on their own; a package without
  an app such as ``spreadsheets`` as one; ``config`` module by module, see ``_node``):
  dependencies run one way, and an earlier app reaches a later one only through a hook the
  later one registers at start-up (``*/extensions.py``).
- No app looks another up by name at run time (``importlib.import_module``,
  ``__import__``, ``import_string``…): such a lookup is an import the graph cannot see.
- No domain app imports ``reports`` or ``backoffice``; ``perimeter`` imports none of the
  later domain apps; ``accounts`` imports no domain app; ``billing_groups`` does not
  import the journey.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the repository but the tests: those may discover their own
# modules by name (the isolation matrix finds its routes_<app>.py modules that way).
PACKAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests")
# Django apps: the packages holding an apps.py (nested apps are apps of their own).
APPS = sorted(
    ".".join(path.parent.relative_to(ROOT).parts) for package in PACKAGES for path in (ROOT / package).rglob("apps.py")
)
DOMAIN_APPS = ["accounts", "perimeter", "billing_groups", "datacollection", "consumption", "tenants", "spreadsheets"]
LATER_APPS = {"billing_groups", "datacollection", "consumption", "reports", "backoffice"}

# Calls that load a module from a name given at run time. Django's and Celery's own
# string-based wiring is not ours to flag and is not matched here: INSTALLED_APPS,
# ROOT_URLCONF, MIDDLEWARE and the other settings strings, ``include("app.urls")`` in the
# URL confs, ``app.autodiscover_tasks()``: the framework resolves those from the settings,
# in one place, and each names a module of the app that owns it.
DYNAMIC_IMPORTS = {"import_module", "__import__", "import_string", "find_spec", "autodiscover_modules"}


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> Iterator[tuple[str, str, str]]:
    """(module, path, source) of every first-party module, migrations excluded (generated, frozen in time)."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield _module_name(path), str(path.relative_to(ROOT)), path.read_text()


def _imports(module: str, path: str, source: str) -> list[Import]:
    """Every module this source imports (``from a import b`` counts ``a`` and ``a.b``), relative ones resolved."""
    found = []
    is_package = path.endswith("__init__.py")
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append(Import(path, node.lineno, target))
            found += [Import(path, node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def _node(module: str) -> str | None:
    """The graph node a module belongs to: its app (the longest app package holding it), else
    its top-level package; None if it is not first-party.

    ``config`` is the project's wiring, not an app: its URL confs and settings name every app
    while apps use its leaf modules (the Celery app, the task base, pagination, error
    translation). Taken whole it would be a cycle with every app, so each of its modules
    is its own node: a leaf module that imported an app back would still show up.
    """
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    if parts[0] == "config":
        return ".".join(parts[:2])
    owners = [app for app in APPS if module == app or module.startswith(app + ".")]
    return max(owners, key=len) if owners else parts[0]


def import_graph(sources: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, Import]]:
    """{node: {imported node: one import that makes the edge}} over first-party nodes."""
    graph: dict[str, dict[str, Import]] = {}
    for module, path, source in sources:
        here = _node(module)
        assert here is not None
        edges = graph.setdefault(here, {})
        for imported in _imports(module, path, source):
            there = _node(imported.module)
            if there is not None and there != here:
                edges.setdefault(there, imported)
    return graph


def find_cycle(graph: dict[str, dict[str, Import]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first == last), or None when it is acyclic."""
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" after
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def _describe(graph: dict[str, dict[str, Import]], cycle: list[str]) -> str:
    steps = [
        f"{a} -> {b} ({graph[a][b].path}:{graph[a][b].line} imports {graph[a][b].module})"
        for a, b in itertools.pairwise(cycle)
    ]
    return "import cycle between apps:\n  " + "\n  ".join(steps)


def dynamic_imports(sources: Iterable[tuple[str, str, str]]) -> list[str]:
    """Run-time lookups of a first-party module: a literal first-party name, or any computed name."""
    found = []
    for _module, path, source in sources:
        for node in ast.walk(ast.parse(source, path)):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if name not in DYNAMIC_IMPORTS or not node.args:
                continue
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and _node(argument.value) is None:
                continue  # a third-party module named literally: not an app lookup
            found.append(f"{path}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_import_cycle_between_apps():
    graph = import_graph(_sources())
    cycle = find_cycle(graph)
    assert cycle is None, _describe(graph, cycle)


def test_no_app_is_looked_up_by_name_at_run_time():
    # Where an earlier app needs a later one, the later app registers a hook at start-up
    # (AppConfig.ready filling */extensions.py); a lookup by name hides the dependency.
    assert dynamic_imports(_sources()) == []


# The two checks above, shown failing on sources that break the rule (so a bug in the
# graph that made every check pass would not go unnoticed).


def test_the_cycle_check_finds_a_cycle_through_three_apps():
    sources = [
        ("accounts.services", "accounts/services.py", "from perimeter.models import Member\n"),
        ("perimeter.models", "perimeter/models.py", "from consumption import models\n"),
        ("consumption.models", "consumption/models.py", "import accounts.services\n"),
        ("reports.services", "reports/services.py", "from accounts.services import user_create\n"),
    ]
    graph = import_graph(sources)
    cycle = find_cycle(graph)
    assert cycle == ["accounts", "perimeter", "consumption", "accounts"]
    assert "perimeter -> consumption (perimeter/models.py:1 imports consumption)" in _describe(graph, cycle)
    assert find_cycle(import_graph(sources[1:])) is None


def test_the_cycle_check_follows_relative_imports_and_config_modules():
    sources = [
        ("perimeter.views", "perimeter/views.py", "from .models import Site\nfrom config.celery import app\n"),
        ("config.celery", "config/celery.py", "from perimeter import views\n"),
        ("config.urls_tenant", "config/urls_tenant.py", "from perimeter import views\n"),
    ]
    graph = import_graph(sources)
    assert "perimeter" not in graph["perimeter"]  # its own models: no edge
    assert find_cycle(graph) == ["config.celery", "perimeter", "config.celery"]
    assert find_cycle(import_graph([sources[0], sources[2]])) is None  # URL confs may import every app


def test_the_lookup_check_finds_every_form_of_lookup():
    source = (
        "import importlib\n"
        "from django.utils.module_loading import import_string\n"
        "importlib.import_module('consumption.demo')\n"
        "importlib.util.find_spec('datacollection.demo')\n"
        "__import__('reports.tasks')\n"
        "import_string('accounts.models.User')\n"
        "importlib.import_module(f'{app}.demo')\n"
        "importlib.import_module('numpy')\n"
    )
    found = dynamic_imports([("perimeter.demo", "perimeter/demo.py", source)])
    assert [line.split(" ", 1)[0] for line in found] == [f"perimeter/demo.py:{n}" for n in (3, 4, 5, 6, 7)]


def _imported_apps(app: str) -> list[tuple[str, str]]:
    return [
        (imported.path, imported.module.split(".")[0])
        for module, path, source in _sources()
        if module.split(".")[0] == app
        for imported in _imports(module, path, source)
    ]


def test_no_domain_app_imports_reports_or_backoffice():
    offending = [
        f"{path} imports {module}"
        for app in DOMAIN_APPS
        for path, module in _imported_apps(app)
        if module in {"reports", "backoffice"}
    ]
    assert offending == []


def test_perimeter_imports_no_later_domain_app():
    # Later apps reach the park through perimeter/extensions.py (latest readings, member
    # write guard, demo generators), filled by their AppConfig.ready().
    offending = [f"{path} imports {module}" for path, module in _imported_apps("perimeter") if module in LATER_APPS]
    assert offending == []


def test_accounts_imports_no_domain_app():
    # accounts is below perimeter: the sign-up request finds its member through
    # accounts/extensions.py, filled by PerimeterConfig.ready().
    offending = [
        f"{path} imports {module}"
        for path, module in _imported_apps("accounts")
        if module in LATER_APPS | {"perimeter"}
    ]
    assert offending == []


def test_billing_groups_does_not_import_the_journey():
    # The journey (datacollection) reads billing perimeters for its step 3; the lock reaches
    # billing_groups through perimeter.extensions, so the dependency runs one way.
    offending = [
        f"{path} imports {module}" for path, module in _imported_apps("billing_groups") if module == "datacollection"
    ]
    assert offending == []
