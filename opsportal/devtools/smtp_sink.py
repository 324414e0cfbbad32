"""A local SMTP sink for development, the demo and tests: it accepts every message and saves it.

Each message is written as ``<nanoseconds>-<random>.eml`` in one directory (names sort by arrival), with
the SMTP envelope prepended as ``X-OpsPortal-Envelope-From`` / ``X-OpsPortal-Envelope-To`` headers, so
Bcc recipients are visible too. Nothing is ever relayed. (The portal itself never reads this folder: staff see what
it sent in the outbox, which the mailer records; tests read the folder through ``SmtpSink.files()``.)
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ENVELOPE_FROM = "X-OpsPortal-Envelope-From"
ENVELOPE_TO = "X-OpsPortal-Envelope-To"


def _header_value(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


class SaveToDirectory:
    """aiosmtpd handler: every message of every session goes to a file in ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        envelope_headers = (f"{ENVELOPE_FROM}: {_header_value(envelope.mail_from or '')}\r\n"
                            f"{ENVELOPE_TO}: {_header_value(', '.join(envelope.rcpt_tos))}\r\n").encode()
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope_headers + content)
        os.replace(partial, self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


class SmtpSink:
    """The sink on ``host:port`` in a background thread: ``start()``/``stop()`` or a ``with`` block."""

    def __init__(self, directory: Path, *, host: str = "127.0.0.1", port: int = 8025):
        self.directory = Path(directory)
        self.host, self.port = host, port
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        # A fixed server name: the default asks DNS for this machine's name, which can take seconds.
        self._controller = Controller(SaveToDirectory(self.directory), hostname=self.host, port=self.port,
                                      server_hostname="opsportal-smtp-sink", ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def files(self) -> list[Path]:
        """The saved messages, oldest first."""
        return sorted(self.directory.glob("*.eml"))


def run_sink(*, host: str, port: int, directory: Path) -> None:
    """Serves in the foreground until Ctrl+C or SIGTERM."""
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    with SmtpSink(directory, host=host, port=port):
        print(f"SMTP sink listening on {host}:{port}; saving messages in {Path(directory).resolve()}", flush=True)
        stopped.wait()
    print("SMTP sink stopped.", flush=True)
