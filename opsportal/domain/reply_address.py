"""The support address a ticket e-mail is answered at, and the mail threading of a ticket.

A reply address names its ticket and carries a signature of the ticket's number made with the portal's secret:
``support+t123-5f2c...@support.example``. Whoever wants to comment on ticket 123 by e-mail must have been sent that
address; guessing another ticket's number gets them nowhere. The plain support address (``support@...``) opens a
new ticket. Message-IDs are derived from the ticket, so every e-mail about it sits in one thread in mail clients.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

SIGNATURE_LENGTH = 20  # hex digits (80 bits): short enough for a 64-character local part
_TAG = re.compile(r"^t(\d{1,10})-([0-9a-f]+)$")


@dataclass(frozen=True)
class SupportAddress:
    local: str  # "support"
    domain: str  # "support.example", lower case

    @classmethod
    def parse(cls, address: str) -> SupportAddress:
        addr = parseaddr(address or "")[1]
        local, at, domain = addr.rpartition("@")
        if not at or not local or not domain or "+" in local:
            raise ValueError(f"not a plain e-mail address: {address!r}")
        return cls(local.lower(), domain.lower())

    @property
    def address(self) -> str:
        return f"{self.local}@{self.domain}"


@dataclass(frozen=True)
class Destination:
    """Where an inbound recipient points: ``new`` (the plain address), ``ticket`` (a reply address, ``signed``
    when its signature is the portal's) or ``other`` (not the support address at all)."""

    kind: str
    ticket_id: int | None = None
    signed: bool = False


def signature(ticket_id: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"ticket-reply:{int(ticket_id)}".encode(), hashlib.sha256)
    return mac.hexdigest()[:SIGNATURE_LENGTH]


def reply_address(ticket_id: int, support: SupportAddress, secret: str) -> str:
    return f"{support.local}+t{int(ticket_id)}-{signature(ticket_id, secret)}@{support.domain}"


def destination(recipient: str, support: SupportAddress, secret: str) -> Destination:
    """What ``recipient`` (an envelope or header address) means to the support mailbox."""
    addr = parseaddr(recipient or "")[1].strip().lower()
    local, at, domain = addr.rpartition("@")
    if not at or domain != support.domain:
        return Destination("other")
    base, plus, tag = local.partition("+")
    if base != support.local:
        return Destination("other")
    if not plus:
        return Destination("new")
    match = _TAG.match(tag)
    if match is None:
        return Destination("ticket", None, False)
    ticket_id = int(match.group(1))
    return Destination("ticket", ticket_id, hmac.compare_digest(match.group(2), signature(ticket_id, secret)))


def thread_id(ticket_id: int, domain: str) -> str:
    """The ticket's thread root: every e-mail about it refers to this Message-ID."""
    return f"<ticket-{int(ticket_id)}@{domain}>"


def message_id(ticket_id: int, update_id: int, user_id: int, domain: str) -> str:
    """One update's e-mail to one user: stable, so a retried send is the same message to the mail client."""
    return f"<ticket-{int(ticket_id)}.update-{int(update_id)}.user-{int(user_id)}@{domain}>"

