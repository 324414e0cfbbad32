"""Paying through the local Stripe sandbox for real: the app's own gateway creates the Checkout Session, the
sandbox charges a test card and sends its signed webhook to the portal's real HTTP route (served by uvicorn in
this process), or holds it back for reconciliation (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import uvicorn
from sqlmodel import select
from starlette.responses import PlainTextResponse

from opsportal import clock
from opsportal.api.routes import create_api
from opsportal.db import unit_of_work
from opsportal.models import CreditLot, Invoice, Payment, PaymentAttempt, StripeEvent
from opsportal.services import (
    checkout_sessions,
    credit_views,
    hour_blocks,
    invoice_staff,
    invoice_views,
    payment_reconciliation,
)
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.stripe_sandbox import (
    DECLINED,
    SUCCEEDS,
    WEBHOOK_SECRET,
    SandboxHandle,
    free_port,
    start_stripe_sandbox,
)


@pytest.fixture(scope="module")
def portal_api() -> Iterator[str]:
    """The portal's HTTP routes (the Stripe webhook among them) on a free local port."""
    server = uvicorn.Server(uvicorn.Config(create_api(PlainTextResponse("the Reflex app")), host="127.0.0.1",
                                           port=free_port(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the portal's API did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def sandbox(portal_api: str) -> Iterator[SandboxHandle]:
    with start_stripe_sandbox(webhook_url=f"{portal_api}/api/stripe/webhook") as handle:
        yield handle


@pytest.fixture
def stripe_env(database_url, sandbox: SandboxHandle, portal_api: str, monkeypatch: pytest.MonkeyPatch):
    """The app's settings point at the sandbox (API base, keys, webhook secret); events go to the portal."""
    monkeypatch.setenv("OPSPORTAL_STRIPE_API_BASE", sandbox.api_base)
    monkeypatch.setenv("OPSPORTAL_STRIPE_SECRET_KEY", sandbox.secret_key)
    monkeypatch.setenv("OPSPORTAL_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    get_settings.cache_clear()
    sandbox.set_webhook(f"{portal_api}/api/stripe/webhook", WEBHOOK_SECRET)
    sandbox.fail_next(0)
    yield sandbox
    get_settings.cache_clear()


def payment_row(payment_id: int) -> Payment:
    with unit_of_work(write=False) as session:
        return session.get(Payment, payment_id)


def invoice_row(invoice_id: int) -> Invoice:
    with unit_of_work(write=False) as session:
        return session.get(Invoice, invoice_id)


def attempts_of(payment_id: int) -> list[tuple[str, str, str, str | None]]:
    with unit_of_work(write=False) as session:
        return [(a.outcome, a.message, a.source, a.stripe_event_id) for a in session.exec(
            select(PaymentAttempt).where(PaymentAttempt.payment_id == payment_id).order_by(PaymentAttempt.id)).all()]


def stripe_events() -> dict[str, str]:
    with unit_of_work(write=False) as session:
        return {e.id: e.outcome for e in session.exec(select(StripeEvent)).all()}


def open_invoice(world) -> tuple[int, Payment]:
    """Retail owes USD 250.00 and its owner has started Stripe Checkout for it (on the sandbox)."""
    invoice_id = invoice_staff.create_pre_service_invoice(OPERATOR, world.retail.id,
                                                          [ItemInput("After-hours incident", 1, 25_000)]).id
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), invoice_id)
    return invoice_id, payment_row(started.payment_id)


def test_an_invoice_paid_with_the_test_card_is_marked_paid_once_by_the_sandboxs_signed_webhook(world, stripe_env):
    invoice_id, payment = open_invoice(world)
    assert payment.status == "open"
    assert payment.checkout_url == f"{stripe_env.api_base}/pay/{payment.stripe_session_id}"

    paid = stripe_env.pay(payment.stripe_session_id, SUCCEEDS)
    record = stripe_env.wait_for_delivery(paid["event_id"])

    assert paid["outcome"] == "succeeded"
    assert (record["delivery_status"], record["attempts"][-1]["status_code"]) == ("delivered", 200)
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("paid", 25_000)
    done = payment_row(payment.id)
    assert (done.status, done.stripe_payment_intent_id) == ("succeeded", paid["payment_intent"])
    assert attempts_of(payment.id) == [("succeeded", "Paid", "webhook", paid["event_id"])]

    stripe_env.resend(paid["event_id"])  # Stripe delivers an event again: nothing changes
    assert stripe_env.wait_for_delivery(paid["event_id"])["delivery_status"] == "delivered"
    assert invoice_row(invoice_id).amount_paid_minor == 25_000
    assert len(attempts_of(payment.id)) == 1
    assert stripe_events() == {paid["event_id"]: f"applied to payment {payment.id}"}


def test_an_hour_block_whose_webhook_is_lost_is_granted_once_by_reconciliation(world, stripe_env):
    block = hour_blocks.save_block(OPERATOR, block_id=None, name="Standard block", hours=10, price_minor=114_000,
                                   currency="USD", validity_days=365)
    owner = world.actor("retail_owner")
    started = checkout_sessions.start_hour_block_checkout(owner, block.id)
    payment = payment_row(started.payment_id)

    paid = stripe_env.pay(payment.stripe_session_id, SUCCEEDS, deliver=False)
    assert paid["outcome"] == "succeeded"
    assert payment_row(payment.id).status == "open"  # nothing counts before Stripe is asked

    when = clock.now() + timedelta(minutes=5)  # past the minute a fresh session is left to its webhook
    first = payment_reconciliation.reconcile(OPERATOR, at=when)
    second = payment_reconciliation.reconcile(OPERATOR, at=when)

    assert (first.checked, first.applied, first.failed) == (1, 1, [])
    assert (second.checked, second.applied) == (0, 0)
    with unit_of_work(write=False) as session:
        [lot] = session.exec(select(CreditLot).where(CreditLot.holder_org_id == world.retail.id)).all()
    assert (lot.quantity, lot.origin) == (600, "hour_block")
    assert credit_views.balance(owner, world.retail.id, at=when).available == 600
    receipt = invoice_row(payment_row(payment.id).invoice_id)
    assert (receipt.kind, receipt.status, receipt.total_minor) == ("hour_block", "paid", 114_000)
    assert attempts_of(payment.id) == [("succeeded", "Paid", "reconcile", None)]


def test_a_declined_card_leaves_the_invoice_open_and_says_why(world, stripe_env):
    invoice_id, payment = open_invoice(world)

    declined = stripe_env.pay(payment.stripe_session_id, DECLINED)
    record = stripe_env.wait_for_delivery(declined["event_id"])

    assert declined["outcome"] == "declined"
    assert (record["type"], record["delivery_status"]) == ("payment_intent.payment_failed", "delivered")
    assert invoice_row(invoice_id).status == "open"
    after = payment_row(payment.id)
    assert (after.status, after.last_error) == ("open", declined["message"])
    assert attempts_of(payment.id) == [("declined", declined["message"], "webhook", declined["event_id"])]
    detail = invoice_views.invoice_detail(world.actor("retail_owner"), invoice_id)
    assert detail.may_pay and detail.payments[0].last_error == declined["message"]
