"""Pages that refresh themselves: a tab follows the change feed for what it shows, and reads again only then.

A page's ``on_load`` reads the page and starts the tab's background loop. The loop subscribes to the page's
topics on the process's change feed (``state.feed``) and sleeps until one changes: a parked tab does no work and
asks the database nothing. When woken it checks, under the state lock, that it is still the client's current loop
(a newer ``on_load`` replaces it: one loop per client) and that the client is still on the page it started on;
then it makes sure the session is still live (from memory, or the database at most every
``session_recheck_seconds``) and reads the page's figures again in a worker thread. A page with figures that follow
the clock (support coverage "right now") gives a ``tick`` that runs on its own schedule.

A state using it has the backend vars ``_cursor`` (the feed position its figures were read at) and ``_watch_id``,
and the methods ``_apply(data)`` and ``_refresh_failed(message)``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from reflex.middleware import Middleware

from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.errors import AuthenticationFailed, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect, session_token
from opsportal.state.feed import HUB

POLL_SECONDS = 2.0  # pages that wait on a payment ask again this often, for a bounded time
# A quiet tab with nothing on a schedule checks this often, under the state lock, that it still holds the page;
# leaving the page, a newer loop and a closed browser stop it at once without it (``note_path``, ``claim``, the
# janitor).
KEEPALIVE_SECONDS = 300.0
JANITOR_SECONDS = 2.0
T = TypeVar("T")


@dataclass(eq=False)
class Lease:
    """Which loop may refresh the page, and for which page and browser."""

    id: str
    path: str
    client_token: str
    stopped: bool = False
    wake: Callable[[], None] | None = None  # wakes the loop when it is stopped from outside


# The loops running in this process (for diagnostics and tests): lease id -> lease; and by client.
RUNNING: dict[str, Lease] = {}
_BY_CLIENT: dict[str, set[str]] = {}
_janitor: asyncio.Task | None = None


def claim(state) -> Lease:
    """Makes the calling loop the client's only live one: any older loop of the browser tab stops."""
    lease = Lease(id=uuid.uuid4().hex, path=state.router.url.path, client_token=state.router.session.client_token)
    for other in _leases_of(lease.client_token):
        _stop(other)
    state._watch_id = lease.id
    return lease


def register(lease: Lease, *, wake: Callable[[], None] | None = None) -> None:
    global _janitor
    lease.wake = wake
    RUNNING[lease.id] = lease
    _BY_CLIENT.setdefault(lease.client_token, set()).add(lease.id)
    if _janitor is None or _janitor.done():
        _janitor = asyncio.get_running_loop().create_task(_stop_disconnected(), name="opsportal-live-janitor")


def unregister(lease: Lease) -> None:
    RUNNING.pop(lease.id, None)
    ids = _BY_CLIENT.get(lease.client_token)
    if ids is not None:
        ids.discard(lease.id)
        if not ids:
            del _BY_CLIENT[lease.client_token]


def note_path(client_token: str, path: str) -> None:
    """The browser tab sent an event from ``path``: its loops for other pages stop (called for every event)."""
    for lease in _leases_of(client_token):
        if lease.path != path:
            _stop(lease)


def _leases_of(client_token: str) -> list[Lease]:
    return [RUNNING[i] for i in _BY_CLIENT.get(client_token, ()) if i in RUNNING]


def _stop(lease: Lease) -> None:
    lease.stopped = True
    if lease.wake is not None:
        lease.wake()


async def _stop_disconnected() -> None:
    """Stops the loops of browsers that closed their socket on this worker, every few seconds, while any run."""
    while RUNNING:
        await asyncio.sleep(JANITOR_SECONDS)
        for client_token in [t for t in _BY_CLIENT if not client_connected(t)]:
            for lease in _leases_of(client_token):
                _stop(lease)


class LivePages(Middleware):
    """Tells ``note_path`` where each event comes from, so a tab's loop stops as soon as it leaves the page."""

    async def preprocess(self, app, state, event):
        router = state.router
        note_path(router.session.client_token, router.url.path)
        return None


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
    return (not lease.stopped and state._watch_id == lease.id and state.router.url.path == lease.path
            and client_connected(lease.client_token))


async def sign_in_again(token: str) -> Actor | None:
    """The actor behind the session cookie now, or None when the session has ended."""
    actor = auth_service.recent_actor(token)
    if actor is not None:
        return actor
    try:
        return await offload.run(auth_service.authenticate, token)
    except AuthenticationFailed:
        return None


@dataclass(frozen=True)
class Tick:
    """Figures that follow the clock: every ``seconds``, ``read(actor, value)`` off the loop, then
    ``state._apply_tick(data)`` when it differs from the last."""

    seconds: float
    read: Callable[[Actor, Any], Any]


def start_position() -> int:
    """The feed position to record with a page read now (read before reading the page)."""
    return HUB.cursor


async def follow(state, *, key: str, topics: Callable[[Actor, Any], Iterable[str]],
                 read: Callable[[Actor, Any], T], tick: Tick | None = None) -> AsyncIterator[Any]:
    """The body of a page's background ``watch`` event: refreshes ``state`` while its page is open.

    ``key`` names the state var that identifies what the page shows (a task or organization id);
    ``topics(actor, value)`` the change-feed topics it shows; ``read(actor, value)`` the page's figures.
    Yields only a redirect to the login page when the session ended meanwhile.
    """
    await HUB.start()
    async with state:
        lease = claim(state)
        value = getattr(state, key)
        since = state._cursor
        token = session_token(state)

    async def still_shown() -> bool:
        async with state:
            return holds(state, lease) and getattr(state, key) == value

    sub = None
    try:
        actor = await sign_in_again(token)
        if actor is not None:
            try:
                sub = HUB.subscribe(await offload.run(lambda: list(topics(actor, value))), since=since)
            except ServiceError as exc:
                await _failed(state, lease, str(exc))
                return
            register(lease, wake=sub.notify)
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + tick.seconds if tick else None
        last_tick = None
        while actor is not None:
            wait = KEEPALIVE_SECONDS if next_tick is None else min(KEEPALIVE_SECONDS, next_tick - loop.time())
            changed = await sub.wait(max(0.0, wait))
            if lease.stopped:
                return
            ticking = not changed and next_tick is not None and loop.time() >= next_tick
            if not (changed or ticking):  # a quiet keep-alive: is the page still shown?
                if not await still_shown():
                    return
                continue
            if changed and not await still_shown():
                return
            actor = await sign_in_again(token)
            if actor is None:
                break
            if ticking:
                next_tick = loop.time() + tick.seconds
                try:
                    data = await offload.run(tick.read, actor, value)
                except ServiceError:
                    continue  # the next change or tick tries again
                if data != last_tick:
                    last_tick = data
                    async with state:
                        if not holds(state, lease) or getattr(state, key) != value:
                            return
                        state._apply_tick(data)
                continue
            position = HUB.cursor
            try:
                data = await offload.run(read, actor, value)
            except ServiceError as exc:
                await _failed(state, lease, str(exc))
                return
            async with state:
                if not holds(state, lease) or getattr(state, key) != value:
                    return
                state._apply(data)
                state._cursor = position
        async for event in _signed_out(state):  # the session ended
            yield event
    finally:
        if sub is not None:
            sub.close()
        unregister(lease)


async def _signed_out(state) -> AsyncIterator[Any]:
    async with state:
        _nobody, redirect = await actor_or_redirect(state)
    if redirect is not None:
        yield redirect


async def _failed(state, lease: Lease, message: str) -> None:
    async with state:
        if holds(state, lease):
            state._refresh_failed(message)
