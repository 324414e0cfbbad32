"""What every page showing one task holds and how it fills it from a ``TaskDetail``: the customer's task page and
the roll-up's read-only copy for a parent company."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.services.tasks import TaskDetail
from opsportal.state import task_views


class TaskReadingMixin(rx.State, mixin=True):
    task_id: int = 0
    error: str = ""
    title: str = ""
    status_label: str = ""
    status_color: str = "gray"
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
    earlier: str = ""  # the "Show earlier messages (K more)" label, "" when every comment is shown
    # The reader's zone (the actor's), every instant on the page is shown in.
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    @rx.var
    def heading(self) -> str:
        return f"Task #{self.task_id}" if self.title else "Task"

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _apply_reading(self, detail: TaskDetail) -> None:
        """Fills the fields above from ``detail`` (the page's ``PagedState`` pages its time entries)."""
        row = detail.row
        self.error = ""
        self.task_id, self.title = row.id, row.title
        self.status_label, self.status_color = row.status_label, task_views.STATUS_COLORS.get(row.status, "gray")
        self.priority, self.category = formats.label(row.priority), row.category
        self.agent = row.agent or "Not assigned yet"
        self.organization = row.organization
        self.opened_by = detail.created_by or "the support team"
        self.opened_at = task_views.when(detail.created_at, self._time_zone)
        self.updated = task_views.when(row.updated_at, self._time_zone)
        self.time_logged = task_views.hours(row.minutes_logged)
        self.description = detail.description
        self.comments = [task_views.comment(c, self._time_zone) for c in detail.comments]
        self.earlier = task_views.earlier_label(detail.comment_count, len(detail.comments))
        self.entries = [task_views.time_entry(e) for e in detail.time_entries]
        self.page, self.pages = detail.entry_page, detail.entry_pages
        self.totals = task_views.time_totals(detail.totals)
