"""The Account page's list of the caller's signed-in sessions: which device, since when, from where; end any other.

The browser sees a handle per session, never the session's id (the id names the session in its token).
"""

from __future__ import annotations

import hashlib

import reflex as rx

from opsportal.domain import formats, user_agents
from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def _handle(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:16]


def session_rows(actor: Actor, sessions: list[auth_service.SessionView]) -> list[dict[str, str]]:
    """What the table shows for each session, in words and in the caller's zone."""
    rows = []
    for s in sessions:
        device = user_agents.describe(s.user_agent)
        since = formats.instant(s.created_at, actor.time_zone)
        rows.append({"handle": _handle(s.id), "device": device, "signed_in": since,
                     "address": s.client_address or "Unknown", "current": "yes" if s.current else "",
                     "revoke_label": f"End session: {device}, signed in {since}"})
    return rows


class AccountSessionsState(rx.State):
    sessions: list[dict[str, str]] = []
    sessions_error: str = ""
    sessions_message: str = ""
    _session_ids: dict[str, str] = {}  # handle -> session id, for this caller's sessions only

    def _refresh(self, actor: Actor) -> None:  # in a worker thread
        found = auth_service.list_sessions(actor)
        self._session_ids = {_handle(s.id): s.id for s in found}
        self.sessions = session_rows(actor, found)

    @rx.event
    async def load_sessions(self):
        self.sessions_error = self.sessions_message = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.sessions_error = str(exc)

    async def _end(self, work, done: str):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.sessions_error = self.sessions_message = ""

        def work_then_refresh():
            result = work(actor)
            self._refresh(actor)
            return result

        try:
            result = await offload.run(work_then_refresh)
        except ServiceError as exc:
            self.sessions_error = str(exc)
            await offload.run(self._refresh, actor)
            return None
        self.sessions_message = done if isinstance(result, str) or result is None else done.format(count=result)
        return None

    @rx.event
    async def revoke(self, handle: str):
        session_id = self._session_ids.get(str(handle), "")
        return await self._end(lambda actor: auth_service.revoke_session(actor, session_id),
                               "That session has ended.")

    @rx.event
    async def sign_out_elsewhere(self):
        return await self._end(auth_service.revoke_other_sessions, "Other sessions ended: {count}.")
