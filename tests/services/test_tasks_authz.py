"""Every task, time and prepaid-hours use case checks who is calling (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from opsportal.services import agent_work, prepaid, tasks
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import hours, log, new_task, task_state

NOT_YOURS = "That organization was not found or you do not have access to it."
TASK_NOT_FOUND = "That task was not found or you do not have access to it."
STAFF_ONLY = "This area is for the support team only."
STAFF_ADMINS_ONLY = "Only staff administrators may do this."
INTRUDERS = [
    ("fabrikam_owner", "holdings"),  # another tree
    ("logistics_owner", "retail"),  # a sibling
    ("holdings_owner", "retail"),  # the parent looking at its child
    ("retail_owner", "holdings"),  # the child looking at its parent
]


@pytest.fixture
def busy(world):
    """Each organization has a task with time logged and a comment."""
    made = {}
    for name in ("holdings", "retail", "logistics", "fabrikam"):
        org = world.org(name)
        hours(org, 120)
        made[name] = new_task(org, subject=f"{name} printer offline")
        log(made[name], 30)
        tasks.add_comment(OPERATOR, made[name], "We are on it.", at=NOW)
    return world, made


TASK_READS = {
    "get_task": lambda actor, task: tasks.get_task(actor, task),
    "change_topics": lambda actor, task: tasks.change_topics(actor, task),
    "add_comment": lambda actor, task: tasks.add_comment(actor, task, "Let me in"),
}
ORG_READS = {
    "list_tasks": lambda actor, org: tasks.list_tasks(actor, org, tab="all"),
    "hours_overview": lambda actor, org: prepaid.hours_overview(actor, org, at=NOW),
    "payg_view": lambda actor, org: prepaid.payg_view(actor, org, at=NOW),
    "create_ticket": lambda actor, org: tasks.create_ticket(actor, subject="Hello", category="Other",
                                                            priority="low", description="Let me in, please.",
                                                            organization_id=org),
}


@pytest.mark.parametrize("call", list(TASK_READS))
def test_a_task_of_another_organization_is_not_found_for_a_customer_even_in_the_same_tree(busy, call):
    world, made = busy
    before = task_state()
    for caller, target in INTRUDERS:
        with pytest.raises(NotFound) as refused:
            TASK_READS[call](world.actor(caller), made[target])
        assert str(refused.value) == TASK_NOT_FOUND, (caller, target)
    assert task_state() == before


@pytest.mark.parametrize("call", list(TASK_READS))
def test_an_unknown_task_gets_the_same_answer_as_another_organizations_task(busy, call):
    world, _made = busy
    with pytest.raises(NotFound) as refused:
        TASK_READS[call](world.actor("retail_owner"), 987654)
    assert str(refused.value) == TASK_NOT_FOUND


@pytest.mark.parametrize("call", list(ORG_READS))
def test_an_organizations_tasks_and_hours_refuse_a_user_of_another_organization_even_in_the_same_tree(busy, call):
    world, _made = busy
    before = task_state()
    for caller, target in INTRUDERS:
        with pytest.raises(PermissionDenied) as refused:
            ORG_READS[call](world.actor(caller), world.org(target).id)
        assert str(refused.value) == NOT_YOURS, (caller, target)
    assert task_state() == before


def test_the_organizations_own_member_reads_its_tasks_time_and_hours(busy):
    world, made = busy
    member = world.actor("retail_member")

    detail = tasks.get_task(member, made["retail"])
    page = tasks.list_tasks(member, world.retail.id, tab="all")

    assert (detail.row.title, [e.minutes for e in detail.time_entries]) == ("retail printer offline", [30])
    assert [c.body for c in detail.comments] == ["We are on it."]
    assert [r.id for r in page.items] == [made["retail"]]
    assert tasks.change_topics(member, made["retail"]) == [f"task:{made['retail']}"]
    assert prepaid.hours_overview(member, world.retail.id, at=NOW).remaining_minutes == 90
    assert tasks.add_comment(member, made["retail"], "Thanks!").author == "Sanjay Patel"


def test_a_customer_opens_a_ticket_for_their_own_organization_without_naming_it(world):
    row = tasks.create_ticket(world.actor("retail_member"), subject="  Wi-Fi   down in store 12 ",
                              category="Networking", priority="high", description="All handhelds lost Wi-Fi.")
    detail = tasks.get_task(world.actor("retail_owner"), row.id)
    assert (row.title, row.organization, row.status, row.priority) == ("Wi-Fi down in store 12", "Northwind Retail",
                                                                       "open", "high")
    assert detail.created_by == "Sanjay Patel"


def _staff_calls(world, task: int, entry: int):
    return {
        "queue": lambda a: agent_work.queue(a),
        "agents": lambda a: agent_work.agents(a),
        "assign": lambda a: agent_work.assign(a, task, world.users["agent"].id),
        "set_status": lambda a: agent_work.set_status(a, task, "closed"),
        "log_time": lambda a: agent_work.log_time(a, task, minutes=30, at=NOW),
        "correct_time": lambda a: agent_work.correct_time(a, entry, minutes=10, work_date=NOW.date(), note="",
                                                          reason="Typo", at=NOW),
    }


def _admin_calls(world):
    return {
        "create_subscription": lambda a: prepaid.create_subscription(
            a, organization_id=world.retail.id, name="Managed Care", minutes_per_period=600, period="monthly",
            rolls_over_once=True, starts_on=date(2025, 1, 1)),
        "grant_due_periods": lambda a: prepaid.grant_due_periods(a, at=NOW),
        "set_hourly_rate": lambda a: prepaid.set_hourly_rate(a, world.retail.id, hourly_rate_minor=1, currency="USD"),
    }


STAFF_CALLS = ["queue", "agents", "assign", "set_status", "log_time", "correct_time"]
ADMIN_CALLS = ["create_subscription", "grant_due_periods", "set_hourly_rate"]
CUSTOMERS = ["retail_owner", "retail_member", "holdings_owner", "holdings_admin", "fabrikam_owner"]


@pytest.mark.parametrize("call", STAFF_CALLS)
def test_the_support_teams_use_cases_refuse_every_customer_and_change_nothing(busy, call):
    world, made = busy
    prepaid.create_subscription(OPERATOR, organization_id=world.retail.id, name="Managed Care",
                                minutes_per_period=600, period="monthly", rolls_over_once=False,
                                starts_on=date(2025, 1, 1))
    entry = tasks.get_task(OPERATOR, made["retail"]).time_entries[0].id
    calls = _staff_calls(world, made["retail"], entry)
    before = task_state()
    for caller in CUSTOMERS:
        with pytest.raises(PermissionDenied, match=f"^{STAFF_ONLY}$"):
            calls[call](world.actor(caller))
    assert task_state() == before


@pytest.mark.parametrize("call", ADMIN_CALLS)
def test_subscriptions_periods_and_rates_are_for_staff_administrators_only(busy, call):
    world, _made = busy
    prepaid.create_subscription(OPERATOR, organization_id=world.retail.id, name="Managed Care",
                                minutes_per_period=600, period="monthly", rolls_over_once=False,
                                starts_on=date(2025, 1, 1))
    calls = _admin_calls(world)
    before = task_state()
    for caller in [*CUSTOMERS, "agent"]:
        with pytest.raises(PermissionDenied, match=f"^{STAFF_ADMINS_ONLY}$"):
            calls[call](world.actor(caller))
    assert task_state() == before


@pytest.mark.parametrize("call", STAFF_CALLS)
def test_an_agent_may_use_the_support_teams_use_cases(busy, call):
    world, made = busy
    entry = tasks.get_task(OPERATOR, made["retail"]).time_entries[0].id
    _staff_calls(world, made["retail"], entry)[call](world.actor("agent"))


def test_staff_read_any_organizations_task(busy):
    world, made = busy
    assert tasks.get_task(world.actor("agent"), made["fabrikam"]).row.organization == "Fabrikam Clinics"
