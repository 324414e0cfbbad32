"""The staff task page's followers, follow-up links and the customer's rating (services.staff_ticket_panel, SQLite
and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import agent_work, staff_ticket_panel, ticket_actions
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.utils.ledger import NOW
from tests.utils.tasks import _rows, count, new_task

SOLVED = NOW + timedelta(hours=2)
NOT_A_COLLEAGUE = "Choose an active colleague from your organization."


@pytest.fixture
def ticket(world):
    """A Retail ticket opened by Sanjay (a member)."""
    return new_task(world.retail, by=world.actor("retail_member"))


def test_an_agent_adds_a_customer_of_the_tickets_organization_who_then_hears_of_status_changes(world, ticket):
    owner = world.users["retail_owner"]

    person = staff_ticket_panel.add_follower(world.actor("agent"), ticket, owner.id, at=NOW)

    assert (person.id, person.name) == (owner.id, "Rita Alvarez")
    panel = staff_ticket_panel.panel(world.actor("agent"), ticket)
    assert [(f.person.id, f.removable) for f in panel.followers] == [(owner.id, True)]
    assert owner.id not in [p.id for p in panel.candidates]
    agent_work.set_status(world.actor("agent"), ticket, "waiting_on_customer", at=SOLVED)
    notified = _rows("SELECT user_id, text FROM portal_notification WHERE ticket_id = :t", t=ticket)
    assert (owner.id, "Waiting on you") in notified


def test_an_agent_removes_a_follower(world, ticket):
    owner = world.users["retail_owner"]
    staff_ticket_panel.add_follower(world.actor("agent"), ticket, owner.id, at=NOW)

    staff_ticket_panel.remove_follower(world.actor("staff_admin"), ticket, owner.id)

    assert staff_ticket_panel.panel(world.actor("agent"), ticket).followers == ()
    with pytest.raises(InvalidInput, match="^That person does not follow this ticket.$"):
        staff_ticket_panel.remove_follower(world.actor("agent"), ticket, owner.id)


@pytest.mark.parametrize("who", ["holdings_owner", "fabrikam_owner", "agent"])
def test_only_customers_of_the_tickets_own_organization_can_be_added_by_staff(world, ticket, who):
    with pytest.raises(InvalidInput, match=f"^{NOT_A_COLLEAGUE}$"):
        staff_ticket_panel.add_follower(world.actor("agent"), ticket, world.users[who].id, at=NOW)
    assert count("ticket_follower") == 0


def test_the_requester_is_not_added_and_nobody_follows_twice(world, ticket):
    agent = world.actor("agent")
    with pytest.raises(InvalidInput, match="already hears of everything"):
        staff_ticket_panel.add_follower(agent, ticket, world.users["retail_member"].id, at=NOW)
    staff_ticket_panel.add_follower(agent, ticket, world.users["retail_owner"].id, at=NOW)
    with pytest.raises(Conflict, match="^Rita Alvarez already follows this ticket.$"):
        staff_ticket_panel.add_follower(agent, ticket, world.users["retail_owner"].id, at=NOW)
    assert count("ticket_follower") == 1


def test_the_panel_shows_the_follow_up_links_and_the_customers_rating(world, ticket):
    member = world.actor("retail_member")
    ticket_actions.close(member, ticket, at=SOLVED)
    ticket_actions.rate(member, ticket, "bad", "It broke again.", at=SOLVED)
    follow_up = ticket_actions.open_follow_up(member, ticket, "The printer went offline again.",
                                              at=SOLVED + timedelta(days=10))

    old = staff_ticket_panel.panel(world.actor("agent"), ticket)
    new = staff_ticket_panel.panel(world.actor("agent"), follow_up)

    assert (old.follow_up_of, old.follow_ups, new.follow_up_of, new.follow_ups) == (None, (follow_up,), ticket, ())
    assert (old.rating.score, old.rating.comment, old.rating.rated_by) == ("bad", "It broke again.", "Sanjay Patel")
    assert new.rating is None


@pytest.mark.parametrize("who", ["retail_owner", "fabrikam_owner"])
def test_customers_cannot_use_the_staff_panel_and_nothing_changes(world, ticket, who):
    actor = world.actor(who)
    with pytest.raises(PermissionDenied):
        staff_ticket_panel.panel(actor, ticket)
    with pytest.raises(PermissionDenied):
        staff_ticket_panel.add_follower(actor, ticket, world.users["retail_owner"].id, at=NOW)
    with pytest.raises(PermissionDenied):
        staff_ticket_panel.remove_follower(actor, ticket, world.users["retail_owner"].id)
    assert count("ticket_follower") == 0


def test_an_unknown_ticket_reads_as_missing(world):
    with pytest.raises(NotFound):
        staff_ticket_panel.panel(world.actor("agent"), 999_999)
