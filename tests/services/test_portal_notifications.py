"""Each user's in-portal notification list (the bell): what is recorded, counted, listed and marked read, that a user
only ever reads and marks their own lines, the change feed's ``user:<id>`` topic, and retention (SQLite and
PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.models import PortalNotification, User
from opsportal.services import agent_work, changes, portal_notifications, scheduler, tasks
from opsportal.services.errors import NotFound
from tests.utils.builders import actor_for

T0 = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


def _ticket(world, who: str = "retail_owner", subject: str = "Printer offline") -> int:
    return tasks.create_ticket(world.actor(who), subject=subject, category="End-user support", priority="normal",
                               description="It stopped printing this morning.", at=T0).id


def _reply(world, task_id: int, text: str = "We are on it.", minutes: int = 10) -> None:
    tasks.add_comment(world.actor("agent"), task_id, text, at=T0 + timedelta(minutes=minutes))


def _read_at(line_id: int):
    with unit_of_work(write=False) as session:
        return session.get(PortalNotification, line_id).read_at


def test_an_agents_reply_gives_the_requester_one_unread_line_that_leads_to_the_task(world):
    task_id = _ticket(world)
    _reply(world, task_id, "Please restart   the printer.")
    bell = portal_notifications.bell(world.actor("retail_owner"), with_lines=True)
    assert bell.unread == 1
    [line] = bell.lines
    assert (line.title, line.text, line.link, line.unread) == (
        "New reply: Printer offline", "Please restart the printer.", routes.task(task_id), True)


def test_the_bell_counts_every_unread_line_but_lists_only_the_newest_ten_newest_first(world):
    task_id = _ticket(world)
    for i in range(12):
        _reply(world, task_id, f"Update {i}", minutes=i + 1)
    bell = portal_notifications.bell(world.actor("retail_owner"), with_lines=True)
    assert bell.unread == 12
    assert [line.text for line in bell.lines] == [f"Update {i}" for i in range(11, 1, -1)]
    assert portal_notifications.bell(world.actor("retail_owner")).lines == []


def test_the_updates_page_pages_the_lines_newest_first(world):
    task_id = _ticket(world)
    for i in range(30):
        _reply(world, task_id, f"Update {i}", minutes=i + 1)
    owner = world.actor("retail_owner")
    first, second = portal_notifications.history(owner, 1), portal_notifications.history(owner, 2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (30, 2, 25, 5)
    assert first.items[0].text == "Update 29" and second.items[-1].text == "Update 0"
    assert portal_notifications.history(owner, 9).page == 2  # past the end: the last page


def test_lines_shown_in_the_list_become_read_and_the_others_stay_unread(world):
    task_id = _ticket(world)
    for i in range(3):
        _reply(world, task_id, f"Update {i}", minutes=i + 1)
    owner = world.actor("retail_owner")
    lines = portal_notifications.bell(owner, with_lines=True).lines
    assert portal_notifications.mark_shown_read(owner, [lines[0].id, lines[1].id], at=T0 + timedelta(hours=1)) == 2
    assert portal_notifications.unread_count(owner) == 1
    assert _read_at(lines[0].id) == T0 + timedelta(hours=1) and _read_at(lines[2].id) is None


def test_opening_a_task_marks_its_lines_read_and_no_other_tasks(world):
    printer, vpn = _ticket(world), _ticket(world, subject="VPN drops")
    _reply(world, printer)
    _reply(world, vpn)
    owner = world.actor("retail_owner")
    assert portal_notifications.mark_task_seen(owner, printer) == 1
    assert portal_notifications.mark_task_seen(owner, printer) == 0  # nothing left: nothing written
    [left] = [line for line in portal_notifications.bell(owner, with_lines=True).lines if line.unread]
    assert left.link == routes.task(vpn)


def test_mark_all_read_clears_the_badge(world):
    task_id = _ticket(world)
    _reply(world, task_id)
    _reply(world, task_id, minutes=20)
    owner = world.actor("retail_owner")
    assert portal_notifications.mark_all_read(owner) == 2
    assert portal_notifications.unread_count(owner) == 0
    assert portal_notifications.mark_all_read(owner) == 0


def test_a_colleague_cannot_mark_another_users_line_read(world):
    task_id = _ticket(world)
    _reply(world, task_id)
    [line] = portal_notifications.bell(world.actor("retail_owner"), with_lines=True).lines
    colleague = world.actor("retail_member")
    with pytest.raises(NotFound, match="notification was not found"):
        portal_notifications.mark_read(colleague, line.id)
    assert portal_notifications.mark_shown_read(colleague, [line.id]) == 0
    assert portal_notifications.mark_all_read(colleague) == 0
    assert portal_notifications.mark_task_seen(colleague, task_id) == 0
    assert portal_notifications.bell(colleague, with_lines=True).lines == []
    assert _read_at(line.id) is None


def test_another_organizations_user_can_neither_see_nor_mark_a_line(world):
    task_id = _ticket(world)
    _reply(world, task_id)
    [line] = portal_notifications.bell(world.actor("retail_owner"), with_lines=True).lines
    stranger = world.actor("fabrikam_owner")
    with pytest.raises(NotFound, match="notification was not found"):
        portal_notifications.mark_read(stranger, line.id)
    assert portal_notifications.mark_shown_read(stranger, [line.id]) == 0
    assert portal_notifications.history(stranger).total == 0
    assert _read_at(line.id) is None
    assert portal_notifications.mark_read(world.actor("retail_owner"), line.id) == 1


def test_a_user_moved_to_another_organization_no_longer_sees_the_old_organizations_lines(world):
    task_id = _ticket(world)
    _reply(world, task_id)
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.id == world.users["retail_owner"].id)).one()
        user.organization_id = world.fabrikam.id
        session.add(user)
    moved = replace(actor_for(world.users["retail_owner"]), organization_id=world.fabrikam.id)
    assert portal_notifications.unread_count(moved) == 0
    assert portal_notifications.history(moved).total == 0


def test_a_customers_reply_gives_the_assigned_agent_a_line_that_leads_to_the_staff_task_page(world):
    task_id = _ticket(world)
    agent = world.actor("agent")
    agent_work.assign(world.actor("staff_admin"), task_id, agent.user_id, at=T0)
    tasks.add_comment(world.actor("retail_owner"), task_id, "Still broken after a restart.",
                      at=T0 + timedelta(minutes=5))
    [line] = portal_notifications.bell(agent, with_lines=True).lines
    assert (line.title, line.text, line.link) == ("Customer reply: Printer offline",
                                                  "Rita Alvarez: Still broken after a restart.",
                                                  routes.staff_task(task_id))
    assert portal_notifications.unread_count(world.actor("staff_admin")) == 0


def test_a_customers_reply_on_an_unassigned_task_gives_nobody_a_line(world):
    task_id = _ticket(world)
    tasks.add_comment(world.actor("retail_owner"), task_id, "Any news?", at=T0 + timedelta(minutes=5))
    with unit_of_work(write=False) as session:
        assert session.exec(select(PortalNotification)).all() == []


def test_a_new_line_and_marking_it_read_wake_only_that_users_topic(world):
    task_id = _ticket(world)
    owner = world.actor("retail_owner")
    before = changes.newest_id()
    _reply(world, task_id)
    found = {topic for _id, topic in changes.since(before)}
    assert changes.user_topic(owner.user_id) in found
    assert not any(t.startswith("user:") and t != changes.user_topic(owner.user_id) for t in found)
    before = changes.newest_id()
    portal_notifications.mark_all_read(owner)
    assert {topic for _id, topic in changes.since(before)} == {changes.user_topic(owner.user_id)}
    before = changes.newest_id()
    portal_notifications.mark_all_read(owner)  # nothing to mark: nothing announced
    assert changes.since(before) == []


def test_retention_deletes_only_lines_read_before_it_and_at_most_a_batch_a_run(world):
    task_id = _ticket(world)
    for i in range(4):
        _reply(world, task_id, f"Update {i}", minutes=i + 1)
    owner = world.actor("retail_owner")
    lines = portal_notifications.bell(owner, with_lines=True).lines  # newest first
    old = T0 + timedelta(days=1)
    portal_notifications.mark_shown_read(owner, [lines[3].id, lines[2].id], at=old)
    portal_notifications.mark_shown_read(owner, [lines[1].id], at=old + timedelta(days=80))
    now = old + timedelta(days=91)
    assert portal_notifications.prune_read(now=now, retention_days=90, limit=1) == 1
    assert portal_notifications.prune_read(now=now, retention_days=90, limit=1) == 1
    assert portal_notifications.prune_read(now=now, retention_days=90) == 0
    left = portal_notifications.history(owner).items
    assert [(line.text, line.unread) for line in left] == [("Update 3", True), ("Update 2", False)]


def test_the_hourly_tick_applies_the_configured_retention(world, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_PORTAL_NOTIFICATION_RETENTION_DAYS", "30")
    from opsportal.settings import get_settings
    get_settings.cache_clear()
    try:
        task_id = _ticket(world)
        _reply(world, task_id)
        owner = world.actor("retail_owner")
        portal_notifications.mark_all_read(owner, at=T0 + timedelta(days=1))
        assert scheduler.prune_portal_notifications(T0 + timedelta(days=30)) == 0
        assert scheduler.prune_portal_notifications(T0 + timedelta(days=32)) == 1
        assert portal_notifications.history(owner).total == 0
    finally:
        get_settings.cache_clear()



def test_the_demo_leaves_only_the_last_few_days_of_lines_unread(world):
    task_id = _ticket(world)
    _reply(world, task_id, "Old news")
    tasks.add_comment(world.actor("agent"), task_id, "Fresh news", at=T0 + timedelta(days=10))
    assert portal_notifications.read_demo_history(T0 + timedelta(days=11)) == 1
    lines = portal_notifications.history(world.actor("retail_owner")).items
    assert [(line.text, line.unread) for line in lines] == [("Fresh news", True), ("Old news", False)]
