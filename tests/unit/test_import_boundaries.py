"""The core knows nothing of the web: domain and services import without Reflex."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL = """
import importlib, json, pkgutil, sys
imported = []
for package_name in {packages!r}:
    package = importlib.import_module(package_name)
    imported.append(package_name)
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({{"imported": imported, "modules": sorted(sys.modules)}}))
"""


def import_in_fresh_interpreter(*packages: str) -> tuple[list[str], list[str]]:
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL.format(packages=list(packages))],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return report["imported"], report["modules"]


def test_domain_and_services_import_without_reflex():
    imported, modules = import_in_fresh_interpreter("opsportal.domain", "opsportal.services")
    # Proof the walk really imported the submodules, not just the packages.
    assert {"opsportal.domain.login_throttle", "opsportal.services.auth", "opsportal.services.users"} <= set(imported)
    assert "reflex" not in modules
    assert [m for m in modules if m.startswith("reflex")] == []


def test_the_domain_imports_no_database_or_web_library():
    imported, modules = import_in_fresh_interpreter("opsportal.domain")
    assert "opsportal.domain.access" in imported
    forbidden = ("reflex", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "starlette", "fastapi", "stripe")
    assert [m for m in modules if m.split(".")[0].startswith(forbidden)] == []
