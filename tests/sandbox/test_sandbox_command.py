"""`opsportal sandbox stripe`: the command that runs the sandbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
import pytest

from tests.utils.stripe_sandbox import PROJECT_ROOT, start_stripe_sandbox


def _run_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opsportal.cli.sandbox", "sandbox", "stripe", *args],
                          cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=60)


def test_the_command_fails_in_one_line_when_its_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = _run_command("--port", str(port))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"opsportal: error: port {port} on 127.0.0.1 is already in use; pick another with --port"]


def test_stopping_the_sandbox_frees_its_port():
    with start_stripe_sandbox() as handle:
        assert httpx.get(f"{handle.api_base}/_sandbox/health").json()["status"] == "ok"

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{handle.api_base}/_sandbox/health")


def test_the_opsportal_command_offers_the_sandbox():
    from opsportal.cli import build_parser

    args = build_parser().parse_args(["sandbox", "stripe", "--port", "12111"])

    assert args.func.__name__ == "cmd_sandbox_stripe"
