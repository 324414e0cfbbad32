"""Closed tabs give their memory back: with Reflex's in-memory state manager (the embedded default), the state of
a browser tab that has had no socket on this worker for ``CLOSED_TAB_GRACE_SECONDS`` is dropped, instead of after
Reflex's own hour of inactivity. A tab that comes back later hydrates a fresh state, as after a restart. With Redis
the states live there and expire by ``redis_token_expiration``.
"""

from __future__ import annotations

import asyncio
import time

from reflex.istate.manager.memory import StateManagerMemory

# Long enough for a reload or a short network drop to find its state again.
CLOSED_TAB_GRACE_SECONDS = 300
SWEEP_SECONDS = 60


def release_closed_tabs(manager: StateManagerMemory, connected: set[str] | dict, *, now: float | None = None,
                        grace: float = CLOSED_TAB_GRACE_SECONDS) -> int:
    """Drops the states of tabs not in ``connected`` and untouched for ``grace`` seconds; returns how many."""
    now = time.time() if now is None else now
    released = 0
    for expires_at, token in list(manager._token_expires_at.values()):
        last_used = expires_at - manager.token_expiration
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
        manager, namespace = app.state_manager, app.event_namespace
        if isinstance(manager, StateManagerMemory) and namespace is not None:
            release_closed_tabs(manager, namespace.token_to_sid)
