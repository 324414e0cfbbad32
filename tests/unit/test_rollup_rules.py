"""Who may read a subsidiary's support work through the roll-up, and the days and instants a period covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.access import Principal
from opsportal.domain.roles import Role
from opsportal.domain.rollup import MAX_PERIOD_DAYS, may_roll_up, period_days, window

PARENT, CHILD, GRANDCHILD, SIBLING = 1, 2, 3, 4


def who(role: str, org: int | None = PARENT) -> Principal:
    return Principal(user_id=7, role=Role(role), organization_id=org)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_a_managers_roll_up_reaches_their_own_organization_and_everything_below_it(role):
    assert may_roll_up(who(role), [PARENT])
    assert may_roll_up(who(role), [CHILD, PARENT])
    assert may_roll_up(who(role), [GRANDCHILD, CHILD, PARENT])


@pytest.mark.parametrize("role", ["owner", "admin", "billing", "member"])
def test_nobody_reads_upward_or_sideways(role):
    child_user = who(role, CHILD)
    assert not may_roll_up(child_user, [PARENT])
    assert not may_roll_up(child_user, [SIBLING, PARENT])


@pytest.mark.parametrize("role", ["billing", "member"])
def test_billing_contacts_and_members_do_not_get_the_roll_up(role):
    assert not may_roll_up(who(role), [CHILD, PARENT])


@pytest.mark.parametrize("role", ["agent", "staff_admin"])
def test_staff_read_any_organizations_roll_up(role):
    assert may_roll_up(who(role, None), [SIBLING])


@given(lineage=st.lists(st.integers(1, 50), min_size=1, max_size=6, unique=True), org=st.integers(1, 50),
       role=st.sampled_from(["owner", "admin", "billing", "member"]))
def test_a_customer_reads_exactly_the_organizations_below_or_at_their_own_as_a_manager(lineage, org, role):
    assert may_roll_up(who(role, org), lineage) == (role in ("owner", "admin") and org in lineage)


def test_this_month_runs_from_the_first_to_today_and_last_month_is_the_whole_previous_month():
    assert period_days("this_month", date(2026, 3, 10)) == (date(2026, 3, 1), date(2026, 3, 10))
    assert period_days("last_month", date(2026, 3, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days("last_month", date(2026, 1, 31)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_a_custom_range_needs_both_days_in_order_and_at_most_a_year():
    assert period_days("custom", date(2026, 3, 10), date(2026, 1, 5), date(2026, 1, 5)) == (date(2026, 1, 5),) * 2
    with pytest.raises(ValueError, match="both"):
        period_days("custom", date(2026, 3, 10), date(2026, 1, 5), None)
    with pytest.raises(ValueError, match="after"):
        period_days("custom", date(2026, 3, 10), date(2026, 2, 5), date(2026, 1, 5))
    with pytest.raises(ValueError, match="at most"):
        period_days("custom", date(2026, 3, 10), date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=MAX_PERIOD_DAYS))
    with pytest.raises(ValueError, match="Choose"):
        period_days("yesterday", date(2026, 3, 10))


def test_a_periods_instants_are_the_readers_local_midnights_across_a_clock_change():
    # New York moves its clocks forward on 8 March 2026: the month starts at 05:00 UTC and ends at 04:00 UTC.
    span = window(date(2026, 3, 1), date(2026, 3, 31), "America/New_York")
    assert (span.start, span.end) == (datetime(2026, 3, 1, 5, tzinfo=UTC), datetime(2026, 4, 1, 4, tzinfo=UTC))
    utc = window(date(2026, 3, 1), date(2026, 3, 31), "UTC")
    assert (utc.start, utc.end) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
