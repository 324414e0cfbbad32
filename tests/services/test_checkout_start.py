"""Starting Stripe Checkout for an invoice or an hour block, asking Stripe about pending sessions, and coming back
from Checkout: who may, what is reused, and what happens when Stripe does not answer (SQLite and PostgreSQL).

Stripe is replaced by fakes of the gateway's functions, except in the tests that point the real SDK at a
closed port.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import stripe
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import Invoice, Payment, PaymentAttempt
from opsportal.services import (
    checkout_sessions,
    hour_blocks,
    invoice_staff,
    invoice_terms,
    invoice_views,
    payment_reconciliation,
    stripe_events,
)
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.db import dump_tables

NOT_YOURS = "That organization was not found or you do not have access to it."
STAFF_ADMINS_ONLY = "Only staff administrators may do this."
NOT_ON_SALE = "That hour block is not on sale."
INTRUDERS = [
    ("fabrikam_owner", "holdings"),  # another tree
    ("logistics_owner", "retail"),  # a sibling
    ("holdings_owner", "retail"),  # the parent paying for its child
    ("retail_owner", "holdings"),  # the child paying for its parent
]


# ----------------------------------------------------------------------------------------- fake Stripe


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


@pytest.fixture
def stripe_fake(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    monkeypatch.setattr(gateway, "create_checkout_session", fake.create_checkout_session)
    monkeypatch.setattr(gateway, "retrieve_checkout_session", fake.retrieve_checkout_session)
    return fake


# ----------------------------------------------------------------------------------------- rows and scenes


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


@pytest.fixture
def bills(world, stripe_fake):
    """Every organization has an open invoice of USD 250.00."""
    return world, {name: issue(world.org(name)) for name in ("holdings", "retail", "logistics", "fabrikam")}


@pytest.fixture
def catalog(world):
    def save(name, hours, price, currency="USD", active=True):
        return hour_blocks.save_block(OPERATOR, block_id=None, name=name, hours=hours, price_minor=price,
                                      currency=currency, validity_days=365, active=active).id
    return {"usd": save("Standard block", 10, 114_000), "eur": save("Standard block (EUR)", 10, 105_000, "EUR"),
            "retired": save("Old block", 5, 50_000, active=False)}


# ----------------------------------------------------------------------------------------- who may pay


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


# ----------------------------------------------------------------------------------------- reuse


def test_a_second_click_offers_the_same_open_session_without_asking_stripe_again(bills, stripe_fake):
    world, made = bills
    first = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    second = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert (second.payment_id, second.url) == (first.payment_id, first.url)
    assert len(stripe_fake.created) == 1
    assert [p.id for p in payment_rows()] == [first.payment_id]


def test_a_session_older_than_twenty_three_hours_is_not_offered_again(bills, stripe_fake):
    world, made = bills
    old = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"],
                                                   at=clock.now() - timedelta(hours=23, minutes=1))

    fresh = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert fresh.payment_id != old.payment_id
    assert len(stripe_fake.created) == 2
    assert stripe_fake.created[0]["idempotency_key"] != stripe_fake.created[1]["idempotency_key"]


def test_an_expired_session_is_not_offered_again(bills, stripe_fake):
    world, made = bills
    first = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("expired", "unpaid")
    payment_reconciliation.reconcile(OPERATOR, at=later())

    second = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert second.payment_id != first.payment_id
    assert [p.status for p in payment_rows()] == ["expired", "open"]


def test_a_double_click_on_an_hour_block_continues_the_same_checkout(world, catalog, stripe_fake):
    owner = world.actor("retail_owner")
    first = checkout_sessions.start_hour_block_checkout(owner, catalog["usd"])
    second = checkout_sessions.start_hour_block_checkout(owner, catalog["usd"])
    assert (second.payment_id, second.url) == (first.payment_id, first.url)
    assert len(stripe_fake.created) == 1


# ----------------------------------------------------------------------------------------- hour blocks


def test_an_hour_block_is_charged_at_its_catalog_price_plus_the_organizations_tax(world, catalog, stripe_fake):
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="8.25", payment_terms_days=30)

    started = checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), catalog["usd"])

    payment = payment_row(started.payment_id)
    assert (payment.purpose, payment.status, payment.currency) == ("hour_block", "open", "USD")
    assert (payment.block_minutes, payment.block_price_minor, payment.block_validity_days) == (600, 114_000, 365)
    assert (payment.tax_rate_bp, payment.amount_minor) == (825, 114_000 + 9_405)
    assert payment.description == "Standard block (10 hours of support)"
    [call] = stripe_fake.created
    assert (call["amount_minor"], call["idempotency_key"]) == (123_405, payment.idempotency_key)
    assert call["metadata"]["purpose"] == "hour_block"


@pytest.mark.parametrize("which", ["eur", "retired", "unknown"])
def test_an_hour_block_in_another_currency_retired_or_unknown_is_not_on_sale(world, catalog, stripe_fake, which):
    block_id = catalog.get(which, 987_654)
    before = dump_tables()
    with pytest.raises(NotFound, match=NOT_ON_SALE):
        checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), block_id)
    assert dump_tables() == before
    assert stripe_fake.created == []


# ----------------------------------------------------------------------------------------- Stripe unavailable


def test_when_stripe_does_not_answer_the_customer_is_told_and_a_retry_reuses_the_idempotency_key(bills,
                                                                                                stripe_fake):
    world, made = bills
    owner = world.actor("retail_owner")
    stripe_fake.create_error = Unavailable(gateway.UNAVAILABLE)

    with pytest.raises(Unavailable) as failed:
        checkout_sessions.start_invoice_checkout(owner, made["retail"])

    assert str(failed.value) == gateway.UNAVAILABLE
    [payment] = payment_rows()
    assert (payment.status, payment.last_error, payment.stripe_session_id) == ("creating", gateway.UNAVAILABLE, None)
    inv = invoice_row(made["retail"])
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)
    assert invoice_views.invoice_detail(owner, made["retail"]).payments == []  # nothing reached the customer

    stripe_fake.create_error = None
    retried = checkout_sessions.start_invoice_checkout(owner, made["retail"])

    assert retried.payment_id == payment.id
    assert [c["idempotency_key"] for c in stripe_fake.created] == [payment.idempotency_key] * 2
    recovered = payment_row(payment.id)
    assert (recovered.status, recovered.last_error) == ("open", "")


@pytest.fixture
def stripe_down(monkeypatch: pytest.MonkeyPatch, database_url):
    """The real SDK pointed at a port nobody listens on."""
    monkeypatch.setenv("OPSPORTAL_STRIPE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("OPSPORTAL_STRIPE_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    assert get_settings().stripe_base == "http://127.0.0.1:9"
    yield
    get_settings.cache_clear()


def test_the_real_stripe_client_failing_to_connect_leaves_the_payment_creating_with_the_reason(world, stripe_down):
    invoice_id = issue(world.retail)
    owner = world.actor("retail_owner")

    for _ in range(2):
        with pytest.raises(Unavailable) as failed:
            checkout_sessions.start_invoice_checkout(owner, invoice_id)
        assert str(failed.value) == gateway.UNAVAILABLE

    [payment] = payment_rows()  # the retry used the same payment, so the same idempotency key
    assert (payment.status, payment.last_error, payment.checkout_url) == ("creating", gateway.UNAVAILABLE, None)
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)


def test_the_real_stripe_client_failing_to_connect_refuses_an_hour_block_checkout_too(world, catalog, stripe_down):
    with pytest.raises(Unavailable, match="Nothing was charged"):
        checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), catalog["usd"])
    [payment] = payment_rows()
    assert (payment.status, payment.lot_id) == ("creating", None)


def test_the_real_stripe_client_failing_during_reconciliation_is_reported_and_changes_nothing(world, monkeypatch):
    fake = FakeStripe()  # only the create is faked: reconciliation asks the real SDK, at a closed port
    monkeypatch.setattr(gateway, "create_checkout_session", fake.create_checkout_session)
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), issue(world.retail))
    monkeypatch.setenv("OPSPORTAL_STRIPE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("OPSPORTAL_STRIPE_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    before = dump_tables()

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (result.checked, result.applied, result.expired) == (1, 0, 0)
    assert result.failed == [f"payment {started.payment_id}: {gateway.UNAVAILABLE}"]
    assert dump_tables() == before


@pytest.mark.parametrize("intent", ["pi_test_1", {"id": "pi_test_1", "object": "payment_intent"}])
def test_a_session_object_from_the_sdk_reads_like_the_plain_dict_of_a_webhook(intent):
    data = {"id": "cs_test_1", "object": "checkout.session", "url": None, "status": "complete",
            "payment_status": "paid", "amount_total": 25_000, "currency": "usd",
            "metadata": {"opsportal_payment_id": "7", "purpose": "invoice"}, "payment_intent": intent}
    from_sdk = gateway.CheckoutSession.from_stripe(stripe.checkout.Session.construct_from(data, "sk_test_x"))

    assert from_sdk == gateway.CheckoutSession.from_stripe(data)
    assert (from_sdk.metadata, from_sdk.payment_intent, from_sdk.paid) == (
        {"opsportal_payment_id": "7", "purpose": "invoice"}, "pi_test_1", True)


# ----------------------------------------------------------------------------------------- reconcile


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


# ----------------------------------------------------------------------------------------- back from Checkout


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


def test_the_in_process_scheduler_tick_applies_a_payment_whose_webhook_was_lost(bills, stripe_fake):
    from opsportal.services import scheduler

    world, made = bills
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("complete", "paid")

    scheduler.reconcile_payments(clock.now() + timedelta(minutes=5))

    assert invoice_row(made["retail"]).status == "paid"
    assert attempts_of(started.payment_id) == [("succeeded", "reconcile")]
