"""Staff Mail: the outbox, every e-mail the portal sent or failed to send, newest first, a page at a time and filtered
by recipient or status, and one message. Staff only (the service checks); a message's HTML is untrusted and only ever
shown inside a sandboxed iframe."""

from __future__ import annotations

import re

import reflex as rx

from opsportal.domain import formats
from opsportal.services import outbox
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.outbox import OutboxRow
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import StaffListMixin

PAGE_SIZE = 25
STATUS_FILTERS = ("", "sent", "failed")
STATUS_COLORS = {"sent": "green", "failed": "red"}
# Links in the text part become clickable (http and https only; the text itself is never markup).
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}"


def link_segments(text: str) -> list[dict[str, str]]:
    """``text`` as pieces, each plain or a link: [{"text": ..., "href": "" | url}]."""
    out: list[dict[str, str]] = []
    at = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        if start > at:
            out.append({"text": text[at:start], "href": ""})
        out.append({"text": url, "href": url})
        at = end
    if at < len(text):
        out.append({"text": text[at:], "href": ""})
    return out


def _message_id(path: str) -> str:
    return str(path).rstrip("/").rsplit("/", 1)[-1][:20]


def outbox_row(m: OutboxRow, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    """One message as staff read it in the list, its instant in the reader's zone with the zone named."""
    return {"id": str(m.id), "date": formats.instant(m.sent_at, time_zone), "to": m.recipients,
            "subject": m.subject or "(no subject)", "kind": formats.label(m.kind),
            "organization": m.organization or "—",
            "status": m.status, "status_label": formats.label(m.status), "color": STATUS_COLORS.get(m.status, "gray"),
            "error": m.error}


class StaffMailState(StaffListMixin, rx.State):
    recipient: str = ""
    status_filter: str = ""

    def _read(self, actor: Actor, page: int):
        return outbox.list_outbox(actor, recipient=self.recipient, status=self.status_filter, page=page,
                                  page_size=PAGE_SIZE)

    def _row(self, item: OutboxRow, time_zone: str) -> dict[str, str]:
        return outbox_row(item, time_zone)

    @rx.event
    async def set_recipient(self, value: str):
        self.recipient = str(value)[:outbox.MAX_RECIPIENT_FILTER]
        return await self._load_page(1)

    @rx.event
    async def set_status(self, value: str):
        self.status_filter = value if value in STATUS_FILTERS else ""
        return await self._load_page(1)


class StaffMailMessageState(rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    subject: str = ""
    status_label: str = ""
    failure: str = ""
    summary: list[dict[str, str]] = []
    text: list[dict[str, str]] = []
    html: str = ""

    @rx.event
    async def load(self):
        self.error = self.denied = self.html = self.subject = self.status_label = self.failure = ""
        self.summary, self.text = [], []
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            message = await offload.run(outbox.read_outbox_message, actor, _message_id(self.router.url.path))
        except PermissionDenied as exc:
            self.allowed, self.denied = False, str(exc)
            return
        except NotFound as exc:
            self.allowed, self.error = True, str(exc)
            return
        self.allowed = True
        self.subject = message.subject or "(no subject)"
        self.status_label = formats.label(message.status)
        self.failure = message.error
        self.summary = [{"name": "From", "value": message.sender}, {"name": "To", "value": message.recipients},
                        {"name": "Date", "value": formats.instant(message.sent_at, actor.time_zone)},
                        {"name": "Kind", "value": formats.label(message.kind)},
                        {"name": "Organization", "value": message.organization or "—"},
                        {"name": "Status", "value": self.status_label},
                        {"name": "Message-ID", "value": message.message_id or "—"}]
        self.text = link_segments(message.text)
        self.html = message.html
