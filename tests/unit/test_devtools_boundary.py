"""The product needs none of the development tools: every module of ``opsportal`` outside ``opsportal/devtools``
(and the ``sandbox`` command that starts those tools) imports with aiosmtpd and ``opsportal.devtools`` missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The sandbox command group serves development only; it may reach the tools it starts.
DEV_ONLY_MODULES = ("opsportal.devtools", "opsportal.cli.sandbox")

IMPORT_WITHOUT_DEVTOOLS = """
import importlib, importlib.abc, json, pkgutil, sys

BLOCKED = ("aiosmtpd", "opsportal.devtools")
DEV_ONLY = {dev_only!r}


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError(f"{{name}} is blocked: the product must not need it")
        return None


sys.meta_path.insert(0, Blocker())
imported, failed = [], {{}}
package = importlib.import_module("opsportal")
for info in pkgutil.walk_packages(package.__path__, "opsportal.", onerror=lambda name: None):
    if any(info.name == d or info.name.startswith(d + ".") for d in DEV_ONLY) or info.name.endswith(".__main__"):
        continue  # a __main__ module runs its program when imported (the CLI's includes the sandbox group)
    try:
        importlib.import_module(info.name)
        imported.append(info.name)
    except Exception as exc:
        failed[info.name] = f"{{type(exc).__name__}}: {{exc}}"
print(json.dumps({{"imported": imported, "failed": failed,
                  "blocked_loaded": sorted(m for m in sys.modules if m.startswith(BLOCKED))}}))
"""


def test_the_products_modules_import_without_aiosmtpd_or_the_devtools():
    result = subprocess.run([sys.executable, "-c", IMPORT_WITHOUT_DEVTOOLS.format(dev_only=DEV_ONLY_MODULES)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["failed"] == {}
    assert report["blocked_loaded"] == []
    # Proof the walk reached the product's corners: the mailer, the Mail page, the CLI and the app itself.
    assert {"opsportal.services.mailer", "opsportal.pages.staff_mail", "opsportal.cli",
            "opsportal.opsportal"} <= set(report["imported"])


def test_aiosmtpd_is_a_development_dependency_only():
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]

    assert not any(d.startswith("aiosmtpd") for d in project["dependencies"])
    assert any(d.startswith("aiosmtpd") for d in project["optional-dependencies"]["dev"])
