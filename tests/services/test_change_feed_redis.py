"""With Redis configured, a commit in one process wakes the other processes' watchers at once, not at their next
poll (needs Redis on 127.0.0.1:6379, as on every development and CI machine)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from opsportal.services import changes
from opsportal.state import feed
from tests.utils.aio import run_coroutine

REDIS_URL = "redis://127.0.0.1:6379/4"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable on 127.0.0.1:6379")


def test_a_commit_announced_on_redis_wakes_a_watcher_long_before_its_next_poll(monkeypatch):
    rows = [(1, "org:1")]
    monkeypatch.setattr(changes, "newest_id", lambda: rows[-1][0])
    monkeypatch.setattr(changes, "since", lambda after, limit=5000: [r for r in rows if r[0] > after])
    settings = type("S", (), {"change_poll_ms": 60_000, "redis_url": REDIS_URL})()
    monkeypatch.setattr(feed, "get_settings", lambda: settings)
    monkeypatch.setattr(changes, "get_settings", lambda: settings)

    async def scenario():
        hub = feed.Hub()
        await hub.start()
        tab = hub.subscribe(["org:9"])
        rows.append((2, "org:9"))  # what another process committed...
        woke = False
        for _ in range(25):  # ...and announced (again, until the listener has subscribed: at most 5 s)
            await asyncio.to_thread(changes._poke_other_processes)
            if woke := await tab.wait(0.2):
                break
        await hub.stop()
        return woke

    assert run_coroutine(scenario(), timeout=10) is True
