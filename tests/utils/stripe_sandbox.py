"""Start the local Stripe sandbox (``opsportal sandbox stripe``) for a test, and drive it.

    with start_stripe_sandbox(webhook_url="http://127.0.0.1:8000/api/stripe/webhook") as sandbox:
        client = stripe.StripeClient(sandbox.secret_key, base_addresses={"api": sandbox.api_base})
        session = client.v1.checkout.sessions.create(params={...})
        outcome = sandbox.pay(session.id, "4242 4242 4242 4242")   # a webhook follows
        sandbox.wait_for_delivery(outcome["event_id"])

The sandbox runs as a subprocess in its own process group on a free port; leaving the block
terminates the group.

Note: the stripe SDK retries 5xx answers twice by default (``max_network_retries=2``), so
``fail_next(1)`` is absorbed by a retry unless the client was made with
``max_network_retries=0``; ``fail_next(3)`` fails a call on a default client.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_opsportal_tests"
WEBHOOK_SECRET = "whsec_opsportal_tests"
STARTUP_TIMEOUT = 30.0
SUCCEEDS = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
INSUFFICIENT_FUNDS = "4000 0000 0000 9995"


class SandboxError(RuntimeError):
    """The sandbox did not start, or a control call failed."""


@dataclass
class SandboxHandle:
    api_base: str
    secret_key: str
    webhook_secret: str
    process: subprocess.Popen
    log_path: Path

    def client(self, **options: Any):
        """A ``stripe.StripeClient`` on the sandbox (options go to the client, e.g. max_network_retries=0)."""
        import stripe

        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.api_base}, **options)

    def set_webhook(self, url: str | None, secret: str | None = None) -> dict:
        """Send events to ``url`` (None: stop sending), signed with ``secret`` (default: keep the current one)."""
        body = self._control("POST", "/_sandbox/webhooks", json={"url": url, "secret": secret})
        if secret:
            self.webhook_secret = secret
        return body

    def pay(self, session_id: str, card: str = SUCCEEDS, deliver: bool = True, **details: str) -> dict:
        """Pay a session as the hosted page would: ``{outcome, message, session, event_id, payment_intent}``.

        ``details`` may hold ``email`` and ``name``. With ``deliver=False`` the event is logged, not sent
        (send it later with :meth:`resend`).
        """
        return self._control("POST", f"/_sandbox/sessions/{session_id}/pay",
                             json={"card": card, "deliver": deliver, **details})

    def fail_next(self, count: int, status: int = 500) -> None:
        """The next ``count`` /v1 calls answer ``status`` with an api_error and do nothing."""
        self._control("POST", "/_sandbox/faults", json={"count": count, "status": status})

    def events(self) -> list[dict]:
        """Every event, newest first: ``{id, type, created, delivery_status, attempts, event}``."""
        return self._control("GET", "/_sandbox/events")["data"]

    def event(self, event_id: str) -> dict:
        for record in self.events():
            if record["id"] == event_id:
                return record
        raise SandboxError(f"no event {event_id} in the sandbox")

    def resend(self, event_id: str) -> dict:
        """Deliver an event again (same id and payload, fresh signature)."""
        return self._control("POST", f"/_sandbox/events/{event_id}/resend")

    def wait_for_delivery(self, event_id: str, timeout: float = 15.0) -> dict:
        """Wait until an event is delivered or every attempt failed; returns its record."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.event(event_id)
            if record["delivery_status"] not in ("pending",):
                return record
            if time.monotonic() > deadline:
                raise SandboxError(f"event {event_id} still pending after {timeout} s: {record['attempts']}")
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, self.api_base + path, timeout=30.0, **kwargs)
        if response.status_code >= 400:
            raise SandboxError(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json()


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(port: int, webhook_url: str | None, webhook_secret: str) -> list[str]:
    command = [sys.executable, "-m", "opsportal.cli.sandbox", "sandbox", "stripe", "--host", "127.0.0.1",
               "--port", str(port), "--webhook-secret", webhook_secret]
    return command + (["--webhook-url", webhook_url] if webhook_url else [])


def _wait_until_ready(handle: SandboxHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise SandboxError(f"the Stripe sandbox exited with status {handle.process.returncode}:\n{handle.log()}")
        try:
            if httpx.get(f"{handle.api_base}/_sandbox/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SandboxError(f"the Stripe sandbox was not ready within {timeout} s:\n{handle.log()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the sandbox's process group, SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def start_stripe_sandbox(webhook_url: str | None = None, webhook_secret: str = WEBHOOK_SECRET, *,
                         startup_timeout: float = STARTUP_TIMEOUT, attempts: int = 3) -> Iterator[SandboxHandle]:
    """A running sandbox on a free port; terminated when the block ends.

    A port picked free can be taken before the sandbox binds it; startup is then tried again
    on a new port (``attempts`` times in all).
    """
    last_error: SandboxError | None = None
    for _ in range(attempts):
        port = free_port()
        log_path = Path(tempfile.mkstemp(prefix="opsportal-stripe-sandbox-", suffix=".log")[1])
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(log_path, "wb") as log:
            process = subprocess.Popen(_command(port, webhook_url, webhook_secret),
                                       cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        handle = SandboxHandle(api_base=f"http://127.0.0.1:{port}", secret_key=SECRET_KEY,
                               webhook_secret=webhook_secret, process=process, log_path=log_path)
        try:
            _wait_until_ready(handle, startup_timeout)
        except SandboxError as exc:
            _stop(process)
            last_error = exc
            if "already in use" not in str(exc):
                raise
            continue
        try:
            yield handle
        finally:
            _stop(process)
            log_path.unlink(missing_ok=True)
        return
    raise last_error or SandboxError("could not find a free port for the Stripe sandbox")
