"""The layering DESIGN.md asks for: Reflex states, pages and components never reach the database themselves;
they call services, which check who is asking."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "opsportal"
UI_LAYERS = ("state", "pages", "components")
# What only services may use: the engine and sessions, the ORM, and the stores that read tables.
# The ORM's tables (and its helpers) stay behind the services too: these hand the UI typed shapes.
FORBIDDEN = ("opsportal.db", "opsportal.models", "sqlmodel", "sqlalchemy", "opsportal.services.plan_store",
             "opsportal.services.ledger_store")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


UI_MODULES = sorted(p for layer in UI_LAYERS for p in (PACKAGE / layer).rglob("*.py"))


def test_there_are_ui_modules_to_check():
    assert len(UI_MODULES) > 50


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_ui_module_reaches_the_database_only_through_services(path):
    bad = sorted(name for name in _imports(path)
                 if any(name == f or name.startswith(f + ".") for f in FORBIDDEN))
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}: call a service instead"
