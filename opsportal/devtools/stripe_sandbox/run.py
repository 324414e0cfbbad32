"""Running the sandbox in the foreground (``opsportal sandbox stripe``) until Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
import socket
from dataclasses import dataclass
from typing import Any

from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET
from opsportal.devtools.stripe_sandbox.app import SandboxConfig, create_app


class SandboxStartError(Exception):
    """The sandbox cannot start; the message is one line for the operator."""


@dataclass(frozen=True)
class RunOptions:
    host: str = "127.0.0.1"
    port: int = STRIPE_SANDBOX_PORT
    webhook_url: str | None = None
    webhook_secret: str = STRIPE_SANDBOX_WEBHOOK_SECRET
    public_url: str | None = None

    @property
    def sandbox_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as servers bind: with SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class _Terminated(Exception):
    pass


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated()


def run_sandbox(options: RunOptions) -> None:
    """Serve the sandbox until SIGINT/SIGTERM; :class:`SandboxStartError` when its port is taken."""
    import uvicorn

    if not port_is_free(options.host, options.port):
        raise SandboxStartError(f"port {options.port} on {options.host} is already in use; pick another with --port")
    config = SandboxConfig(public_url=options.sandbox_url, webhook_url=options.webhook_url,
                           webhook_secret=options.webhook_secret)
    webhook = options.webhook_url or "none yet (POST /_sandbox/webhooks to set one)"
    print(f"Stripe sandbox on {options.sandbox_url} (API base for stripe.StripeClient); any sk_test_ key works.\n"
          f"  webhooks to {webhook}, signed with {options.webhook_secret}\n"
          f"  test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined. Ctrl+C stops.", flush=True)
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        uvicorn.run(create_app(config), host=options.host, port=options.port, log_level="warning", lifespan="on",
                    timeout_graceful_shutdown=3)
    except (_Terminated, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
