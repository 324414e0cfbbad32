"""The tax rule on a real database: every service that issues an invoice (billing run, staff pre-service
invoices, plan orders, pay-per-incident requests, hour-block receipts) taxes it at the organization's rate, and
what the customer is shown before paying carries the same tax as the invoice (no surprise at checkout)."""

from __future__ import annotations

from datetime import date

import pytest

from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, TaxSettings
from opsportal.services import (
    billing_run,
    checkout_sessions,
    hour_blocks,
    incidents,
    invoice_staff,
    invoice_terms,
    plan_orders,
    plans,
)
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_orders import OrderItem
from opsportal.state.incident_request import IncidentRequestState
from tests.utils.plans import DESCRIPTION, SATURDAY_NOON, TERMS, WEDNESDAY_10AM, invoice, set_up_gold
from tests.utils.stripe_webhook import FakeCheckout, checkout_event, deliver, payment_row
from tests.utils.tasks import log, new_task, set_rate

RATE = "8.25"
RATE_BP = 825
TODAY = date(2025, 3, 12)


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    from opsportal.services import stripe_gateway as gateway

    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


@pytest.fixture
def taxed(world):
    """Holdings: Gold in EMEA, USD 120.00 an hour pay-as-you-go, invoices taxed at 8.25 %."""
    set_up_gold(world.holdings)
    set_rate(world.holdings)
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate=RATE, payment_terms_days=30)
    return world


def set_tax(world, rate: str) -> None:
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate=rate, payment_terms_days=30)


def post_service(world) -> int:
    task = new_task(world.holdings, subject="Server patching")
    log(task, 90, work_date=date(2025, 2, 5))
    [billed] = billing_run.run_billing(OPERATOR, "2025-02", today=TODAY).invoices
    return billed.invoice_id


def pre_service(world) -> int:
    return invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                    [ItemInput("On-site network audit", 2, 95_001)], today=TODAY).id


def plan_order(world) -> int:
    return plan_orders.order_plan(world.actor("holdings_owner"), world.holdings.id,
                                  [OrderItem("everyday_after_hours")], accepted_terms=TERMS,
                                  at=WEDNESDAY_10AM).invoice_id


def incident(world) -> int:
    return incidents.request_incident(world.actor("holdings_owner"), world.holdings.id, "emergency", None, 3,
                                      "Shop offline", DESCRIPTION, accepted_terms=TERMS,
                                      at=SATURDAY_NOON).invoice_id


def hour_block_receipt(world) -> int:
    block = hour_blocks.save_block(OPERATOR, block_id=None, name="Odd block", hours=10, price_minor=114_003,
                                   currency="USD", validity_days=365)
    start = checkout_sessions.start_hour_block_checkout(world.actor("holdings_billing"), block.id)
    deliver(checkout_event(payment_row(start.payment_id)))
    return payment_row(start.payment_id).invoice_id


ISSUERS = {InvoiceKind.post_service: post_service, "pre_service (staff)": pre_service,
           "pre_service (plan order)": plan_order, "pre_service (incident)": incident,
           InvoiceKind.hour_block: hour_block_receipt}


def issue_every_kind(world) -> dict:
    return {name: invoice(issue(world)) for name, issue in ISSUERS.items()}


def test_every_kind_of_invoice_carries_the_organizations_tax_on_its_subtotal(taxed, fake_checkout):
    issued = issue_every_kind(taxed)
    assert {inv.kind for inv in issued.values()} == {k.value for k in InvoiceKind}
    for name, inv in issued.items():
        assert inv.tax_rate_bp == RATE_BP, name
        assert inv.tax_minor == rules.tax_of(inv.subtotal_minor, RATE_BP) > 0, name
        assert inv.total_minor == inv.subtotal_minor + inv.tax_minor, name


def test_an_organization_with_a_zero_rate_gets_no_tax_on_any_kind_of_invoice(taxed, fake_checkout):
    set_tax(taxed, "0")
    for name, inv in issue_every_kind(taxed).items():
        assert (inv.tax_rate_bp, inv.tax_minor, inv.total_minor) == (0, 0, inv.subtotal_minor), name


def test_a_customers_tax_id_changes_nothing_in_the_tax(taxed, fake_checkout):
    from opsportal.services import billing_details

    billing_details.save(taxed.actor("holdings_billing"), taxed.holdings.id,
                         billing_details.BillingDetailsInput(address="1 Quay Street\nLondon", tax_id="GB123456789",
                                                             invoice_email=""))
    assert invoice(pre_service(taxed)).tax_rate_bp == RATE_BP


def test_a_draft_takes_the_tax_rate_in_force_on_the_day_it_is_issued(taxed):
    draft = invoice_staff.create_pre_service_invoice(OPERATOR, taxed.holdings.id, [ItemInput("Audit", 1, 100_000)],
                                                     issue=False, today=TODAY)
    set_tax(taxed, "20")
    invoice_staff.issue_draft(OPERATOR, draft.id, today=TODAY)
    issued = invoice(draft.id)
    assert (issued.tax_rate_bp, issued.tax_minor, issued.total_minor) == (2_000, 20_000, 120_000)


def test_an_issued_invoice_keeps_its_rate_when_the_organizations_rate_changes(taxed):
    before = pre_service(taxed)
    set_tax(taxed, "20")
    assert invoice(before).tax_rate_bp == RATE_BP


# ----------------------------------------------------------------------------------------- shown before checkout


def test_the_hour_block_total_shown_is_what_checkout_charges_and_what_the_receipt_says(taxed, fake_checkout):
    block = hour_blocks.save_block(OPERATOR, block_id=None, name="Odd block", hours=10, price_minor=114_003,
                                   currency="USD", validity_days=365)
    [shown] = [b for b in hour_blocks.catalog_for(taxed.actor("holdings_billing"), taxed.holdings.id)
               if b.id == block.id]
    start = checkout_sessions.start_hour_block_checkout(taxed.actor("holdings_billing"), block.id)
    assert fake_checkout.calls[-1]["amount_minor"] == shown.price_minor + shown.tax_minor
    assert shown.tax_rate_bp == RATE_BP
    deliver(checkout_event(payment_row(start.payment_id)))
    receipt = invoice(payment_row(start.payment_id).invoice_id)
    assert (receipt.tax_minor, receipt.total_minor, receipt.amount_paid_minor) == (
        shown.tax_minor, shown.price_minor + shown.tax_minor, shown.price_minor + shown.tax_minor)


def test_a_plan_term_shown_with_tax_costs_exactly_that_on_its_invoice(taxed):
    view = plans.plan_overview(taxed.actor("holdings_owner"), taxed.holdings.id, at=WEDNESDAY_10AM)
    [offer] = [o for o in view.offers if o.code == "everyday_after_hours"]
    expected = rules.priced(InvoiceKind.pre_service, TaxSettings(RATE_BP), offer.price_minor)
    assert offer.with_tax == f"USD {expected.total_minor // 100:,}.{expected.total_minor % 100:02d} for 12 months " \
                             "with 8.25% tax"
    assert invoice(plan_order(taxed)).total_minor == expected.total_minor


def test_a_plan_term_without_tax_says_nothing_about_tax(taxed):
    set_tax(taxed, "0")
    view = plans.plan_overview(taxed.actor("holdings_owner"), taxed.holdings.id, at=WEDNESDAY_10AM)
    assert {o.with_tax for o in view.offers} == {""}


def test_the_incident_price_shown_while_filling_the_form_is_the_invoice_total(taxed):
    view = plans.plan_overview(taxed.actor("holdings_owner"), taxed.holdings.id, at=SATURDAY_NOON)
    [offer] = [o for o in view.offers if o.code == "ppi_emergency_after_hours"]
    form = IncidentRequestState(_reflex_internal_init=True)
    form.kind, form.units = "emergency", "3"
    form.offers = {"emergency": {"unit_price_minor": str(offer.unit_price_minor), "currency": offer.currency,
                                 "unit": offer.unit, "tax_rate_bp": str(view.tax_rate_bp)}}
    inv = invoice(incident(taxed))
    total = f"USD {inv.total_minor // 100:,}.{inv.total_minor % 100:02d}"
    assert form.price.endswith(f"8.25% tax USD {inv.tax_minor // 100:,}.{inv.tax_minor % 100:02d} = {total}")
