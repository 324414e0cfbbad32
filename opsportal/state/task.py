"""One task as its customer sees it: details, conversation, time entries; refreshes itself while open.

The page holds a window of the task, never all of it: the latest comments (the customer widens the window with
"Show earlier messages") and one page of time entries; the refresh loop reads the same window again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from opsportal import routes
from opsportal.domain.tasks import TaskStatus
from opsportal.services import attachments, portal_notifications, tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.tasks import COMMENT_WINDOW, TASK_NOT_FOUND, TaskDetail
from opsportal.state import attachment_views, live, offload, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState
from opsportal.state.task_incident import TaskWithIncident, incident_fields, read_task
from opsportal.state.task_reading import TaskReadingMixin
from opsportal.state.task_sla import TICK_SECONDS, live_targets, now_for_tick, sla_fields, ticked, with_sla
from opsportal.state.ticket_actions import TicketActionsMixin, with_actions
from opsportal.state.uploads import UploadMixin, incoming_files

View = tuple[int, int, int]  # (task id, how many of the latest comments, page of time entries)


class TaskState(TaskReadingMixin, TicketActionsMixin, UploadMixin, PagedState, rx.State):
    """``page``/``pages`` (PagedState) page the time entries."""

    status: str = ""
    is_closed: bool = False
    files: dict[str, list[dict[str, str]]] = {}  # attached files by message: "ticket" and each comment's id
    window_note: str = ""  # said when the window is at its bound and older comments remain
    draft: str = ""
    comment_error: str = ""
    incident: dict[str, str] = {}  # a pay-per-incident request behind the task (state.task_incident)
    sla: dict[str, str] = {}  # its service levels (state.task_sla)
    submitted: str = ""  # the confirmation shown once, right after the customer submitted this ticket
    _just_submitted: int = 0  # set by NewTicketState before it opens the new ticket's page
    # The change-feed position the page was read at, and which refresh loop is live.
    _cursor: int = 0
    _watch_id: str = ""
    # What this page shows (task id, comment window, time entry page): the refresh loop reads it again.
    _view: View = (0, COMMENT_WINDOW, 1)
    # The running service-level targets as read (domain.sla_live): the tick rewords ``sla`` from them.
    _sla_live: dict[str, Any] = {}

    def _clear(self, error: str = "") -> None:
        self.error, self.title, self.description = error, "", ""
        self.comments, self.entries, self.totals, self.files = [], [], {}, {}
        self.earlier = self.window_note = ""
        self.page = self.pages = 1

    def _apply(self, detail: TaskDetail) -> None:
        self._apply_reading(detail)
        self.status = detail.row.status
        self.is_closed = detail.row.status == TaskStatus.closed
        self.files = attachment_views.by_message(getattr(detail, "files", ()), [c.id for c in detail.comments])
        self.window_note = task_views.window_note(detail.comment_count, len(detail.comments))
        self.incident = incident_fields(detail, self._time_zone)
        self.sla = sla_fields(detail)
        self._sla_live = live_targets(detail)
        self._apply_actions(detail)

    def _apply_tick(self, now) -> None:
        worded = ticked(self.sla, self._sla_live, now)
        if worded != self.sla:
            self.sla = worded

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        task_id = self._requested_id()
        if actor.is_staff and task_id is not None:
            return rx.redirect(routes.staff_task(task_id))
        self.draft = self.comment_error = ""
        self._fresh_picker()
        self.submitted = submitted_notice(task_id) if task_id is not None and task_id == self._just_submitted else ""
        self._just_submitted = 0
        self._watch_id = ""  # a loop of a page shown before stops
        self._view = (0, COMMENT_WINDOW, 1)
        if task_id is None:
            self._clear(TASK_NOT_FOUND)
            return
        return await self._show(actor, (task_id, COMMENT_WINDOW, 1))

    async def _show(self, actor: Actor, view: View):
        """Reads ``view`` of the task (off the event loop), shows it and (re)starts the refresh loop on it."""
        self._cursor = live.start_position()  # before reading: a change committed meanwhile wakes the page
        self._time_zone = actor.time_zone
        return await offload.run(self._read_and_show, actor, view)

    def _read_and_show(self, actor: Actor, view: View):
        try:
            detail = read_view(actor, view)
        except ServiceError as exc:
            self._clear(str(exc))
            return
        self._apply(detail)
        self._view = (detail.row.id, view[1], detail.entry_page)
        return TaskState.watch

    async def _change_view(self, *, window: int | None = None, page: int | None = None):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        task_id, current_window, current_page = self._view
        if not task_id:
            return
        return await self._show(actor, (task_id, current_window if window is None else window,
                                        current_page if page is None else page))

    async def _load_page(self, page: int):
        return await self._change_view(page=page)

    @rx.event
    async def show_earlier(self):
        """Widens the conversation by one step of older comments (up to the bound)."""
        return await self._change_view(window=task_views.wider_window(self._view[1]))

    @rx.event
    async def set_draft(self, value: str):
        self.draft = value[:12_000]

    @rx.event
    async def send_comment(self, form: dict | None = None):
        return await self._send(form, [])

    @rx.event
    async def send_comment_with_files(self, form: dict, files: list[rx.UploadFile]):
        """The comment form's submit: its text and the files chosen (uploaded with a progress bar)."""
        return await self._send(form, files)

    async def _send(self, form: dict | None, files: list):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.comment_error = self.files_error = ""
        self._time_zone = actor.time_zone
        # The form's own value: a debounced on_change may not have reached the server yet.
        text = str((form or {}).get("body", self.draft))
        try:
            self._apply(await offload.run(comment_then_read, actor, self.task_id, text, self._view,
                                          incoming_files(files)))
        except attachments.InvalidFiles as exc:
            self._upload_done(sent=False)
            self.files_error = str(exc)
            return
        except ServiceError as exc:
            self._upload_done(sent=False)
            self.comment_error = str(exc)
            return
        self._upload_done(sent=True)
        self.draft = ""

    def _refresh_failed(self, message: str) -> None:
        self._clear(message)

    @rx.event(background=True)
    async def watch(self):
        """Shows what agents do (time logged, comments, status) within a few seconds, without a reload."""
        async for event in live.follow(self, key="_view", topics=view_topics, read=read_view,
                                       tick=live.Tick(TICK_SECONDS, now_for_tick)):
            yield event


def submitted_notice(task_id: int) -> str:
    return (f"Ticket #{task_id} submitted. The support team replies in the conversation below; "
            "this page updates by itself.")


def read_view(actor: Actor, view: View) -> TaskWithIncident:
    """The task as the page shows it: its latest comments and a page of its time."""
    task_id, window, entry_page = view
    detail = with_actions(actor, with_sla(actor, read_task(actor, task_id, comments=window, entry_page=entry_page)))
    portal_notifications.mark_task_seen(actor, task_id)  # on the screen: its lines in the bell are read
    return detail


def view_topics(actor: Actor, view: View) -> list[str]:
    return tasks.change_topics(actor, view[0])


def comment_then_read(actor: Actor, task_id: int, text: str, view: View, files=()) -> TaskWithIncident:
    attachments.add_comment(actor, task_id, text, files)
    return read_view(actor, view)
