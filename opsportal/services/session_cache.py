"""Sessions this worker checked recently, so an event does not ask the database who is calling every time.

A token's actor is trusted for ``session_recheck_seconds`` after the database last confirmed its session, and
never past the session's expiry. Signing out or changing the password forgets the sessions on this worker at
once; other workers find out at their next check, within the interval. The key is the whole token: a token
that was verified once is the same string when it comes back, so neither its signature nor its session row is
read again until the entry is stale.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from opsportal import clock
from opsportal.services.authz import Actor

# Bounds the memory of a worker that sees many distinct sessions: the least recently used are dropped.
MAX_ENTRIES = 50_000


def _clock() -> float:
    """The cache's own clock (tests move it; patching ``time.monotonic`` itself would move every event loop's)."""
    return time.monotonic()


@dataclass(frozen=True)
class _Entry:
    actor: Actor
    checked: float  # time.monotonic() when the database last confirmed the session
    expires_at: datetime


class SessionCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max = max_entries

    def get(self, token: str, *, max_age_seconds: float, now: datetime | None = None,
            monotonic: float | None = None) -> Actor | None:
        """The actor behind ``token`` when it was confirmed less than ``max_age_seconds`` ago; else None."""
        if not token or max_age_seconds <= 0:
            return None
        ticks = _clock() if monotonic is None else monotonic
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if ticks - entry.checked >= max_age_seconds or entry.expires_at <= (now or clock.now()):
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return entry.actor

    def put(self, token: str, actor: Actor, expires_at: datetime, *, monotonic: float | None = None) -> None:
        checked = _clock() if monotonic is None else monotonic
        with self._lock:
            self._entries[token] = _Entry(actor, checked, expires_at)
            self._entries.move_to_end(token)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget_session(self, session_id: str) -> None:
        self._forget(lambda actor: actor.session_id == session_id)

    def forget_sessions(self, session_ids) -> None:
        ids = set(session_ids)
        if ids:
            self._forget(lambda actor: actor.session_id in ids)

    def forget_user(self, user_id: int) -> None:
        self._forget(lambda actor: actor.user_id == user_id)

    def update_user(self, user_id: int, change: Callable[[Actor], Actor]) -> None:
        """Rewrites the cached actor of every session of ``user_id`` (e.g. a new time zone shows at once).

        The entries keep their check time: this changes what the actor says, not when the session was confirmed.
        """
        with self._lock:
            for token, entry in list(self._entries.items()):
                if entry.actor.user_id == user_id:
                    self._entries[token] = _Entry(change(entry.actor), entry.checked, entry.expires_at)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget(self, matches) -> None:
        with self._lock:
            for token in [t for t, e in self._entries.items() if matches(e.actor)]:
                del self._entries[token]


RECENT = SessionCache()
