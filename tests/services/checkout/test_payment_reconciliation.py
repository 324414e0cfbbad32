"""Asking Stripe about pending sessions (``services/payment_reconciliation.py``), by hand and from the scheduler's
tick (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal import clock
from opsportal.services import checkout_sessions, payment_reconciliation, stripe_events
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import InvalidInput, PermissionDenied, Unavailable
from opsportal.services.operator import OPERATOR
from tests.utils.checkout import STAFF_ADMINS_ONLY, attempts_of, invoice_row, later, payment_row, payment_rows
from tests.utils.db import dump_tables


def test_reconciling_a_session_stripe_reports_paid_applies_it_once(bills, stripe_fake):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("complete", "paid")

    first = payment_reconciliation.reconcile(OPERATOR, at=later())
    after_first = dump_tables()
    second = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (first.checked, first.applied, first.expired, first.failed) == (1, 1, 0, [])
    assert (second.checked, second.applied, second.expired, second.failed) == (0, 0, 0, [])
    assert dump_tables() == after_first
    inv = invoice_row(made["retail"])
    assert (inv.status, inv.amount_paid_minor) == ("paid", 25_000)
    assert payment_row(started.payment_id).status == "succeeded"
    assert attempts_of(started.payment_id) == [("succeeded", "reconcile")]
    assert "1 paid" in first.summary


def test_a_webhook_arriving_after_reconciliation_applied_the_payment_changes_nothing(bills, stripe_fake):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("complete", "paid")
    payment_reconciliation.reconcile(OPERATOR, at=later())
    payment = payment_row(started.payment_id)
    session = {"id": payment.stripe_session_id, "object": "checkout.session", "status": "complete",
               "payment_status": "paid", "amount_total": 25_000, "currency": "usd",
               "metadata": {"opsportal_payment_id": str(payment.id)}}

    outcome = stripe_events.apply_event({"id": "evt_late", "type": "checkout.session.completed",
                                         "data": {"object": session}})

    assert outcome == f"already applied to payment {payment.id}"
    assert invoice_row(made["retail"]).amount_paid_minor == 25_000


def test_reconciling_a_session_stripe_reports_expired_expires_the_payment(bills, stripe_fake):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("expired", "unpaid")

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (result.checked, result.applied, result.expired) == (1, 0, 1)
    assert payment_row(started.payment_id).status == "expired"
    assert invoice_row(made["retail"]).status == "open"


def test_reconciling_a_session_still_open_changes_nothing(bills, stripe_fake):
    world, made = bills
    checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    before = dump_tables()

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (result.checked, result.applied, result.expired, result.failed) == (1, 0, 0, [])
    assert dump_tables() == before


def test_a_session_younger_than_a_minute_is_left_to_its_webhook(bills, stripe_fake):
    world, made = bills
    checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("complete", "paid")

    result = payment_reconciliation.reconcile(OPERATOR)

    assert (result.checked, stripe_fake.retrieved) == (0, [])


@pytest.mark.parametrize("error", [Unavailable(gateway.UNAVAILABLE),
                                   InvalidInput("The payment service refused the request: No such session")])
def test_stripe_failing_during_reconciliation_is_reported_and_changes_nothing(bills, stripe_fake, error):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.retrieve_error = error
    before = dump_tables()

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (result.checked, result.applied, result.expired) == (1, 0, 0)
    assert result.failed == [f"payment {started.payment_id}: {error}"]
    assert "1 could not be checked" in result.summary
    assert dump_tables() == before


def test_a_payment_whose_session_was_never_created_is_closed_after_a_day(bills, stripe_fake):
    world, made = bills
    stripe_fake.create_error = Unavailable(gateway.UNAVAILABLE)
    with pytest.raises(Unavailable):
        checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"],
                                                 at=clock.now() - timedelta(hours=25))

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert result.abandoned == 1
    assert [p.status for p in payment_rows()] == ["expired"]
    assert stripe_fake.retrieved == []


@pytest.mark.parametrize("caller", ["agent", "retail_owner"])
def test_only_staff_admins_reconcile(bills, stripe_fake, caller):
    world, _made = bills
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        payment_reconciliation.reconcile(world.actor(caller))


def test_the_in_process_scheduler_tick_applies_a_payment_whose_webhook_was_lost(bills, stripe_fake):
    from opsportal.services import scheduler

    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("complete", "paid")

    scheduler.reconcile_payments(clock.now() + timedelta(minutes=5))

    assert invoice_row(made["retail"]).status == "paid"
    assert attempts_of(started.payment_id) == [("succeeded", "reconcile")]
