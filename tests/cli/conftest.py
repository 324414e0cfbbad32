"""The CLI tests run ``opsportal.cli.main`` in this process, on a fresh SQLite database."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from opsportal.cli import main


@pytest.fixture(autouse=True)
def _cheap_hashing(cheap_password_hashing) -> None:
    """CLI tests are about commands, not hashing cost (see ``cheap_password_hashing``)."""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Runs ``opsportal ARGS`` in-process; ``stdin`` is what the command may read."""

    def run(*args: str, stdin: str = "") -> Run:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code=code, out=captured.out, err=captured.err)

    return run
