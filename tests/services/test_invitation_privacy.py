"""Inviting an address tells the inviter nothing about accounts in other organizations (SQLite and PostgreSQL).

An address belongs to one organization. Inviting one that already has an account elsewhere is answered like a
new address (the invitation is listed as pending); its holder gets a note that there is nothing to accept instead
of a link. An address in an organization the inviter can already see may be refused as existing.
"""

from __future__ import annotations

import pytest

from opsportal import clock
from opsportal.services import account_links, mailer
from opsportal.services.errors import Conflict

NEW, ELSEWHERE = "newcomer@example.org", "fiona@fabrikam.example"


@pytest.fixture
def outbox(monkeypatch):
    sent: list[mailer.Mail] = []
    monkeypatch.setattr(mailer, "send_mail", lambda mail: sent.append(mail) or "<id@test>")
    return sent


def answer(world, email: str, *, now) -> tuple:
    """What the inviter sees: the invitation (its address aside), or the refusal."""
    try:
        invitation = account_links.invite_user(world.actor("holdings_owner"), email=email, role="member", now=now)
    except Exception as error:  # noqa: BLE001 - any refusal is part of the answer
        return type(error), str(error).replace(email, "<address>")
    return (type(invitation), invitation.role, invitation.organization_id, invitation.organization,
            invitation.expires_at)


@pytest.mark.parametrize("elsewhere", [ELSEWHERE, "rita@retail.northwind.example", "sam@opsportal.example"])
def test_inviting_an_address_with_an_account_in_another_organization_answers_like_a_new_address(
        world, outbox, elsewhere):
    now = clock.now()
    assert answer(world, elsewhere, now=now) == answer(world, NEW, now=now)
    pending = account_links.pending_invitations(world.actor("holdings_owner"), world.holdings.id)
    assert sorted(i.email for i in pending) == sorted([elsewhere, NEW])


def test_the_holder_of_an_existing_account_is_told_there_is_nothing_to_accept_and_gets_no_link(world, outbox):
    account_links.invite_user(world.actor("holdings_admin"), email=ELSEWHERE.upper(), role="billing")
    (mail,) = outbox
    assert (mail.to_address, mail.kind) == (ELSEWHERE, "invitation_existing_account")
    assert mail.subject == "Adam Reyes invited you to Northwind Holdings on OpsPortal"
    assert "token=" not in mail.text and "token=" not in mail.html
    assert "This address already has an OpsPortal account" in mail.text
    assert "/login" in mail.text and "/forgot-password" in mail.text
    assert "nothing on your account has changed" in mail.text


def test_a_new_address_gets_the_invitation_with_its_link(world, outbox):
    account_links.invite_user(world.actor("holdings_owner"), email=NEW, role="member")
    (mail,) = outbox
    assert (mail.to_address, mail.kind) == (NEW, "invitation")
    assert "/invitation?token=" in mail.text


@pytest.mark.parametrize("email", ["mark@northwind.example", "Olivia@Northwind.example"])
def test_an_address_in_the_inviters_own_organization_is_refused_as_existing(world, outbox, email):
    with pytest.raises(Conflict, match=r"^A user with e-mail \S+@northwind.example already exists.$"):
        account_links.invite_user(world.actor("holdings_owner"), email=email, role="member")
    assert outbox == []


def test_staff_inviting_an_existing_address_are_told_it_exists(world, outbox):
    with pytest.raises(Conflict, match="already exists"):
        account_links.invite_user(world.actor("staff_admin"), email=ELSEWHERE, role="member",
                                  organization_id=world.holdings.id)
