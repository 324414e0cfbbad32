"""The `opsportal` command is installed with the package and works on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect


def test_the_installed_opsportal_command_upgrades_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    script = Path(sys.executable).with_name("opsportal")
    assert script.is_file(), f"console script not installed next to {sys.executable}"
    url = f"sqlite:///{tmp_path / 'console.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPORTAL_")}
    env.update(OPSPORTAL_DATABASE_URL=url, OPSPORTAL_DATA_DIR=str(tmp_path))

    result = subprocess.run([str(script), "db", "upgrade", "--json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"upgraded_to": "head"}
    engine = create_engine(url)
    try:
        assert {"organization", "user_account", "login_session"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
