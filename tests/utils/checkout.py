"""What the Checkout tests share: a fake of the gateway's session functions, invoices to pay and the rows the
payments leave (the fixtures are in tests/services/checkout/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import Invoice, Payment, PaymentAttempt
from opsportal.services import invoice_staff
from opsportal.services import stripe_gateway as gateway
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR

NOT_YOURS = "That organization was not found or you do not have access to it."
STAFF_ADMINS_ONLY = "Only staff administrators may do this."
NOT_ON_SALE = "That hour block is not on sale."
INTRUDERS = [
    ("fabrikam_owner", "holdings"),  # another tree
    ("logistics_owner", "retail"),  # a sibling
    ("holdings_owner", "retail"),  # the parent paying for its child
    ("retail_owner", "holdings"),  # the child paying for its parent
]


class FakeStripe:
    """Stands in for the gateway: records each create and retrieve; answers as told."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.retrieved: list[str] = []
        self.create_error: Exception | None = None
        self.retrieve_error: Exception | None = None
        self.session_state = ("open", "unpaid")  # (status, payment_status) a retrieve answers
        self.sessions: dict[str, dict[str, Any]] = {}

    def create_checkout_session(self, **kwargs: Any) -> gateway.CheckoutSession:
        self.created.append(kwargs)
        if self.create_error is not None:
            raise self.create_error
        # Stripe answers a repeated idempotency key with the session it made the first time.
        session_id = f"cs_test_{kwargs['idempotency_key'].removeprefix('opsportal-')}"
        self.sessions[session_id] = kwargs
        return gateway.CheckoutSession(id=session_id, url=f"https://checkout.stripe.test/c/pay/{session_id}",
                                       status="open", payment_status="unpaid", amount_total=kwargs["amount_minor"],
                                       currency=kwargs["currency"].lower(), metadata=dict(kwargs["metadata"]))

    def retrieve_checkout_session(self, session_id: str) -> gateway.CheckoutSession:
        self.retrieved.append(session_id)
        if self.retrieve_error is not None:
            raise self.retrieve_error
        asked = self.sessions[session_id]
        status, payment_status = self.session_state
        return gateway.CheckoutSession(id=session_id, url=None, status=status, payment_status=payment_status,
                                       amount_total=asked["amount_minor"], currency=asked["currency"].lower(),
                                       metadata=dict(asked["metadata"]), payment_intent=f"pi_{session_id}")


def payment_rows() -> list[Payment]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(Payment).order_by(Payment.id)).all())


def payment_row(payment_id: int) -> Payment:
    with unit_of_work(write=False) as session:
        return session.get(Payment, payment_id)


def invoice_row(invoice_id: int) -> Invoice:
    with unit_of_work(write=False) as session:
        return session.get(Invoice, invoice_id)


def attempts_of(payment_id: int) -> list[tuple[str, str]]:
    with unit_of_work(write=False) as session:
        return [(a.outcome, a.source) for a in session.exec(
            select(PaymentAttempt).where(PaymentAttempt.payment_id == payment_id).order_by(PaymentAttempt.id)).all()]


def issue(org, *, amount: int = 25_000, issue_now: bool = True) -> int:
    return invoice_staff.create_pre_service_invoice(OPERATOR, org.id, [ItemInput("After-hours incident", 1, amount)],
                                                    issue=issue_now).id


def mark_paid(invoice_id: int) -> None:
    with unit_of_work() as session:
        row = session.get(Invoice, invoice_id)
        row.status, row.amount_paid_minor, row.paid_at = "paid", row.total_minor, clock.now()
        session.add(row)


def later() -> Any:
    """A moment past the one-minute grace reconciliation gives a session that was just created or updated."""
    return clock.now() + timedelta(minutes=5)
