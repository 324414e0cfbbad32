"""Managed-service periods, the hours overview with its forecast, and pay-as-you-go time (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from opsportal.db import get_engine, unit_of_work
from opsportal.models import CreditLot
from opsportal.services import agent_work, credits, prepaid, tasks
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, utc
from tests.utils.tasks import bill, correct, hours, log, new_task, set_rate, task_state

MARCH_1, APRIL_1, MAY_1 = utc(2025, 3, 1), utc(2025, 4, 1), utc(2025, 5, 1)


def subscribe(org, *, minutes: int = 600, period: str = "monthly", rolls_over_once: bool = False,
              starts_on: date = date(2025, 1, 1), name: str = "Managed Care 10h") -> prepaid.SubscriptionPublic:
    return prepaid.create_subscription(OPERATOR, organization_id=org.id, name=name, minutes_per_period=minutes,
                                       period=period, rolls_over_once=rolls_over_once, starts_on=starts_on)


def run_job(at=NOW) -> int:
    return prepaid.grant_due_periods(OPERATOR, at=at)


def lots_of(org) -> list[dict]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(CreditLot).where(CreditLot.holder_org_id == org.id).order_by(CreditLot.id)).all()
        return [r.model_dump() for r in rows]


def plan_lots(org) -> list[tuple]:
    """(granted_at, expires_at, quantity) of the organization's lots, in id order."""
    return [(lot["granted_at"], lot["expires_at"], lot["quantity"]) for lot in lots_of(org)]


def update_subscription(sub_id: int, **values) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with get_engine().begin() as conn:
        conn.execute(text(f"UPDATE service_subscription SET {sets} WHERE id = :id"), {"id": sub_id, **values})


# ------------------------------------------------------------------------------------------- periods


def test_the_period_job_grants_the_current_periods_hours_usable_through_the_periods_last_day(world):
    subscribe(world.retail)

    assert run_job(NOW) == 1

    [lot] = lots_of(world.retail)
    assert (lot["granted_at"], lot["expires_at"], lot["quantity"], lot["remaining"]) == (MARCH_1, APRIL_1, 600, 600)
    assert (lot["kind"], lot["origin"], lot["scope"], lot["product_code"]) == ("purchased", "plan_period", "org",
                                                                                "support_hours")
    assert lot["note"] == "Managed Care 10h: 1 Mar 2025 – 31 Mar 2025"
    assert cache_mismatches() == []


def test_hours_that_roll_over_once_expire_at_the_end_of_the_next_period(world):
    subscribe(world.retail, rolls_over_once=True, starts_on=date(2025, 3, 1))
    run_job(NOW)
    assert plan_lots(world.retail) == [(MARCH_1, MAY_1, 600)]


def test_a_period_the_job_missed_is_granted_late_while_its_hours_still_roll_over(world):
    subscribe(world.retail, rolls_over_once=True, starts_on=date(2025, 2, 1))
    assert run_job(NOW) == 2  # nothing ran in February: its hours are usable through March, so they come too
    assert plan_lots(world.retail) == [(utc(2025, 2, 1), APRIL_1, 600), (MARCH_1, MAY_1, 600)]
    assert run_job(NOW) == 0
    assert cache_mismatches() == []


def test_a_missed_period_whose_hours_would_have_expired_is_not_granted_late(world):
    subscribe(world.retail, starts_on=date(2025, 1, 1))  # no rollover: January and February are gone
    assert run_job(NOW) == 1
    assert plan_lots(world.retail) == [(MARCH_1, APRIL_1, 600)]


def test_the_portals_hourly_scheduler_tick_grants_the_periods_hours_once(world):
    from opsportal.services import scheduler

    subscribe(world.retail, starts_on=date(2025, 3, 1))
    assert scheduler.grant_subscription_periods(NOW) == 1
    assert scheduler.grant_subscription_periods(NOW + timedelta(hours=1)) == 0
    assert plan_lots(world.retail) == [(MARCH_1, APRIL_1, 600)]


def test_running_the_period_job_again_in_the_same_period_grants_nothing_and_changes_nothing(world):
    subscribe(world.retail, rolls_over_once=True)
    run_job(NOW)
    before = task_state()

    assert run_job(NOW + timedelta(days=5)) == 0
    assert run_job(utc(2025, 3, 31, 23, 59)) == 0

    assert task_state() == before


def test_each_new_period_gets_one_lot_of_its_own(world):
    subscribe(world.retail, starts_on=date(2025, 3, 1))

    assert [run_job(at) for at in (NOW, NOW, APRIL_1, utc(2025, 4, 30, 23), MAY_1)] == [1, 0, 1, 0, 1]

    assert plan_lots(world.retail) == [(MARCH_1, APRIL_1, 600), (APRIL_1, MAY_1, 600), (MAY_1, utc(2025, 6, 1), 600)]


def test_a_quarterly_subscription_grants_once_a_quarter_for_the_whole_quarter(world):
    subscribe(world.retail, period="quarterly", minutes=1800)

    assert [run_job(at) for at in (utc(2025, 1, 2), utc(2025, 2, 15), NOW, APRIL_1)] == [1, 0, 0, 1]

    assert plan_lots(world.retail) == [(utc(2025, 1, 1), APRIL_1, 1800), (APRIL_1, utc(2025, 7, 1), 1800)]


def test_a_subscription_starting_mid_month_is_granted_from_its_first_day(world):
    subscribe(world.retail, starts_on=date(2025, 3, 5))
    run_job(NOW)
    assert plan_lots(world.retail) == [(utc(2025, 3, 5), APRIL_1, 600)]


def test_a_missed_period_whose_hours_do_not_roll_over_is_not_granted_after_it_ended(world):
    subscribe(world.retail, rolls_over_once=False, starts_on=date(2025, 2, 1))
    assert run_job(NOW) == 1
    assert plan_lots(world.retail) == [(MARCH_1, APRIL_1, 600)]


def test_subscriptions_not_started_ended_or_inactive_get_nothing(world):
    subscribe(world.retail, starts_on=date(2025, 3, 11))
    ended = subscribe(world.logistics)
    update_subscription(ended.id, ends_on=date(2025, 3, 9))
    inactive = subscribe(world.fabrikam)
    update_subscription(inactive.id, active=False)

    assert run_job(NOW) == 0
    assert task_state()["credit_lot"] == []


@pytest.mark.parametrize("threads", [2, 6])
def test_period_jobs_racing_each_other_grant_each_period_exactly_once(world, threads):
    subscribe(world.retail, rolls_over_once=True, starts_on=date(2025, 3, 1))
    subscribe(world.logistics, period="quarterly")
    for at in (NOW, APRIL_1 + timedelta(hours=1)):
        barrier = threading.Barrier(threads)
        results, errors = [], []

        def job(at=at, barrier=barrier, results=results, errors=errors):
            barrier.wait()
            try:
                results.append(run_job(at))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        pool = [threading.Thread(target=job) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        assert errors == []
        assert sum(results) == 2  # one period of each subscription
    assert len(lots_of(world.retail)) == 2 and len(lots_of(world.logistics)) == 2
    assert cache_mismatches() == []


def test_the_periods_hours_are_what_logged_time_draws(world):
    subscribe(world.retail)
    run_job(NOW)

    entry = log(new_task(world.retail), 90, at=NOW)

    [lot] = lots_of(world.retail)
    assert (entry.prepaid_minutes, lot["remaining"]) == (90, 510)


# ------------------------------------------------------------------------------------ hours overview


@pytest.fixture
def managed(world):
    """Retail on "Managed Care 10h" (rolls over once) since February, 100 minutes used in Feb and 90 in March."""
    subscribe(world.retail, rolls_over_once=True, starts_on=date(2025, 2, 1))
    run_job(utc(2025, 2, 1, 6))
    run_job(utc(2025, 3, 1, 6))
    task = new_task(world.retail, at=utc(2025, 2, 19))
    log(task, 100, at=utc(2025, 2, 20, 10))
    log(task, 90, at=utc(2025, 3, 5, 10))
    return world


def test_the_overview_shows_remaining_hours_use_this_period_and_the_plan(managed):
    world = managed

    overview = prepaid.hours_overview(world.actor("retail_member"), world.retail.id, at=NOW)

    assert overview.remaining_minutes == 600 - 190 + 600
    assert overview.used_this_period == 90
    assert (overview.period_start, overview.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert (overview.plan, overview.minutes_per_period) == ("Managed Care 10h", 600)


def test_the_forecast_says_hours_that_outlast_their_expiry_will_partly_go_unused(managed):
    world = managed

    forecast = prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW).forecast

    # 190 minutes in the last 30 days: 6.3 a day; 1,010 minutes last 159 days, past the end of April.
    assert (forecast.minutes_per_day, forecast.runs_out_on, forecast.expires_on) == (
        6, date(2025, 8, 16), date(2025, 4, 30))
    assert forecast.message.endswith("after they expire on 30 Apr 2025: some will go unused.")


def test_the_remaining_hours_include_the_parents_shared_hours_and_without_expiry_there_is_only_a_run_out_date(managed):
    world = managed
    hours(world.holdings, 300, shared=True, at=utc(2025, 1, 1))

    overview = prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW)

    assert overview.remaining_minutes == 1310
    assert overview.forecast.expires_on is None
    assert overview.forecast.message == "At the last 30 days' pace your hours run out on 02 Oct 2025."


def test_a_correction_lowers_the_hours_used_this_period(managed):
    world = managed
    [task] = agent_work.queue(OPERATOR, organization_id=world.retail.id).items
    [march] = [e for e in tasks.get_task(OPERATOR, task.id).time_entries if e.work_date.month == 3]

    correct(march.id, 30, at=NOW - timedelta(hours=1))

    overview = prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW)
    assert (overview.used_this_period, overview.remaining_minutes) == (30, 1070)


def test_hours_expired_or_held_for_an_open_ticket_are_not_remaining_even_before_the_expiry_job_runs(world):
    hours(world.retail, 120, expires=date(2025, 3, 9), at=utc(2025, 1, 1))
    hours(world.retail, 300, at=utc(2025, 1, 1))
    task = new_task(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=task, product="support_hours", quantity=100, at=NOW)

    assert prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW).remaining_minutes == 200


def test_without_a_subscription_the_period_is_the_calendar_month_and_there_is_no_plan(world):
    hours(world.retail, 300)

    overview = prepaid.hours_overview(OPERATOR, world.retail.id, at=utc(2025, 2, 28, 23))

    assert (overview.period_start, overview.period_end, overview.plan, overview.minutes_per_period) == (
        date(2025, 2, 1), date(2025, 2, 28), None, None)


def test_with_no_hours_left_the_forecast_says_new_work_is_pay_as_you_go(world):
    hours(world.retail, 60)
    log(new_task(world.retail), 90)

    overview = prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW)

    assert (overview.remaining_minutes, overview.used_this_period) == (0, 60)
    assert overview.forecast.message == "No prepaid hours left: new work is billed pay-as-you-go."


def test_without_use_in_the_last_30_days_the_forecast_gives_the_expiry(world):
    hours(world.retail, 300, expires=date(2025, 6, 30))
    assert prepaid.hours_overview(OPERATOR, world.retail.id, at=NOW).forecast.message == (
        "No hours used in the last 30 days; they expire on 30 Jun 2025.")


# ------------------------------------------------------------------------------------ pay-as-you-go


def test_the_pay_as_you_go_view_totals_this_months_unbilled_time_per_task_at_its_price(world):
    set_rate(world.retail, 12_000, "USD")
    hours(world.retail, 30, at=utc(2025, 3, 4))
    a = new_task(world.retail, subject="VPN drops", at=utc(2025, 2, 1))
    b = new_task(world.retail, subject="Printer offline", at=utc(2025, 2, 1))
    log(a, 60, at=utc(2025, 2, 20))  # February: not this month
    log(a, 75, at=utc(2025, 3, 5))  # 30 prepaid + 45 pay-as-you-go
    log(b, 30, at=utc(2025, 3, 6))
    log(b, 10, at=utc(2025, 3, 6, 12))
    billed = log(b, 60, at=utc(2025, 3, 7))
    bill(billed.id)

    view = prepaid.payg_view(world.actor("retail_member"), world.retail.id, at=NOW)

    assert [(t.ticket_id, t.title, t.minutes, t.amount_minor) for t in view.tasks] == [
        (b, "Printer offline", 40, 8_000), (a, "VPN drops", 45, 9_000)]
    assert (view.total_minutes, view.total_minor, view.currency, view.hourly_rate_minor) == (85, 17_000, "USD", 12_000)
    assert (view.period_start, view.period_end) == (date(2025, 3, 1), date(2025, 3, 31))


def test_the_pay_as_you_go_view_of_an_organization_without_such_time_is_empty(world):
    hours(world.retail, 300)
    log(new_task(world.retail), 60)
    view = prepaid.payg_view(OPERATOR, world.retail.id, at=NOW)
    assert (view.tasks, view.total_minutes, view.total_minor) == ([], 0, 0)
