"""Tabs of one process share a read until the change feed says what it shows changed."""

from __future__ import annotations

import asyncio

import pytest

from opsportal.services import changes
from opsportal.services.errors import PermissionDenied
from opsportal.state import feed
from opsportal.state.shared import SharedReads
from tests.utils.aio import run_coroutine


@pytest.fixture
def rows(monkeypatch) -> list[tuple[int, str]]:
    rows = [(1, "org:1")]
    monkeypatch.setattr(changes, "newest_id", lambda: rows[-1][0])
    monkeypatch.setattr(changes, "since", lambda after, limit=5000: [r for r in rows if r[0] > after])
    return rows


class Reader:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.reads


def shared_read(shared: SharedReads, reader: Reader, *, key="dash", topics=("org:7",), ttl=60.0,
                authorize=lambda: None) -> int:
    return shared.read(key, topics=lambda: topics, authorize=authorize, read=reader, ttl=ttl)


def with_hub(scenario):
    async def run():
        hub = feed.Hub()
        await hub.start()
        try:
            return await scenario(hub, SharedReads(hub))
        finally:
            await hub.stop()

    return run_coroutine(run(), timeout=10)


def test_a_second_tab_asking_the_same_thing_is_served_from_memory(rows):
    async def scenario(hub, shared):
        reader = Reader()
        assert shared_read(shared, reader) == shared_read(shared, reader) == 1
        return reader.reads

    assert with_hub(scenario) == 1


def test_a_commit_in_this_process_to_a_followed_topic_means_reading_again(rows):
    async def scenario(hub, shared):
        reader = Reader()
        shared_read(shared, reader)
        hub._poke_from_any_thread(frozenset({"org:7"}))
        return shared_read(shared, reader)

    assert with_hub(scenario) == 2


def test_a_change_another_process_committed_means_reading_again_once_the_watcher_delivers_it(rows):
    async def scenario(hub, shared):
        reader = Reader()
        shared_read(shared, reader)
        rows.append((2, "org:7"))
        hub._poke_from_any_thread()
        await asyncio.sleep(0.2)
        return shared_read(shared, reader)

    assert with_hub(scenario) == 2


def test_a_change_to_another_topic_keeps_the_read(rows):
    async def scenario(hub, shared):
        reader = Reader()
        shared_read(shared, reader)
        rows.append((2, "org:8"))
        hub._poke_from_any_thread(frozenset({"task:3"}))
        await asyncio.sleep(0.2)
        return shared_read(shared, reader)

    assert with_hub(scenario) == 1


def test_a_read_older_than_its_time_to_live_is_read_again(rows):
    async def scenario(hub, shared):
        reader = Reader()
        shared_read(shared, reader, ttl=0.05)
        await asyncio.sleep(0.1)
        return shared_read(shared, reader, ttl=0.05)

    assert with_hub(scenario) == 2


def test_every_caller_is_authorized_even_when_served_from_memory(rows):
    def refuse():
        raise PermissionDenied("That organization was not found or you do not have access to it.")

    async def scenario(hub, shared):
        reader = Reader()
        shared_read(shared, reader)
        with pytest.raises(PermissionDenied):
            shared_read(shared, reader, authorize=refuse)
        return reader.reads

    assert with_hub(scenario) == 1


def test_without_a_running_watcher_nothing_is_kept():
    hub = feed.Hub()
    shared, reader = SharedReads(hub), Reader()
    shared_read(shared, reader)
    assert shared_read(shared, reader) == 2
