"""One watcher per process wakes only the tabs whose topics changed; parked tabs cost nothing."""

from __future__ import annotations

import asyncio

import pytest

from opsportal.models import CreditLot, Ticket, TimeEntry, User
from opsportal.services import changes
from opsportal.state import feed
from tests.utils.aio import run_coroutine


class FakeFeed:
    def __init__(self) -> None:
        self.rows: list[tuple[int, str]] = [(1, "org:1")]
        self.reads = 0

    def newest_id(self) -> int:
        return self.rows[-1][0] if self.rows else 0

    def since(self, after_id: int, *, limit: int = 5000) -> list[tuple[int, str]]:
        self.reads += 1
        return [r for r in self.rows if r[0] > after_id][:limit]

    def commit(self, topic: str) -> None:
        self.rows.append((self.rows[-1][0] + 1, topic))


@pytest.fixture
def fake(monkeypatch) -> FakeFeed:
    fake = FakeFeed()
    monkeypatch.setattr(changes, "newest_id", fake.newest_id)
    monkeypatch.setattr(changes, "since", fake.since)
    monkeypatch.setattr(changes, "prune", lambda: 0)
    return fake


def run(coro):
    return run_coroutine(coro, timeout=10)


def test_a_tab_wakes_when_its_organization_changes_and_not_for_another(fake):
    async def scenario():
        hub = feed.Hub()
        await hub.start()
        mine, other = hub.subscribe(["org:7"]), hub.subscribe(["org:8"])
        fake.commit("org:7")
        hub._poke_from_any_thread()
        assert await mine.wait(2) is True
        assert await other.wait(0.2) is False

    run(scenario())


def test_a_change_between_reading_the_page_and_subscribing_still_wakes_the_tab(fake):
    async def scenario():
        hub = feed.Hub()
        await hub.start()
        read_at = hub.cursor
        fake.commit("task:3")
        hub._poke_from_any_thread()
        await asyncio.sleep(0.1)  # the watcher delivers it before the tab subscribes
        late = hub.subscribe(["task:3"], since=read_at)
        assert await late.wait(0.1) is True
        assert await hub.subscribe(["task:3"], since=hub.cursor).wait(0.1) is False

    run(scenario())


def test_parked_tabs_are_not_woken_and_the_feed_is_read_once_per_round_for_all_of_them(fake, monkeypatch):
    monkeypatch.setattr(feed, "get_settings", lambda: type("S", (), {"change_poll_ms": 50, "redis_url": None})())

    async def scenario():
        hub = feed.Hub()
        await hub.start()
        subs = [hub.subscribe([f"org:{i}"]) for i in range(1000)]
        reads_before = fake.reads
        await asyncio.sleep(0.3)
        assert not any(s._event.is_set() for s in subs)
        assert fake.reads - reads_before <= 8  # about one read per 50 ms round, not one per tab

    run(scenario())


def test_a_closed_subscription_is_forgotten(fake):
    async def scenario():
        hub = feed.Hub()
        await hub.start()
        sub = hub.subscribe(["org:1", "task:2"])
        assert hub.subscribers() == 1
        sub.close()
        assert hub.subscribers() == 0

    run(scenario())


def test_a_ticket_belongs_to_its_task_and_its_organization():
    assert changes.topics_of(Ticket(id=5, organization_id=2)) == {"task:5", "org:2"}


def test_a_time_entry_belongs_to_its_task_and_its_organization():
    assert changes.topics_of(TimeEntry(id=9, ticket_id=5, organization_id=2)) == {"task:5", "org:2"}


def test_a_credit_lot_belongs_to_its_holder_and_the_organization_it_is_allocated_to():
    assert changes.topics_of(CreditLot(id=1, holder_org_id=1, assigned_org_id=3)) == {"org:1", "org:3"}


def test_a_new_member_changes_what_the_organizations_pages_show():
    assert changes.topics_of(User(id=1, organization_id=2, role="member")) == {"org:2"}


def test_a_staff_user_belongs_to_no_organization():
    assert changes.topics_of(User(id=1, organization_id=None, role="agent")) == set()
