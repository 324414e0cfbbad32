"""A task's statuses: closing settles its held credits, staff reopen a closed task at any time (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import agent_work, credit_views, credits, tasks
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, entries, grant, lot_row
from tests.utils.tasks import hours, log, new_task, task_state, ticket_row

SC = "service_credits"
LATER = NOW + timedelta(hours=3)


def held_task(world, quantity: int = 30, *, product: str = SC):
    """A Retail task holding ``quantity`` of ``product`` on a fresh lot of 100: (task id, lot)."""
    lot = grant(world.retail, 100, product=product)
    task = new_task(world.retail, category="Security")
    credits.hold_for_ticket(OPERATOR, ticket_id=task, product=product, quantity=quantity, at=NOW)
    return task, lot


def kinds(lot) -> list[tuple[str, int]]:
    return [(kind, quantity) for kind, _lot, _org, quantity, *_ in entries(lot.id)]


def set_status(task: int, status: str, **kwargs) -> None:
    agent_work.set_status(OPERATOR, task, status, at=kwargs.pop("at", LATER), **kwargs)


def test_closing_a_task_uses_everything_it_holds_by_default(world):
    task, lot = held_task(world, 30)

    set_status(task, "closed")

    assert kinds(lot) == [("grant", 100), ("allocate", 30), ("consume", 30)]
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (70, 0)
    snapshot = credit_views.ticket_snapshot(OPERATOR, task)
    assert (snapshot.status, snapshot.held, snapshot.used) == ("closed", {}, {SC: 30})
    row = ticket_row(task)
    assert (row["status"], row["closed_at"], row["updated_at"]) == ("closed", LATER, LATER)
    assert cache_mismatches() == []


def test_closing_a_task_with_part_of_its_hold_used_releases_the_rest(world):
    task, lot = held_task(world, 30)

    set_status(task, "closed", credits_used={SC: 12})

    assert kinds(lot) == [("grant", 100), ("allocate", 30), ("consume", 12), ("release", 18)]
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (88, 0)
    assert cache_mismatches() == []


def test_resolving_a_task_settles_its_holds_like_closing_it(world):
    task, lot = held_task(world, 30)

    set_status(task, "resolved", credits_used={SC: 0})

    assert kinds(lot)[-1] == ("release", 30)
    assert ticket_row(task)["closed_at"] == LATER
    assert cache_mismatches() == []


@pytest.mark.parametrize("used", [31, -1, 2.5, "12", True])
def test_closing_with_credits_used_outside_zero_to_what_is_held_is_refused_and_nothing_changes(world, used):
    task, _lot = held_task(world, 30)
    before = task_state()

    with pytest.raises(InvalidInput, match=f"^Credits used for {SC} must be between 0 and 30.$"):
        set_status(task, "closed", credits_used={SC: used})

    assert task_state() == before


def test_closing_with_credits_used_of_a_product_the_task_does_not_hold_is_refused(world):
    task, _lot = held_task(world, 30)
    before = task_state()

    with pytest.raises(InvalidInput, match="holds no support_hours"):
        set_status(task, "closed", credits_used={SC: 30, "support_hours": 60})

    assert task_state() == before


def test_closing_a_task_that_holds_nothing_only_closes_it(world):
    task = new_task(world.retail)

    set_status(task, "closed")

    assert ticket_row(task)["status"] == "closed"
    assert cache_mismatches() == []


@pytest.mark.parametrize("status", ["open", "in_progress", "waiting_on_customer"])
def test_staff_reopen_a_closed_task_at_any_time_and_time_can_be_logged_on_it_again(world, status):
    task = new_task(world.retail)
    set_status(task, "closed")
    much_later = LATER + timedelta(days=400)  # far past the customers' reopen window

    set_status(task, status, at=much_later)

    row = ticket_row(task)
    assert (row["status"], row["closed_at"], row["updated_at"]) == (status, None, much_later)
    assert log(task, 30, at=much_later + timedelta(hours=1)).minutes == 30


def test_a_closed_task_is_not_marked_solved_again_and_nothing_changes(world):
    task = new_task(world.retail)
    set_status(task, "closed")
    before = task_state()

    with pytest.raises(Conflict, match="^A closed task is reopened to an open status, not marked solved again.$"):
        set_status(task, "resolved")

    assert task_state() == before


def test_a_resolved_task_can_be_reopened_and_time_logged_on_it_again(world):
    task = new_task(world.retail)
    set_status(task, "resolved")

    set_status(task, "open", at=LATER + timedelta(hours=1))

    row = ticket_row(task)
    assert (row["status"], row["closed_at"]) == ("open", None)
    assert log(task, 30, at=LATER + timedelta(hours=2)).minutes == 30


def test_a_resolved_task_can_be_closed_without_settling_again(world):
    task, lot = held_task(world, 30)
    set_status(task, "resolved", credits_used={SC: 10})

    set_status(task, "closed", at=LATER + timedelta(hours=1))

    assert kinds(lot) == [("grant", 100), ("allocate", 30), ("consume", 10), ("release", 20)]
    assert ticket_row(task)["status"] == "closed"


@pytest.mark.parametrize(("status", "message"), [
    ("resolved", "resolved: reopen it"), ("closed", "closed"),
])
def test_time_cannot_be_logged_on_a_resolved_or_closed_task_and_nothing_changes(world, status, message):
    hours(world.retail, 600)
    task = new_task(world.retail)
    set_status(task, status)
    before = task_state()

    with pytest.raises(Conflict, match=message):
        log(task, 30, at=LATER + timedelta(minutes=5))

    assert task_state() == before


@pytest.mark.parametrize("status", ["", "done", "CLOSED", None])
def test_an_unknown_status_is_refused(world, status):
    task = new_task(world.retail)
    with pytest.raises(InvalidInput, match="^Unknown status.$"):
        set_status(task, status)
    assert ticket_row(task)["status"] == "open"


def test_changing_the_status_of_an_unknown_task_says_so(world):
    with pytest.raises(NotFound, match="^Unknown task 987654.$"):
        set_status(987654, "closed")


def test_assigning_an_open_task_to_an_agent_puts_it_in_progress(world):
    task = new_task(world.retail)

    agent_work.assign(OPERATOR, task, world.users["agent"].id, at=LATER)

    row = ticket_row(task)
    assert (row["assigned_agent_id"], row["status"], row["updated_at"]) == (world.users["agent"].id, "in_progress",
                                                                            LATER)
    assert tasks.get_task(world.actor("retail_member"), task).row.agent == "Alex Kim"


def test_a_task_cannot_be_assigned_to_a_customer_user(world):
    task = new_task(world.retail)
    with pytest.raises(InvalidInput, match="^Assign the task to an active member of the support team.$"):
        agent_work.assign(OPERATOR, task, world.users["retail_owner"].id)
    assert ticket_row(task)["assigned_agent_id"] is None


def test_a_customer_comment_moves_a_task_waiting_on_them_back_to_open(world):
    task = new_task(world.retail)
    set_status(task, "waiting_on_customer")

    comment = tasks.add_comment(world.actor("retail_member"), task, "  Here are the logs you asked for. ", at=LATER)

    assert ticket_row(task)["status"] == "open"
    assert (comment.author, comment.from_staff, comment.body) == ("Sanjay Patel", False,
                                                                  "Here are the logs you asked for.")
    assert ticket_row(task)["updated_at"] == LATER


def test_a_staff_comment_leaves_a_task_waiting_on_the_customer(world):
    task = new_task(world.retail)
    set_status(task, "waiting_on_customer")

    comment = tasks.add_comment(world.actor("agent"), task, "Could you send the logs?")

    assert ticket_row(task)["status"] == "waiting_on_customer"
    assert comment.from_staff is True


@pytest.mark.parametrize(("body", "message"), [
    ("", "^Write a comment first.$"), ("  \n ", "^Write a comment first.$"),
    ("x" * 10_001, "^Keep a comment under 10,000 characters.$"),
])
def test_an_empty_or_overlong_comment_is_refused(world, body, message):
    task = new_task(world.retail)
    before = task_state()
    with pytest.raises(InvalidInput, match=message):
        tasks.add_comment(world.actor("retail_member"), task, body)
    assert task_state() == before


def test_comments_are_listed_in_the_order_they_were_written(world):
    task = new_task(world.retail)
    tasks.add_comment(world.actor("retail_member"), task, "First", at=NOW)
    tasks.add_comment(world.actor("agent"), task, "Second", at=NOW + timedelta(minutes=1))

    detail = tasks.get_task(world.actor("retail_owner"), task)

    assert [(c.author, c.body, c.from_staff) for c in detail.comments] == [
        ("Sanjay Patel", "First", False), ("Alex Kim", "Second", True)]
