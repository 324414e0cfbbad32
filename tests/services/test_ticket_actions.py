"""Customers act on their tickets: solve, close, reopen within the window, follow-ups, followers and priority
(services.ticket_actions, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.services import agent_work, credits, ticket_actions
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.tasks import InvalidTicket
from opsportal.settings import get_settings
from tests.utils.builders import actor_for, add_user
from tests.utils.ledger import NOW, entries, grant
from tests.utils.tasks import count, new_task, task_state, ticket_row

SOLVED = NOW + timedelta(hours=2)
TASK_NOT_FOUND = "That task was not found or you do not have access to it."
STAFF_REFUSED = "The support team changes tickets from the staff console."
FOLLOW_UP_TEXT = "The printer went offline again this morning."


@pytest.fixture
def ticket(world):
    """A Retail ticket opened by Sanjay (a member), assigned to the agent."""
    task = new_task(world.retail, by=world.actor("retail_member"))
    agent_work.assign(OPERATOR, task, world.users["agent"].id, at=NOW)
    return task


@pytest.fixture
def colleague(world):
    """Another Retail member, not on the ticket."""
    with unit_of_work() as session:
        user = add_user(session, "carla@retail.northwind.example", role="member", org=world.retail,
                        full_name="Carla Mendes")
    return user


def state() -> dict:
    snapshot = task_state()
    snapshot["followers"] = count("ticket_follower")
    snapshot["ratings"] = count("ticket_rating")
    snapshot["notifications"] = count("portal_notification")
    return snapshot


def notified(ticket_id: int) -> list[tuple[int, str, str]]:
    from tests.utils.tasks import _rows

    return _rows("SELECT user_id, kind, text FROM portal_notification WHERE ticket_id = :t ORDER BY id", t=ticket_id)


def test_the_requester_marks_a_ticket_solved_and_its_followers_hear_of_it(world, ticket):
    owner = world.users["retail_owner"]
    ticket_actions.add_follower(world.actor("retail_member"), ticket, owner.id, at=NOW)

    assert ticket_actions.solve(world.actor("retail_member"), ticket, at=SOLVED) == "resolved"

    row = ticket_row(ticket)
    assert (row["status"], row["closed_at"], row["updated_at"]) == ("resolved", SOLVED, SOLVED)
    assert notified(ticket) == [(owner.id, "status", "Resolved")]  # never the actor


def test_solving_settles_held_credits_like_an_agent_closing_the_ticket(world, ticket):
    lot = grant(world.retail, 100, product="service_credits")
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=30, at=NOW)

    ticket_actions.solve(world.actor("retail_member"), ticket, at=SOLVED)

    assert [(kind, quantity) for kind, _lot, _org, quantity, *_ in entries(lot.id)][-1] == ("consume", 30)


def test_a_solved_ticket_is_reopened_within_the_window_and_closed_at_is_cleared(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.solve(member, ticket, at=SOLVED)

    assert ticket_actions.reopen(member, ticket, at=SOLVED + timedelta(days=7)) == "open"

    row = ticket_row(ticket)
    assert (row["status"], row["closed_at"]) == ("open", None)


def test_a_closed_ticket_cannot_be_reopened_after_the_window_and_nothing_changes(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.close(member, ticket, at=SOLVED)
    before = state()

    with pytest.raises(Conflict, match="more than 7 days ago and can no longer be reopened: open a follow-up"):
        ticket_actions.reopen(member, ticket, at=SOLVED + timedelta(days=7, seconds=1))

    assert state() == before


def test_the_window_follows_the_setting(world, ticket, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_REOPEN_WINDOW_DAYS", "2")
    get_settings.cache_clear()
    try:
        member = world.actor("retail_member")
        ticket_actions.close(member, ticket, at=SOLVED)
        with pytest.raises(Conflict, match="more than 2 days ago"):
            ticket_actions.reopen(member, ticket, at=SOLVED + timedelta(days=3))
    finally:
        get_settings.cache_clear()


def test_closing_a_solved_ticket_keeps_the_moment_it_was_solved(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.solve(member, ticket, at=SOLVED)

    ticket_actions.close(member, ticket, at=SOLVED + timedelta(days=1))

    assert (ticket_row(ticket)["status"], ticket_row(ticket)["closed_at"]) == ("closed", SOLVED)


def test_solving_a_solved_ticket_again_is_refused(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.solve(member, ticket, at=SOLVED)

    with pytest.raises(Conflict, match="^This ticket is already solved.$"):
        ticket_actions.solve(member, ticket, at=SOLVED)


def test_a_member_not_on_the_ticket_cannot_change_its_status_until_they_follow_it(world, ticket, colleague):
    carla = actor_for(colleague)
    before = state()
    with pytest.raises(PermissionDenied, match="^Only the person who opened this ticket, its followers"):
        ticket_actions.solve(carla, ticket, at=SOLVED)
    assert state() == before

    ticket_actions.add_follower(carla, ticket, colleague.id, at=NOW)
    assert ticket_actions.solve(carla, ticket, at=SOLVED) == "resolved"


def test_an_owner_acts_on_any_ticket_of_the_organization(world, ticket):
    assert ticket_actions.close(world.actor("retail_owner"), ticket, at=SOLVED) == "closed"


def test_a_follow_up_copies_subject_and_category_links_both_ways_and_keeps_the_people(world, ticket, colleague):
    member = world.actor("retail_member")
    ticket_actions.add_follower(member, ticket, colleague.id, at=NOW)
    ticket_actions.close(member, ticket, at=SOLVED)
    owner = world.actor("retail_owner")

    new = ticket_actions.open_follow_up(owner, ticket, FOLLOW_UP_TEXT, at=SOLVED + timedelta(days=10))

    row = ticket_row(new)
    assert (row["title"], row["category"], row["status"], row["follow_up_of_id"], row["created_by_user_id"]) == (
        "Re: Printer offline", "End-user support", "open", ticket, owner.user_id)
    assert row["description"] == FOLLOW_UP_TEXT
    assert ticket_actions.panel(owner, ticket, at=SOLVED + timedelta(days=10)).follow_ups == (new,)
    panel = ticket_actions.panel(owner, new, at=SOLVED + timedelta(days=10))
    assert panel.follow_up_of == ticket
    assert [f.person.id for f in panel.followers] == [world.users["retail_member"].id, colleague.id]


def test_a_follow_up_of_an_open_ticket_or_without_a_description_is_refused(world, ticket):
    member = world.actor("retail_member")
    with pytest.raises(Conflict, match="still open"):
        ticket_actions.open_follow_up(member, ticket, FOLLOW_UP_TEXT, at=SOLVED)
    ticket_actions.close(member, ticket, at=SOLVED)
    before = state()
    with pytest.raises(InvalidTicket, match="Describe the problem"):
        ticket_actions.open_follow_up(member, ticket, "again", at=SOLVED)
    assert state() == before


def test_a_customer_chooses_low_normal_or_high_but_never_raises_to_urgent(world, ticket):
    member = world.actor("retail_member")
    assert ticket_actions.change_priority(member, ticket, "high", at=SOLVED) == "high"
    assert ticket_row(ticket)["priority"] == "high"
    before = state()

    with pytest.raises(Conflict, match="^Urgent is set by the support team"):
        ticket_actions.change_priority(member, ticket, "urgent", at=SOLVED)

    assert state() == before


@pytest.mark.parametrize("priority", ["critical", "", "HIGHEST"])
def test_an_unknown_priority_is_refused_and_nothing_changes(world, ticket, priority):
    before = state()
    with pytest.raises(InvalidInput, match="^Choose a priority: low, normal or high.$"):
        ticket_actions.change_priority(world.actor("retail_member"), ticket, priority, at=SOLVED)
    assert state() == before


def test_the_priority_of_a_solved_ticket_does_not_change(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.solve(member, ticket, at=SOLVED)
    with pytest.raises(Conflict, match="^The priority of a solved or closed ticket cannot change.$"):
        ticket_actions.change_priority(member, ticket, "low", at=SOLVED)


def test_the_requester_adds_and_removes_a_colleague_who_then_hears_of_status_changes(world, ticket, colleague):
    member = world.actor("retail_member")
    person = ticket_actions.add_follower(member, ticket, colleague.id, at=NOW)
    assert person.name == "Carla Mendes"
    ticket_actions.solve(world.actor("retail_owner"), ticket, at=SOLVED)
    assert {u for u, *_ in notified(ticket)} == {world.users["retail_member"].id, colleague.id}

    ticket_actions.remove_follower(member, ticket, colleague.id)

    assert count("ticket_follower") == 0


def test_following_twice_is_refused_with_the_name(world, ticket, colleague):
    ticket_actions.add_follower(world.actor("retail_owner"), ticket, colleague.id, at=NOW)
    with pytest.raises(Conflict, match="^Carla Mendes already follows this ticket.$"):
        ticket_actions.add_follower(world.actor("retail_owner"), ticket, colleague.id, at=NOW)


@pytest.mark.parametrize("who", ["holdings_owner", "logistics_owner", "fabrikam_owner", "agent", "missing"])
def test_only_active_customer_users_of_the_tickets_own_organization_can_follow_it(world, ticket, who):
    user_id = world.users[who].id if who != "missing" else 999_999
    before = state()
    with pytest.raises(InvalidInput, match="^Choose an active colleague from your organization.$"):
        ticket_actions.add_follower(world.actor("retail_owner"), ticket, user_id, at=NOW)
    assert state() == before


def test_an_inactive_colleague_cannot_follow(world, ticket):
    with unit_of_work() as session:
        gone = add_user(session, "gone@retail.northwind.example", org=world.retail, is_active=False)
    with pytest.raises(InvalidInput, match="active colleague"):
        ticket_actions.add_follower(world.actor("retail_owner"), ticket, gone.id, at=NOW)


def test_a_member_follows_themselves_but_cannot_add_or_remove_others(world, ticket, colleague):
    carla = actor_for(colleague)
    ticket_actions.add_follower(carla, ticket, colleague.id, at=NOW)
    with pytest.raises(PermissionDenied, match="you can follow or unfollow it yourself"):
        ticket_actions.add_follower(carla, ticket, world.users["retail_owner"].id, at=NOW)
    ticket_actions.remove_follower(carla, ticket, colleague.id)
    assert count("ticket_follower") == 0


def test_the_requester_is_never_a_follower(world, ticket):
    with pytest.raises(PermissionDenied, match="already hears of everything"):
        ticket_actions.add_follower(world.actor("retail_owner"), ticket, world.users["retail_member"].id, at=NOW)


def test_removing_someone_who_does_not_follow_is_refused(world, ticket, colleague):
    with pytest.raises(InvalidInput, match="^That person does not follow this ticket.$"):
        ticket_actions.remove_follower(world.actor("retail_owner"), ticket, colleague.id)


def test_the_panel_offers_a_member_only_themselves_and_a_manager_every_colleague(world, ticket, colleague):
    carla = ticket_actions.panel(actor_for(colleague), ticket, at=NOW)
    assert ([p.id for p in carla.candidates], carla.may_act, carla.actions) == ([colleague.id], False, ())
    owner = ticket_actions.panel(world.actor("retail_owner"), ticket, at=NOW)
    assert {p.id for p in owner.candidates} == {colleague.id, world.users["retail_owner"].id}
    assert [a.value for a in owner.actions] == ["solve", "close"]
    assert owner.priority_options == ("low", "normal", "high")



def test_the_panel_links_emergency_support_only_for_those_who_may_request_it(world, ticket, colleague):
    assert ticket_actions.panel(actor_for(colleague), ticket, at=NOW).may_request_incident is False
    assert ticket_actions.panel(world.actor("retail_owner"), ticket, at=NOW).may_request_incident is True

ACTIONS = {
    "solve": lambda actor, task: ticket_actions.solve(actor, task, at=SOLVED),
    "close": lambda actor, task: ticket_actions.close(actor, task, at=SOLVED),
    "reopen": lambda actor, task: ticket_actions.reopen(actor, task, at=SOLVED),
    "follow_up": lambda actor, task: ticket_actions.open_follow_up(actor, task, FOLLOW_UP_TEXT, at=SOLVED),
    "priority": lambda actor, task: ticket_actions.change_priority(actor, task, "low", at=SOLVED),
    "add_follower": lambda actor, task: ticket_actions.add_follower(actor, task, actor.user_id, at=SOLVED),
    "remove_follower": lambda actor, task: ticket_actions.remove_follower(actor, task, actor.user_id),
    "rate": lambda actor, task: ticket_actions.rate(actor, task, "good", "", at=SOLVED),
    "panel": lambda actor, task: ticket_actions.panel(actor, task, at=SOLVED),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("intruder", ["holdings_owner", "logistics_owner", "fabrikam_owner"])
def test_another_organizations_user_is_told_the_ticket_does_not_exist_and_nothing_changes(world, ticket, action,
                                                                                          intruder):
    before = state()
    for target in (ticket, 999_999):  # theirs and a missing one answer alike
        with pytest.raises(NotFound, match=f"^{TASK_NOT_FOUND}$"):
            ACTIONS[action](world.actor(intruder), target)
    assert state() == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_staff_are_sent_to_the_staff_console(world, ticket, action):
    with pytest.raises(PermissionDenied, match=f"^{STAFF_REFUSED}$"):
        ACTIONS[action](world.actor("agent"), ticket)


def test_staff_reopen_a_closed_ticket_after_the_window_and_the_requester_and_followers_hear_of_it(world, ticket,
                                                                                                  colleague):
    member = world.actor("retail_member")
    ticket_actions.add_follower(member, ticket, colleague.id, at=NOW)
    ticket_actions.close(member, ticket, at=SOLVED)

    agent_work.set_status(OPERATOR, ticket, "open", at=SOLVED + timedelta(days=30))

    assert (ticket_row(ticket)["status"], ticket_row(ticket)["closed_at"]) == ("open", None)
    requester = world.users["retail_member"].id
    assert sorted(notified(ticket)[-2:]) == sorted([(requester, "status", "Open"), (colleague.id, "status", "Open")])
