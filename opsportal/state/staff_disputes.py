"""Staff: disputed time entries of every organization, a page at a time; each resolved as kept, corrected or
written off with an answer the customer reads (``services.time_disputes`` checks who asks)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain import time_signoff as rules
from opsportal.services import time_disputes
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.pagination import Page
from opsportal.services.time_disputes import DisputeRow
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
RESOLUTIONS = ("kept", "corrected", "written_off")


def dispute_row(r: DisputeRow, time_zone: str) -> dict[str, str]:
    day = formats.day(r.work_date)
    return {"id": str(r.entry_id), "task": f"#{r.ticket_id} {r.ticket_title}", "task_href": routes.staff_task(
        r.ticket_id), "organization": r.organization, "date": day, "iso_date": r.work_date.isoformat(),
        "agent": r.agent_name, "time": formats.duration(r.minutes), "minutes": str(r.minutes),
        "amount": (rules.WRITTEN_OFF_LABEL if r.state is rules.ReviewState.written_off
                   else formats.money(r.payg_amount_minor, r.currency) if r.payg_minutes else "Prepaid hours"),
        "note": r.note, "reason": r.reason, "by": r.disputed_by,
        "when": formats.instant(r.disputed_at, time_zone), "state": r.state.value, "state_label": r.state.label,
        "open": "1" if r.state is rules.ReviewState.disputed else "", "answer": r.answer,
        "resolved": f"{r.resolved_by}, {formats.instant(r.resolved_at, time_zone)}" if r.resolved_at else "",
        "label": f"{day}, {formats.duration(r.minutes)} by {r.agent_name} for {r.organization}"}


def _topics(actor: Actor, _shown: str) -> list[str]:
    return time_disputes.change_topics(actor)


def _read_again(actor: Actor, shown: str) -> tuple[Page[DisputeRow], str]:
    show, page = shown.split("|")
    return (time_disputes.disputes(actor, open_only=show == "open", page=int(page), page_size=PAGE_SIZE),
            actor.time_zone)


class StaffDisputesState(PagedState, rx.State):
    denied: str = ""
    error: str = ""
    notice: str = ""
    show: str = "open"
    rows: list[dict[str, str]] = []
    total: int = 0
    resolving: str = ""
    resolution: str = "kept"
    minutes: str = ""
    work_date: str = ""
    note: str = ""
    answer: str = ""
    # The queue follows the change feed's dispute topic (``state.live``): what it shows is "<open|all>|<page>".
    _shown: str = ""
    _cursor: int = 0
    _watch_id: str = ""

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a dispute meanwhile wakes the follower
        if await offload.run(self._list, actor, page):
            return StaffDisputesState.watch

    def _list(self, actor: Actor, page: int) -> bool:
        try:
            listing = time_disputes.disputes(actor, open_only=self.show == "open", page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.denied, self.rows = str(exc), []
            return False
        except ServiceError as exc:
            self.error = str(exc)
            return False
        self._apply((listing, actor.time_zone))
        self._shown = f"{self.show}|{listing.page}"
        return True

    def _apply(self, data: tuple[Page[DisputeRow], str]) -> None:
        listing, time_zone = data
        self.denied = ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [dispute_row(r, time_zone) for r in listing.items]
        if self.resolving and all(r["id"] != self.resolving for r in self.rows):
            self.resolving = ""  # answered meanwhile (here or by a colleague): its form goes with it

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_shown", topics=_topics, read=_read_again):
            yield event

    @rx.event
    async def load(self):
        self.error = self.notice = self.resolving = ""
        return await self._load_page(1)

    @rx.event
    async def set_show(self, value: str):
        self.show = "all" if value == "all" else "open"
        self.error = self.notice = self.resolving = ""
        return await self._load_page(1)

    @rx.event
    def start(self, entry_id: str):
        row = next((r for r in self.rows if r["id"] == entry_id), None)
        if row is None:
            return
        self.resolving, self.resolution, self.answer = entry_id, "kept", ""
        self.minutes, self.work_date, self.note = row["minutes"], row["iso_date"], row["note"]
        self.error = self.notice = ""

    @rx.event
    def cancel(self):
        self.resolving = ""

    @rx.event
    def set_resolution(self, value: str):
        self.resolution = value if value in RESOLUTIONS else "kept"

    @rx.event
    def set_minutes(self, value: str):
        self.minutes = str(value)[:6]

    @rx.event
    def set_work_date(self, value: str):
        self.work_date = str(value)[:10]

    @rx.event
    def set_note(self, value: str):
        self.note = str(value)[:600]

    @rx.event
    def set_answer(self, value: str):
        self.answer = str(value)[:rules.ANSWER_MAX + 50]

    @rx.event
    async def resolve(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if not self.resolving.isdigit():
            return
        extra = {}
        if self.resolution == "corrected":
            try:
                extra = {"minutes": int(self.minutes.strip()), "work_date": date.fromisoformat(self.work_date),
                         "note": self.note}
            except ValueError:
                self.error = "Give the corrected time in whole minutes and the date as a date."
                return
        entry_id, resolution, answer = int(self.resolving), self.resolution, self.answer
        try:
            await offload.run(time_disputes.resolve, actor, entry_id, resolution, answer, **extra)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.error, self.resolving = "", ""
        self.notice = "Resolved: the customer sees your answer on the task and in their notifications."
        return await self._load_page(self.page)
