"""The change feed's reading side: one watcher per backend process, waking only the tabs that show what changed.

The watcher follows ``change_event`` (``services.changes``) from the newest row: it asks once every
``change_poll_ms`` for what other processes committed, and at once when this process commits or, with Redis
configured, when any process announces a commit on ``changes.POKE_CHANNEL``. A tab subscribes
to its topics (``org:<id>``, ``task:<id>``) with the feed position it read its page at, so a change that committed
between its read and its subscription still wakes it. Idle tabs cost nothing: they wait on an ``asyncio.Event``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable

import redis.asyncio as aioredis

from opsportal.services import changes
from opsportal.settings import get_settings
from opsportal.state import offload

log = logging.getLogger(__name__)
HISTORY = 20_000  # recent (id, topic) kept in memory for late subscribers
PRUNE_EVERY_SECONDS = 120
# How long this process remembers when a topic last changed: longer than any shared read is kept (shared.py).
FORGET_SECONDS = 600.0


class Subscription:
    def __init__(self, hub: Hub, topics: frozenset[str]) -> None:
        self.hub, self.topics = hub, topics
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        """True when one of the topics changed (and clears it), False after ``timeout`` seconds of quiet."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    def close(self) -> None:
        self.hub._unsubscribe(self)


class Hub:
    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = {}
        self._history: deque[tuple[int, str]] = deque(maxlen=HISTORY)
        # Per topic: the newest change delivered (feed id), and when this process last committed one (monotonic).
        self._delivered: dict[str, tuple[int, float]] = {}
        self._committed_here: dict[str, float] = {}
        self._committed_lock = threading.Lock()  # committing threads write it, the watcher prunes it
        self._cursor: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._listener: asyncio.Task | None = None
        self._poke: asyncio.Event | None = None
        changes.on_commit(self._poke_from_any_thread)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def cursor(self) -> int:
        """The feed position this process has seen: a page read after this sees at least these changes."""
        return self._cursor or 0

    async def start(self) -> None:
        """Starts the watcher on the running loop (once); returns when it knows where the feed stands."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        self._loop, self._poke = loop, asyncio.Event()
        self._cursor = await offload.run(changes.newest_id)
        self._history.clear()
        self._task = loop.create_task(self._watch(), name="opsportal-change-feed")
        self._listener = None
        url = get_settings().redis_url
        if url:
            self._listener = loop.create_task(self._listen(url), name="opsportal-change-feed-redis")

    async def stop(self) -> None:
        """Stops the watcher (and its Redis listener) when the backend shuts down."""
        tasks = [t for t in (self._task, self._listener) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = self._listener = None

    def subscribe(self, topics: Iterable[str], *, since: int | None = None) -> Subscription:
        """Wakes on ``topics``; with ``since``, also for what changed after that position (already seen here)."""
        sub = Subscription(self, frozenset(topics))
        for topic in sub.topics:
            self._subs.setdefault(topic, set()).add(sub)
        if since is not None and any(i > since and t in sub.topics for i, t in reversed(self._history)):
            sub.notify()
        return sub

    def subscribers(self) -> int:
        return len({s for subs in self._subs.values() for s in subs})

    def _unsubscribe(self, sub: Subscription) -> None:
        for topic in sub.topics:
            subs = self._subs.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[topic]

    def changed_since(self, topics: Iterable[str], position: int, started: float) -> bool:
        """Whether any of ``topics`` changed after a read that started at ``started`` (monotonic) with the feed at
        ``position``: a change delivered from the feed after ``position``, or committed in this process since."""
        return any(self._delivered.get(t, (0, 0.0))[0] > position or self._committed_here.get(t, 0.0) >= started
                   for t in topics)

    def _poke_from_any_thread(self, topics: frozenset[str] = frozenset()) -> None:
        now = time.monotonic()
        with self._committed_lock:
            for topic in topics:
                self._committed_here[topic] = now
        loop, poke = self._loop, self._poke
        if loop is not None and poke is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(poke.set)

    def _deliver(self, rows: list[tuple[int, str]]) -> None:
        now = time.monotonic()
        for row_id, topic in rows:
            self._history.append((row_id, topic))
            self._delivered[topic] = (row_id, now)
            for sub in self._subs.get(topic, ()):
                sub.notify()
        if rows:
            self._cursor = rows[-1][0]

    def _forget_old(self, now: float) -> None:
        cutoff = now - FORGET_SECONDS
        self._delivered = {t: v for t, v in self._delivered.items() if v[1] >= cutoff}
        with self._committed_lock:
            self._committed_here = {t: at for t, at in self._committed_here.items() if at >= cutoff}

    async def _listen(self, url: str) -> None:
        """Pokes the watcher whenever a process announces a commit on Redis (reconnecting after an outage)."""
        while self._task is not None and not self._task.done():
            try:
                async with aioredis.Redis.from_url(url) as client, client.pubsub() as pubsub:
                    await pubsub.subscribe(changes.POKE_CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message" and self._poke is not None:
                            self._poke.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: polling goes on; try again in a while
                log.debug("change feed: Redis announcements unavailable", exc_info=True)
                await asyncio.sleep(5)

    async def _watch(self) -> None:
        poll = get_settings().change_poll_ms / 1000
        pruned = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), poll)
            self._poke.clear()
            try:
                while True:
                    rows = await offload.run(changes.since, self.cursor)
                    self._deliver(rows)
                    if len(rows) < 5000:
                        break
                if time.monotonic() - pruned > PRUNE_EVERY_SECONDS:
                    pruned = time.monotonic()
                    self._forget_old(pruned)
                    await offload.run(changes.prune)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: keep following, say so once per round
                log.warning("change feed: could not read changes", exc_info=True)
                await asyncio.sleep(poll)


HUB = Hub()
