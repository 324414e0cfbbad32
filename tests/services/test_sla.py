"""Service levels on tickets: targets from the plan, counted in business hours across weekends and holidays,
first responses, pauses, the queue's order and marks, the breach report, and who may see them (both databases).

Holdings holds Gold Support in EMEA (London) from 12 March 2025; Fabrikam holds no plan.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.sla_live import words
from opsportal.models import Ticket
from opsportal.services import agent_work, sla, sla_report, tasks
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.plans import set_up_gold
from tests.utils.tasks import DESCRIPTION


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def gold(world):
    set_up_gold(world.holdings)
    return world


def open_ticket(world, at: datetime, *, priority: str = "normal", org: str = "holdings",
                who: str | None = None) -> int:
    actor = world.actor(who or f"{org}_owner")
    return tasks.create_ticket(actor, subject="Shop tills offline", category="Infrastructure", priority=priority,
                               description=DESCRIPTION, at=at).id


def row(ticket_id: int) -> Ticket:
    with unit_of_work(write=False) as session:
        return session.get(Ticket, ticket_id)


def reply(world, ticket_id: int, at: datetime, who: str = "agent") -> None:
    tasks.add_comment(world.actor(who), ticket_id, "Looking into it now.", at=at)


# ------------------------------------------------------------------------------------------ the clock


def test_a_ticket_opened_thursday_evening_before_easter_is_due_after_the_long_weekend(gold):
    # Thursday 17 April 2025, 17:00 BST; Good Friday and Easter Monday are bank holidays in England.
    ticket = row(open_ticket(gold, utc(2025, 4, 17, 16)))
    assert ticket.sla_clock == "business:EMEA"
    assert ticket.first_response_due_at == utc(2025, 4, 22, 14)  # 1 h Thursday + 7 h Tuesday: 15:00 BST
    assert ticket.resolution_due_at == utc(2025, 4, 28, 16)  # 50 business hours: Monday 28th, 17:00 BST
    assert ticket.sla_due_at == ticket.first_response_due_at


def test_a_ticket_opened_friday_afternoon_before_a_bank_holiday_monday_is_due_on_tuesday(gold):
    # Friday 23 May 2025, 17:00 BST; Monday 26 May is the Spring bank holiday.
    urgent = row(open_ticket(gold, utc(2025, 5, 23, 16), priority="urgent"))
    high = row(open_ticket(gold, utc(2025, 5, 23, 16), priority="high"))
    assert urgent.first_response_due_at == utc(2025, 5, 23, 17)  # the last business hour of Friday
    assert high.first_response_due_at == utc(2025, 5, 27, 10)  # 1 h Friday, 3 h Tuesday: 11:00 BST


def test_a_ticket_opened_on_a_saturday_starts_its_clock_on_monday_morning(gold):
    ticket = row(open_ticket(gold, utc(2025, 3, 15, 12), priority="urgent"))
    assert ticket.first_response_due_at == utc(2025, 3, 17, 9)  # Monday 08:00 GMT + 1 h


def test_an_organization_without_gold_gets_best_effort_and_no_targets(world):
    ticket_id = open_ticket(world, utc(2025, 3, 12, 10), org="fabrikam", priority="urgent")
    ticket = row(ticket_id)
    assert (ticket.sla_clock, ticket.first_response_due_at, ticket.resolution_due_at, ticket.sla_due_at) == (
        None, None, None, None)
    view = sla.task_sla(world.actor("fabrikam_owner"), ticket_id, at=utc(2025, 3, 12, 11))
    assert not view.has_targets and view.policy == sla.BEST_EFFORT and view.resolution is None


def test_everyday_after_hours_runs_an_urgent_tickets_clock_through_the_weekend(world):
    set_up_gold(world.holdings, addons=("everyday_after_hours",))
    urgent = row(open_ticket(world, utc(2025, 3, 15, 12), priority="urgent"))
    low = row(open_ticket(world, utc(2025, 3, 15, 12), priority="low"))
    assert urgent.first_response_due_at == utc(2025, 3, 15, 13)
    assert low.sla_clock == "business:EMEA"


# ------------------------------------------------------------------------------------------ responses and pauses


def test_the_first_staff_reply_is_the_first_response_and_the_customer_reads_it_in_business_time(gold):
    ticket_id = open_ticket(gold, utc(2025, 4, 17, 16))
    reply(gold, ticket_id, utc(2025, 4, 17, 16, 30), who="holdings_owner")  # the customer's own comment
    assert row(ticket_id).first_responded_at is None
    reply(gold, ticket_id, utc(2025, 4, 22, 7, 12))  # Tuesday 08:12 BST
    reply(gold, ticket_id, utc(2025, 4, 22, 9))
    ticket = row(ticket_id)
    assert ticket.first_responded_at == utc(2025, 4, 22, 7, 12)
    assert ticket.sla_due_at == ticket.resolution_due_at
    view = sla.task_sla(gold.actor("holdings_member"), ticket_id, at=utc(2025, 4, 22, 9))
    assert view.first_response.text == "Responded in 1 h 12 min"
    assert view.first_response.tone == "met"
    assert view.resolution.text.startswith("Resolution due by Mon 28 Apr, 16:00")


def test_the_customer_sees_when_the_first_response_is_due_and_when_it_is_overdue(gold):
    ticket_id = open_ticket(gold, utc(2025, 4, 17, 16))
    member = gold.actor("holdings_member")
    due = sla.task_sla(member, ticket_id, at=utc(2025, 4, 17, 16, 5)).first_response
    assert due.text.startswith("First response due by Tue 22 Apr, 14:00") and due.tone == "due"
    late = sla.task_sla(member, ticket_id, at=utc(2025, 4, 22, 15, 30)).first_response
    assert (late.text, late.tone) == ("First response overdue by 1 h 30 min", "breached")


def test_waiting_on_the_customer_pauses_the_resolution_clock_and_their_answer_resumes_it(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10), priority="urgent")  # Wednesday 10:00 GMT
    before = row(ticket_id).resolution_due_at
    assert before == utc(2025, 3, 12, 18)
    agent_work.set_status(OPERATOR, ticket_id, "waiting_on_customer", at=utc(2025, 3, 12, 11))
    paused = row(ticket_id)
    assert paused.sla_paused_at == utc(2025, 3, 12, 11) and paused.sla_due_at == paused.first_response_due_at
    view = sla.task_sla(gold.actor("holdings_member"), ticket_id, at=utc(2025, 3, 13, 9))
    assert view.resolution.tone == "paused" and "paused while waiting on you (7 h left)" in view.resolution.text
    staff_view = sla.task_sla(gold.actor("agent"), ticket_id, at=utc(2025, 3, 13, 9))
    assert "waiting on the customer" in staff_view.resolution.text
    # The customer answers the next morning at 09:00.
    reply(gold, ticket_id, utc(2025, 3, 13, 9), who="holdings_owner")
    resumed = row(ticket_id)
    # Paused Wednesday 11:00-18:00 and Thursday 08:00-09:00: 8 business hours; 7 h of the target were left.
    assert (resumed.status, resumed.sla_paused_at, resumed.sla_paused_minutes) == ("open", None, 8 * 60)
    assert resumed.resolution_due_at == utc(2025, 3, 13, 16)


def test_solving_a_ticket_stops_its_resolution_clock_and_says_how_long_it_took(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10), priority="urgent")
    reply(gold, ticket_id, utc(2025, 3, 12, 10, 20))
    agent_work.set_status(OPERATOR, ticket_id, "resolved", at=utc(2025, 3, 12, 13, 5))
    ticket = row(ticket_id)
    assert ticket.sla_due_at is None
    view = sla.task_sla(gold.actor("holdings_member"), ticket_id, at=utc(2025, 3, 20, 9))
    assert (view.resolution.text, view.resolution.tone) == ("Resolved in 3 h 5 min", "met")


def test_a_priority_change_reschedules_the_targets_from_the_opening(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10), priority="low")
    with unit_of_work() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.priority = "urgent"
        sla.reschedule(session, ticket, utc(2025, 3, 12, 10, 30))
    ticket = row(ticket_id)
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (utc(2025, 3, 12, 11), utc(2025, 3, 12, 18))


# ------------------------------------------------------------------------------------------ who may see it


def test_another_organizations_user_cannot_read_a_tickets_service_levels(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10))
    for outsider in ("fabrikam_owner", "retail_owner"):
        with pytest.raises(NotFound):
            sla.task_sla(gold.actor(outsider), ticket_id, at=utc(2025, 3, 12, 11))
    with pytest.raises(NotFound):
        sla.task_sla(gold.actor("holdings_owner"), 2**31 - 1, at=utc(2025, 3, 12, 11))


def test_customers_cannot_read_queue_marks_or_the_breach_report(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10))
    with pytest.raises(PermissionDenied):
        sla.queue_marks(gold.actor("holdings_owner"), [ticket_id])
    with pytest.raises(PermissionDenied):
        sla_report.breach_report(gold.actor("holdings_owner"), "2025-03")


# ------------------------------------------------------------------------------------------ the queue


def test_the_queue_sorted_by_time_to_breach_puts_the_nearest_target_first_and_untimed_tickets_last(gold):
    low = open_ticket(gold, utc(2025, 3, 12, 9), priority="low")
    best_effort = open_ticket(gold, utc(2025, 3, 12, 9), org="fabrikam")
    urgent = open_ticket(gold, utc(2025, 3, 12, 9, 30), priority="urgent")
    normal = open_ticket(gold, utc(2025, 3, 12, 8), priority="normal")
    page = agent_work.queue(gold.actor("agent"), sort="breach")
    assert [r.id for r in page.items] == [urgent, normal, low, best_effort]


def test_queue_marks_flag_near_breach_and_breached_tickets_in_words(gold):
    urgent = open_ticket(gold, utc(2025, 3, 12, 9), priority="urgent")  # response due 10:00
    high = open_ticket(gold, utc(2025, 3, 12, 9), priority="high")  # response due 13:00
    best_effort = open_ticket(gold, utc(2025, 3, 12, 9), org="fabrikam")
    marks = sla.queue_marks(gold.actor("agent"), [urgent, high, best_effort], at=utc(2025, 3, 12, 12, 20))
    assert (marks[urgent].text, marks[urgent].tone) == ("Response overdue by 2 h 20 min", "breached")
    assert (marks[high].text, marks[high].tone) == ("Response due in 40 min", "near")
    assert (marks[best_effort].text, marks[best_effort].tone) == ("No SLA", "")


# ------------------------------------------------------------------------------------------ the breach report


def test_the_breach_report_counts_a_months_breaches_per_organization_and_agent(gold):
    late_reply = open_ticket(gold, utc(2025, 3, 12, 9), priority="urgent")
    agent_work.assign(OPERATOR, late_reply, gold.users["agent"].id, at=utc(2025, 3, 12, 9, 5))
    reply(gold, late_reply, utc(2025, 3, 12, 11))  # an hour after the target
    on_time = open_ticket(gold, utc(2025, 3, 12, 9), priority="urgent")
    reply(gold, on_time, utc(2025, 3, 12, 9, 30))
    agent_work.set_status(OPERATOR, on_time, "resolved", at=utc(2025, 3, 12, 12))
    never = open_ticket(gold, utc(2025, 3, 14, 9), priority="urgent")  # Friday: breaches both by Monday

    report = sla_report.breach_report(gold.actor("agent"), "2025-03", at=utc(2025, 3, 17, 12))

    assert (report.first_response, report.resolution) == (2, 2)
    assert [(c.name, c.first_response, c.resolution) for c in report.by_organization] == [
        ("Northwind Holdings", 2, 2)]
    by_agent = {c.name: (c.first_response, c.resolution) for c in report.by_agent}
    assert by_agent == {"Alex Kim": (1, 1), "Unassigned": (1, 1)}
    listed = [(b.ticket_id, b.target, b.late_by) for b in report.breaches]
    assert (late_reply, "First response", "1 h") in listed
    assert (never, "Resolution", "5 h") in listed  # due Friday 17:00, now Monday 12:00 GMT
    assert on_time not in {b.ticket_id for b in report.breaches}
    assert sla_report.breach_report(gold.actor("agent"), "2025-04", at=utc(2025, 4, 17, 12)).breaches == []


def test_a_malformed_month_is_refused(gold):
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        sla_report.breach_report(gold.actor("agent"), "March")


def test_every_new_ticket_of_a_gold_organization_gets_targets(gold):
    open_ticket(gold, utc(2025, 3, 12, 10), who="holdings_member")
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Ticket.sla_clock, Ticket.first_response_due_at)).all()
    assert rows and all(clock == "business:EMEA" and due is not None for clock, due in rows)


def test_staff_reopening_a_closed_ticket_runs_its_resolution_clock_again_as_a_customer_reopening_does(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10), priority="urgent")  # Wednesday 10:00 GMT, due 18:00
    agent_work.set_status(OPERATOR, ticket_id, "closed", at=utc(2025, 3, 12, 11))
    assert row(ticket_id).sla_paused_at == utc(2025, 3, 12, 11)

    agent_work.set_status(OPERATOR, ticket_id, "open", at=utc(2025, 3, 13, 9))

    reopened = row(ticket_id)
    # Closed Wednesday 11:00-18:00 and Thursday 08:00-09:00: 8 business hours; 7 h of the target were left.
    assert (reopened.status, reopened.sla_paused_at, reopened.sla_paused_minutes) == ("open", None, 8 * 60)
    assert reopened.resolution_due_at == utc(2025, 3, 13, 16)
    assert reopened.sla_due_at is not None


def test_the_words_an_open_page_keeps_say_later_what_a_fresh_read_would_say_then(gold):
    ticket_id = open_ticket(gold, utc(2025, 4, 17, 16), priority="urgent")  # due Thursday 17:00 BST
    member = gold.actor("holdings_member")
    read = sla.task_sla(member, ticket_id, at=utc(2025, 4, 17, 16, 5))
    marks = sla.queue_marks(gold.actor("agent"), [ticket_id], at=utc(2025, 4, 17, 16, 5))

    for later in (utc(2025, 4, 17, 16, 59), utc(2025, 4, 17, 17, 30), utc(2025, 4, 22, 8, 13)):
        fresh = sla.task_sla(member, ticket_id, at=later)
        assert words(read.first_response.live, later) == (fresh.first_response.text, fresh.first_response.tone)
        assert words(read.resolution.live, later) == (fresh.resolution.text, fresh.resolution.tone)
        mark = sla.queue_marks(gold.actor("agent"), [ticket_id], at=later)[ticket_id]
        assert words(marks[ticket_id].live, later) == (mark.text, mark.tone)


def test_a_met_or_paused_target_has_no_live_words(gold):
    ticket_id = open_ticket(gold, utc(2025, 3, 12, 10), priority="urgent")
    reply(gold, ticket_id, utc(2025, 3, 12, 10, 30))
    agent_work.set_status(OPERATOR, ticket_id, "waiting_on_customer", at=utc(2025, 3, 12, 11))
    view = sla.task_sla(gold.actor("holdings_member"), ticket_id, at=utc(2025, 3, 12, 12))
    assert (view.first_response.live, view.resolution.live) == (None, None)
