"""The bell in the header: the unread count, and the newest lines while the list is open; live, never polled.

The header is on every page, so the bell is cheap: the first mount of the header in a tab reads the count once
(off the event loop) and starts one follower for the tab, which sleeps on the change feed's ``user:<id>`` topic
(``services.changes.user_topic``) and reads the count again only when that user's lines changed. Later mounts (the
next page of the same tab) find the follower running and ask nothing. The state holds at most the lines shown
(``DROPDOWN_SIZE``), and only while the list is open. When a line is read: ``domain.notification_list``.
"""

from __future__ import annotations

import uuid

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.notification_list import badge, bell_label
from opsportal.services import portal_notifications
from opsportal.services.authz import Actor
from opsportal.services.changes import user_topic
from opsportal.services.errors import ServiceError
from opsportal.services.portal_notifications import NotificationLine
from opsportal.state import live, offload
from opsportal.state.auth import AuthState, session_token
from opsportal.state.feed import HUB

# A follower whose tab closed notices within this long (a quiet wait costs nothing in between).
KEEPALIVE_SECONDS = 60.0
# Which follower is live for each browser tab of this process: client token -> follower id.
FOLLOWING: dict[str, str] = {}


def line_row(line: NotificationLine, time_zone: str, *, new: bool) -> dict[str, str]:
    return {"id": str(line.id), "title": line.title, "text": line.text, "link": line.link or "/",
            "when": formats.instant(line.created_at, time_zone), "new": "1" if new else ""}


def _first_read(actor: Actor) -> tuple[int, str]:
    return portal_notifications.unread_count(actor), user_topic(actor.user_id)


class BellState(rx.State):
    unread: int = 0
    is_open: bool = False
    loading: bool = False
    lines: list[dict[str, str]] = []
    error: str = ""
    _user_id: int = 0
    _topic: str = ""  # the change-feed topic of the user's lines
    _cursor: int = 0
    _follower: str = ""
    # Lines shown as new in the list open now: they stay marked "New" while it stays open, though now read.
    _new_ids: list[int] = []

    @rx.var
    def label(self) -> str:
        return bell_label(self.unread)

    @rx.var
    def badge_text(self) -> str:
        return badge(self.unread)

    async def _actor(self) -> Actor | None:
        auth = await self.get_state(AuthState)
        return await auth.current_actor()

    def _show_lines(self, lines: list[NotificationLine], time_zone: str) -> None:
        self._new_ids = sorted({*self._new_ids, *(line.id for line in lines if line.unread)})
        self.lines = [line_row(line, time_zone, new=line.id in self._new_ids) for line in lines]

    @rx.event
    async def start(self):
        """The header mounted (every page): the first time in a tab, read the count and follow the feed."""
        if self.is_open:  # the list of the page before closed with it
            self.is_open, self.lines, self._new_ids = False, [], []
        actor = await self._actor()
        if actor is None:
            self.unread, self._user_id = 0, 0
            return
        client = self.router.session.client_token
        if self._follower and FOLLOWING.get(client) == self._follower and self._user_id == actor.user_id:
            return  # followed already: the count is current
        self._user_id = actor.user_id
        self._cursor = live.start_position()  # before reading: a line written meanwhile wakes the follower
        try:
            self.unread, self._topic = await offload.run(_first_read, actor)
        except ServiceError:
            return
        return BellState.follow

    @rx.event(background=True)
    async def follow(self):
        """Sleeps until this user's lines change, then reads the count (and the open list) again."""
        await HUB.start()
        follower = uuid.uuid4().hex
        async with self:
            self._follower = follower
            client, user_id, since = self.router.session.client_token, self._user_id, self._cursor
            token, topic = session_token(self), self._topic
        if not user_id or not topic:
            return
        FOLLOWING[client] = follower
        sub = HUB.subscribe([topic], since=since)
        try:
            while True:
                changed = await sub.wait(KEEPALIVE_SECONDS)
                if FOLLOWING.get(client) != follower or not live.client_connected(client):
                    return
                if not changed:
                    continue
                actor = await live.sign_in_again(token)
                if actor is None or actor.user_id != user_id:
                    return
                async with self:
                    with_lines = self.is_open
                try:
                    bell = await offload.run(portal_notifications.bell, actor, with_lines=with_lines)
                except ServiceError:
                    continue
                async with self:
                    if self._follower != follower:
                        return
                    self.unread = bell.unread
                    if with_lines and self.is_open:
                        self._show_lines(bell.lines, actor.time_zone)
        finally:
            sub.close()
            if FOLLOWING.get(client) == follower:
                del FOLLOWING[client]

    @rx.event
    async def set_open(self, value: bool):
        """Opening the list shows the newest lines, then marks those shown read; closing it forgets them."""
        self.is_open, self.error = bool(value), ""
        if not self.is_open:
            self.lines, self._new_ids = [], []
            return
        actor = await self._actor()
        if actor is None:
            return
        self.loading = True
        yield
        try:
            bell = await offload.run(portal_notifications.bell, actor, with_lines=True)
        except ServiceError as exc:
            self.error, self.loading = str(exc), False
            return
        self.loading, self.unread = False, bell.unread
        self._show_lines(bell.lines, actor.time_zone)
        yield  # on the screen first, then read
        shown = [line.id for line in bell.lines if line.unread]
        if shown:
            marked = await offload.run(portal_notifications.mark_shown_read, actor, shown)
            self.unread = max(0, self.unread - marked)

    @rx.event
    async def mark_all_read(self):
        actor = await self._actor()
        if actor is None:
            return
        await offload.run(portal_notifications.mark_all_read, actor)
        self.unread, self._new_ids = 0, []
        self.lines = [{**line, "new": ""} for line in self.lines]
