"""Staff Mail, Received: every message the support mailbox got and what became of it (a comment, a new ticket, or
why it was refused), newest first, a page at a time, filtered by outcome. Staff only (the service checks)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import inbound_mail
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.inbound_mail import InboundRow
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25
OUTCOMES = {"comment_added": ("Added as a comment", "green"), "ticket_opened": ("Opened a ticket", "blue"),
            "refused": ("Refused", "red"), "duplicate": ("Already received", "gray")}


def received_row(m: InboundRow, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    label, color = OUTCOMES.get(m.outcome, (m.outcome, "gray"))
    return {"id": str(m.id), "date": formats.instant(m.received_at, time_zone), "from": m.from_address or "—",
            "to": m.to_address or "—", "subject": m.subject or "(no subject)", "outcome": label, "color": color,
            "reason": m.reason, "task": f"#{m.ticket_id}" if m.ticket_id else "",
            "task_href": routes.staff_task(m.ticket_id) if m.ticket_id and m.outcome != "refused" else "",
            "organization": m.organization or "—"}


class StaffMailReceivedState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    outcome_filter: str = ""

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = inbound_mail.list_inbound(actor, outcome=self.outcome_filter, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [received_row(m, actor.time_zone) for m in listing.items]

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def refresh(self):
        return await self._load_page(self.page)

    @rx.event
    async def set_outcome(self, value: str):
        self.outcome_filter = value if value in OUTCOMES else ""
        return await self._load_page(1)
