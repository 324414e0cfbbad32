"""Staff: notice deliveries needing attention (failed, given up, unconfirmed), or all of them, a page at a time;
staff administrators allow another try or settle an unconfirmed one (``services.deliveries`` checks who asks)."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.notifications import period_label
from opsportal.domain.roles import Role
from opsportal.services import deliveries
from opsportal.services.authz import Actor
from opsportal.services.deliveries import DeliveryRow
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25
STATE_COLORS = {"sent": "green", "retrying": "amber", "gave_up": "red", "unconfirmed": "orange",
                "sending": "blue", "pending": "gray"}


def delivery_row(r: DeliveryRow, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    """One notice as the support team reads it, its instants in the reader's zone with the zone named."""
    return {"id": str(r.id), "when": formats.instant(r.last_attempt_at or r.created_at, time_zone), "notice": r.notice,
            "period": period_label(r.kind, r.period_key, time_zone), "subject": r.subject, "to": r.to_address,
            "name": r.user_name,
            "organization": r.organization or "—", "state": r.state.value, "state_label": r.state.label,
            "color": STATE_COLORS.get(r.state.value, "gray"),
            "attempts": f"{r.attempts} attempt" + ("" if r.attempts == 1 else "s"),
            "error": r.last_error, "sent": formats.instant(r.sent_at, time_zone) if r.sent_at else ""}


class StaffNoticesState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    notice: str = ""
    show: str = "attention"
    rows: list[dict[str, str]] = []
    total: int = 0
    retrying: int = 0
    gave_up: int = 0
    unconfirmed: int = 0
    may_decide: bool = False

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = deliveries.list_deliveries(actor, show=self.show, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied = True, ""
        self.may_decide = actor.role is Role.staff_admin
        self.page, self.pages, self.total = listing.page.page, listing.page.pages, listing.page.total
        self.retrying, self.gave_up, self.unconfirmed = listing.retrying, listing.gave_up, listing.unconfirmed
        self.rows = [delivery_row(r, actor.time_zone) for r in listing.page.items]

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        return await self._load_page(1)

    @rx.event
    async def choose_show(self, value: str):
        self.show = value if value in deliveries.SHOW else "attention"
        self.error = self.notice = ""
        return await self._load_page(1)

    async def _decide(self, work, done: str):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.error = self.notice = ""
        try:
            await offload.run(work, actor)
        except ServiceError as exc:
            self.error = str(exc)
        else:
            self.notice = done
        return await self._load_page(self.page)

    @rx.event
    async def allow_retry(self, delivery_id: str):
        return await self._decide(lambda actor: deliveries.allow_retry(actor, int(delivery_id)),
                                  "The notice will be sent by the next run of its job, if it is still due.")

    @rx.event
    async def settle_sent(self, delivery_id: str):
        return await self._decide(
            lambda actor: deliveries.mark_unconfirmed(actor, int(delivery_id), was_sent=True),
            "Marked as sent: it will not be sent again.")

    @rx.event
    async def settle_not_sent(self, delivery_id: str):
        return await self._decide(
            lambda actor: deliveries.mark_unconfirmed(actor, int(delivery_id), was_sent=False),
            "Marked as not sent: the next run of its job sends it, if it is still due.")
