"""Time sign-off (customers): a month's time per task, one page of entries at a time; approve all or a task's
entries, or dispute one with a reason (``services.time_signoff`` checks who asks and when)."""

from __future__ import annotations

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain import time_signoff as rules
from opsportal.services import time_signoff
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.signoff_store import signoff_days
from opsportal.services.time_signoff import SheetEntry, Timesheet
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25
STATE_COLORS = {"pending": "amber", "approved": "green", "auto_approved": "green", "disputed": "red",
                "resolved_kept": "blue", "resolved_corrected": "blue", "written_off": "gray"}


def _paid_by(e: SheetEntry) -> str:
    if e.state is rules.ReviewState.written_off:
        return rules.WRITTEN_OFF_LABEL
    if e.prepaid_minutes and e.payg_minutes:
        return f"Prepaid {formats.duration(e.prepaid_minutes)} + pay-as-you-go {formats.duration(e.payg_minutes)}"
    return "Prepaid hours" if e.prepaid_minutes else "Pay-as-you-go"


def sheet_rows(entries: list[SheetEntry]) -> list[dict[str, str]]:
    """One page of entries as the page reads them; the first entry of each task on the page carries its heading."""
    rows, previous = [], None
    for e in entries:
        day = formats.day(e.work_date)
        rows.append({
            "id": str(e.id), "first": "1" if e.ticket_id != previous else "", "ticket_id": str(e.ticket_id),
            "task": f"#{e.ticket_id} {e.ticket_title}", "task_href": routes.task(e.ticket_id),
            "date": day, "agent": e.agent_name, "time": formats.duration(e.minutes), "paid_by": _paid_by(e),
            "amount": formats.money(e.payg_amount_minor, e.currency) if e.payg_minutes else "—",
            "note": e.note or "—", "state": e.state.value, "state_label": e.state.label,
            "color": STATE_COLORS[e.state.value], "reason": e.dispute_reason, "answer": e.answer,
            "billed": "Billed" if e.billed else "", "may_dispute": "1" if e.may_dispute else "",
            "label": f"{day}, {formats.duration(e.minutes)} by {e.agent_name} on task #{e.ticket_id}"})
        previous = e.ticket_id
    return rows


class TimesheetState(PagedState, rx.State):
    period: str = ""
    period_label: str = ""
    months: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total: int = 0
    totals: list[dict[str, str]] = []
    awaiting: int = 0
    open: bool = False
    deadline: str = ""
    refused: str = ""
    error: str = ""
    notice: str = ""
    disputing: str = ""  # the entry whose reason field is open
    reason: str = ""
    # The page follows its organization on the change feed (``state.live``): what it shows is "<month>|<page>".
    _shown: str = ""
    _cursor: int = 0
    _watch_id: str = ""

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_DISPUTES)
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change meanwhile wakes the follower
        if await offload.run(self._read, actor, page):
            return TimesheetState.watch

    def _read(self, actor: Actor, page: int) -> bool:
        if not self.period:
            self.period = rules.default_period(clock.now().date(), signoff_days()).key
        try:
            sheet = time_signoff.timesheet(actor, actor.organization_id or 0, self.period, page=page,
                                           page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.refused, self.rows, self.total = str(exc), [], 0
            return False
        except ServiceError as exc:
            self.error = str(exc)
            return False
        self._show(sheet)
        self._shown = f"{sheet.period.key}|{sheet.entries.page}"
        return True

    def _apply(self, sheet: Timesheet) -> None:
        """The follower read the page again after a change (a dispute answered, an entry corrected...)."""
        self._show(sheet)

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_shown", topics=_topics, read=_read_again):
            yield event

    def _show(self, sheet: Timesheet) -> None:
        self.refused = ""
        self.period_label = sheet.period.label
        self.page, self.pages, self.total = sheet.entries.page, sheet.entries.pages, sheet.entries.total
        self.rows = sheet_rows(sheet.entries.items)
        self.totals = [{"label": t.state.label, "entries": formats.count(t.entries),
                        "time": formats.duration(t.minutes)} for t in sheet.totals]
        self.awaiting, self.open, self.deadline = sheet.awaiting, sheet.open, formats.day(sheet.deadline)

    @rx.event
    async def load(self):
        today = clock.now().date()
        self.months = [{"value": p.key, "label": p.label} for p in rules.recent_periods(today)]
        asked = self.router.url.query_parameters.get("month", "")
        self.period = asked if asked in {m["value"] for m in self.months} else ""  # "": the default, when read
        self.error = self.notice = self.disputing = self.reason = ""
        return await self._load_page(1)

    @rx.event
    async def set_period(self, value: str):
        if value in {m["value"] for m in self.months}:
            self.period = value
        self.error = self.notice = self.disputing = ""
        return await self._load_page(1)

    async def _act(self, work, done):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.error = self.notice = ""
        try:
            self.notice = await offload.run(lambda a: done(work(a)), actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        return await self._load_page(self.page)

    @rx.event
    async def approve_all(self):
        period = self.period
        return await self._act(lambda a: time_signoff.approve(a, a.organization_id or 0, period), _approved)

    @rx.event
    async def approve_task(self, ticket_id: str):
        period = self.period
        return await self._act(lambda a: time_signoff.approve(a, a.organization_id or 0, period,
                                                              ticket_id=int(ticket_id)), _approved)

    @rx.event
    def start_dispute(self, entry_id: str):
        self.disputing, self.reason, self.error, self.notice = str(entry_id), "", "", ""

    @rx.event
    def cancel_dispute(self):
        self.disputing, self.reason = "", ""

    @rx.event
    def set_reason(self, value: str):
        self.reason = str(value)[:rules.REASON_MAX + 50]

    @rx.event
    async def submit_dispute(self):
        entry_id, reason = self.disputing, self.reason
        if not entry_id.isdigit():
            return
        result = await self._act(lambda a: time_signoff.dispute(a, int(entry_id), reason),
                                 lambda e: "Disputed: the support team will answer here and in your notifications. "
                                           "The entry is not billed until then.")
        if not self.error:
            self.disputing, self.reason = "", ""
        return result


def _topics(actor: Actor, _shown: str) -> list[str]:
    return time_signoff.change_topics(actor, actor.organization_id or 0)


def _read_again(actor: Actor, shown: str) -> Timesheet:
    period, page = shown.split("|")
    return time_signoff.timesheet(actor, actor.organization_id or 0, period, page=int(page), page_size=PAGE_SIZE)


def _approved(count: int) -> str:
    if not count:
        return "Nothing was awaiting review."
    return f"Approved {formats.count(count)} entr{'y' if count == 1 else 'ies'}."
