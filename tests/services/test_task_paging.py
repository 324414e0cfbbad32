"""A task's page holds a window of it: the latest comments and one page of time entries (SQLite and PostgreSQL).

The totals under the time entries cover every entry of the task, whatever page is shown.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.models import TicketComment
from opsportal.services import agent_work, tasks
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import _one, hours, log, new_task, set_rate, task_state

FIRST_DAY = date(2025, 1, 1)


def comment_many(task: int, count: int, *, first: int = 1) -> None:
    """``count`` comments "Message <n>" through the service, one a second."""
    for n in range(first, first + count):
        tasks.add_comment(OPERATOR, task, f"Message {n}", at=NOW + timedelta(seconds=n))


def log_many(task: int, count: int, minutes: int = 15) -> None:
    """``count`` entries "Entry <n>", one a day from FIRST_DAY: entry 1 is the oldest."""
    for n in range(1, count + 1):
        log(task, minutes, work_date=FIRST_DAY + timedelta(days=n - 1), note=f"Entry {n}")


@pytest.fixture
def chatty(world) -> int:
    task = new_task(world.retail)
    comment_many(task, 120)
    return task


@pytest.fixture
def busy(world) -> int:
    """A task with 60 entries: the first 40 (10 h) drawn from prepaid hours, the last 20 (5 h) pay-as-you-go."""
    set_rate(world.retail)
    hours(world.retail, 600)
    task = new_task(world.retail)
    log_many(task, 60)
    return task


# --------------------------------------------------------------------------------------- conversation


def test_a_task_shows_its_latest_fifty_comments_oldest_first_and_counts_them_all(world, chatty):
    detail = tasks.get_task(world.actor("retail_member"), chatty)

    assert [c.body for c in detail.comments] == [f"Message {n}" for n in range(71, 121)]
    assert detail.comment_count == 120


def test_widening_the_window_to_a_hundred_returns_the_latest_hundred_comments(world, chatty):
    detail = tasks.get_task(world.actor("retail_member"), chatty, comments=100)

    assert [c.body for c in detail.comments] == [f"Message {n}" for n in range(21, 121)]
    assert detail.comment_count == 120


def test_a_window_wider_than_the_conversation_returns_every_comment(world, chatty):
    detail = tasks.get_task(world.actor("retail_member"), chatty, comments=150)

    assert [c.body for c in detail.comments] == [f"Message {n}" for n in range(1, 121)]


@pytest.mark.parametrize("window", [0, -5])
def test_an_empty_or_negative_window_is_clamped_to_the_latest_comment(world, chatty, window):
    detail = tasks.get_task(world.actor("retail_member"), chatty, comments=window)

    assert [c.body for c in detail.comments] == ["Message 120"]
    assert detail.comment_count == 120


def test_no_window_holds_more_than_the_bound_however_wide_it_is_asked(world):
    task = new_task(world.retail)
    with unit_of_work() as session:
        session.add_all([TicketComment(ticket_id=task, author_name="Operator", from_staff=True, body=f"Note {n}",
                                       created_at=NOW) for n in range(1, tasks.MAX_COMMENT_WINDOW + 11)])

    detail = tasks.get_task(world.actor("retail_member"), task, comments=10**12)

    assert len(detail.comments) == tasks.MAX_COMMENT_WINDOW == 500
    assert (detail.comments[0].body, detail.comments[-1].body) == ("Note 11", "Note 510")
    assert detail.comment_count == 510


def test_a_task_without_comments_or_time_has_empty_windows_and_zero_totals(world):
    detail = tasks.get_task(world.actor("retail_member"), new_task(world.retail))

    assert (detail.comments, detail.comment_count) == ([], 0)
    assert (detail.time_entries, detail.entry_page, detail.entry_pages, detail.entry_total) == ([], 1, 1, 0)
    assert detail.totals == tasks.TimeTotals()


# --------------------------------------------------------------------------------------- time entries


def test_time_entries_come_twenty_five_a_page_newest_first(world, busy):
    detail = tasks.get_task(world.actor("retail_member"), busy)

    assert [e.note for e in detail.time_entries] == [f"Entry {n}" for n in range(60, 35, -1)]
    assert (detail.entry_page, detail.entry_pages, detail.entry_total) == (1, 3, 60)


def test_the_second_page_of_time_entries_holds_the_twenty_sixth_to_fiftieth_newest(world, busy):
    detail = tasks.get_task(world.actor("retail_member"), busy, entry_page=2)

    assert [e.note for e in detail.time_entries] == [f"Entry {n}" for n in range(35, 10, -1)]
    assert (detail.entry_page, detail.entry_pages, detail.entry_total) == (2, 3, 60)


def test_entries_of_the_same_day_are_ordered_newest_logged_first(world):
    task = new_task(world.retail)
    for n in (1, 2, 3):
        log(task, 10, work_date=FIRST_DAY, note=f"Same day {n}")
    log(task, 10, work_date=FIRST_DAY + timedelta(days=1), note="Next day")

    detail = tasks.get_task(world.actor("retail_member"), task)

    assert [e.note for e in detail.time_entries] == ["Next day", "Same day 3", "Same day 2", "Same day 1"]


def test_the_totals_cover_every_time_entry_of_the_task_not_only_the_page_shown(world, busy):
    for page in (1, 3):
        totals = tasks.get_task(world.actor("retail_member"), busy, entry_page=page).totals

        assert (totals.minutes, totals.prepaid_minutes, totals.payg_minutes) == (900, 600, 300)
        assert totals.payg_amount_by_currency == (("USD", 60_000),)  # 5 h at USD 120.00
    assert _one("SELECT SUM(payg_amount_minor) FROM time_entry WHERE ticket_id = :t", t=busy) == 60_000


@pytest.mark.parametrize("page", [4, 99, 10**18])
def test_a_page_of_time_entries_beyond_the_end_is_the_last_page(world, busy, page):
    detail = tasks.get_task(world.actor("retail_member"), busy, entry_page=page)

    assert (detail.entry_page, detail.entry_pages) == (3, 3)
    assert [e.note for e in detail.time_entries] == [f"Entry {n}" for n in range(10, 0, -1)]


@pytest.mark.parametrize("page", [0, -1, -(10**18)])
def test_a_page_of_time_entries_before_the_first_is_the_first_page(world, busy, page):
    detail = tasks.get_task(world.actor("retail_member"), busy, entry_page=page)

    assert detail.entry_page == 1
    assert detail.time_entries[0].note == "Entry 60"


def test_the_support_team_reads_the_same_window_of_a_task(world, busy):
    comment_many(busy, 60)

    detail = agent_work.task_for_staff(world.actor("agent"), busy, comments=100, entry_page=3)

    assert [c.body for c in detail.comments] == [f"Message {n}" for n in range(1, 61)]
    assert [e.note for e in detail.time_entries] == [f"Entry {n}" for n in range(10, 0, -1)]
    assert detail.totals.minutes == 900


# ------------------------------------------------------------------------------------------ authorization


def test_another_organizations_user_is_refused_a_task_whatever_window_or_page_they_ask_for(world, busy):
    before = task_state()
    for caller in ("fabrikam_owner", "logistics_owner", "holdings_owner"):
        with pytest.raises(NotFound):
            tasks.get_task(world.actor(caller), busy, comments=500, entry_page=2)
    assert task_state() == before


def test_a_customer_is_refused_the_support_teams_window_of_a_task(world, busy):
    with pytest.raises(PermissionDenied):
        agent_work.task_for_staff(world.actor("retail_owner"), busy, comments=100, entry_page=2)
