"""One task as the support team works it: assign, change status (settling held credits), comment,
log time and correct it. Every handler asks who is calling again; the services decide what is allowed."""

from __future__ import annotations

import re
from datetime import date

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain.ledger.quantities import parse_quantity
from opsportal.domain.tasks import TaskStatus
from opsportal.services import agent_work, attachments, credit_views, incidents, portal_notifications, tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound, PermissionDenied, sentence
from opsportal.state import attachment_views, offload, task_views
from opsportal.state.auth import actor_or_redirect, run_as_actor
from opsportal.state.paging import PagedState
from opsportal.state.staff_queue import staff_label
from opsportal.state.staff_ticket_panel import StaffTicketPanelMixin
from opsportal.state.task_incident import incident_view
from opsportal.state.task_sla import staff_sla_fields
from opsportal.state.uploads import UploadMixin, incoming_files

_ZERO = re.compile(r"^0+(?:\s*(?:h|m|min)|:0{1,2}|h\s*0{1,2}\s*(?:m|min)?)?$", re.IGNORECASE)


def read_quantity(text: str, unit: str) -> int:
    """What was typed, in the unit (hours such as 1:30, 90m or 2h for minutes). Zero and a leading minus
    are kept so the service, which owns the rule, can refuse them. ValueError with a reason otherwise."""
    cleaned = (text or "").strip()
    negative = cleaned.startswith("-")
    body = cleaned[1:].strip() if negative else cleaned
    if _ZERO.match(body):
        return 0
    value = parse_quantity(body, unit)
    return -value if negative else value


def read_date(text: str) -> date | None:
    """The typed day, None when left empty; ValueError when it is not a date."""
    cleaned = (text or "").strip()
    return date.fromisoformat(cleaned) if cleaned else None


def as_hours(minutes: int) -> str:
    """Minutes as the form reads them back: ``90`` -> ``1:30``."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def _entry(e: tasks.TimeEntryPublic) -> dict[str, str]:
    fmt = formats.duration
    return {
        "id": str(e.id), "date": formats.day(e.work_date), "iso_date": formats.date_input(e.work_date),
        "agent": e.agent, "time": fmt(e.minutes), "hours": as_hours(e.minutes), "paid_by": e.paid_by,
        "split": ("written off: counts as neither prepaid nor pay-as-you-go" if e.written_off
                  else f"prepaid {fmt(e.prepaid_minutes)} · pay-as-you-go {fmt(e.payg_minutes)}"),
        "payg_value": formats.money(e.payg_amount_minor, e.currency) if e.payg_minutes else "—",
        "after_hours": "yes" if e.after_hours else "", "note": e.note, "billed": "yes" if e.billed else "",
        "revisions": str(e.revisions),
        "corrected": (f"Corrected ({e.revisions} revision{'s' if e.revisions != 1 else ''})"
                      if e.revisions else ""),
    }


class StaffTaskState(StaffTicketPanelMixin, UploadMixin, PagedState, rx.State):
    """``page``/``pages`` (PagedState) page the time entries; the conversation shows the latest comments."""

    shown_id: int = 0
    denied: str = ""
    error: str = ""
    notice: str = ""
    task: dict[str, str] = {}
    is_open: bool = False
    is_closed: bool = False
    comments: list[dict[str, str]] = []
    files: dict[str, list[dict[str, str]]] = {}  # attached files by message: "ticket" and each comment's id
    earlier: str = ""  # the "Show earlier messages (K more)" label, "" when every comment is shown
    window_note: str = ""
    entries: list[dict[str, str]] = []
    _comment_window: int = tasks.COMMENT_WINDOW
    agents: list[dict[str, str]] = []
    assignee: str = ""
    statuses: list[dict[str, str]] = []
    held: list[dict[str, str]] = []
    held_label: str = ""
    incident: dict[str, str] = {}  # the pay-per-incident request behind the task (state.task_incident)
    sla: dict[str, str] = {}  # its service levels (state.task_sla)
    today: str = ""
    log_error: str = ""
    comment_error: str = ""
    close_open: bool = False
    close_status: str = ""
    close_error: str = ""
    correct_open: bool = False
    correct: dict[str, str] = {}
    correct_error: str = ""

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    def _refresh(self, actor: Actor) -> None:
        detail = agent_work.task_for_staff(actor, self.shown_id, comments=self._comment_window,
                                           entry_page=self.page)
        portal_notifications.mark_task_seen(actor, self.shown_id)  # on the screen: its lines in the bell are read
        row = detail.row
        zone = actor.time_zone
        status = TaskStatus(row.status)
        self.is_open, self.is_closed = status.is_open, status is TaskStatus.closed
        self.task = {
            "id": str(row.id), "title": row.title, "organization": row.organization,
            "org_href": routes.organization(detail.organization_id), "status": row.status,
            "status_label": staff_label(row.status), "category": row.category,
            "priority": formats.label(row.priority), "agent": row.agent or "Unassigned",
            "time": formats.duration(row.minutes_logged), "description": detail.description,
            "opened": formats.instant(detail.created_at, zone), "opened_by": detail.created_by or "the support team",
        }
        self.comments = [{"id": str(c.id), "author": c.author, "who": "Support team" if c.from_staff else "Customer",
                          "body": c.body, "when": formats.instant(c.created_at, zone)} for c in detail.comments]
        shown = [c.id for c in detail.comments]
        self.files = attachment_views.by_message(attachments.ticket_files(actor, self.shown_id, shown), shown)
        self.earlier = task_views.earlier_label(detail.comment_count, len(detail.comments))
        self.window_note = task_views.window_note(detail.comment_count, len(detail.comments))
        self.entries = [_entry(e) for e in detail.time_entries]
        self.page, self.pages = detail.entry_page, detail.entry_pages
        self.agents = [{"id": str(a.id), "name": a.name} for a in agent_work.agents(actor)]
        self.assignee = str(detail.assigned_agent_id or "")
        # A closed task is reopened to an open status (never solved again); the service says the same.
        self.statuses = [{"value": s.value, "label": staff_label(s.value)} for s in TaskStatus
                         if not (self.is_closed and s is TaskStatus.resolved)]
        snapshot = credit_views.ticket_snapshot(actor, self.shown_id)
        units = {p.code: (p.name, p.unit) for p in credit_views.products(actor)}
        self.held = []
        for code, quantity in sorted(snapshot.held.items()):
            name, unit = units.get(code, (code, "credit"))
            self.held.append({"code": code, "name": name, "unit": unit, "held": formats.quantity(quantity, unit),
                              "default": as_hours(quantity) if unit == "minute" else str(quantity)})
        self.held_label = ", ".join(f"{h['name']} {h['held']}" for h in self.held)
        self.incident = incident_view(incidents.incident_of_ticket(actor, self.shown_id), staff=True,
                                      time_zone=actor.time_zone)
        self.sla = staff_sla_fields(actor, self.shown_id)
        self._refresh_panel(actor, self.shown_id)  # followers, follow-up links, the customer's rating
        # The day pickers' "today" is the agent's own day, as the dates shown are.
        self.today = formats.date_input(formats.local_date(clock.now(), zone))

    def _clear(self) -> None:
        self.error = self.notice = self.log_error = self.comment_error = self.close_error = self.correct_error = ""
        self.ta_error = self.ta_notice = ""

    @rx.event
    async def load(self):
        self._clear()
        self.denied = ""
        self.close_open = self.correct_open = False
        self._fresh_picker()
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        requested = self._requested_id()
        self.task, self.comments, self.entries, self.held = {}, [], [], []
        self.ta_followers, self.ta_candidates, self.ta_follow_ups, self.ta_rating = [], [], [], {}
        self.ta_follow_up_of = ""
        self.earlier = self.window_note = ""
        self.page, self.pages, self._comment_window = 1, 1, tasks.COMMENT_WINDOW
        if requested is None:
            self.denied = tasks.TASK_NOT_FOUND
            return
        self.shown_id = requested
        try:
            await offload.run(self._refresh, actor)
        except (PermissionDenied, NotFound) as exc:
            self.denied, self.task = str(exc), {}

    async def _load_page(self, page: int):
        self._clear()
        self.page = page
        return await run_as_actor(self, lambda actor: None)

    @rx.event
    async def show_earlier(self):
        """Widens the conversation by one step of older comments (up to the bound)."""
        self._clear()
        self._comment_window = task_views.wider_window(self._comment_window)
        return await run_as_actor(self, lambda actor: None)

    @rx.event
    async def assign(self, form: dict):
        self._clear()
        raw = str(form.get("agent", ""))
        if raw and not raw.isdigit():
            self.error = "Choose an agent."
            return

        def work(actor):
            agent_work.assign(actor, self.shown_id, int(raw) if raw else None)
            self.notice = "Task assigned." if raw else "Task unassigned."
        return await run_as_actor(self, work)

    @rx.event
    async def assign_to_me(self):
        self._clear()

        def work(actor):
            agent_work.assign(actor, self.shown_id, actor.user_id)
            self.notice = "Task assigned to you."
        return await run_as_actor(self, work)

    @rx.event
    async def change_status(self, form: dict):
        self._clear()
        new = str(form.get("status", ""))
        if new not in {s.value for s in TaskStatus}:
            self.error = "Choose a status."
            return
        if self.is_open and not TaskStatus(new).is_open and self.held:
            # Closing settles what the task holds: ask how much of it was used (all, unless told otherwise).
            self.close_status, self.close_open = new, True
            return await run_as_actor(self, lambda actor: None)

        reopening = not self.is_open and TaskStatus(new).is_open

        def work(actor):
            agent_work.set_status(actor, self.shown_id, new)
            self.notice = (f"Task reopened as {staff_label(new)}: the requester and followers are told."
                           if reopening else f"Status changed to {staff_label(new)}.")
        return await run_as_actor(self, work)

    @rx.event
    async def confirm_close(self, form: dict):
        self._clear()
        used = {}
        for held in self.held:
            try:
                used[held["code"]] = read_quantity(str(form.get(f"used_{held['code']}", "")), held["unit"])
            except ValueError as exc:
                self.close_error = f"{held['name']}: {sentence(str(exc))}"
                return

        def work(actor):
            agent_work.set_status(actor, self.shown_id, self.close_status, credits_used=used)
            self.close_open = False
            self.notice = f"Status changed to {staff_label(self.close_status)}; held credits settled."
        return await run_as_actor(self, work, on_error="close_error")

    @rx.event
    async def set_close_open(self, value: bool):
        self.close_open = bool(value)
        return await run_as_actor(self, lambda actor: None)

    @rx.event
    async def comment(self, form: dict):
        self._clear()

        def work(actor):
            tasks.add_comment(actor, self.shown_id, str(form.get("body", "")))
            self.notice = "Comment added; the customer can see it."
            return rx.set_value("comment-body", "")
        return await run_as_actor(self, work, on_error="comment_error")

    @rx.event
    async def comment_with_files(self, form: dict, files: list[rx.UploadFile]):
        """The comment form's submit with the files chosen; refused files keep the form as it was."""
        self._clear()
        self.files_error = ""
        incoming, sent = incoming_files(files), []

        def work(actor):
            try:
                attachments.add_comment(actor, self.shown_id, str((form or {}).get("body", "")), incoming)
            except attachments.InvalidFiles as exc:
                self.files_error = str(exc)
                return None
            sent.append(True)
            self.notice = "Comment added; the customer can see it."
            return rx.set_value("comment-body", "")
        result = await run_as_actor(self, work, on_error="comment_error")
        self._upload_done(sent=bool(sent))
        return result

    @rx.event
    async def log_time(self, form: dict):
        self._clear()
        try:
            minutes = read_quantity(str(form.get("minutes", "")), "minute")
        except ValueError as exc:
            self.log_error = sentence(str(exc))
            return
        try:
            work_date = read_date(str(form.get("work_date", "")))
        except ValueError:
            self.log_error = "Enter the day of the work as a date (YYYY-MM-DD)."
            return

        def work(actor):
            entry = agent_work.log_time(actor, self.shown_id, minutes=minutes, work_date=work_date,
                                        note=str(form.get("note", "")),
                                        after_hours=form.get("after_hours") in ("on", True, "true"))
            self.notice = f"Logged {formats.duration(entry.minutes)}: {entry.paid_by.lower()}."
            self.page = 1  # the newest entries come first: show the one just logged
            return [rx.set_value("log-minutes", ""), rx.set_value("log-note", "")]
        return await run_as_actor(self, work, on_error="log_error")

    @rx.event
    async def open_correct(self, entry_id: str):
        self._clear()
        entry = next((e for e in self.entries if e["id"] == str(entry_id)), None)
        if entry is None:
            self.error = "That time entry is not on this task."
            return

        def work(actor):
            self.correct = {"id": entry["id"], "date": entry["iso_date"], "hours": entry["hours"],
                            "note": entry["note"], "label": f"{entry['date']}, {entry['time']}"}
            self.correct_open = True
        return await run_as_actor(self, work)

    @rx.event
    async def set_correct_open(self, value: bool):
        self.correct_open = bool(value)
        return await run_as_actor(self, lambda actor: None)

    @rx.event
    async def submit_correct(self, form: dict):
        self._clear()
        if not self.correct.get("id", "").isdigit():
            return
        try:
            minutes = read_quantity(str(form.get("minutes", "")), "minute")
        except ValueError as exc:
            self.correct_error = sentence(str(exc))
            return
        try:
            work_date = read_date(str(form.get("work_date", "")))
        except ValueError:
            work_date = None
        if work_date is None:
            self.correct_error = "Enter the day of the work as a date (YYYY-MM-DD)."
            return
        entry_id = int(self.correct["id"])

        def work(actor):
            entry = agent_work.correct_time(actor, entry_id, minutes=minutes, work_date=work_date,
                                            note=str(form.get("note", "")), reason=str(form.get("reason", "")))
            self.correct_open = False
            self.notice = (f"Time entry corrected to {formats.duration(entry.minutes)}: "
                           f"{entry.paid_by.lower()}.")
        return await run_as_actor(self, work, on_error="correct_error")
