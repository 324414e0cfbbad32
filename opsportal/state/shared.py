"""Reads that the tabs of one backend process share: an organization's dashboard figures or a page of its tasks is
read once and served to every tab that asks for the same thing, until the change feed reports a change to what
it shows (``feed.Hub.changed_since``: a commit in this process counts at once, one elsewhere as soon as the
watcher hears of it) or ``ttl`` seconds pass (for what follows the clock).

Every caller is authorized before it is served: ``authorize()`` runs on every call, hit or miss. ``org_read``
shares only reads whose service allows exactly the callers ``require_view_organization`` allows, and keys them by
role too, so a read is never served to a caller its service would refuse.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from opsportal.services import organizations
from opsportal.services.authz import Actor, require_view_organization
from opsportal.state.feed import FORGET_SECONDS, HUB, Hub

T = TypeVar("T")
MAX_ENTRIES = 5_000


@dataclass(frozen=True)
class _Entry:
    value: Any
    topics: frozenset[str]
    position: int
    started: float


class SharedReads:
    def __init__(self, hub: Hub, max_entries: int = MAX_ENTRIES) -> None:
        self._hub = hub
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries
        self.hits = self.misses = 0

    def read(self, key: Hashable, *, topics: Callable[[], Iterable[str]], authorize: Callable[[], None],
             read: Callable[[], T], ttl: float) -> T:
        """``read()``'s value for ``key``, from memory while none of ``topics()`` changed (``ttl`` at most).

        Without a running watcher (a process that serves no tabs) nothing is kept: every call reads.
        """
        if not 0 < ttl < FORGET_SECONDS:
            raise ValueError("ttl must be positive and shorter than the feed remembers changes")
        authorize()
        if not self._hub.running:
            return read()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if (entry is not None and now - entry.started < ttl
                and not self._hub.changed_since(entry.topics, entry.position, entry.started)):
            self.hits += 1
            return entry.value
        self.misses += 1
        position, started = self._hub.cursor, time.monotonic()  # taken before reading: a change meanwhile counts
        value = read()
        followed = frozenset(topics())
        with self._lock:
            self._entries[key] = _Entry(value, followed, position, started)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


SHARED = SharedReads(HUB)


def org_read(actor: Actor, org_id: int, read: Callable[..., T], /, *args: Any, ttl: float = 60.0, **kwargs: Any) -> T:
    """``read(actor, org_id, *args, **kwargs)``, shared by the tabs showing the same thing of the organization (it and
    its ancestors' changes make it stale). For services whose only check is ``require_view_organization``."""
    key = (read.__module__, read.__qualname__, org_id, actor.role.value, args, tuple(sorted(kwargs.items())))
    return SHARED.read(key, ttl=ttl, topics=lambda: organizations.change_topics(actor, org_id),
                       authorize=lambda: require_view_organization(actor, org_id),
                       read=lambda: read(actor, org_id, *args, **kwargs))
