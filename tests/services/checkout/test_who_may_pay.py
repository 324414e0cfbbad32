"""Who may start Stripe Checkout for an invoice or an hour block, and which invoices can be paid at all (SQLite
and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.services import checkout_sessions, invoice_staff, invoice_views
from opsportal.services.errors import Conflict, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.checkout import INTRUDERS, invoice_row, issue, mark_paid, payment_row, payment_rows
from tests.utils.db import dump_tables


@pytest.mark.parametrize("role", ["owner", "admin", "billing"])
def test_the_organizations_owners_admins_and_billing_contacts_may_pay_its_invoices(bills, stripe_fake, role):
    world, made = bills

    started = checkout_sessions.start_invoice_checkout(world.actor(f"holdings_{role}"), made["holdings"])

    payment = payment_row(started.payment_id)
    assert started.url == payment.checkout_url == f"https://checkout.stripe.test/c/pay/{payment.stripe_session_id}"
    assert (payment.status, payment.purpose, payment.invoice_id) == ("open", "invoice", made["holdings"])
    assert (payment.amount_minor, payment.currency, payment.organization_id) == (25_000, "USD", world.holdings.id)
    [call] = stripe_fake.created
    assert call["idempotency_key"] == payment.idempotency_key
    assert call["customer_email"] == world.users[f"holdings_{role}"].email
    assert call["metadata"] == {"opsportal_payment_id": str(payment.id), "organization_id": str(world.holdings.id),
                                "purpose": "invoice", "invoice_id": str(made["holdings"]),
                                "invoice_number": invoice_row(made["holdings"]).number}
    assert call["success_url"].endswith("/billing/checkout/success?session_id={CHECKOUT_SESSION_ID}")


def test_members_may_neither_pay_invoices_nor_buy_hours(bills, catalog, stripe_fake):
    world, made = bills
    member = world.actor("holdings_member")
    before = dump_tables()

    with pytest.raises(PermissionDenied) as invoice_refused:
        checkout_sessions.start_invoice_checkout(member, made["holdings"])
    with pytest.raises(PermissionDenied) as block_refused:
        checkout_sessions.start_hour_block_checkout(member, catalog["usd"])

    assert str(invoice_refused.value) == str(block_refused.value) == checkout_sessions.PAYERS_ONLY
    assert dump_tables() == before
    assert stripe_fake.created == []


def test_another_organizations_invoice_cannot_be_paid_even_in_the_same_tree(bills, stripe_fake):
    world, made = bills
    before = dump_tables()
    for caller, target in INTRUDERS:
        with pytest.raises(NotFound) as refused:
            checkout_sessions.start_invoice_checkout(world.actor(caller), made[target])
        assert str(refused.value) == invoice_views.INVOICE_NOT_FOUND, (caller, target)
    with pytest.raises(NotFound, match=invoice_views.INVOICE_NOT_FOUND):
        checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), 987_654)
    assert dump_tables() == before
    assert stripe_fake.created == []


@pytest.mark.parametrize("staff", ["agent", "staff_admin"])
def test_staff_can_neither_pay_a_customers_invoice_nor_buy_hours(bills, catalog, stripe_fake, staff):
    world, made = bills
    before = dump_tables()
    with pytest.raises(PermissionDenied, match=checkout_sessions.PAYERS_ONLY):
        checkout_sessions.start_invoice_checkout(world.actor(staff), made["retail"])
    with pytest.raises(PermissionDenied, match=checkout_sessions.PAYERS_ONLY):
        checkout_sessions.start_hour_block_checkout(world.actor(staff), catalog["usd"])
    assert dump_tables() == before
    assert stripe_fake.created == []


def test_a_paid_invoice_is_refused_as_already_paid(bills, stripe_fake):
    world, made = bills
    mark_paid(made["retail"])
    number = invoice_row(made["retail"]).number
    with pytest.raises(Conflict, match=f"Invoice {number} is already paid."):
        checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    assert payment_rows() == [] and stripe_fake.created == []


def test_draft_and_void_invoices_cannot_be_paid_and_look_unknown_to_customers(world, stripe_fake):
    draft = issue(world.retail, issue_now=False)
    void = issue(world.retail)
    invoice_staff.void_invoice(OPERATOR, void, reason="Issued twice")
    for invoice_id in (draft, void):
        with pytest.raises(NotFound, match=invoice_views.INVOICE_NOT_FOUND):
            checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), invoice_id)
    assert payment_rows() == [] and stripe_fake.created == []
