"""Background jobs and the billing run as one (SQLite and PostgreSQL): one run of a month at a time, who and how
far, dead runs replaced, progress and results recorded."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import jobs as rules
from opsportal.models import Invoice, Job, TimeEntry
from opsportal.services import billing_run, jobs
from opsportal.services.errors import Conflict, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import log, new_task, set_rate

TODAY = NOW.date()  # 2025-03-10: February is over
FEBRUARY, JANUARY = "2025-02", "2025-01"
BILLING_FEB, BILLING_JAN = rules.billing_key(FEBRUARY), rules.billing_key(JANUARY)
THREADS = 6


def job_row(job_id: int) -> Job:
    with unit_of_work(write=False) as session:
        return session.get(Job, job_id)


def job_rows() -> list[Job]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(Job).order_by(Job.id)).all())


def test_a_second_start_of_a_running_job_is_refused_saying_who_started_it_when_and_how_far_it_is(world):
    sam = world.actor("staff_admin")
    started = clock.now().replace(hour=10, minute=2)
    job = jobs.start(sam, rules.BILLING, BILLING_FEB, 2_400, now=started)
    jobs.progress(job.id, 960, now=started + timedelta(minutes=1))

    with pytest.raises(Conflict) as refused:
        jobs.start(OPERATOR, rules.BILLING, BILLING_FEB, now=started + timedelta(minutes=2))

    assert str(refused.value) == ("A billing run for February 2025 is already running, started by Sam Taylor at "
                                  "10:02 UTC; it is 40% done.")
    assert refused.value.job_id == job.id  # a page refused a run follows the one going on
    assert [(j.id, j.status) for j in job_rows()] == [(job.id, "running")]


def test_a_job_of_another_month_may_run_alongside(world):
    sam = world.actor("staff_admin")
    february = jobs.start(sam, rules.BILLING, BILLING_FEB)

    january = jobs.start(sam, rules.BILLING, BILLING_JAN)

    assert january.id != february.id
    assert [(j.key, j.status) for j in job_rows()] == [(BILLING_FEB, "running"), (BILLING_JAN, "running")]


def test_a_running_job_silent_for_ten_minutes_is_considered_dead_and_may_be_started_again(world):
    sam = world.actor("staff_admin")
    then = clock.now() - timedelta(hours=1)
    dead = jobs.start(sam, rules.BILLING, BILLING_FEB, 10, now=then)
    jobs.progress(dead.id, 3, now=then + timedelta(minutes=5))
    assert jobs.get(sam, dead.id).stale

    again = jobs.start(OPERATOR, rules.BILLING, BILLING_FEB)

    old = job_row(dead.id)
    assert (old.status, old.running_key, old.done) == ("failed", None, 3)
    assert old.summary.startswith("Stopped answering (last heartbeat")
    assert (job_row(again.id).status, job_row(again.id).started_by) == ("running", "Operator")
    # The dead run, should it wake up, cannot close the run that replaced it.
    assert jobs.finish(dead.id, "Billed 2025-02: late.") is False
    assert jobs.progress(dead.id, 10) is False
    assert job_row(again.id).status == "running"


def test_a_job_that_reported_progress_nine_minutes_ago_is_still_alive(world):
    sam = world.actor("staff_admin")
    then = clock.now() - timedelta(minutes=30)
    job = jobs.start(sam, rules.BILLING, BILLING_FEB, 10, now=then)
    jobs.progress(job.id, 1, now=clock.now() - timedelta(minutes=9))

    with pytest.raises(Conflict, match="already running"):
        jobs.start(sam, rules.BILLING, BILLING_FEB)


@pytest.mark.parametrize("who", ["agent", "holdings_owner", "retail_member"])
def test_only_a_staff_administrator_may_start_a_billing_job(world, who):
    with pytest.raises(PermissionDenied, match="Only staff administrators"):
        jobs.start(world.actor(who), rules.BILLING, BILLING_FEB)
    with pytest.raises(PermissionDenied):
        billing_run.start_billing_run(world.actor(who), FEBRUARY, today=TODAY)
    assert job_rows() == []


def test_customers_may_not_see_billing_jobs_but_agents_may_watch_them(world):
    jobs.start(world.actor("staff_admin"), rules.BILLING, BILLING_FEB)

    with pytest.raises(PermissionDenied):
        jobs.latest(world.actor("holdings_owner"), rules.BILLING)
    assert jobs.latest(world.actor("agent"), rules.BILLING).key == BILLING_FEB


def test_progress_and_the_result_are_recorded_and_finishing_frees_the_key(world):
    sam = world.actor("staff_admin")
    job = jobs.start(sam, rules.BILLING, BILLING_FEB)

    assert jobs.progress(job.id, 1, 4)
    seen = jobs.latest(sam, rules.BILLING)
    assert (seen.running, seen.done, seen.total, seen.percent) == (True, 1, 4, 25)
    assert seen.progress_text == "Billing February 2025: 1 of 4 organizations"
    assert jobs.finish(job.id, "Billed 2025-02: 4 invoice(s).")

    row = job_row(job.id)
    assert (row.status, row.running_key, row.summary, row.done, row.total) == (
        "succeeded", None, "Billed 2025-02: 4 invoice(s).", 1, 4)
    assert row.finished_at is not None and row.started_by_user_id == world.users["staff_admin"].id
    assert jobs.finish(job.id, "again") is False
    assert jobs.start(sam, rules.BILLING, BILLING_FEB).id != job.id


def test_a_failed_job_records_why_and_frees_the_key(world):
    sam = world.actor("staff_admin")
    job = jobs.start(sam, rules.BILLING, BILLING_FEB)

    assert jobs.fail(job.id, "The database went away.")

    assert (job_row(job.id).status, job_row(job.id).summary) == ("failed", "The database went away.")
    assert jobs.latest(sam, rules.BILLING).running is False
    jobs.start(sam, rules.BILLING, BILLING_FEB)


# ----------------------------------------------------------------------------------------- the billing run


@pytest.fixture
def four_organizations(world):
    orgs = [world.retail, world.holdings, world.logistics, world.fabrikam]
    for n, org in enumerate(orgs):
        set_rate(org, 10_000 + 1_000 * n)
        task = new_task(org, subject=f"Task of {org.name}")
        for day in (3, 10, 17):
            log(task, 30 + day, at=NOW, work_date=date(2025, 2, day))
    return orgs


def test_a_billing_run_through_the_job_reports_each_organization_and_records_the_result(world, four_organizations):
    seen: list[tuple[int, int]] = []

    result = billing_run.run_billing_as_job(world.actor("staff_admin"), FEBRUARY, today=TODAY,
                                            progress=lambda done, total: seen.append((done, total)))

    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    [row] = job_rows()
    assert (row.kind, row.key, row.status, row.done, row.total, row.running_key) == (
        "billing", BILLING_FEB, "succeeded", 4, 4, None)
    assert row.summary == result.summary and row.started_by == "Sam Taylor"


def test_billing_runs_started_at_once_through_the_job_run_once_and_bill_each_organization_once(
        world, four_organizations):
    outcomes: list[object] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def runner() -> None:
        barrier.wait()
        try:
            outcome: object = billing_run.run_billing_as_job(OPERATOR, FEBRUARY, today=TODAY)
        except Conflict as exc:
            outcome = exc
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=runner) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert len(outcomes) == THREADS
    ran = [o for o in outcomes if isinstance(o, billing_run.BillingRunResult)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    # Each run either billed or was refused while another ran; one that started after a run ended bills nothing.
    assert len(ran) + len(refused) == THREADS and ran
    assert all("A billing run for February 2025 is already running, started by Operator" in str(e) for e in refused)
    assert sorted(b.organization for r in ran for b in r.invoices) == sorted(o.name for o in four_organizations)
    with unit_of_work(write=False) as session:
        invoice_orgs = session.exec(select(Invoice.organization_id)).all()
        unbilled = session.exec(select(TimeEntry.id).where(TimeEntry.billed_invoice_id.is_(None))).all()
    assert sorted(invoice_orgs) == sorted(o.id for o in four_organizations)
    assert unbilled == []
    assert {j.status for j in job_rows()} == {"succeeded"} and len(job_rows()) == len(ran)


def test_a_launched_billing_run_bills_in_a_process_of_its_own_and_closes_its_job(world, four_organizations):
    job = billing_run.launch_billing_run(world.actor("staff_admin"), FEBRUARY, today=TODAY)
    assert job_row(job.id).status == "running"  # the caller (the page) returns at once

    deadline = time.monotonic() + 90
    while job_row(job.id).status == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    row = job_row(job.id)
    assert (row.status, row.done, row.total, row.running_key) == ("succeeded", 4, 4, None)
    assert row.summary.startswith("Billed 2025-02: 4 invoice")
    with unit_of_work(write=False) as session:
        assert session.exec(select(TimeEntry.id).where(TimeEntry.billed_invoice_id.is_(None))).all() == []


def test_a_launched_billing_run_is_refused_while_the_month_is_being_billed(world, four_organizations):
    sam = world.actor("staff_admin")
    running = billing_run.start_billing_run(sam, FEBRUARY, today=TODAY)
    with pytest.raises(jobs.AlreadyRunning):
        billing_run.launch_billing_run(sam, FEBRUARY, today=TODAY)
    assert [j.id for j in job_rows()] == [running.id]


def test_a_job_that_is_not_a_running_billing_run_is_not_run_again(world, four_organizations):
    sam = world.actor("staff_admin")
    done = billing_run.start_billing_run(sam, FEBRUARY, today=TODAY)
    jobs.finish(done.id, "Billed 2025-02: nothing.")
    with pytest.raises(Conflict, match="is not a billing run waiting to run"):
        billing_run.run_claimed_billing_job(OPERATOR, done.id)


def test_only_a_staff_administrator_may_run_a_claimed_billing_job(world, four_organizations):
    job = billing_run.start_billing_run(world.actor("staff_admin"), FEBRUARY, today=TODAY)
    for caller in ("agent", "holdings_owner"):
        with pytest.raises(PermissionDenied):
            billing_run.run_claimed_billing_job(world.actor(caller), job.id)


def test_a_billing_run_for_an_unfinished_month_is_refused_before_any_job_is_claimed(world):
    with pytest.raises(Exception, match="has not ended yet"):
        billing_run.run_billing_as_job(OPERATOR, "2025-03", today=TODAY)
    assert job_rows() == []
