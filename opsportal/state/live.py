"""Pages that refresh themselves: one background loop per client polls a cheap service.

A page's ``on_load`` starts the loop. Each round the loop checks, under the state lock, that it
is still the client's current loop (a newer ``on_load`` replaces it: one loop per client), that
the client is still on the page the loop started on, and that the browser is still connected;
then it signs the caller in again from the session cookie and asks a cheap service whether
anything changed, and only then reads the page's figures again. Blocking service calls run in a
worker thread, outside the state lock.

A state using it has the backend vars ``_seen`` (the marker of what it shows) and ``_watch_id``,
and the methods ``_apply(data)`` and ``_refresh_failed(message)``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.errors import AuthenticationFailed, ServiceError
from opsportal.state.auth import AuthState, actor_or_redirect

POLL_SECONDS = 2.0
T = TypeVar("T")


@dataclass(frozen=True)
class Lease:
    """Which loop may refresh the page, and for which page and browser."""

    id: str
    path: str
    client_token: str


# The loops running in this process (for diagnostics and tests): lease id -> lease.
RUNNING: dict[str, Lease] = {}


def claim(state) -> Lease:
    """Makes the calling loop the state's only live one (any older loop stops at its next round)."""
    lease = Lease(id=uuid.uuid4().hex, path=state.router.url.path, client_token=state.router.session.client_token)
    state._watch_id = lease.id
    return lease


def client_connected(client_token: str) -> bool:
    """Whether the browser still has its socket open on this backend worker.

    The loop runs on the worker the browser's events arrive at; a browser that reconnects
    (elsewhere or here) hydrates again, and its ``on_load`` starts a new loop.
    """
    from reflex_base.registry import RegistrationContext

    try:
        namespace = RegistrationContext.get().app.event_namespace
    except Exception:  # no running app (a state exercised outside the server)
        return True
    return namespace is None or client_token in namespace.token_to_sid


def holds(state, lease: Lease) -> bool:
    return (state._watch_id == lease.id and state.router.url.path == lease.path
            and client_connected(lease.client_token))


async def sign_in_again(token: str) -> Actor | None:
    """The actor behind the session cookie now, or None when the session has ended."""
    try:
        return await asyncio.to_thread(auth_service.authenticate, token)
    except AuthenticationFailed:
        return None


async def follow(state, *, key: str, marker: Callable[[Actor, Any], str],
                 read: Callable[[Actor, Any], T]) -> AsyncIterator[Any]:
    """The body of a page's background ``watch`` event: refreshes ``state`` while its page is open.

    ``key`` names the state var that identifies what the page shows (a task or organization id);
    ``marker(actor, value)`` is the cheap question, ``read(actor, value)`` the page's figures.
    Yields only a redirect to the login page when the session ended meanwhile.
    """
    async with state:
        lease = claim(state)
        value = getattr(state, key)
    RUNNING[lease.id] = lease
    try:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            async with state:
                if not holds(state, lease) or getattr(state, key) != value:
                    return
                token = (await state.get_state(AuthState)).token
                seen = state._seen
            actor = await sign_in_again(token)
            if actor is None:
                async with state:
                    _nobody, redirect = await actor_or_redirect(state)
                if redirect is not None:
                    yield redirect
                return
            try:
                if await asyncio.to_thread(marker, actor, value) == seen:
                    continue
                data = await asyncio.to_thread(read, actor, value)
            except ServiceError as exc:
                async with state:
                    if holds(state, lease):
                        state._refresh_failed(str(exc))
                return
            async with state:
                if not holds(state, lease):
                    return
                state._apply(data)
    finally:
        RUNNING.pop(lease.id, None)
