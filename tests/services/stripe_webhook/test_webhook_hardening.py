"""Stripe's webhook, hardened: an event needs a string Stripe id, a signature may not come from the future, and a
later confirmation that matches clears an earlier "does not match" flag (SQLite and PostgreSQL).

Events are built and signed with ``tests.utils.stripe_webhook``; the scenes are this package's conftest fixtures.
"""

from __future__ import annotations

import json
import time

import pytest

from opsportal.services import invoice_staff, payment_history, stripe_events
from opsportal.services import stripe_gateway as gateway
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables
from tests.utils.stripe_webhook import (
    attempts_of,
    checkout_event,
    deliver,
    invoice_row,
    payment_row,
    post,
    sign,
    stored_events,
)

# The scenes (open_invoice, block_checkout, client, ...) are the fixtures of this package's conftest.py.

# ----------------------------------------------------------------------------------------- the event's id


@pytest.mark.parametrize("event_id", [123, 0, True, ["evt_1"], {"id": "evt_1"}, 1.5],
                         ids=["a number", "zero", "true", "a list", "an object", "a float"])
def test_an_event_whose_id_is_not_a_string_gets_400_saying_so_and_changes_nothing(open_invoice, client, event_id):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    evt["id"] = event_id
    body = json.dumps(evt)
    before = dump_tables()

    response = post(client, body, sign(body))

    assert response.status_code == 400
    assert response.json()["error"] == (
        "The event has no Stripe event id: its id is not a string (Stripe sends one starting with evt_).")
    assert dump_tables() == before
    assert invoice_row(invoice_id).status == "open"


@pytest.mark.parametrize("how", ["left out", "null", "empty"])
def test_an_event_without_an_id_gets_400_saying_it_has_none(open_invoice, client, how):
    _world, _invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    if how == "left out":
        del evt["id"]
    else:
        evt["id"] = None if how == "null" else ""
    body = json.dumps(evt)
    before = dump_tables()

    response = post(client, body, sign(body))

    assert response.status_code == 400
    assert response.json()["error"] == "The event has no Stripe event id."
    assert dump_tables() == before


def test_an_event_id_longer_than_stripe_ever_sends_gets_400_and_changes_nothing(open_invoice, client):
    _world, invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment, event_id="evt_" + "x" * 300))
    before = dump_tables()

    response = post(client, body, sign(body))

    assert response.status_code == 400
    assert response.json()["error"] == "The event has no Stripe event id: its id is longer than 255 characters."
    assert dump_tables() == before
    assert invoice_row(invoice_id).status == "open"


@pytest.mark.parametrize("data", [[], "cs_test_1", {"object": "cs_test_1"}, {"object": []}],
                         ids=["data a list", "data a string", "object a string", "object a list"])
def test_an_event_whose_data_is_not_an_object_gets_400_and_changes_nothing(open_invoice, client, data):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    evt["data"] = data
    body = json.dumps(evt)
    before = dump_tables()

    response = post(client, body, sign(body))

    assert response.status_code == 400
    assert response.json()["error"] == "The event carries no object in its data."
    assert dump_tables() == before
    assert invoice_row(invoice_id).status == "open"


# ----------------------------------------------------------------------------------------- signed in the future


def test_a_signature_dated_beyond_the_tolerance_in_the_future_gets_400_and_changes_nothing(open_invoice, client):
    _world, invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment))
    before = dump_tables()

    response = post(client, body, sign(body, timestamp=int(time.time()) + 301 + 5))

    assert response.status_code == 400
    assert "future" in response.json()["error"]
    assert dump_tables() == before
    assert stored_events() == {}
    assert invoice_row(invoice_id).status == "open"


def test_the_service_refuses_a_signature_from_the_future_as_an_invalid_webhook(open_invoice):
    _world, _invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment))
    with pytest.raises(gateway.InvalidWebhook, match="future"):
        stripe_events.handle_webhook(body.encode(), sign(body, timestamp=int(time.time()) + 3600))


def test_a_signature_a_little_ahead_of_our_clock_is_accepted(open_invoice):
    _world, invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment))
    stripe_events.handle_webhook(body.encode(), sign(body, timestamp=int(time.time()) + 250))
    assert invoice_row(invoice_id).status == "paid"


# ----------------------------------------------------------------------------------------- a flag cleared


def test_a_matching_confirmation_after_a_mismatched_one_pays_and_clears_the_flag_keeping_why_in_the_attempt(
        open_invoice):
    _world, invoice_id, payment = open_invoice
    assert deliver(checkout_event(payment, amount_total=29_999)).startswith("refused")
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]

    outcome = deliver(checkout_event(payment))

    assert outcome == f"applied to payment {payment.id}"
    assert invoice_row(invoice_id).status == "paid"
    paid = payment_row(payment.id)
    assert (paid.status, paid.problem) == ("succeeded", "")
    assert payment_history.payments_needing_attention(OPERATOR) == []
    [(result, message, _source, _event)] = attempts_of(payment.id)
    assert result == "succeeded"
    assert message.startswith("Paid.")
    assert "amount 29999 differs from the 30000 asked for" in message


def test_a_matching_confirmation_after_a_mismatch_that_the_invoice_cannot_take_carries_only_the_new_flag(
        open_invoice):
    _world, invoice_id, payment = open_invoice
    number = invoice_row(invoice_id).number
    deliver(checkout_event(payment, currency="eur"))
    invoice_staff.void_invoice(OPERATOR, invoice_id, reason="Issued to the wrong organization")

    deliver(checkout_event(payment))

    recorded = payment_row(payment.id)
    assert recorded.status == "succeeded"
    assert recorded.problem == (f"Invoice {number} was already void when this payment arrived: "
                                "refund it or apply it elsewhere.")
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]


def test_a_matching_confirmation_of_an_hour_block_after_a_mismatch_clears_the_flag(block_checkout):
    _world, payment = block_checkout
    deliver(checkout_event(payment, amount_total=1))

    assert deliver(checkout_event(payment)) == f"applied to payment {payment.id}"

    assert (payment_row(payment.id).status, payment_row(payment.id).problem) == ("succeeded", "")
