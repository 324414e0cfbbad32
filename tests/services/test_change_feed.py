"""The change feed open pages follow: what committed, in which organization and task, and who may follow what
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.services import agent_work, changes, credits, organizations, tasks
from opsportal.services.errors import Conflict, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR

T0 = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
NOT_YOURS = "That organization was not found or you do not have access to it."


def _task(org, subject: str = "Printer offline", at: datetime = T0) -> int:
    return tasks.create_ticket(OPERATOR, subject=subject, category="End-user support", priority="normal",
                               description="It stopped printing this morning.", organization_id=org.id, at=at).id


def _topics_after(position: int) -> set[str]:
    return {topic for _id, topic in changes.since(position)}


def test_a_new_task_is_announced_for_its_task_and_its_organization(world):
    before = changes.newest_id()
    task_id = _task(world.retail)
    assert _topics_after(before) == {f"task:{task_id}", f"org:{world.retail.id}"}


def test_an_agents_time_entry_is_announced_for_the_task_and_the_organization(world):
    task_id = _task(world.holdings)
    before = changes.newest_id()
    agent_work.log_time(world.actor("agent"), task_id, minutes=30, at=T0 + timedelta(hours=1))
    assert {f"task:{task_id}", f"org:{world.holdings.id}"} <= _topics_after(before)


def test_a_customers_comment_is_announced_for_its_task(world):
    task_id = _task(world.holdings)
    before = changes.newest_id()
    tasks.add_comment(world.actor("holdings_owner"), task_id, "Any news?", at=T0 + timedelta(minutes=30))
    assert f"task:{task_id}" in _topics_after(before)


def test_a_grant_of_shared_credits_is_announced_for_the_holder(world):
    before = changes.newest_id()
    credits.grant(world.actor("staff_admin"), org_id=world.holdings.id, product="support_hours", quantity=120,
                  kind="complimentary", shared=True)
    assert _topics_after(before) == {f"org:{world.holdings.id}"}


def test_a_draw_on_an_ancestors_shared_credits_is_announced_for_the_drawer_and_the_holder(world):
    staff = world.actor("staff_admin")
    credits.grant(staff, org_id=world.holdings.id, product="support_hours", quantity=120, kind="complimentary",
                  shared=True)
    before = changes.newest_id()
    credits.consume(staff, org_id=world.retail.id, product="support_hours", quantity=30, category="Networking")
    assert {f"org:{world.retail.id}", f"org:{world.holdings.id}"} <= _topics_after(before)


def test_a_write_the_flush_cannot_see_is_announced_when_marked(world):
    before = changes.newest_id()
    with unit_of_work() as session:
        changes.mark(session, f"org:{world.fabrikam.id}")
    assert _topics_after(before) == {f"org:{world.fabrikam.id}"}


def test_a_sign_in_changes_nothing_an_open_page_shows(world):
    from opsportal.services import auth
    from tests.utils.builders import PASSWORD, make_user

    make_user("ivy@northwind.example", role="member", org=world.retail, full_name="Ivy Chen")
    before = changes.newest_id()
    auth.sign_in(email="ivy@northwind.example", password=PASSWORD)
    assert _topics_after(before) == set()


def test_a_members_new_role_is_announced_for_the_organization(world):
    user = world.users["holdings_member"]
    before = changes.newest_id()
    with unit_of_work() as session:
        row = session.get(type(user), user.id)
        row.role = "billing"
        session.add(row)
    assert _topics_after(before) == {f"org:{world.holdings.id}"}


def test_a_new_subsidiary_is_announced_for_its_parent(world):
    before = changes.newest_id()
    organizations.create_organization(world.actor("staff_admin"), name="Northwind Labs",
                                      parent_name="Northwind Holdings")
    assert f"org:{world.holdings.id}" in _topics_after(before)


def test_a_rolled_back_change_is_never_announced(world):
    before = changes.newest_id()
    with pytest.raises(RuntimeError, match="changed my mind"), unit_of_work() as session:
        world.retail.name = "Renamed for a moment"
        session.add(world.retail)
        session.flush()
        raise RuntimeError("changed my mind")
    assert _topics_after(before) == set()


def test_a_refused_action_announces_nothing(world):
    task_id = _task(world.holdings)
    agent_work.set_status(world.actor("agent"), task_id, "closed")
    before = changes.newest_id()
    with pytest.raises(Conflict, match="This task is closed"):
        tasks.add_comment(world.actor("holdings_owner"), task_id, "One more thing")
    assert _topics_after(before) == set()


def test_changes_are_read_oldest_first_and_from_a_position(world):
    first = _task(world.holdings)
    middle = changes.newest_id()
    second = _task(world.holdings, "Second")
    ids = [row_id for row_id, _topic in changes.since(0)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert f"task:{first}" not in _topics_after(middle)
    assert f"task:{second}" in _topics_after(middle)


def test_old_changes_are_pruned_and_recent_ones_kept(world):
    _task(world.holdings)
    assert changes.prune(now=datetime.now(UTC)) == 0
    assert changes.prune(now=datetime.now(UTC) + changes.KEEP + timedelta(seconds=1)) > 0
    assert changes.since(0) == []


def test_a_page_of_a_subsidiary_follows_its_own_and_its_ancestors_changes(world):
    topics = organizations.change_topics(world.actor("retail_owner"), world.retail.id)
    assert topics == [f"org:{world.retail.id}", f"org:{world.holdings.id}"]


@pytest.mark.parametrize("caller", ["fabrikam_owner", "retail_owner"])
def test_another_organizations_user_may_not_follow_its_changes(world, caller):
    with pytest.raises(PermissionDenied, match=NOT_YOURS):
        organizations.change_topics(world.actor(caller), world.holdings.id)


def test_another_organizations_user_may_not_follow_a_task(world):
    task_id = _task(world.holdings)
    with pytest.raises(NotFound, match=tasks.TASK_NOT_FOUND):
        tasks.change_topics(world.actor("fabrikam_owner"), task_id)


def test_the_tasks_own_organization_follows_the_task(world):
    task_id = _task(world.holdings)
    assert tasks.change_topics(world.actor("holdings_member"), task_id) == [f"task:{task_id}"]


def test_a_closed_task_takes_no_more_comments_and_nothing_changes(world):
    task_id = _task(world.holdings)
    agent_work.set_status(world.actor("agent"), task_id, "closed")
    owner = world.actor("holdings_owner")
    before = tasks.get_task(owner, task_id)

    with pytest.raises(Conflict, match="This task is closed"):
        tasks.add_comment(owner, task_id, "One more thing")

    assert tasks.get_task(owner, task_id) == before
