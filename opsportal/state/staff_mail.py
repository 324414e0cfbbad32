"""Staff mailbox: the e-mails the local SMTP sink caught, newest first, and one message. Staff only (the service
checks); a message's HTML is untrusted and only ever shown inside a sandboxed iframe."""

from __future__ import annotations

import re

import reflex as rx

from opsportal.domain import formats
from opsportal.services import mailbox
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound, PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
# Links in the text part become clickable (http and https only; the text itself is never markup).
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}"
SHOWN_HEADERS = ("From", "To", "Date", "Subject")


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
    return str(path).rstrip("/").rsplit("/", 1)[-1][:64]


class StaffMailState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    directory: str = ""

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = mailbox.list_messages(actor, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.directory = str(mailbox.mail_directory())
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [{"id": m.id, "date": formats.instant(m.date, actor.time_zone), "to": m.to,
                      "subject": m.subject or "(no subject)", "sender": m.sender} for m in listing.items]

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def refresh(self):
        return await self._load_page(self.page)


class StaffMailMessageState(rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    subject: str = ""
    summary: list[dict[str, str]] = []
    headers: list[dict[str, str]] = []
    text: list[dict[str, str]] = []
    html: str = ""

    @rx.event
    async def load(self):
        self.error = self.denied = self.html = self.subject = ""
        self.summary, self.headers, self.text = [], [], []
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            message = await offload.run(mailbox.read_message, actor, _message_id(self.router.url.path))
        except PermissionDenied as exc:
            self.allowed, self.denied = False, str(exc)
            return
        except NotFound as exc:
            self.allowed, self.error = True, str(exc)
            return
        self.allowed = True
        self.subject = message.subject or "(no subject)"
        self.summary = [{"name": "From", "value": message.sender}, {"name": "To", "value": message.to},
                        {"name": "Date", "value": formats.instant(message.date, actor.time_zone)}]
        self.headers = [{"name": k, "value": v} for k, v in message.headers]
        self.text = link_segments(message.text)
        self.html = message.html
