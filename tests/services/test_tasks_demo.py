"""The demo tasks load once, through the real use cases, and leave a consistent ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.services import prepaid
from opsportal.services.demo import load_demo
from opsportal.services.demo_credits import load_demo_credits
from opsportal.services.demo_tasks import load_demo_tasks
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.builders import actor_for, load_org, make_user
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW, cache_mismatches
from tests.utils.tasks import logged_minutes_mismatches, split_mismatches


def _scalar_rows(sql: str, **params) -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_the_demo_tasks_load_once_with_time_comments_and_pay_as_you_go_and_a_second_load_changes_nothing(
        database_url):
    load_demo(OPERATOR)
    load_demo_credits(OPERATOR, now=NOW)

    created = load_demo_tasks(OPERATOR, now=NOW)

    assert created > 200
    statuses = dict(_scalar_rows("SELECT status, COUNT(*) FROM ticket GROUP BY status"))
    assert set(statuses) == {"open", "in_progress", "waiting_on_customer", "resolved", "closed"}
    [(entries, prepaid_minutes, payg_minutes, agents)] = _scalar_rows(
        "SELECT COUNT(*), SUM(prepaid_minutes), SUM(payg_minutes), COUNT(DISTINCT agent_user_id) FROM time_entry")
    assert entries > 300 and prepaid_minutes > 0 and payg_minutes > 0 and agents == 2
    assert _scalar_rows("SELECT COUNT(*) FROM time_entry WHERE work_date > :d", d=NOW.date()) == [(0,)]
    [(customer_comments,)] = _scalar_rows("SELECT COUNT(*) FROM ticket_comment WHERE NOT from_staff")
    assert customer_comments > 50
    retail = prepaid.hours_overview(OPERATOR, _org_id("Northwind Retail"), at=NOW)
    assert (retail.plan, retail.minutes_per_period) == ("Managed Care 10h", 600)
    assert (retail.period_start, retail.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert _scalar_rows("SELECT COUNT(*) FROM subscription_grant") == [(7,)]  # September to March
    assert prepaid.payg_view(OPERATOR, _org_id("Fabrikam Clinics"), at=NOW).currency == "EUR"
    assert cache_mismatches() == []
    assert logged_minutes_mismatches() == []
    assert split_mismatches() == []

    before = dump_tables()
    assert load_demo_tasks(OPERATOR, now=NOW) == 0
    assert dump_tables() == before


def _org_id(name: str) -> int:
    [(org_id,)] = _scalar_rows("SELECT id FROM organization WHERE name = :n", n=name)
    return org_id


@pytest.mark.parametrize("role", ["agent", "owner"])
def test_only_a_staff_administrator_may_load_the_demo_tasks(sqlite_database_url, role):
    load_demo(OPERATOR)
    org_id = None if role == "agent" else _org_id("Fabrikam Clinics")
    actor = actor_for(make_user(f"{role}@example.com", role=role, org=load_org(org_id) if org_id else None))
    before = dump_tables()
    with pytest.raises(PermissionDenied, match="^Only staff administrators may do this.$"):
        load_demo_tasks(actor, now=NOW)
    assert dump_tables() == before


def test_the_demo_tasks_need_the_demo_organizations(sqlite_database_url):
    with pytest.raises(NotFound, match="Northwind Holdings"):
        load_demo_tasks(OPERATOR, now=NOW)
