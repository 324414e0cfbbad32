"""Coming back from Stripe Checkout asks Stripe and shows the payment as it is (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.services import checkout_sessions, payment_reconciliation
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import NotFound, Unavailable
from tests.utils.checkout import INTRUDERS, attempts_of, invoice_row, payment_row
from tests.utils.db import dump_tables


def test_coming_back_from_checkout_asks_stripe_and_shows_the_payment_paid(bills, stripe_fake):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    session_id = payment_row(started.payment_id).stripe_session_id
    stripe_fake.session_state = ("complete", "paid")

    status = payment_reconciliation.confirm_return(world.actor("retail_owner"), session_id)

    assert (status.payment_id, status.status, status.invoice_id) == (started.payment_id, "succeeded", made["retail"])
    assert status.amount == "USD 250.00"
    assert invoice_row(made["retail"]).status == "paid"
    assert attempts_of(started.payment_id) == [("succeeded", "return")]


def test_coming_back_while_stripe_is_down_shows_the_payment_still_open(bills, stripe_fake):
    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.retrieve_error = Unavailable(gateway.UNAVAILABLE)

    status = payment_reconciliation.confirm_return(world.actor("retail_owner"),
                                                   payment_row(started.payment_id).stripe_session_id)

    assert status.status == "open"
    assert invoice_row(made["retail"]).status == "open"


def test_coming_back_with_another_organizations_session_id_is_refused_without_asking_stripe(bills, stripe_fake):
    world, made = bills
    sessions = {}
    for name in ("holdings", "retail"):
        started = checkout_sessions.start_invoice_checkout(world.actor(f"{name}_owner"), made[name])
        sessions[name] = payment_row(started.payment_id).stripe_session_id
    stripe_fake.session_state = ("complete", "paid")
    before = dump_tables()

    for caller, target in INTRUDERS:
        if target not in sessions:
            continue
        with pytest.raises(NotFound) as refused:
            payment_reconciliation.confirm_return(world.actor(caller), sessions[target])
        assert str(refused.value) == payment_reconciliation.PAYMENT_NOT_FOUND, (caller, target)
    for unknown in ("cs_test_unknown", "", "x" * 300):
        with pytest.raises(NotFound, match=payment_reconciliation.PAYMENT_NOT_FOUND):
            payment_reconciliation.confirm_return(world.actor("retail_owner"), unknown)

    assert stripe_fake.retrieved == []
    assert dump_tables() == before
