"""The messages the local SMTP sink caught (``opsportal sandbox smtp``), for the staff area: the demo's
users read the portal's e-mails there. Staff only: the messages are addressed to many organizations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import NotFound
from opsportal.services.pagination import Page, clamp
from opsportal.settings import get_settings

_MESSAGE_ID = re.compile(r"^[0-9]{20}-[0-9a-f]{8}$")
NOT_FOUND = "That message was not found; the mail directory may have been emptied."
ENVELOPE_TO = "X-OpsPortal-Envelope-To"


@dataclass(frozen=True)
class CaughtMail:
    id: str  # the file's name without ".eml"
    subject: str
    sender: str
    to: str
    date: datetime | None
    size: int


@dataclass(frozen=True)
class CaughtMailDetail:
    id: str
    subject: str
    sender: str
    to: str
    date: datetime | None
    text: str
    # Untrusted markup: show it sandboxed (an iframe with ``sandbox`` and ``srcdoc``), never inline.
    html: str
    headers: list[tuple[str, str]]


def mail_directory() -> Path:
    return get_settings().mail_directory


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob("*.eml") if _MESSAGE_ID.match(p.stem)), reverse=True)


def _date(msg: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None


def _to(msg: EmailMessage) -> str:
    return str(msg["To"] or msg[ENVELOPE_TO] or "")


def list_messages(actor: Actor, *, page: int = 1, page_size: int = 20) -> Page[CaughtMail]:
    """Caught messages, newest first; only the page's headers are read."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    files = _files(mail_directory())
    items = []
    for path in files[(page - 1) * page_size: page * page_size]:
        try:
            with path.open("rb") as fp:
                msg = BytesParser(policy=policy.default).parse(fp, headersonly=True)
            size = path.stat().st_size
        except FileNotFoundError:  # removed meanwhile
            continue
        items.append(CaughtMail(id=path.stem, subject=str(msg["Subject"] or ""), sender=str(msg["From"] or ""),
                                to=_to(msg), date=_date(msg), size=size))
    return Page(items=items, page=page, page_size=page_size, total=len(files))


def _part(msg: EmailMessage, subtype: str) -> str:
    body = msg.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    try:
        return body.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = body.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def read_message(actor: Actor, message_id: str) -> CaughtMailDetail:
    require_staff(actor)
    if not _MESSAGE_ID.match(message_id or ""):
        raise NotFound(NOT_FOUND)
    path = mail_directory() / f"{message_id}.eml"
    try:
        with path.open("rb") as fp:
            msg = BytesParser(policy=policy.default).parse(fp)
    except FileNotFoundError:
        raise NotFound(NOT_FOUND) from None
    return CaughtMailDetail(id=message_id, subject=str(msg["Subject"] or ""), sender=str(msg["From"] or ""),
                            to=_to(msg), date=_date(msg), text=_part(msg, "plain"), html=_part(msg, "html"),
                            headers=[(k, str(v)) for k, v in msg.items()])
