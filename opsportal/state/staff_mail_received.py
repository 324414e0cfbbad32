"""Staff Mail, Received: every message the support mailbox got and what became of it (a comment, a new ticket, or
why it was refused), newest first, a page at a time, filtered by outcome. Staff only (the service checks)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import inbound_mail
from opsportal.services.authz import Actor
from opsportal.services.inbound_mail import InboundRow
from opsportal.state.paging import StaffListMixin

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


class StaffMailReceivedState(StaffListMixin, rx.State):
    outcome_filter: str = ""

    def _read(self, actor: Actor, page: int):
        return inbound_mail.list_inbound(actor, outcome=self.outcome_filter, page=page, page_size=PAGE_SIZE)

    def _row(self, item: InboundRow, time_zone: str) -> dict[str, str]:
        return received_row(item, time_zone)

    @rx.event
    async def set_outcome(self, value: str):
        self.outcome_filter = value if value in OUTCOMES else ""
        return await self._load_page(1)
