"""What the notification tests share: the messages a test's SMTP server caught (``Inbox``; the ``inbox`` fixture is
in tests/services/conftest.py), reading them, the deliveries recorded, and a demo-like organization's credits."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.devtools.smtp_sink import SmtpSink
from opsportal.services import credits, subscriptions
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, consume, day, grant

PUBLIC_URL = "https://portal.test"
MONTHLY, WEEKLY = "monthly_statement", "weekly_expiry"
HOURS = "support_hours"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The messages the test's SMTP server saved, oldest first."""

    def __init__(self, sink: SmtpSink):
        self.sink = sink
        self._seen = 0

    def all(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in self.sink.files()]

    def new(self) -> list[EmailMessage]:
        """Messages caught since the previous call."""
        messages = self.all()
        fresh, self._seen = messages[self._seen:], len(messages)
        return fresh

    def down(self) -> None:
        self.sink.stop()

    def up(self) -> None:
        self.sink.start()


def to(msg: EmailMessage) -> str:
    return msg["To"].addresses[0].addr_spec


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


def link(msg: EmailMessage, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}: (\S+)$", text_of(msg), re.MULTILINE)
    assert match, f"no {label!r} line in:\n{text_of(msg)}"
    return match.group(1)


def token_of(url: str) -> str:
    return url.split("token=", 1)[1]


def deliveries() -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT u.email, d.kind, d.period_key, d.status, d.attempts FROM notification_delivery d "
            "JOIN user_account u ON u.id = d.user_id ORDER BY u.email, d.kind, d.period_key"))]


def subscribe(world, *names: str, kind: str) -> None:
    for name in names:
        subscriptions.subscribe(world.actor(name), kind)


def demo_credits(world) -> None:
    """Northwind Holdings at NOW (Monday 10 March 2025): hours and credits of both types expiring at different dates.

    Support hours: complimentary 385 min free, usable through 20 March; purchased 360 min through 30 March and
    2,400 min through 24 May. Service credits: complimentary 43 through 4 April, purchased 200 through 26 September;
    30 credits expired on 28 February. Used in the last 30 days: 3 h Infrastructure, 1 h 35 min Networking,
    7 credits Consulting (1 h of Networking 40 days ago is too old).
    """
    h = world.holdings
    grant(h, 600, product=HOURS, expires=day(20), at=NOW - timedelta(days=60))
    grant(h, 2400, product=HOURS, expires=day(75), at=NOW - timedelta(days=60))
    grant(h, 480, product=HOURS, kind="complimentary", expires=day(10), at=NOW - timedelta(days=20))
    grant(h, 50, kind="complimentary", expires=day(25), at=NOW - timedelta(days=30))
    grant(h, 200, expires=day(200), at=NOW - timedelta(days=90))
    grant(h, 40, expires=day(-10), at=NOW - timedelta(days=200))
    consume(h, 10, at=NOW - timedelta(days=150))
    credits.expire_due(OPERATOR, at=NOW)
    consume(h, 60, product=HOURS, category="Networking", at=NOW - timedelta(days=40))
    consume(h, 180, product=HOURS, category="Infrastructure", at=NOW - timedelta(days=25))
    consume(h, 95, product=HOURS, category="Networking", at=NOW - timedelta(days=12))
    consume(h, 7, category="Consulting", at=NOW - timedelta(days=3))


WINTER_AFTERNOON = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def set_zone(email: str, zone: str | None) -> None:
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE user_account SET time_zone = :zone WHERE email = :email"),
                     {"zone": zone, "email": email})


def compose_mail(*, sender: str, to: str, subject: str = "Re: your task", body: str = "Thanks, that worked.",
                 headers: dict[str, str] | None = None) -> bytes:
    """A message as a customer's mail client would send it (plain text), as bytes."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = "Thu, 03 Dec 2026 14:05:00 +0000"
    msg["Message-ID"] = f"<{abs(hash((sender, to, subject, body)))}@client.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)
