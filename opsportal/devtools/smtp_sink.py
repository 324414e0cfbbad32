"""A local SMTP sink for development, the demo and tests: it accepts every message and saves it, except mail to the
portal's support mailbox, which it hands to the portal as the production mail server does.

Each message is written as ``<nanoseconds>-<random>.eml`` in one directory (names sort by arrival), with
the SMTP envelope prepended as ``X-OpsPortal-Envelope-From`` / ``X-OpsPortal-Envelope-To`` headers, so
Bcc recipients are visible too. Nothing is ever relayed. (The portal itself never reads this folder: staff see what
it sent in the outbox, which the mailer records; tests read the folder through ``SmtpSink.files()``.)

With a ``Forward`` configured, a message with recipients on the support address's domain (``support@...`` and the
``support+t<ticket>-<signature>@...`` reply addresses) is POSTed to the portal's ``/api/mail/inbound`` with the
envelope and the bearer token, exactly as an MTA in production would (a Postfix pipe, say), and is not saved; the
other recipients' copy is saved as usual. If the portal does not answer, the SMTP client is told to try again later
(451), as a real server would.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

ENVELOPE_FROM = "X-OpsPortal-Envelope-From"
ENVELOPE_TO = "X-OpsPortal-Envelope-To"


def _header_value(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


@dataclass
class Forward:
    """Where mail to the support mailbox goes: the portal's inbound route, its token, the support domain."""

    url: str
    token: str
    support_domain: str

    def wants(self, recipient: str) -> bool:
        return recipient.rpartition("@")[2].strip(" <>").lower() == self.support_domain.lower()

    def post(self, content: bytes, mail_from: str, recipients: list[str]) -> int:
        request = urllib.request.Request(self.url, data=content, method="POST", headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "message/rfc822",
            "X-Envelope-From": _header_value(mail_from), "X-Envelope-To": _header_value(", ".join(recipients))})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a URL we were given)
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0


class SaveToDirectory:
    """aiosmtpd handler: every message of every session goes to a file in ``directory`` (mail to the support
    mailbox goes to the portal instead when ``forward`` is set)."""

    def __init__(self, directory: Path, forward: Forward | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.forward = forward

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        recipients = list(envelope.rcpt_tos)
        forward = self.forward
        if forward is not None and any(forward.wants(r) for r in recipients):
            support = [r for r in recipients if forward.wants(r)]
            status = await asyncio.to_thread(forward.post, content, envelope.mail_from or "", support)
            if status in (401, 403):
                return "554 5.7.0 The portal refused the sink's token"
            if status != 200:
                return "451 4.3.0 The portal did not take the message; try again later"
            recipients = [r for r in recipients if not forward.wants(r)]
            if not recipients:
                return "250 Message accepted for delivery"
        envelope_headers = (f"{ENVELOPE_FROM}: {_header_value(envelope.mail_from or '')}\r\n"
                            f"{ENVELOPE_TO}: {_header_value(', '.join(recipients))}\r\n").encode()
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope_headers + content)
        os.replace(partial, self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


class SmtpSink:
    """The sink on ``host:port`` in a background thread: ``start()``/``stop()`` or a ``with`` block."""

    def __init__(self, directory: Path, *, host: str = "127.0.0.1", port: int = 8025, forward: Forward | None = None):
        self.directory = Path(directory)
        self.host, self.port = host, port
        self.handler = SaveToDirectory(self.directory, forward)
        self._controller: Controller | None = None

    def forward_to(self, forward: Forward | None) -> None:
        """Hand mail to the support mailbox to ``forward`` from now on (None: save it like any other)."""
        self.handler.forward = forward

    def start(self) -> SmtpSink:
        # A fixed server name: the default asks DNS for this machine's name, which can take seconds.
        self._controller = Controller(self.handler, hostname=self.host, port=self.port,
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


def run_sink(*, host: str, port: int, directory: Path, forward: Forward | None = None) -> None:
    """Serves in the foreground until Ctrl+C or SIGTERM."""
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    with SmtpSink(directory, host=host, port=port, forward=forward):
        print(f"SMTP sink listening on {host}:{port}; saving messages in {Path(directory).resolve()}", flush=True)
        if forward is not None:
            print(f"Mail to @{forward.support_domain} goes to {forward.url}", flush=True)
        stopped.wait()
    print("SMTP sink stopped.", flush=True)
