"""Who receives which notification (``services/subscriptions.py``) and the one-click unsubscribe link every
notice carries (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal import clock
from opsportal.services import auth, credit_notices, low_balance, overdue_reminders, subscriptions
from opsportal.services.errors import InvalidInput, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.utils.builders import PASSWORD
from tests.utils.ledger import NOW
from tests.utils.mail import MONTHLY, PUBLIC_URL, WEEKLY, demo_credits, html_of, link, subscribe, to, token_of


def test_every_notice_carries_a_signed_one_click_unsubscribe_link_that_works_without_signing_in(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", kind=WEEKLY)
    credit_notices.run_weekly(OPERATOR, at=NOW)
    msg = next(m for m in inbox.new() if to(m) == "olivia@northwind.example")

    page_link = link(msg, "Unsubscribe from this notification")
    assert page_link.startswith(f"{PUBLIC_URL}/unsubscribe?token=")
    assert msg["List-Unsubscribe"] == f"<{PUBLIC_URL}/api/unsubscribe?token={token_of(page_link)}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{page_link}"' in html_of(msg)
    assert link(msg, "Manage your notifications") == f"{PUBLIC_URL}/notifications"

    result = subscriptions.unsubscribe_by_token(token_of(page_link))
    again = subscriptions.unsubscribe_by_token(token_of(page_link))

    assert (result.email, result.kind, result.changed, result.nobody_left) == (
        "olivia@northwind.example", WEEKLY, True, False)
    assert result.message == "olivia@northwind.example will no longer receive the weekly credit expiry notice."
    assert (again.changed, again.subscribed) == (False, False)
    credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(days=7))
    assert [to(m) for m in inbox.new()] == ["adam@northwind.example"]
    statuses = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_owner"))}
    assert statuses[WEEKLY] is False


def test_unsubscribing_the_last_subscriber_by_link_says_nobody_receives_it_and_undo_subscribes_again(world, inbox):
    subscribe(world, "holdings_owner", kind=MONTHLY)
    token = subscriptions.unsubscribe_token(world.users["holdings_owner"].id, MONTHLY)

    result = subscriptions.unsubscribe_by_token(token)
    undone = subscriptions.resubscribe_by_token(token)

    assert result.nobody_left is True
    assert "No one in Northwind Holdings receives it any more." in result.message
    assert (undone.subscribed, undone.changed) == (True, True)


def test_a_forged_expired_or_session_token_does_not_unsubscribe_anyone(world, inbox):
    subscribe(world, "holdings_owner", kind=MONTHLY)
    user_id = world.users["holdings_owner"].id
    good = subscriptions.unsubscribe_token(user_id, MONTHLY)
    expired = subscriptions.unsubscribe_token(user_id, MONTHLY, now=clock.now() - timedelta(days=61))
    session_token = auth.sign_in(email="olivia@northwind.example", password=PASSWORD).token

    with pytest.raises(InvalidInput, match="^This unsubscribe link has expired"):
        subscriptions.unsubscribe_by_token(expired)
    for bad in (good[:-4] + "AAAA", session_token, "", "not-a-token"):
        with pytest.raises(InvalidInput, match="^This unsubscribe link is not valid"):
            subscriptions.unsubscribe_by_token(bad)
    assert {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_owner"))}[MONTHLY]


def test_a_new_organizations_primary_contact_is_subscribed_to_the_statement_and_the_expiry_notice(world, inbox):
    create_organization(OPERATOR, name="Contoso")
    first = create_user(OPERATOR, email="ann@contoso.example", role="owner", organization_name="Contoso",
                        password=PASSWORD).user
    second = create_user(OPERATOR, email="bob@contoso.example", role="owner", organization_name="Contoso",
                         password=PASSWORD).user
    staff = world.actor("staff_admin")

    mine = {s.kind: (s.subscribed, s.chosen) for s in subscriptions.list_subscriptions(staff, first.id)}
    theirs = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(staff, second.id)}

    assert mine == {MONTHLY: (True, True), WEEKLY: (True, True), "low_balance": (True, False),
                    "overdue_reminder": (True, False), "ticket_updates": (True, False),
                    "community_answers": (True, False)}
    assert (theirs[MONTHLY], theirs[WEEKLY]) == (False, False)


def test_a_user_subscribes_and_unsubscribes_and_members_are_not_offered_overdue_reminders(world, inbox):
    member = world.actor("holdings_member")

    on = subscriptions.subscribe(member, WEEKLY)
    subscriptions.subscribe(world.actor("holdings_owner"), WEEKLY)
    off = subscriptions.unsubscribe(member, WEEKLY)

    assert (on.subscribed, on.changed, on.message) == (True, True, "You will receive the weekly credit expiry notice.")
    assert (off.subscribed, off.changed, off.needs_confirmation) == (False, True, False)
    assert [s.kind for s in subscriptions.list_subscriptions(member)] == [MONTHLY, WEEKLY, "low_balance",
                                                                            "ticket_updates", "community_answers"]
    with pytest.raises(InvalidInput, match="goes to owners, administrators and billing contacts only"):
        subscriptions.subscribe(member, "overdue_reminder")


def test_unsubscribing_the_last_subscriber_asks_for_confirmation_first_and_changes_nothing_until_then(world, inbox):
    owner, admin = world.actor("holdings_owner"), world.actor("holdings_admin")
    subscribe(world, "holdings_owner", "holdings_admin", kind=MONTHLY)
    subscriptions.unsubscribe(admin, MONTHLY)

    asked = subscriptions.unsubscribe(owner, MONTHLY)
    still = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(owner)}[MONTHLY]
    confirmed = subscriptions.unsubscribe(owner, MONTHLY, confirm=True)

    assert (asked.needs_confirmation, asked.changed, still) == (True, False, True)
    assert asked.message == (
        "You are the last subscriber of the monthly credit statement in Northwind Holdings. If you unsubscribe, no "
        "one in Northwind Holdings will receive it any more. This might cause you to miss an expiration date and "
        "lead to loss of credits.")
    assert (confirmed.subscribed, confirmed.changed) == (False, True)
    assert confirmed.message.endswith("No one in Northwind Holdings receives it any more.")


def test_owners_and_admins_manage_their_colleagues_subscriptions_and_nobody_else_does(world, inbox):
    member_id = world.users["holdings_member"].id
    owner_id = world.users["holdings_owner"].id

    change = subscriptions.subscribe(world.actor("holdings_admin"), MONTHLY, user_id=member_id)
    listing = subscriptions.organization_subscriptions(world.actor("holdings_owner"), world.holdings.id)

    assert change.message == "Mark Osei will receive the monthly credit statement."
    assert {m.email: m.subscriptions[MONTHLY] for m in listing.items}["mark@northwind.example"] is True
    with pytest.raises(PermissionDenied, match="^Only the organization's owners and administrators"):
        subscriptions.unsubscribe(world.actor("holdings_member"), MONTHLY, user_id=owner_id)
    for outsider in ("fabrikam_owner", "retail_owner"):
        with pytest.raises(PermissionDenied, match="^That user was not found or you do not have access to them.$"):
            subscriptions.list_subscriptions(world.actor(outsider), member_id)
        with pytest.raises(PermissionDenied, match="^That user was not found"):
            subscriptions.unsubscribe(world.actor(outsider), MONTHLY, user_id=member_id, confirm=True)
        with pytest.raises(PermissionDenied):
            subscriptions.organization_subscriptions(world.actor(outsider), world.holdings.id)
    with pytest.raises(InvalidInput, match="staff accounts have none"):
        subscriptions.list_subscriptions(world.actor("agent"))
    asked = subscriptions.unsubscribe(world.actor("holdings_owner"), MONTHLY, user_id=member_id)
    assert asked.needs_confirmation and asked.message.startswith("Mark Osei is the last subscriber")
    assert {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_member"))}[MONTHLY]


def test_the_jobs_and_an_unknown_notification_are_refused_to_customers(world, inbox):
    for job in (credit_notices.run_monthly, credit_notices.run_weekly, low_balance.run_low_balance,
                overdue_reminders.run_overdue_reminders):
        with pytest.raises(PermissionDenied):
            job(world.actor("holdings_owner"), at=NOW)
    with pytest.raises(InvalidInput, match="^Unknown notification 'daily'"):
        subscriptions.subscribe(world.actor("holdings_owner"), "daily")
