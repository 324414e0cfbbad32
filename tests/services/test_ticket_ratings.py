"""Satisfaction ratings: the requester rates a solved ticket once, changes it within the window; staff read them
per agent and month (services.ticket_actions.rate, services.ticket_ratings; SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import agent_work, ticket_actions, ticket_ratings
from opsportal.services.errors import Conflict, InvalidInput, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import _rows, count, new_task

SOLVED = NOW + timedelta(hours=2)
NEXT_MONTH = NOW + timedelta(days=31)  # NOW is mid-March 2025: mid-April


@pytest.fixture
def solved(world):
    """A Retail ticket opened by Sanjay, handled by the agent and marked solved."""
    task = new_task(world.retail, by=world.actor("retail_member"))
    agent_work.assign(OPERATOR, task, world.users["agent"].id, at=NOW)
    ticket_actions.solve(world.actor("retail_member"), task, at=SOLVED)
    return task


def rating_rows() -> list[tuple]:
    return _rows("SELECT ticket_id, score, comment, rated_by_user_id, agent_user_id, month FROM ticket_rating")


def test_the_requester_rates_a_solved_ticket_with_the_agent_assigned_at_the_time(world, solved):
    view = ticket_actions.rate(world.actor("retail_member"), solved, "good", "  Quick and clear, thanks!  ",
                               at=SOLVED + timedelta(hours=1))

    assert (view.score, view.comment, view.rated_by) == ("good", "Quick and clear, thanks!", "Sanjay Patel")
    assert rating_rows() == [(solved, "good", "Quick and clear, thanks!", world.users["retail_member"].id,
                              world.users["agent"].id, "2025-03")]


def test_a_rating_is_changed_in_place_within_the_window_and_refused_after(world, solved):
    member = world.actor("retail_member")
    ticket_actions.rate(member, solved, "good", at=SOLVED)
    ticket_actions.rate(member, solved, "bad", "It broke again.", at=SOLVED + timedelta(days=7))
    assert [(r[1], r[2]) for r in rating_rows()] == [("bad", "It broke again.")]

    with pytest.raises(Conflict, match="^A rating can be changed within 7 days of the ticket being solved.$"):
        ticket_actions.rate(member, solved, "good", at=SOLVED + timedelta(days=7, seconds=1))
    assert [(r[1], r[2]) for r in rating_rows()] == [("bad", "It broke again.")]


def test_an_open_ticket_cannot_be_rated(world):
    task = new_task(world.retail, by=world.actor("retail_member"))
    with pytest.raises(Conflict, match="^You can rate the support once the ticket is solved.$"):
        ticket_actions.rate(world.actor("retail_member"), task, "good", at=SOLVED)
    assert count("ticket_rating") == 0


@pytest.mark.parametrize(("score", "comment", "message"), [
    ("5", "", "Choose Good or Bad."), ("", "", "Choose Good or Bad."), ("excellent", "", "Choose Good or Bad."),
    ("good", "x" * 1001, "Keep the comment under 1,000 characters."),
])
def test_a_rating_out_of_range_is_refused_and_nothing_is_stored(world, solved, score, comment, message):
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        ticket_actions.rate(world.actor("retail_member"), solved, score, comment, at=SOLVED)
    assert count("ticket_rating") == 0


def test_only_the_requester_rates_while_they_are_a_colleague(world, solved):
    with pytest.raises(PermissionDenied, match="^Only the person who opened this ticket can rate it.$"):
        ticket_actions.rate(world.actor("retail_owner"), solved, "good", at=SOLVED)
    assert count("ticket_rating") == 0


def test_a_ticket_the_support_team_opened_is_rated_by_an_owner(world):
    task = new_task(world.retail)  # opened by staff
    agent_work.set_status(OPERATOR, task, "resolved", at=SOLVED)
    ticket_actions.rate(world.actor("retail_owner"), task, "good", at=SOLVED)
    assert count("ticket_rating") == 1


def test_the_panel_shows_the_rating_and_whether_it_can_still_change(world, solved):
    member = world.actor("retail_member")
    ticket_actions.rate(member, solved, "bad", "Slow.", at=SOLVED)
    within = ticket_actions.panel(member, solved, at=SOLVED + timedelta(days=1))
    after = ticket_actions.panel(member, solved, at=SOLVED + timedelta(days=8))
    assert (within.rating.score, within.may_rate, within.rating_editable) == ("bad", True, True)
    assert (after.may_rate, after.rating_editable) == (True, False)
    assert ticket_actions.panel(world.actor("retail_owner"), solved, at=SOLVED).may_rate is False


def _rated(world, score: str, comment: str, at, *, agent: str | None = "agent") -> int:
    task = new_task(world.retail, by=world.actor("retail_member"), at=at)
    if agent:
        agent_work.assign(OPERATOR, task, world.users[agent].id, at=at)
    ticket_actions.solve(world.actor("retail_member"), task, at=at)
    ticket_actions.rate(world.actor("retail_member"), task, score, comment, at=at)
    return task


def test_staff_read_counts_and_the_satisfied_share_per_agent_and_month(world):
    _rated(world, "good", "", NOW)
    _rated(world, "good", "Great", NOW)
    _rated(world, "bad", "Slow", NOW, agent="staff_admin")
    _rated(world, "bad", "", NOW)
    _rated(world, "good", "", NEXT_MONTH)
    _rated(world, "bad", "Nobody came", NOW, agent=None)

    report = ticket_ratings.ratings_by_agent(world.actor("agent"))

    assert report.total == 4
    assert [(r.month, r.agent, r.ratings, r.good, r.bad, r.satisfied_bp) for r in report.items] == [
        ("2025-04", "Alex Kim", 1, 1, 0, 10_000),
        ("2025-03", "Alex Kim", 3, 2, 1, 6667),
        ("2025-03", "Sam Taylor", 1, 0, 1, 0),
        ("2025-03", "Unassigned", 1, 0, 1, 0),
    ]
    march = ticket_ratings.ratings_by_agent(world.actor("agent"), month="2025-03", page=2, page_size=2)
    assert (march.total, [r.agent for r in march.items]) == (3, ["Unassigned"])
    assert ticket_ratings.rated_months(world.actor("agent")) == ["2025-04", "2025-03"]


def test_staff_read_the_latest_comments_first_a_page_at_a_time(world):
    _rated(world, "good", "Great", NOW)
    _rated(world, "good", "", NOW + timedelta(hours=1))
    _rated(world, "bad", "Slow", NOW + timedelta(hours=2))

    comments = ticket_ratings.latest_comments(world.actor("staff_admin"), page_size=1)

    assert (comments.total, comments.pages) == (2, 2)
    [latest] = comments.items
    assert (latest.comment, latest.score, latest.organization, latest.agent) == (
        "Slow", "bad", "Northwind Retail", "Alex Kim")


@pytest.mark.parametrize("month", ["2025-3", "March", "2025/03", "20250-1"])
def test_a_malformed_month_is_refused(world, month):
    with pytest.raises(InvalidInput, match="^Choose a month such as 2026-12.$"):
        ticket_ratings.ratings_by_agent(world.actor("agent"), month=month)


@pytest.mark.parametrize("report", ["ratings_by_agent", "latest_comments", "rated_months"])
def test_customers_cannot_read_the_staff_rating_reports(world, report):
    with pytest.raises(PermissionDenied, match="^This area is for the support team only.$"):
        getattr(ticket_ratings, report)(world.actor("retail_owner"))
