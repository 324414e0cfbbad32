"""A subsidiary's task as its parent's owners and administrators read it through the roll-up: details, time and
conversation, with no comment box and no actions (``services.rollup.get_task``); refreshes itself while open."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.services import rollup
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.tasks import COMMENT_WINDOW, TASK_NOT_FOUND, TaskDetail
from opsportal.state import live, offload, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

View = tuple[int, int, int]  # (task id, how many of the latest comments, page of time entries)


def read_view(actor: Actor, view: View) -> TaskDetail:
    task_id, window, entry_page = view
    return rollup.get_task(actor, task_id, comments=window, entry_page=entry_page)


def view_topics(actor: Actor, view: View) -> list[str]:
    from opsportal.services.changes import task_topic

    read_view(actor, (view[0], 1, 1))  # refused exactly like the page
    return [task_topic(view[0])]


class RollupTaskState(PagedState, rx.State):
    """``page``/``pages`` (PagedState) page the time entries."""

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
    earlier: str = ""
    _cursor: int = 0
    _watch_id: str = ""
    _view: View = (0, COMMENT_WINDOW, 1)
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    @rx.var
    def heading(self) -> str:
        return f"Task #{self.task_id}" if self.title else "Task"

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _clear(self, error: str = "") -> None:
        self.error, self.title, self.description = error, "", ""
        self.comments, self.entries, self.totals, self.earlier = [], [], {}, ""
        self.page = self.pages = 1

    def _apply(self, detail: TaskDetail) -> None:
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

    def _refresh_failed(self, message: str) -> None:
        self._clear(message)

    async def _show(self, view: View):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self._cursor = live.start_position()  # before reading: a change committed meanwhile wakes the page
        self._time_zone = actor.time_zone
        try:
            detail = await offload.run(read_view, actor, view)
        except ServiceError as exc:
            self._clear(str(exc))
            return None
        self._apply(detail)
        self._view = (detail.row.id, view[1], detail.entry_page)
        return RollupTaskState.watch

    @rx.event
    async def load(self):
        self._watch_id = ""
        task_id = self._requested_id()
        if task_id is None:
            self._clear(TASK_NOT_FOUND)
            return None
        return await self._show((task_id, COMMENT_WINDOW, 1))

    async def _load_page(self, page: int):
        return await self._show((self._view[0], self._view[1], page)) if self._view[0] else None

    @rx.event
    async def show_earlier(self):
        if self._view[0]:
            return await self._show((self._view[0], task_views.wider_window(self._view[1]), self._view[2]))
        return None

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_view", topics=view_topics, read=read_view):
            yield event
