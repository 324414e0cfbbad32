"""Staff billing: marking an invoice paid by bank transfer, who may do what on invoices and the catalog, and the
demo invoices (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from opsportal import clock
from opsportal.db import get_engine, unit_of_work
from opsportal.domain.invoices import ShownStatus, shown_status
from opsportal.models import Invoice, Organization, Payment
from opsportal.services import (
    bank_payments,
    billing_run,
    hour_blocks,
    invoice_staff,
    invoice_terms,
    invoice_views,
    payment_history,
    payment_reconciliation,
)
from opsportal.services import stripe_gateway as gateway
from opsportal.services.demo import load_demo
from opsportal.services.demo_billing import SHOWCASE, load_demo_billing
from opsportal.services.demo_credits import load_demo_credits
from opsportal.services.demo_tasks import load_demo_tasks
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW

ISSUED = date(2025, 3, 1)
PAID_AT = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
STAFF_ADMINS_ONLY = "^Only staff administrators may do this.$"
STAFF_ONLY = "^This area is for the support team only.$"


def issued_invoice(world, org: str = "holdings", *, issue: bool = True) -> invoice_views.InvoiceRow:
    """A pre-service invoice of USD 1,000.00 (two audit days at 500.00), issued on 1 March 2025 unless a draft."""
    return invoice_staff.create_pre_service_invoice(
        world.actor("staff_admin"), world.org(org).id, [ItemInput("On-site audit (per day)", 2, 50_000)],
        memo="Audit of the head office", issue=issue, today=ISSUED)


# --- marking an invoice paid by bank transfer -------------------------------------------------------------


def test_a_staff_admin_marks_an_invoice_paid_by_bank_transfer_and_its_history_says_so(world):
    invoice = issued_invoice(world)

    row = bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT,
                                               reference="  BT   4471 ")

    assert (row.status, row.amount_paid_minor, row.outstanding_minor) == (ShownStatus.paid, 100_000, 0)
    detail = invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id, today=date(2025, 4, 30))
    assert (detail.row.status, detail.paid_at, detail.may_pay) == (ShownStatus.paid, PAID_AT, False)
    [payment] = detail.payments
    assert (payment.status, payment.amount_minor, payment.currency, payment.created_by, payment.completed_at) == (
        "succeeded", 100_000, "USD", "Sam Taylor", PAID_AT)
    [attempt] = payment.attempts
    assert (attempt.outcome, attempt.source, attempt.occurred_at) == ("succeeded", "bank_transfer", PAID_AT)
    assert attempt.message == "Bank transfer received, reference BT 4471; marked paid by Sam Taylor"


def test_a_paid_invoice_no_longer_counts_as_outstanding_or_overdue(world):
    invoice = issued_invoice(world)
    owner = world.actor("holdings_owner")
    before = invoice_views.list_invoices(owner, world.holdings.id, today=date(2025, 6, 1))
    assert (before.outstanding.amounts, before.overdue_count) == ({"USD": 100_000}, 1)

    bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT)

    after = invoice_views.list_invoices(owner, world.holdings.id, today=date(2025, 6, 1))
    assert (after.outstanding.is_zero, after.overdue_count) == (True, 0)
    assert [r.status for r in invoice_views.list_invoices(owner, world.holdings.id, status="paid").page.items] == [
        ShownStatus.paid]


def test_marking_an_invoice_paid_closes_the_checkout_the_customer_left_open(world, monkeypatch):
    invoice = issued_invoice(world)
    with unit_of_work() as session:
        session.add(Payment(organization_id=world.holdings.id, purpose="invoice", status="open", invoice_id=invoice.id,
                            amount_minor=100_000, currency="USD", description=f"Invoice {invoice.number}",
                            idempotency_key="test-open-checkout", stripe_session_id="cs_test_open",
                            created_at=PAID_AT, updated_at=PAID_AT))
    asked: list[str] = []

    def expire(session_id: str) -> gateway.CheckoutSession:
        asked.append(session_id)
        return gateway.CheckoutSession(id=session_id, url=None, status="expired", payment_status="unpaid",
                                       amount_total=100_000, currency="usd")

    monkeypatch.setattr(gateway, "expire_checkout_session", expire)

    bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT, reference="BT 1")

    assert asked == ["cs_test_open"]
    detail = invoice_views.invoice_detail(world.actor("staff_admin"), invoice.id)
    assert [(p.status, p.amount_minor) for p in detail.payments] == [("expired", 100_000), ("succeeded", 100_000)]


def _left_open_checkout(world, invoice) -> int:
    """The customer's Checkout Session for the whole invoice, still open."""
    with unit_of_work() as session:
        payment = Payment(organization_id=world.holdings.id, purpose="invoice", status="open", invoice_id=invoice.id,
                          amount_minor=100_000, currency="USD", description=f"Invoice {invoice.number}",
                          idempotency_key="test-open-checkout", stripe_session_id="cs_test_open",
                          created_at=PAID_AT, updated_at=PAID_AT)
        session.add(payment)
        session.flush()
        return payment.id


def test_voiding_an_invoice_closes_the_checkout_the_customer_left_open(world, monkeypatch):
    invoice = issued_invoice(world)
    _left_open_checkout(world, invoice)
    asked: list[str] = []

    def expire(session_id: str) -> gateway.CheckoutSession:
        asked.append(session_id)
        return gateway.CheckoutSession(id=session_id, url=None, status="expired", payment_status="unpaid",
                                       amount_total=100_000, currency="usd")

    monkeypatch.setattr(gateway, "expire_checkout_session", expire)

    invoice_staff.void_invoice(world.actor("staff_admin"), invoice.id, reason="Billed twice", at=PAID_AT)

    assert asked == ["cs_test_open"]
    detail = invoice_views.invoice_detail(world.actor("staff_admin"), invoice.id)
    assert [(p.status, p.problem) for p in detail.payments] == [("expired", "")]


def test_a_checkout_paid_just_before_the_invoice_was_voided_is_recorded_and_flagged_for_staff(world, monkeypatch):
    invoice = issued_invoice(world)
    payment_id = _left_open_checkout(world, invoice)

    def expire(session_id: str) -> gateway.CheckoutSession:
        return gateway.CheckoutSession(id=session_id, url=None, status="complete", payment_status="paid",
                                       amount_total=100_000, currency="usd",
                                       metadata={"opsportal_payment_id": str(payment_id)})

    monkeypatch.setattr(gateway, "expire_checkout_session", expire)

    invoice_staff.void_invoice(world.actor("staff_admin"), invoice.id, reason="Billed twice", at=PAID_AT)

    detail = invoice_views.invoice_detail(world.actor("staff_admin"), invoice.id)
    assert (detail.stored_status, detail.row.amount_paid_minor) == ("void", 0)
    assert [(p.status, p.problem) for p in detail.payments] == [
        ("succeeded", f"Invoice {invoice.number} was already void when this payment arrived: "
                      "refund it or apply it elsewhere.")]


def test_marking_an_invoice_paid_twice_is_refused_and_changes_nothing(world):
    invoice = issued_invoice(world)
    bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT)
    before = dump_tables()

    with pytest.raises(Conflict, match=f"^Invoice {invoice.number} is already paid.$"):
        bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT)

    assert dump_tables() == before


def test_a_draft_or_void_invoice_cannot_be_marked_paid(world):
    admin = world.actor("staff_admin")
    draft = issued_invoice(world, issue=False)
    voided = issued_invoice(world)
    invoice_staff.void_invoice(admin, voided.id, reason="Sent to the wrong organization", at=PAID_AT)
    before = dump_tables()

    with pytest.raises(Conflict, match="^Issue the draft before marking it paid.$"):
        bank_payments.record_offline_payment(admin, draft.id, at=PAID_AT)
    with pytest.raises(Conflict, match=f"^Invoice {voided.number} is void; it cannot be marked paid.$"):
        bank_payments.record_offline_payment(admin, voided.id, at=PAID_AT)

    assert dump_tables() == before


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"at": datetime(2025, 2, 28, 23, 0, tzinfo=UTC)},
     "^The payment date cannot be before the invoice's issue date, 1 Mar 2025.$"),
    ({"at": clock.now() + timedelta(days=2)}, "^The payment date cannot be in the future.$"),
    ({"at": PAID_AT, "reference": "x" * 101}, "^Give a bank reference of at most 100 characters.$"),
])
def test_bad_payment_details_are_refused_and_change_nothing(world, kwargs, message):
    invoice = issued_invoice(world)
    before = dump_tables()

    with pytest.raises(InvalidInput, match=message):
        bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, **kwargs)

    assert dump_tables() == before


def test_an_unknown_invoice_is_not_found(world):
    with pytest.raises(NotFound, match="^That invoice was not found or you do not have access to it.$"):
        bank_payments.record_offline_payment(world.actor("staff_admin"), 999_999, at=PAID_AT)


# --- who may do what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "holdings_owner", "holdings_admin", "holdings_billing", "fabrikam_owner"])
def test_only_a_staff_admin_may_mark_an_invoice_paid(world, who):
    invoice = issued_invoice(world)
    before = dump_tables()

    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        bank_payments.record_offline_payment(world.actor(who), invoice.id, at=PAID_AT)

    assert dump_tables() == before


@pytest.mark.parametrize("who", ["agent", "holdings_owner", "fabrikam_owner"])
def test_voiding_billing_runs_terms_and_the_catalog_are_for_staff_admins_only(world, who):
    invoice = issued_invoice(world)
    actor = world.actor(who)
    before = dump_tables()

    for attempt in (
        lambda: invoice_staff.void_invoice(actor, invoice.id, reason="Not needed after all"),
        lambda: billing_run.run_billing(actor, "2025-02", today=ISSUED),
        lambda: invoice_terms.set_invoice_terms(actor, world.holdings.id, tax_rate="20", payment_terms_days=14),
        lambda: hour_blocks.save_block(actor, block_id=None, name="Tiny block", hours=2, price_minor=25_000,
                                       currency="USD", validity_days=90),
        lambda: hour_blocks.ensure_demo_catalog(actor),
        lambda: payment_history.payments_needing_attention(actor),
        lambda: payment_reconciliation.reconcile(actor),
    ):
        with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
            attempt()

    assert dump_tables() == before


@pytest.mark.parametrize("who", ["holdings_owner", "holdings_billing", "fabrikam_owner"])
def test_customers_cannot_use_the_staff_invoice_tools(world, who):
    draft = issued_invoice(world, issue=False)
    actor = world.actor(who)
    before = dump_tables()

    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_views.list_invoices(actor, None)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.create_pre_service_invoice(actor, world.org(actor_org(who)).id, [ItemInput("Audit", 1, 10_000)])
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.issue_draft(actor, draft.id)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        hour_blocks.all_blocks(actor)

    assert dump_tables() == before


def actor_org(who: str) -> str:
    return "fabrikam" if who.startswith("fabrikam") else "holdings"


def test_an_agent_may_bill_work_up_front_and_issue_drafts(world):
    agent = world.actor("agent")

    draft = invoice_staff.create_pre_service_invoice(agent, world.fabrikam.id,
                                                     [ItemInput("Emergency call-out", 1, 40_000)],
                                                     issue=False, today=ISSUED)
    issued = invoice_staff.issue_draft(agent, draft.id, today=ISSUED)

    assert (draft.status, issued.status, issued.currency) == (ShownStatus.draft, ShownStatus.pending, "USD")
    assert [r.id for r in invoice_views.list_invoices(agent, None, status="pending", today=ISSUED).page.items] == [
        draft.id]


def test_another_organizations_user_sees_nothing_of_the_invoice_even_once_it_is_paid(world):
    invoice = issued_invoice(world)
    bank_payments.record_offline_payment(world.actor("staff_admin"), invoice.id, at=PAID_AT)
    outsider = world.actor("fabrikam_owner")

    with pytest.raises(NotFound, match="^That invoice was not found or you do not have access to it.$"):
        invoice_views.invoice_detail(outsider, invoice.id)
    with pytest.raises(PermissionDenied, match="^That organization was not found or you do not have access to it.$"):
        invoice_views.list_invoices(outsider, world.holdings.id)
    assert invoice_views.list_invoices(outsider, world.fabrikam.id).page.total == 0


def test_customers_never_see_drafts_even_of_their_own_organization(world):
    draft = issued_invoice(world, issue=False)

    with pytest.raises(NotFound):
        invoice_views.invoice_detail(world.actor("holdings_owner"), draft.id)
    assert invoice_views.list_invoices(world.actor("holdings_owner"), world.holdings.id).page.total == 0
    assert invoice_views.list_invoices(world.actor("staff_admin"), None, status="draft").page.total == 1


# --- the demo invoices ------------------------------------------------------------------------------------


def _invoices() -> list[tuple]:
    with unit_of_work(write=False) as session:
        return [tuple(r) for r in session.exec(
            select(Organization.name, Invoice.kind, Invoice.status, Invoice.due_date, Invoice.tax_rate_bp)
            .join(Organization, Organization.id == Invoice.organization_id).order_by(Invoice.id)).all()]


def _shown(rows: list[tuple], org: str, today: date) -> set[str]:
    return {shown_status(status, due, today).value for name, _kind, status, due, _tax in rows if name == org}


def test_without_pay_as_you_go_history_the_demo_still_shows_a_paid_an_overdue_and_a_pending_invoice(database_url):
    load_demo(OPERATOR)

    result = load_demo_billing(OPERATOR, now=NOW)

    # The catalog: 4 hour blocks and 3 credit packs in each of USD and EUR.
    assert (result.hour_blocks_created, result.invoices_created, result.invoices_paid) == (14, 4, 1)
    rows = _invoices()
    assert _shown(rows, SHOWCASE, NOW.date()) == {"paid", "overdue", "pending"}
    assert [(name, kind, status) for name, kind, status, _due, _tax in rows if name != SHOWCASE] == [
        ("Northwind Logistics", "pre_service", "draft")]
    assert {name: tax for name, _k, _s, _d, tax in rows} == {SHOWCASE: 0, "Northwind Logistics": 825}
    before = dump_tables()
    assert load_demo_billing(OPERATOR, now=NOW) == type(result)(0, 0, 0)
    assert dump_tables() == before


def test_the_demo_bills_the_pay_as_you_go_history_month_by_month(sqlite_database_url):
    load_demo(OPERATOR)
    load_demo_credits(OPERATOR, now=NOW)
    load_demo_tasks(OPERATOR, now=NOW)

    result = load_demo_billing(OPERATOR, now=NOW)

    rows = _invoices()
    receipts = [r for r in rows if r[1] == "hour_block"]  # of the hour blocks bought in the credits step
    assert result.invoices_created == len(rows) - len(receipts) and result.invoices_paid > 0
    assert receipts and {status for _n, _k, status, _d, _t in receipts} == {"paid"}
    for org in (SHOWCASE, "Fabrikam Clinics"):
        assert _shown(rows, org, NOW.date()) == {"paid", "overdue", "pending"}, org
    assert {name: tax for name, _k, _s, _d, tax in rows} == {
        SHOWCASE: 0, "Northwind Logistics": 825, "Fabrikam Clinics": 1900} | (
        {"Northwind Retail": 825} if any(r[0] == "Northwind Retail" for r in rows) else {})
    with get_engine().connect() as conn:
        unbilled = conn.execute(text(
            "SELECT COUNT(*) FROM time_entry WHERE payg_minutes > 0 AND billed_invoice_id IS NULL "
            "AND work_date < :first"), {"first": NOW.date().replace(day=1)}).scalar_one()
    assert unbilled == 0
    before = dump_tables()
    assert load_demo_billing(OPERATOR, now=NOW).invoices_created == 0
    assert dump_tables() == before


# --- searching by number --------------------------------------------------------------------------------


def test_searching_a_whole_invoice_number_in_any_case_finds_exactly_that_invoice(world):
    first, second = issued_invoice(world), issued_invoice(world)
    owner = world.actor("holdings_owner")
    found = invoice_views.list_invoices(owner, world.holdings.id, search=f"  {second.number.lower()} ")
    assert [r.id for r in found.page.items] == [second.id]
    assert first.number[:-1] == second.number[:-1]  # the same prefix: a partial search finds both
    partial = invoice_views.list_invoices(owner, world.holdings.id, search=second.number[:-1])
    assert {r.id for r in partial.page.items} == {first.id, second.id}


def test_a_whole_number_search_never_finds_another_organizations_invoice(world):
    theirs = issued_invoice(world, "fabrikam")
    found = invoice_views.list_invoices(world.actor("holdings_owner"), world.holdings.id, search=theirs.number)
    assert found.page.total == 0
    staff = invoice_views.list_invoices(world.actor("agent"), None, search=theirs.number)
    assert [r.id for r in staff.page.items] == [theirs.id]
