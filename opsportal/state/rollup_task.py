"""A subsidiary's task as its parent's owners and administrators read it through the roll-up: details, time and
conversation, with no comment box and no actions (``services.rollup.get_task``); refreshes itself while open."""

from __future__ import annotations

import reflex as rx

from opsportal.services import rollup
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.tasks import COMMENT_WINDOW, TASK_NOT_FOUND, TaskDetail
from opsportal.state import live, offload, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState
from opsportal.state.task_reading import TaskReadingMixin

View = tuple[int, int, int]  # (task id, how many of the latest comments, page of time entries)


def read_view(actor: Actor, view: View) -> TaskDetail:
    task_id, window, entry_page = view
    return rollup.get_task(actor, task_id, comments=window, entry_page=entry_page)


def view_topics(actor: Actor, view: View) -> list[str]:
    from opsportal.services.changes import task_topic

    read_view(actor, (view[0], 1, 1))  # refused exactly like the page
    return [task_topic(view[0])]


class RollupTaskState(TaskReadingMixin, PagedState, rx.State):
    """``page``/``pages`` (PagedState) page the time entries."""

    _cursor: int = 0
    _watch_id: str = ""
    _view: View = (0, COMMENT_WINDOW, 1)

    def _clear(self, error: str = "") -> None:
        self.error, self.title, self.description = error, "", ""
        self.comments, self.entries, self.totals, self.earlier = [], [], {}, ""
        self.page = self.pages = 1

    def _apply(self, detail: TaskDetail) -> None:
        self._apply_reading(detail)

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
