"""The dependency rule of docs/architecture.md: no domain app imports `reports` or `backoffice`,
and `perimeter` imports none of the later domain apps (only `accounts`/`tenants`/`spreadsheets`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = ["accounts", "perimeter", "billing_groups", "datacollection", "consumption", "tenants", "spreadsheets"]
LATER_APPS = {"billing_groups", "datacollection", "consumption", "reports", "backoffice"}


def _imports(app: str) -> list[tuple[str, str]]:
    found = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names]
    return found


def test_no_domain_app_imports_reports_or_backoffice():
    offending = [
        f"{path} imports {module}"
        for app in DOMAIN_APPS
        for path, module in _imports(app)
        if module in {"reports", "backoffice"}
    ]
    assert offending == []


def test_perimeter_imports_no_later_domain_app():
    # perimeter may *look up* later apps at run time (importlib, to show readings on the
    # technical sheet); a static import would tie the core to them.
    offending = [f"{path} imports {module}" for path, module in _imports("perimeter") if module in LATER_APPS]
    assert offending == []


def test_billing_groups_does_not_import_the_journey():
    # The journey (datacollection) reads billing perimeters for its step 3; the lock reaches
    # billing_groups through perimeter.extensions, so the dependency runs one way.
    offending = [
        f"{path} imports {module}" for path, module in _imports("billing_groups") if module == "datacollection"
    ]
    assert offending == []
