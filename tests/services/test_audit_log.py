"""The customer audit log: each recorded use case writes its event in its own transaction (a change that rolls back
leaves none), owners and administrators read their organization's activity a page at a time, filtered by action and
person, and export it; staff read every organization's; everyone else is refused (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
import warnings
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from starlette.responses import PlainTextResponse

from opsportal import clock
from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.db import get_engine, unit_of_work
from opsportal.domain.audit import NO_PERSON, AuditAction
from opsportal.services import (
    account_links,
    audit,
    auth,
    bank_payments,
    checkout_sessions,
    credits,
    invoice_staff,
    mailer,
    payment_confirmation,
    subscriptions,
)
from opsportal.services import stripe_gateway as gateway
from opsportal.services.audit import AuditFilters
from opsportal.services.errors import AuthenticationFailed, InvalidInput, PermissionDenied, Unavailable
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.builders import PASSWORD
from tests.utils.ledger import NOW, day, grant, lot_row

with warnings.catch_warnings():
    # Starlette would rather drive the app with httpx2; the httpx installed here works the same.
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient

AT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
OTHER_ORGANIZATION = "^That organization was not found or you do not have access to it.$"


def events(world, org: str = "holdings", **filters) -> list[tuple[str, str, str]]:
    """(who, action, target) of the organization's events, newest first, as its owner reads them."""
    page = audit.list_events(world.actor("staff_admin"), world.org(org).id, 1, AuditFilters(**filters),
                             page_size=100)
    return [(e.actor_name, e.action, e.target) for e in page.items]


def add_event(world, who: str = "holdings_owner", org: str | None = "holdings", *,
              action: AuditAction = AuditAction.signed_in, at: datetime = AT, target: str = "") -> None:
    with unit_of_work() as session:
        audit.record(session, actor_user_id=world.users[who].id, organization_id=world.org(org).id if org else None,
                     action=action, target=target, at=at)


# --- recorded in the change's own transaction ------------------------------------------------------------------


def test_an_owner_allocating_credits_records_who_allocated_what_to_whom(world):
    lot = grant(world.holdings, 200, expires=day(90))

    credits.allocate_part(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.logistics.id, quantity=50,
                          at=NOW)

    [(who, action, target)] = events(world)
    assert (who, action) == ("Olivia Hart", "credits_allocated")
    assert re.fullmatch(rf"50 credits of .+ \(lot {lot.id}, now lot \d+\) to Northwind Logistics", target), target


def test_an_allocation_that_fails_after_its_event_was_written_leaves_neither_the_change_nor_the_event(
        world, monkeypatch):
    lot = grant(world.holdings, 200)
    written = credits._audit_allocation

    def write_then_fail(*args, **kwargs):
        written(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(credits, "_audit_allocation", write_then_fail)
    with pytest.raises(RuntimeError):
        credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.retail.id)

    assert events(world) == []
    assert (lot_row(lot.id)["scope"], lot_row(lot.id)["assigned_org_id"]) == ("org", None)


def test_a_refused_allocation_records_nothing(world):
    lot = grant(world.holdings, 200)
    with pytest.raises(InvalidInput):
        credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.fabrikam.id)
    assert events(world) == []


def test_a_sign_in_and_a_wrong_password_to_an_existing_account_are_recorded_and_an_unknown_address_is_not(world):
    auth.sign_in(email="olivia@northwind.example", password=PASSWORD)
    for email in ("olivia@northwind.example", "nobody@northwind.example"):
        with pytest.raises(AuthenticationFailed):
            auth.sign_in(email=email, password="not-the-password")

    assert events(world) == [("Olivia Hart", "sign_in_failed", "Wrong password"), ("Olivia Hart", "signed_in", "")]


def test_a_staff_members_sign_in_is_an_event_only_staff_see(world):
    auth.sign_in(email="sam@opsportal.example", password=PASSWORD)

    [event] = audit.list_events(world.actor("agent"), None).items
    assert (event.actor_name, event.action, event.organization) == ("Sam Taylor", "signed_in", "")
    with pytest.raises(PermissionDenied):
        audit.list_events(world.actor("holdings_owner"), None)


def test_changing_the_password_is_recorded_with_the_address_the_state_named(world):
    with audit.from_address("203.0.113.9"):
        auth.change_password(world.actor("holdings_admin"), current=PASSWORD, new="a-brand-new-password")

    [event] = audit.list_events(world.actor("holdings_owner"), world.holdings.id).items
    assert (event.actor_name, event.action, event.client_address) == ("Adam Reyes", "password_changed",
                                                                      "203.0.113.9")


def test_a_subscription_change_is_recorded_once_and_naming_whose_when_it_is_someone_elses(world):
    owner, bianca = world.actor("holdings_owner"), world.users["holdings_billing"].id
    subscriptions.subscribe(owner, "monthly_statement", user_id=bianca)
    subscriptions.subscribe(owner, "monthly_statement", user_id=bianca)
    subscriptions.unsubscribe(world.actor("holdings_billing"), "monthly_statement", confirm=True)

    assert events(world) == [("Bianca Novak", "notification_unsubscribed", "Monthly credit statement"),
                             ("Olivia Hart", "notification_subscribed", "Monthly credit statement for Bianca Novak")]


@pytest.fixture
def sent_mail(monkeypatch) -> list[mailer.Mail]:
    sent: list[mailer.Mail] = []
    monkeypatch.setattr(mailer, "send_mail", lambda mail: sent.append(mail) or "<id@test>")
    return sent


def test_an_invitation_sent_accepted_and_another_revoked_are_each_recorded(world, sent_mail):
    owner = world.actor("holdings_owner")
    account_links.invite_user(owner, email="nina@northwind.example", role="billing")
    token = re.search(r"token=([\w-]+)", sent_mail[0].text).group(1)
    account_links.accept_invitation(token, full_name="Nina Kovac", password="nina-password-1")
    second = account_links.invite_user(owner, email="omar@northwind.example", role="member")
    account_links.revoke_invitation(owner, second.id)

    assert events(world) == [
        ("Olivia Hart", "invitation_revoked", "omar@northwind.example as Member"),
        ("Olivia Hart", "invitation_sent", "omar@northwind.example as Member"),
        ("Nina Kovac", "invitation_accepted", "nina@northwind.example as Billing contact"),
        ("Olivia Hart", "invitation_sent", "nina@northwind.example as Billing contact"),
    ]


def test_an_invitation_that_could_not_be_e_mailed_leaves_no_event(world, monkeypatch):
    def refuse(_mail):
        raise mailer.MailError("connection refused")

    monkeypatch.setattr(mailer, "send_mail", refuse)
    with pytest.raises(Unavailable):
        account_links.invite_user(world.actor("holdings_owner"), email="x@northwind.example", role="member")
    assert events(world) == []


def test_a_password_reset_by_e_mail_link_is_recorded_as_the_account_holders(world, sent_mail):
    account_links.request_password_reset("mark@northwind.example")
    token = re.search(r"token=([\w-]+)", sent_mail[0].text).group(1)
    account_links.reset_password(token, "a-brand-new-password")

    assert events(world) == [("Mark Osei", "password_reset", "")]


def test_a_bank_transfer_and_a_confirmed_card_payment_are_recorded(world, monkeypatch):
    first, second = (invoice_staff.create_pre_service_invoice(
        OPERATOR, world.holdings.id, [ItemInput("On-site audit (per day)", 1, 50_000)], today=date(2026, 12, 1))
        for _ in range(2))
    bank_payments.record_offline_payment(world.actor("staff_admin"), first.id, reference="BT 4471")
    monkeypatch.setattr(gateway, "create_checkout_session", lambda **kw: gateway.CheckoutSession(
        id="cs_test_1", url="https://checkout.stripe.test/c/pay/cs_test_1", status="open", payment_status="unpaid",
        amount_total=kw["amount_minor"], currency=kw["currency"].lower(), metadata=dict(kw["metadata"])))
    started = checkout_sessions.start_invoice_checkout(world.actor("holdings_billing"), second.id)
    with unit_of_work() as session:
        paid = gateway.CheckoutSession(id="cs_test_1", url="", status="complete", payment_status="paid",
                                       amount_total=50_000, currency="usd", payment_intent="pi_test_1",
                                       metadata={"opsportal_payment_id": str(started.payment_id)})
        # After the bank transfer was recorded (that event is dated when it was recorded: now).
        payment_confirmation.confirm(session, paid, "webhook", "evt_1", clock.now())

    [card, bank] = events(world)
    assert card[:2] == ("Bianca Novak", "card_payment_confirmed") and card[2].startswith("USD 500.00: ")
    assert bank == ("Sam Taylor", "bank_payment_recorded", f"Invoice {first.number}: USD 500.00, reference BT 4471")


def test_an_event_without_a_person_names_opsportal(world):
    with unit_of_work() as session:
        audit.record(session, actor_user_id=None, organization_id=world.holdings.id,
                     action=AuditAction.role_changed, target="Mark Osei: Member to Administrator", at=AT)
    assert events(world) == [(NO_PERSON, "role_changed", "Mark Osei: Member to Administrator")]


def test_the_mfa_helper_records_only_two_step_sign_in_changes(world):
    with unit_of_work() as session:
        audit.record_mfa_change(session, actor_user_id=world.users["holdings_admin"].id,
                                organization_id=world.holdings.id, action=AuditAction.mfa_enabled, at=AT)
        with pytest.raises(ValueError, match="not a two-step sign-in change"):
            audit.record_mfa_change(session, actor_user_id=None, organization_id=None,
                                    action=AuditAction.signed_in, at=AT)
    assert events(world) == [("Adam Reyes", "mfa_enabled", "")]


# --- who reads it ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["holdings_owner", "holdings_admin", "agent", "staff_admin"])
def test_owners_administrators_and_staff_read_the_organizations_activity(world, who):
    add_event(world)
    assert audit.list_events(world.actor(who), world.holdings.id).total == 1


@pytest.mark.parametrize("who", ["holdings_member", "holdings_billing"])
def test_members_and_billing_contacts_are_refused_the_activity(world, who):
    with pytest.raises(PermissionDenied, match="^Only the organization's owners and administrators see its"):
        audit.list_events(world.actor(who), world.holdings.id)


@pytest.mark.parametrize("org", ["fabrikam", "retail"])
def test_another_organizations_owner_is_refused_even_a_subsidiarys(world, org):
    add_event(world, "fabrikam_owner", "fabrikam")
    add_event(world, "retail_owner", "retail")
    with pytest.raises(PermissionDenied, match=OTHER_ORGANIZATION):
        audit.list_events(world.actor("holdings_owner"), world.org(org).id)
    with pytest.raises(PermissionDenied, match=OTHER_ORGANIZATION):
        audit.export_rows(world.actor("holdings_owner"), world.org(org).id)


def test_an_organizations_activity_holds_its_own_events_only(world):
    add_event(world, "holdings_owner")
    add_event(world, "fabrikam_owner", "fabrikam")
    add_event(world, "staff_admin", None)
    assert events(world) == [("Olivia Hart", "signed_in", "")]
    everything = audit.list_events(world.actor("staff_admin"), None)
    assert sorted(e.organization for e in everything.items) == ["", "Fabrikam Clinics", "Northwind Holdings"]


# --- pages and filters -----------------------------------------------------------------------------------------


def test_the_activity_comes_a_page_at_a_time_newest_first(world):
    for minute in range(7):
        add_event(world, at=AT + timedelta(minutes=minute), target=f"event {minute}")
    owner = world.actor("holdings_owner")

    first = audit.list_events(owner, world.holdings.id, 1, page_size=3)
    last = audit.list_events(owner, world.holdings.id, 3, page_size=3)

    assert (first.total, first.pages) == (7, 3)
    assert [e.target for e in first.items] == ["event 6", "event 5", "event 4"]
    assert [e.target for e in last.items] == ["event 0"]


def test_the_activity_is_filtered_by_action_and_by_person(world):
    add_event(world, "holdings_owner", action=AuditAction.signed_in)
    add_event(world, "holdings_admin", action=AuditAction.signed_in)
    add_event(world, "holdings_admin", action=AuditAction.password_changed)

    assert events(world, action="signed_in", person_id=world.users["holdings_admin"].id) == [
        ("Adam Reyes", "signed_in", "")]
    assert len(events(world, person_id=world.users["holdings_admin"].id)) == 2
    assert [p for _, p in audit.filter_choices(world.actor("holdings_owner"), world.holdings.id).people] == [
        "Adam Reyes", "Olivia Hart"]


def test_an_unknown_action_filter_is_refused_with_a_sentence(world):
    with pytest.raises(InvalidInput, match="^There is no activity called 'everything'.$"):
        audit.list_events(world.actor("holdings_owner"), world.holdings.id, 1, AuditFilters(action="everything"))


def test_the_export_reads_every_event_in_batches_newest_first(world):
    for minute in range(5):
        add_event(world, at=AT + timedelta(minutes=minute // 2), target=f"event {minute}")
    batches = list(audit.export_rows(world.actor("holdings_owner"), world.holdings.id, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [e.target for b in batches for e in b] == ["event 4", "event 3", "event 2", "event 1", "event 0"]


# --- the CSV route ---------------------------------------------------------------------------------------------


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def _signed_in(client: TestClient, email: str, zone: str | None = None) -> TestClient:
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE user_account SET time_zone = :zone WHERE email = :email"),
                     {"zone": zone, "email": email})
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=email, password=PASSWORD).token)
    return client


def test_the_csv_export_has_times_in_the_readers_zone_and_the_actions_in_words(world, client):
    add_event(world, "holdings_admin", action=AuditAction.password_changed)
    _signed_in(client, "olivia@northwind.example", "America/New_York")

    response = client.get(f"/api/activity.csv?org={world.holdings.id}&action=password_changed")

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["When (America/New_York)", "Who", "What", "Details", "From", "Organization"],
        ["2026-12-03 09:05", "Adam Reyes", "Changed the password", "", "", "Northwind Holdings"]]


def test_the_csv_export_refuses_another_organization_a_member_and_a_stranger(world, client):
    add_event(world, "fabrikam_owner", "fabrikam")
    assert client.get(f"/api/activity.csv?org={world.fabrikam.id}").status_code == 401
    _signed_in(client, "olivia@northwind.example")
    refused = client.get(f"/api/activity.csv?org={world.fabrikam.id}")
    assert (refused.status_code, refused.text) == (403, OTHER_ORGANIZATION.strip("^$"))
    _signed_in(client, "mark@northwind.example")
    assert client.get("/api/activity.csv").status_code == 403
    assert client.get(f"/api/activity.csv?org={world.holdings.id}&action=nonsense").status_code in (400, 403)
