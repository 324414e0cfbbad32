"""Closed tabs give their memory back: the state a worker keeps in memory for a browser tab that has had no socket
on it for ``CLOSED_TAB_GRACE_SECONDS`` is dropped, instead of after Reflex's own hour of inactivity.

The embedded default is Reflex's disk state manager, which keeps states in memory and writes them to ``.states/``:
a dropped tab that comes back later is read from disk again. With the in-memory manager it hydrates a fresh state,
as after a restart. With Redis the states live there and expire by ``redis_token_expiration``.
"""

from __future__ import annotations

import asyncio
import time

from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory

# Long enough for a reload or a short network drop to find its state again.
CLOSED_TAB_GRACE_SECONDS = 300
SWEEP_SECONDS = 60


def _kept(manager) -> list[tuple[float, object]]:
    """(last used, token) of every state the manager keeps in memory; none for managers that keep none."""
    if isinstance(manager, StateManagerDisk):
        pending = set(manager._write_queue)  # a state waiting to be written stays until it is
        return [(last, token) for last, token in manager._token_last_touched.values() if token not in pending]
    if isinstance(manager, StateManagerMemory):
        return [(expires - manager.token_expiration, token) for expires, token in manager._token_expires_at.values()]
    return []


def release_closed_tabs(manager, connected: set[str] | dict, *, now: float | None = None,
                        grace: float = CLOSED_TAB_GRACE_SECONDS) -> int:
    """Drops the states of tabs not in ``connected`` and untouched for ``grace`` seconds; returns how many."""
    now = time.time() if now is None else now
    released = 0
    for last_used, token in _kept(manager):
        if token.ident in connected or now - last_used < grace:
            continue
        lock = manager._states_locks.get(token.lock_key)
        if lock is not None and lock.locked():
            continue  # an event or a background task is using it
        manager._purge_token(token)
        released += 1
    return released


async def sweep_closed_tabs(app) -> None:
    """A lifespan task of the backend: sweeps every ``SWEEP_SECONDS`` while it serves."""
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        namespace = app.event_namespace
        if namespace is not None:
            release_closed_tabs(app.state_manager, namespace.token_to_sid)
