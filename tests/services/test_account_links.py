"""Password resets and invitations by e-mail (``services/account_links.py``) through a real SMTP server
(SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from opsportal import clock
from opsportal.services import account_links, auth, subscriptions
from opsportal.services.errors import Conflict, InvalidInput, PermissionDenied, Unavailable
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from tests.utils.builders import PASSWORD
from tests.utils.db import row_counts
from tests.utils.mail import MONTHLY, PUBLIC_URL, html_of, text_of, to, token_of


def test_a_password_reset_link_works_once_signs_out_everywhere_and_unknown_addresses_get_the_same_answer(
        world, inbox):
    old_session = auth.sign_in(email="olivia@northwind.example", password=PASSWORD)

    answer = account_links.request_password_reset("Olivia@Northwind.example")
    unknown = account_links.request_password_reset("nobody@northwind.example")
    malformed = account_links.request_password_reset("not an address")

    assert answer == unknown == malformed == account_links.RESET_ANSWER
    (msg,) = inbox.new()
    assert (to(msg), msg["Subject"]) == ("olivia@northwind.example", "Reset your OpsPortal password")
    assert msg["List-Unsubscribe"] is None
    url = link_in(text_of(msg), f"{PUBLIC_URL}/reset-password?token=")
    assert f'href="{url}"' in html_of(msg)
    assert "expires in 60 minutes" in text_of(msg)

    assert account_links.reset_password(token_of(url), "a-brand-new-password") == "olivia@northwind.example"
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.reset_password(token_of(url), "yet-another-password")
    with pytest.raises(InvalidInput, match="^This link is not valid"):
        account_links.reset_password("made-up-token", "yet-another-password")
    with pytest.raises(Exception, match="session has ended"):
        auth.authenticate(old_session.token)
    assert auth.sign_in(email="olivia@northwind.example", password="a-brand-new-password").actor.email


def link_in(body: str, prefix: str) -> str:
    match = re.search(re.escape(prefix) + r"\S+", body)
    assert match, body
    return match.group(0)


def test_a_password_reset_link_expires_after_an_hour_and_weak_passwords_are_refused(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    token = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))

    with pytest.raises(InvalidInput, match="at least 10 characters"):
        account_links.reset_password(token, "short")
    with pytest.raises(InvalidInput, match="^This link has expired"):
        account_links.reset_password(token, "a-brand-new-password", now=clock.now() + timedelta(minutes=61))
    assert auth.sign_in(email="olivia@northwind.example", password=PASSWORD).actor.email


def test_an_owner_or_admin_invites_a_user_by_e_mail_who_accepts_once_and_can_sign_in(world, inbox):
    invitation = account_links.invite_user(world.actor("holdings_admin"), email="Nina.Kovac@Northwind.example",
                                           role="billing")

    (msg,) = inbox.new()
    assert (to(msg), msg["Subject"]) == ("Nina.Kovac@northwind.example",
                                         "Adam Reyes invites you to Northwind Holdings on OpsPortal")
    body = text_of(msg)
    assert "Adam Reyes invites you to join Northwind Holdings on OpsPortal as Billing contact." in body
    url = link_in(body, f"{PUBLIC_URL}/invitation?token=")
    assert [i.email for i in account_links.pending_invitations(world.actor("holdings_owner"),
                                                               world.holdings.id)] == [invitation.email]

    accepted = account_links.accept_invitation(token_of(url), full_name="  Nina   Kovac ", password="nina-password-1")

    assert (accepted.email, accepted.full_name, accepted.role, accepted.organization) == (
        "Nina.Kovac@northwind.example", "Nina Kovac", "billing", "Northwind Holdings")
    assert auth.sign_in(email="nina.kovac@northwind.example", password="nina-password-1").actor.role == "billing"
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.accept_invitation(token_of(url), full_name="Nina", password="nina-password-1")
    assert account_links.pending_invitations(world.actor("holdings_owner"), world.holdings.id) == []


def test_checking_a_link_tells_whose_it_is_without_using_it(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    reset = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))
    account_links.invite_user(world.actor("holdings_admin"), email="nina@northwind.example", role="billing")
    invite = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/invitation?token="))
    before = row_counts()

    assert account_links.check_link(reset, "reset") == account_links.LinkCheck(email="olivia@northwind.example")
    assert account_links.check_link(invite, "invite") == account_links.LinkCheck(
        email="nina@northwind.example", organization="Northwind Holdings", role_label="Billing contact")
    assert row_counts() == before
    assert account_links.reset_password(reset, "a-brand-new-password")  # still works after the check


@pytest.mark.parametrize(("token", "purpose", "message"), [
    ("made-up-token", "reset", "^This link is not valid"),
    ("", "invite", "^This link is not valid"),
    ("anything", "unsubscribe", "^This link is not valid"),
])
def test_checking_a_link_that_does_not_exist_gives_the_forms_message(world, token, purpose, message):
    with pytest.raises(InvalidInput, match=message):
        account_links.check_link(token, purpose)


def test_checking_a_used_or_expired_link_gives_the_forms_message(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    token = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))
    with pytest.raises(InvalidInput, match="^This link has expired"):
        account_links.check_link(token, "reset", now=clock.now() + timedelta(minutes=61))
    with pytest.raises(InvalidInput, match="^This link is not valid"):  # a reset link is no invitation
        account_links.check_link(token, "invite")
    account_links.reset_password(token, "a-brand-new-password")
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.check_link(token, "reset")


def test_invitations_are_for_owners_and_admins_of_their_own_organization(world, inbox):
    with pytest.raises(PermissionDenied):
        account_links.invite_user(world.actor("holdings_member"), email="x@northwind.example", role="member")
    with pytest.raises(PermissionDenied):
        account_links.invite_user(world.actor("fabrikam_owner"), email="x@northwind.example", role="member",
                                  organization_id=world.holdings.id)
    with pytest.raises(PermissionDenied, match="^Only owners may invite another owner.$"):
        account_links.invite_user(world.actor("holdings_admin"), email="x@northwind.example", role="owner")
    with pytest.raises(Conflict, match="already exists"):
        account_links.invite_user(world.actor("holdings_owner"), email="mark@northwind.example", role="member")
    with pytest.raises(InvalidInput, match="Only customer roles"):
        account_links.invite_user(world.actor("holdings_owner"), email="x@northwind.example", role="agent")
    assert inbox.new() == []


def test_an_invitation_that_cannot_be_e_mailed_is_withdrawn_and_says_so(world, inbox):
    inbox.down()
    with pytest.raises(Unavailable, match="could not be e-mailed"):
        account_links.invite_user(world.actor("holdings_owner"), email="x@northwind.example", role="member")
    assert account_links.pending_invitations(world.actor("holdings_owner"), world.holdings.id) == []


def test_an_invited_owner_of_an_organization_without_one_becomes_its_primary_contact(world, inbox):
    create_organization(OPERATOR, name="Contoso")
    invitation = account_links.invite_user(world.actor("staff_admin"), email="ann@contoso.example", role="owner",
                                           organization_id=_org_id("Contoso"))
    url = link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/invitation?token=")

    accepted = account_links.accept_invitation(token_of(url), full_name="Ann Lee", password="ann-password-1")

    assert invitation.organization == accepted.organization == "Contoso"
    choices = subscriptions.list_subscriptions(world.actor("staff_admin"), accepted.user_id)
    assert {s.kind: s.subscribed for s in choices}[MONTHLY] is True


def _org_id(name: str) -> int:
    from opsportal.services.organizations import resolve_id

    return resolve_id(OPERATOR, name)
