"""Updates: every line of the user's notification list (the bell's full history), a page at a time, newest first.

Opening the page marks nothing read (it is where one finds what is still unread): opening a line's task, "Mark as
read" or "Mark all as read" does (``domain.notification_list``). The page follows the user's ``user:<id>`` topic, so a
new line shows without a reload.
"""

from __future__ import annotations

import reflex as rx

from opsportal.domain.notification_list import PAGE_SIZE
from opsportal.services import portal_notifications
from opsportal.services.authz import Actor
from opsportal.services.changes import user_topic
from opsportal.services.errors import ServiceError
from opsportal.services.pagination import Page
from opsportal.services.portal_notifications import NotificationLine
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.bell import line_row
from opsportal.state.paging import PagedState


def _topics(actor: Actor, _page: int) -> list[str]:
    return [user_topic(actor.user_id)]


def _read(actor: Actor, page: int) -> tuple[Page[NotificationLine], str]:
    return portal_notifications.history(actor, page, PAGE_SIZE), actor.time_zone


class UpdatesState(PagedState, rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    unread_here: int = 0
    error: str = ""
    loaded: bool = False
    _cursor: int = 0
    _watch_id: str = ""
    _page: int = 1  # what the refresh loop reads again

    def _apply(self, data: tuple[Page[NotificationLine], str]) -> None:
        listing, time_zone = data
        self.page, self.pages, self.total, self._page = listing.page, listing.pages, listing.total, listing.page
        self.rows = [line_row(line, time_zone, new=line.unread) for line in listing.items]
        self.unread_here = sum(1 for line in listing.items if line.unread)
        self.loaded, self.error = True, ""

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    async def _show(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self._watch_id = ""
        self._cursor = live.start_position()
        try:
            self._apply(await offload.run(_read, actor, page))
        except ServiceError as exc:
            self.error = str(exc)
            return
        return UpdatesState.watch

    @rx.event
    async def load(self):
        return await self._show(1)

    async def _load_page(self, page: int):
        return await self._show(page)

    @rx.event
    async def mark_read(self, line_id: str):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(portal_notifications.mark_read, actor, int(line_id))
            self._apply(await offload.run(_read, actor, self._page))
        except (ServiceError, ValueError):
            self.error = portal_notifications.NOT_FOUND

    @rx.event
    async def mark_all_read(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        await offload.run(portal_notifications.mark_all_read, actor)
        self._apply(await offload.run(_read, actor, self._page))

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_page", topics=_topics, read=_read):
            yield event
