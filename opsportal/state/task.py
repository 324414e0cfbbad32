"""One task as its customer sees it: details, conversation, time entries; refreshes itself while open."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.services import tasks
from opsportal.services.errors import ServiceError
from opsportal.services.tasks import TASK_NOT_FOUND, TaskDetail
from opsportal.state import live, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.task_incident import incident_fields, read_task


class TaskState(rx.State):
    task_id: int = 0
    error: str = ""
    title: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    is_closed: bool = False
    priority: str = ""
    category: str = ""
    agent: str = ""
    organization: str = ""
    opened_by: str = ""
    opened_at: str = ""
    updated: str = ""
    time_logged: str = ""
    description: str = ""
    comments: list[dict[str, str]] = []
    entries: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    draft: str = ""
    comment_error: str = ""
    incident: dict[str, str] = {}  # a pay-per-incident request behind the task (state.task_incident)
    # When the task last changed as this page shows it, and which refresh loop is live.
    _seen: str = ""
    _watch_id: str = ""

    @rx.var
    def heading(self) -> str:
        return f"Task #{self.task_id}" if self.title else "Task"

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _clear(self, error: str = "") -> None:
        self.error, self.title, self.description = error, "", ""
        self.comments, self.entries, self.totals = [], [], {}

    def _apply(self, detail: TaskDetail) -> None:
        row = detail.row
        self.error = ""
        self.task_id, self.title = row.id, row.title
        self.status, self.status_label = row.status, row.status_label
        self.status_color = task_views.STATUS_COLORS.get(row.status, "gray")
        self.is_closed = row.status == "closed"
        self.priority, self.category = row.priority.capitalize(), row.category
        self.agent = row.agent or "Not assigned yet"
        self.organization = row.organization
        self.opened_by = detail.created_by or "the support team"
        self.opened_at = task_views.when(detail.created_at)
        self.updated = task_views.when(row.updated_at)
        self.time_logged = task_views.hours(row.minutes_logged)
        self.description = detail.description
        self.comments = [task_views.comment(c) for c in detail.comments]
        self.entries = [task_views.time_entry(e) for e in detail.time_entries]
        self.totals = task_views.time_totals(detail.time_entries)
        self.incident = incident_fields(detail)
        self._seen = row.updated_at.isoformat()  # what task_marker answers for this version

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        task_id = self._requested_id()
        if actor.is_staff and task_id is not None:
            return rx.redirect(routes.staff_task(task_id))
        self.draft = self.comment_error = ""
        self._watch_id = ""  # a loop of a page shown before stops
        if task_id is None:
            self._clear(TASK_NOT_FOUND)
            return
        try:
            self._apply(read_task(actor, task_id))
        except ServiceError as exc:
            self._clear(str(exc))
            return
        return TaskState.watch

    @rx.event
    async def set_draft(self, value: str):
        self.draft = value[:12_000]

    @rx.event
    async def send_comment(self, form: dict | None = None):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.comment_error = ""
        # The form's own value: a debounced on_change may not have reached the server yet.
        text = str((form or {}).get("body", self.draft))
        try:
            tasks.add_comment(actor, self.task_id, text)
            self._apply(read_task(actor, self.task_id))
        except ServiceError as exc:
            self.comment_error = str(exc)
            return
        self.draft = ""

    def _refresh_failed(self, message: str) -> None:
        self._clear(message)

    @rx.event(background=True)
    async def watch(self):
        """Shows what agents do (time logged, comments, status) within a few seconds, without a reload."""
        async for event in live.follow(self, key="task_id", marker=task_marker, read=read_task):
            yield event


def task_marker(actor, task_id: int) -> str:
    return tasks.last_change(actor, task_id).isoformat()
