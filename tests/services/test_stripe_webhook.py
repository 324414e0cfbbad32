"""Stripe's webhook: only verified, fresh events count, and each payment is applied exactly once (SQLite and
PostgreSQL).

No Stripe server is needed: events are built by hand in the shape Stripe sends and signed with the
settings' webhook secret exactly as Stripe signs them. The pending payments they confirm are started
through the payment service with the gateway's ``create_checkout_session`` replaced by a fake.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from sqlmodel import select
from starlette.responses import PlainTextResponse

from opsportal.api.routes import create_api
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain.hour_blocks import expiry_of_purchase
from opsportal.domain.invoices import InvoiceKind, InvoicePaid, PaidThrough
from opsportal.domain.ledger.lots import end_of_day
from opsportal.models import CreditLot, Invoice, InvoiceLine, Payment, PaymentAttempt, StripeEvent
from opsportal.services import (
    checkout_sessions,
    credit_views,
    hour_blocks,
    invoice_events,
    invoice_staff,
    invoice_terms,
    invoice_views,
    payment_history,
    prepaid,
    stripe_events,
)
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import InvalidInput
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.db import dump_tables, row_counts
from tests.utils.tasks import hours

with warnings.catch_warnings():
    # Starlette would rather drive the app with httpx2; the httpx installed here works the same.
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient

THREADS = 8
TODAY = datetime.now(UTC).date()
AT = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)  # when an event is applied, where the test fixes it
BLOCK_MINUTES = 600
BLOCK_PRICE = 114_000  # USD 1,140.00 for 10 hours


# ----------------------------------------------------------------------------------------- a fake Stripe


class FakeCheckout:
    """Stands in for ``stripe_gateway.create_checkout_session``: records each call, answers a new session."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> gateway.CheckoutSession:
        self.calls.append(kwargs)
        session_id = f"cs_test_{uuid.uuid4().hex}"
        return gateway.CheckoutSession(
            id=session_id, url=f"https://checkout.stripe.test/c/pay/{session_id}", status="open",
            payment_status="unpaid", amount_total=kwargs["amount_minor"], currency=kwargs["currency"].lower(),
            metadata=dict(kwargs["metadata"]))


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


def sign(payload: str, *, timestamp: int | None = None, secret: str | None = None) -> str:
    """The Stripe-Signature header Stripe would send with ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or get_settings().stripe_webhook_secret
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


def checkout_event(payment: Payment, kind: str = "checkout.session.completed", *, event_id: str | None = None,
                   **changes: Any) -> dict[str, Any]:
    """A ``checkout.session.*`` event about the payment's session, paid in full unless ``changes`` say otherwise."""
    session = {
        "id": payment.stripe_session_id, "object": "checkout.session", "mode": "payment", "status": "complete",
        "payment_status": "paid", "amount_total": payment.amount_minor, "currency": payment.currency.lower(),
        "client_reference_id": str(payment.id),
        "metadata": {"opsportal_payment_id": str(payment.id), "organization_id": str(payment.organization_id),
                     "purpose": payment.purpose},
        "payment_intent": f"pi_test_{payment.id}",
    }
    session.update(changes)
    return event(kind, session, event_id=event_id)


def declined_event(payment: Payment, *, message: str = "Your card was declined.",
                   with_session: bool = False) -> dict[str, Any]:
    """``payment_intent.payment_failed`` as Stripe sends it for a Checkout payment: the intent carries the
    metadata given in ``payment_intent_data`` (the local sandbox adds the session id too)."""
    metadata = {"opsportal_payment_id": str(payment.id), "organization_id": str(payment.organization_id),
                "purpose": payment.purpose}
    if with_session:
        metadata["checkout_session"] = payment.stripe_session_id
    intent = {"id": f"pi_test_{payment.id}", "object": "payment_intent", "status": "requires_payment_method",
              "amount": payment.amount_minor, "currency": payment.currency.lower(), "metadata": metadata,
              "last_payment_error": {"code": "card_declined", "decline_code": "generic_decline",
                                     "message": message, "type": "card_error"}}
    return event("payment_intent.payment_failed", intent)


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "api_version": "2024-06-20",
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1, "type": kind,
            "data": {"object": obj}}


def deliver(evt: dict[str, Any], *, at: datetime | None = None) -> str:
    """The event through ``stripe_events.handle_webhook``, body and signature as Stripe sends them."""
    body = json.dumps(evt)
    return stripe_events.handle_webhook(body.encode(), sign(body), at=at)


# ----------------------------------------------------------------------------------------- rows


def payment_row(payment_id: int) -> Payment:
    with unit_of_work(write=False) as session:
        return session.get(Payment, payment_id)


def invoice_row(invoice_id: int) -> Invoice:
    with unit_of_work(write=False) as session:
        return session.get(Invoice, invoice_id)


def attempts_of(payment_id: int) -> list[tuple[str, str, str, str | None]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(PaymentAttempt).where(PaymentAttempt.payment_id == payment_id)
                            .order_by(PaymentAttempt.id)).all()
        return [(a.outcome, a.message, a.source, a.stripe_event_id) for a in rows]


def stored_events() -> dict[str, str]:
    with unit_of_work(write=False) as session:
        return {e.id: e.outcome for e in session.exec(select(StripeEvent)).all()}


def hour_block_lots(org_id: int) -> list[CreditLot]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(CreditLot).where(CreditLot.holder_org_id == org_id,
                                                         CreditLot.origin == "hour_block")).all())


def receipts(org_id: int) -> list[Invoice]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(Invoice).where(Invoice.organization_id == org_id,
                                                       Invoice.kind == "hour_block")).all())


# ----------------------------------------------------------------------------------------- scenes


@pytest.fixture
def open_invoice(world, fake_checkout):
    """Holdings owes USD 300.00 (pre-service, 20 % tax) and its owner has opened Stripe Checkout for it."""
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    row = invoice_staff.create_pre_service_invoice(
        OPERATOR, world.holdings.id, [ItemInput("Emergency after-hours incident", 1, 25_000)], today=TODAY)
    started = checkout_sessions.start_invoice_checkout(world.actor("holdings_owner"), row.id)
    return world, row.id, payment_row(started.payment_id)


@pytest.fixture
def block(world):
    return hour_blocks.save_block(OPERATOR, block_id=None, name="Standard block", hours=BLOCK_MINUTES // 60,
                                  price_minor=BLOCK_PRICE, currency="USD", validity_days=365)


@pytest.fixture
def block_checkout(world, block, fake_checkout):
    """Retail (20 % tax, 2 hours left) has opened Stripe Checkout for a 10-hour block."""
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="20", payment_terms_days=30)
    hours(world.retail, 120)
    started = checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), block.id)
    return world, payment_row(started.payment_id)


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def post(client: TestClient, body: str, signature: str | None):
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return client.post("/api/stripe/webhook", content=body.encode(), headers=headers)


# ----------------------------------------------------------------------------------------- the fake's use


def test_starting_a_checkout_asks_stripe_with_the_payments_own_idempotency_key_and_reference(open_invoice,
                                                                                           fake_checkout):
    _world, invoice_id, payment = open_invoice
    [call] = fake_checkout.calls
    assert call["idempotency_key"] == payment.idempotency_key
    assert call["metadata"]["opsportal_payment_id"] == str(payment.id)
    assert call["metadata"]["invoice_id"] == str(invoice_id)
    assert (call["amount_minor"], call["currency"]) == (30_000, "USD")
    assert (payment.status, payment.amount_minor) == ("open", 30_000)
    assert payment.stripe_session_id.startswith("cs_test_")
    assert payment.checkout_url == f"https://checkout.stripe.test/c/pay/{payment.stripe_session_id}"


# ----------------------------------------------------------------------------------------- a payment counts


def test_a_verified_completed_checkout_delivered_to_the_route_marks_the_invoice_paid(open_invoice, client):
    world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    body = json.dumps(evt)

    response = post(client, body, sign(body))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": f"applied to payment {payment.id}"}
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.total_minor) == ("paid", 30_000, 30_000)
    assert inv.paid_at is not None
    paid = payment_row(payment.id)
    assert (paid.status, paid.stripe_payment_intent_id, paid.problem) == ("succeeded", f"pi_test_{payment.id}", "")
    assert paid.completed_at is not None
    assert attempts_of(payment.id) == [("succeeded", "Paid", "webhook", evt["id"])]
    assert stored_events() == {evt["id"]: f"applied to payment {payment.id}"}
    detail = invoice_views.invoice_detail(world.actor("holdings_owner"), invoice_id)
    assert (detail.row.status, detail.row.outstanding_minor, detail.may_pay) == (rules.ShownStatus.paid, 0, False)
    assert [a.outcome for a in detail.payments[0].attempts] == ["succeeded"]


def test_a_verified_completed_checkout_handled_by_the_service_marks_the_invoice_paid_at_that_time(open_invoice):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment), at=AT)

    assert outcome == f"applied to payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.paid_at) == ("paid", 30_000, AT)
    assert payment_row(payment.id).completed_at == AT


def test_the_api_serves_the_app_it_wraps_next_to_the_webhook(client):
    assert client.get("/some/page").text == "the Reflex app"


# ----------------------------------------------------------------------------------------- forged or stale


def _bad_deliveries(payment: Payment) -> dict[str, tuple[str, str | None]]:
    """(body, Stripe-Signature) pairs that must be refused."""
    body = json.dumps(checkout_event(payment))
    altered = body.replace(f'"amount_total": {payment.amount_minor}', '"amount_total": 1')
    assert altered != body
    return {
        "signed with another secret": (body, sign(body, secret="whsec_someone_else")),
        "no signature header": (body, None),
        "an empty signature header": (body, ""),
        "a header that is not a signature": (body, "nonsense"),
        "a signature without a v1 scheme": (body, sign(body).replace("v1=", "v0=")),
        "signed more than 300 seconds ago": (body, sign(body, timestamp=int(time.time()) - 301)),
        "the body altered after signing": (altered, sign(body)),
        "a body that is not JSON": ("not json {", sign("not json {")),
        "an event without a Stripe event id": (json.dumps({"object": "event", "type": "checkout.session.completed"}),
                                               sign(json.dumps({"object": "event",
                                                                "type": "checkout.session.completed"}))),
    }


BAD = ["signed with another secret", "no signature header", "an empty signature header",
       "a header that is not a signature", "a signature without a v1 scheme", "signed more than 300 seconds ago",
       "the body altered after signing", "a body that is not JSON", "an event without a Stripe event id"]


@pytest.mark.parametrize("case", BAD)
def test_a_forged_stale_or_malformed_delivery_gets_400_and_changes_nothing(open_invoice, client, case):
    _world, invoice_id, payment = open_invoice
    body, signature = _bad_deliveries(payment)[case]
    before = dump_tables()

    response = post(client, body, signature)

    assert response.status_code == 400
    assert response.json()["error"]
    assert dump_tables() == before
    assert stored_events() == {}
    assert invoice_row(invoice_id).status == "open"
    assert payment_row(payment.id).status == "open"


@pytest.mark.parametrize("case", ["signed with another secret", "no signature header",
                                  "signed more than 300 seconds ago", "the body altered after signing",
                                  "a body that is not JSON"])
def test_the_service_refuses_an_unverified_delivery_as_an_invalid_webhook(open_invoice, case):
    _world, _invoice_id, payment = open_invoice
    body, signature = _bad_deliveries(payment)[case]
    before = dump_tables()
    with pytest.raises(gateway.InvalidWebhook):
        stripe_events.handle_webhook(body.encode(), signature)
    assert dump_tables() == before


def test_a_signature_just_inside_the_five_minute_tolerance_is_accepted(open_invoice):
    _world, invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment))
    stripe_events.handle_webhook(body.encode(), sign(body, timestamp=int(time.time()) - 280))
    assert invoice_row(invoice_id).status == "paid"


def test_an_event_id_that_is_not_stripes_is_refused_even_when_applied_directly(open_invoice):
    _world, invoice_id, payment = open_invoice
    with pytest.raises(InvalidInput, match="The event has no Stripe event id."):
        stripe_events.apply_event(checkout_event(payment, event_id="ev_forged"))
    assert invoice_row(invoice_id).status == "open"


# ----------------------------------------------------------------------------------------- exactly once


def test_the_same_event_delivered_five_times_is_applied_once(open_invoice, client):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    body = json.dumps(evt)

    outcomes = [post(client, body, sign(body)).json()["outcome"] for _ in range(5)]

    assert outcomes == [f"applied to payment {payment.id}"] + ["duplicate"] * 4
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("paid", 30_000)
    assert len(attempts_of(payment.id)) == 1
    assert list(stored_events()) == [evt["id"]]


def test_two_different_events_confirming_the_same_session_are_applied_once(open_invoice):
    _world, invoice_id, payment = open_invoice

    first = deliver(checkout_event(payment))
    second = deliver(checkout_event(payment, "checkout.session.async_payment_succeeded"))

    assert (first, second) == (f"applied to payment {payment.id}", f"already applied to payment {payment.id}")
    assert invoice_row(invoice_id).amount_paid_minor == 30_000
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded"]
    assert sorted(stored_events().values()) == sorted([first, second])


@pytest.mark.parametrize("events", ["the same event", "different events for the same session"])
def test_eight_deliveries_at_once_grant_an_hour_block_exactly_once(block_checkout, events):
    world, payment = block_checkout
    owner = world.actor("retail_owner")
    before = credit_views.balance(owner, world.retail.id).available
    overview_before = prepaid.hours_overview(owner, world.retail.id).remaining_minutes
    one = checkout_event(payment)
    bodies = [json.dumps(one if events == "the same event" else checkout_event(
        payment, "checkout.session.completed" if n % 2 else "checkout.session.async_payment_succeeded"))
        for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(body: str) -> None:
        barrier.wait()
        try:
            outcome = stripe_events.handle_webhook(body.encode(), sign(body))
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a delivery hung"

    assert errors == []
    assert sum(o == f"applied to payment {payment.id}" for o in outcomes) == 1
    [lot] = hour_block_lots(world.retail.id)
    assert (lot.quantity, lot.remaining, lot.kind) == (BLOCK_MINUTES, BLOCK_MINUTES, "purchased")
    [receipt] = receipts(world.retail.id)
    assert (receipt.status, receipt.total_minor, receipt.amount_paid_minor) == ("paid", payment.amount_minor,
                                                                                payment.amount_minor)
    assert credit_views.balance(owner, world.retail.id).available == before + BLOCK_MINUTES == 720
    assert prepaid.hours_overview(owner, world.retail.id).remaining_minutes == overview_before + BLOCK_MINUTES
    paid = payment_row(payment.id)
    assert (paid.status, paid.lot_id, paid.invoice_id) == ("succeeded", lot.id, receipt.id)
    assert len(attempts_of(payment.id)) == 1


# ----------------------------------------------------------------------------------------- out of order


def test_an_hour_blocks_paid_event_routed_again_grants_no_second_lot(block_checkout):
    world, payment = block_checkout
    assert deliver(checkout_event(payment)).startswith("applied")
    paid = payment_row(payment.id)
    counts = row_counts()

    with unit_of_work() as session:
        invoice_events.dispatch(session, [InvoicePaid(paid.invoice_id, InvoiceKind.hour_block, paid.completed_at,
                                                      PaidThrough.checkout, paid.id)])

    assert row_counts() == counts
    assert [lot.id for lot in hour_block_lots(world.retail.id)] == [paid.lot_id]
    assert [(r.id, r.status) for r in receipts(world.retail.id)] == [(paid.invoice_id, "paid")]


def test_a_declined_card_leaves_the_invoice_open_and_says_why(open_invoice):
    world, invoice_id, payment = open_invoice

    outcome = deliver(declined_event(payment, message="Your card has insufficient funds."))

    assert outcome == f"declined attempt recorded on payment {payment.id}"
    assert invoice_row(invoice_id).status == "open"
    declined = payment_row(payment.id)
    assert (declined.status, declined.last_error) == ("open", "Your card has insufficient funds.")
    assert attempts_of(payment.id)[0][:3] == ("declined", "Your card has insufficient funds.", "webhook")
    detail = invoice_views.invoice_detail(world.actor("holdings_owner"), invoice_id)
    assert detail.may_pay
    assert detail.payments[0].attempts[0].message == "Your card has insufficient funds."


def test_a_decline_whose_intent_names_the_session_is_recorded_too(open_invoice):
    _world, _invoice_id, payment = open_invoice
    deliver(declined_event(payment, with_session=True))
    assert [a[0] for a in attempts_of(payment.id)] == ["declined"]


def test_a_card_that_is_declined_and_then_accepted_pays_the_invoice(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(declined_event(payment))
    deliver(checkout_event(payment))
    assert invoice_row(invoice_id).status == "paid"
    paid = payment_row(payment.id)
    assert (paid.status, paid.last_error) == ("succeeded", "")
    assert [a[0] for a in attempts_of(payment.id)] == ["declined", "succeeded"]


def test_a_decline_arriving_after_the_payment_succeeded_leaves_it_paid_but_records_the_attempt(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(checkout_event(payment))

    outcome = deliver(declined_event(payment))

    assert outcome == f"declined attempt recorded on payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("paid", 30_000)
    paid = payment_row(payment.id)
    assert (paid.status, paid.last_error) == ("succeeded", "")
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded", "declined"]


def test_an_expiry_arriving_after_the_payment_succeeded_is_ignored(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(checkout_event(payment))

    outcome = deliver(checkout_event(payment, "checkout.session.expired", status="expired",
                                     payment_status="unpaid"))

    assert outcome == f"ignored: payment {payment.id} is succeeded"
    assert payment_row(payment.id).status == "succeeded"
    assert invoice_row(invoice_id).status == "paid"


def test_an_unpaid_session_that_expires_closes_the_payment_and_leaves_the_invoice_open(open_invoice):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment, "checkout.session.expired", status="expired",
                                     payment_status="unpaid"))

    assert outcome == f"payment {payment.id} expired"
    assert payment_row(payment.id).status == "expired"
    assert invoice_row(invoice_id).status == "open"


def test_a_completed_session_still_waiting_for_its_money_is_not_applied(open_invoice):
    _world, invoice_id, payment = open_invoice
    outcome = deliver(checkout_event(payment, payment_status="unpaid"))
    assert outcome == "ignored: the session is not paid yet"
    assert (invoice_row(invoice_id).status, payment_row(payment.id).status) == ("open", "open")


# ----------------------------------------------------------------------------------------- not as asked


@pytest.mark.parametrize(("changes", "reason"), [
    ({"amount_total": 29_999}, "amount 29999 differs from the 30000 asked for"),
    ({"amount_total": 300_000}, "amount 300000 differs from the 30000 asked for"),
    ({"currency": "eur"}, "currency 'eur' differs from USD"),
])
def test_a_confirmed_amount_or_currency_other_than_asked_does_not_pay_and_is_flagged(open_invoice, changes, reason):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment, **changes))

    assert outcome == f"refused: {reason}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)
    flagged = payment_row(payment.id)
    assert flagged.status == "open"
    assert flagged.problem == f"Stripe confirmed a payment that does not match: {reason}."
    assert attempts_of(payment.id) == []
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]


def test_a_session_naming_another_payment_of_ours_does_not_pay_either(open_invoice):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment, metadata={"opsportal_payment_id": str(payment.id + 1000)})

    assert deliver(evt).startswith(f"refused: the payment reference '{payment.id + 1000}'")
    assert invoice_row(invoice_id).status == "open"


def test_a_session_that_is_not_ours_is_recorded_and_ignored(open_invoice):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment, id="cs_test_someone_else", metadata={})

    assert deliver(evt) == "ignored: no payment of ours has this session"
    assert invoice_row(invoice_id).status == "open"
    assert stored_events() == {evt["id"]: "ignored: no payment of ours has this session"}


@pytest.mark.parametrize("kind", ["customer.created", "charge.refunded", "invoice.paid", "payment_intent.succeeded"])
def test_an_event_type_we_do_not_handle_gets_200_and_is_recorded_as_ignored(open_invoice, client, kind):
    _world, invoice_id, payment = open_invoice
    evt = event(kind, {"id": "obj_1", "object": kind.split(".")[0], "metadata": {"opsportal_payment_id": "1"}})
    body = json.dumps(evt)
    counts = row_counts()

    response = post(client, body, sign(body))

    assert response.status_code == 200
    assert response.json()["outcome"] == f"ignored: {kind}"
    assert stored_events() == {evt["id"]: f"ignored: {kind}"}
    assert row_counts() == {**counts, "stripe_event": counts["stripe_event"] + 1}
    assert invoice_row(invoice_id).status == "open"


def test_a_payment_for_an_invoice_voided_meanwhile_is_recorded_with_a_problem_and_the_invoice_stays_void(
        open_invoice):
    _world, invoice_id, payment = open_invoice
    number = invoice_row(invoice_id).number
    invoice_staff.void_invoice(OPERATOR, invoice_id, reason="Issued to the wrong organization")

    outcome = deliver(checkout_event(payment))

    assert outcome == f"applied to payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.paid_at) == ("void", 0, None)
    recorded = payment_row(payment.id)
    assert recorded.status == "succeeded"  # the money did arrive: staff must refund it
    assert recorded.problem == (f"Invoice {number} was already void when this payment arrived: "
                                "refund it or apply it elsewhere.")
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded"]
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]


# ----------------------------------------------------------------------------------------- hour-block receipts


def test_a_paid_hour_block_grants_its_hours_and_issues_a_paid_receipt_with_the_tax_as_charged(block_checkout):
    world, payment = block_checkout
    assert (payment.amount_minor, payment.tax_rate_bp) == (BLOCK_PRICE + 22_800, 2_000)
    # The organization's rate changes before Stripe confirms: the receipt shows what was charged.
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="10", payment_terms_days=30)

    outcome = deliver(checkout_event(payment), at=AT)

    assert outcome == f"applied to payment {payment.id}"
    [receipt] = receipts(world.retail.id)
    assert (receipt.status, receipt.kind, receipt.currency) == ("paid", "hour_block", "USD")
    assert (receipt.subtotal_minor, receipt.tax_rate_bp, receipt.tax_minor) == (BLOCK_PRICE, 2_000, 22_800)
    assert (receipt.total_minor, receipt.amount_paid_minor, receipt.paid_at) == (136_800, 136_800, AT)
    assert (receipt.issue_date, receipt.due_date) == (AT.date(), AT.date())
    assert receipt.number == rules.format_number(AT.year, 1)
    last_day = expiry_of_purchase(AT.date(), 365)
    with unit_of_work(write=False) as session:
        [line] = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == receipt.id)).all()
    assert (line.quantity, line.unit_price_minor, line.amount_minor) == (1, BLOCK_PRICE, BLOCK_PRICE)
    assert f"usable through {formats.day(last_day)}" in line.description
    [lot] = hour_block_lots(world.retail.id)
    assert (lot.quantity, lot.kind, lot.scope, lot.granted_at) == (BLOCK_MINUTES, "purchased", "org", AT)
    assert lot.expires_at == end_of_day(last_day) == datetime(2026, 3, 10, tzinfo=UTC)
    paid = payment_row(payment.id)
    assert (paid.lot_id, paid.invoice_id) == (lot.id, receipt.id)
    owner = world.actor("retail_owner")
    listed = invoice_views.list_invoices(owner, world.retail.id, status="paid")
    assert [r.id for r in listed.page.items] == [receipt.id]
    assert [(p.id, p.status) for p in payment_history.hour_block_purchases(owner, world.retail.id)] == [
        (payment.id, "succeeded")]


def test_a_purchased_blocks_hours_expire_after_its_validity_period(block_checkout):
    world, payment = block_checkout
    deliver(checkout_event(payment), at=AT)
    owner = world.actor("retail_owner")
    [lot] = hour_block_lots(world.retail.id)

    def available_at(at: datetime) -> int:
        return sum(x.remaining for x in credit_views.balance(owner, world.retail.id, at=at).lots if x.id == lot.id)

    assert available_at(AT) == BLOCK_MINUTES
    assert available_at(lot.expires_at - timedelta(microseconds=1)) == BLOCK_MINUTES
    assert available_at(lot.expires_at) == 0
