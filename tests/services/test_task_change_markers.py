"""What self-refreshing customer pages ask for: when a task or an organization's tasks last changed,
and the conversation of a closed task (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsportal.services import agent_work, tasks
from opsportal.services.errors import Conflict, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR

T0 = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
NOT_YOURS = "That organization was not found or you do not have access to it."


def _task(org, subject: str = "Printer offline", at: datetime = T0) -> int:
    return tasks.create_ticket(OPERATOR, subject=subject, category="End-user support", priority="normal",
                               description="It stopped printing this morning.", organization_id=org.id, at=at).id


def test_an_organizations_last_change_is_when_its_latest_task_changed(world):
    first = _task(world.holdings, at=T0)
    _task(world.holdings, "Second", at=T0 + timedelta(minutes=5))
    _task(world.fabrikam, "Elsewhere", at=T0 + timedelta(hours=2))
    owner = world.actor("holdings_owner")
    assert tasks.organization_last_change(owner, world.holdings.id) == T0 + timedelta(minutes=5)

    tasks.add_comment(owner, first, "Any news?", at=T0 + timedelta(minutes=30))

    assert tasks.organization_last_change(owner, world.holdings.id) == T0 + timedelta(minutes=30)


def test_an_organization_without_tasks_has_no_last_change(world):
    assert tasks.organization_last_change(world.actor("retail_owner"), world.retail.id) is None


@pytest.mark.parametrize("caller", ["fabrikam_owner", "retail_owner"])
def test_another_organizations_user_may_not_ask_when_its_tasks_changed(world, caller):
    _task(world.holdings)
    with pytest.raises(PermissionDenied, match=NOT_YOURS):
        tasks.organization_last_change(world.actor(caller), world.holdings.id)


def test_another_organizations_user_cannot_ask_when_a_task_changed(world):
    task_id = _task(world.holdings)
    with pytest.raises(NotFound, match=tasks.TASK_NOT_FOUND):
        tasks.last_change(world.actor("fabrikam_owner"), task_id)


def test_a_task_changes_when_an_agent_logs_time_on_it(world):
    task_id = _task(world.holdings)
    owner = world.actor("holdings_owner")
    before = tasks.last_change(owner, task_id)

    agent_work.log_time(world.actor("agent"), task_id, minutes=30, at=T0 + timedelta(hours=1))

    assert tasks.last_change(owner, task_id) == T0 + timedelta(hours=1) != before


def test_a_closed_task_takes_no_more_comments_and_nothing_changes(world):
    task_id = _task(world.holdings)
    agent_work.set_status(world.actor("agent"), task_id, "closed")
    owner = world.actor("holdings_owner")
    before = tasks.get_task(owner, task_id)

    with pytest.raises(Conflict, match="This task is closed"):
        tasks.add_comment(owner, task_id, "One more thing")

    assert tasks.get_task(owner, task_id) == before
