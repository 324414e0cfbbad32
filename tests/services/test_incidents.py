"""Pay-per-incident support: requested with a task and a pre-service invoice, scheduled only once the invoice
is paid; time logged on the task draws the prepaid units first, then the rest is pay-as-you-go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.domain.invoices import InvoiceKind, InvoicePaid, PaidThrough
from opsportal.models import Payment, TicketComment
from opsportal.services import (
    bank_payments,
    checkout_sessions,
    incidents,
    invoice_events,
    invoice_staff,
    plans,
    stripe_events,
    tasks,
)
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.db import row_counts
from tests.utils.plans import (
    DESCRIPTION,
    SATURDAY_NOON,
    TERMS,
    WEDNESDAY_10AM,
    WEDNESDAY_NIGHT,
    holds,
    incident,
    invoice,
    invoice_lines,
    lots,
    set_up_gold,
    utc,
)
from tests.utils.stripe_webhook import FakeCheckout, checkout_event
from tests.utils.tasks import log, set_rate, ticket_row

SATURDAY_EVENING = utc(2025, 3, 15, 20, 0)  # a scheduled window: Saturday 20:00-22:00 in London

def paid_event(invoice_id: int, at) -> InvoicePaid:
    """The event a checkout payment of a pre-service invoice returns (routed again by a test)."""
    return InvoicePaid(invoice_id, InvoiceKind.pre_service, at, PaidThrough.checkout)


@pytest.fixture
def gold(world):
    set_up_gold(world.holdings)
    set_rate(world.holdings)  # USD 120.00 an hour pay-as-you-go
    return world


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    from opsportal.services import stripe_gateway as gateway

    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


def emergency(world, *, who: str = "holdings_owner", units: int = 2, at=SATURDAY_NOON, org=None):
    org = org or world.holdings
    return incidents.request_incident(world.actor(who), org.id, "emergency", None, units, "Shop offline",
                                      DESCRIPTION, accepted_terms=TERMS, at=at)


def scheduled(world, start=SATURDAY_EVENING, *, units: int = 2, at=WEDNESDAY_10AM, who: str = "holdings_owner"):
    return incidents.request_incident(world.actor(who), world.holdings.id, "scheduled", start, units,
                                      "Production upgrade", "Upgrade the production servers to 5.2 overnight.",
                                      category="Infrastructure", accepted_terms=TERMS, at=at)


def comments(ticket_id: int) -> list[str]:
    with unit_of_work(write=False) as session:
        from sqlmodel import select

        return [c.body for c in session.exec(select(TicketComment).where(TicketComment.ticket_id == ticket_id)
                                             .order_by(TicketComment.id)).all()]


# ----------------------------------------------------------------------------------------- requesting


def test_an_emergency_request_opens_a_task_waiting_for_payment_of_a_pre_service_invoice(gold):
    result = emergency(gold)
    req = incident(result.incident_id)
    assert (req.kind, req.status, req.expected_units, req.ticket_id) == ("emergency", "awaiting_payment", 2,
                                                                         result.ticket_id)
    assert ticket_row(result.ticket_id)["status"] == "waiting_on_customer"
    assert ticket_row(result.ticket_id)["priority"] == "urgent"
    inv = invoice(result.invoice_id)
    assert (inv.kind, inv.status, inv.total_minor) == ("pre_service", "open", 50_000)
    [(text, quantity, price, amount, ticket_id)] = invoice_lines(inv.id)
    assert (quantity, price, amount, ticket_id) == (2, 25_000, 50_000, result.ticket_id)
    assert text.startswith(f"Pay-Per-Incident Emergency After-Hours for task #{result.ticket_id}: 2 × hour")
    assert lots(gold.holdings.id) == []  # nothing prepaid before the money is in
    assert "Awaiting payment of invoice" in comments(result.ticket_id)[0]


def test_paying_the_invoice_schedules_the_incident_and_holds_its_units_for_the_task(gold):
    result = emergency(gold)
    paid_at = SATURDAY_NOON + timedelta(minutes=10)
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=paid_at)
    req = incident(result.incident_id)
    assert (req.status, req.scheduled_at) == ("scheduled", paid_at)
    assert (req.window_start, req.window_end) == (paid_at, paid_at + timedelta(hours=2))  # starts when paid
    assert ticket_row(result.ticket_id)["status"] == "open"
    assert comments(result.ticket_id)[-1].startswith("Paid — scheduled for Sat 15 Mar 2025, 12:10–14:10 UTC")
    [lot] = lots(gold.holdings.id)
    assert (lot.quantity, lot.kind, lot.held, lot.remaining) == (120, "purchased", 120, 120)
    assert holds(result.ticket_id) == [(lot.id, 120)]
    row = incidents.incident_of_ticket(gold.actor("holdings_member"), result.ticket_id)
    assert (row.status, row.status_label, row.invoice_id) == ("scheduled", "Scheduled", result.invoice_id)


def test_time_on_the_task_draws_the_prepaid_incident_units_first_then_pay_as_you_go(gold):
    from tests.utils.tasks import hours

    hours(gold.holdings, 600, at=SATURDAY_NOON - timedelta(days=1))  # other prepaid hours stay untouched first
    result = emergency(gold)
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=SATURDAY_NOON + timedelta(minutes=10))
    first = log(result.ticket_id, 90, at=SATURDAY_NOON + timedelta(hours=2))
    assert (first.prepaid_minutes, first.payg_minutes) == (90, 0)
    incident_lot = lots(gold.holdings.id)[-1]
    assert holds(result.ticket_id) == [(incident_lot.id, 30)]
    second = log(result.ticket_id, 60, at=SATURDAY_NOON + timedelta(hours=3))
    assert second.prepaid_minutes == 60 and holds(result.ticket_id) == []
    assert [(lot.quantity, lot.remaining) for lot in lots(gold.holdings.id)] == [(600, 570), (120, 0)]


def test_time_beyond_the_prepaid_units_is_pay_as_you_go_without_other_hours(gold):
    result = emergency(gold, units=1)
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=SATURDAY_NOON + timedelta(minutes=10))
    entry = log(result.ticket_id, 150, at=SATURDAY_NOON + timedelta(hours=3))
    assert (entry.prepaid_minutes, entry.payg_minutes) == (60, 90)


def test_a_confirmed_stripe_payment_schedules_the_incident_once(gold, fake_checkout):
    result = emergency(gold)
    started = checkout_sessions.start_invoice_checkout(gold.actor("holdings_owner"), result.invoice_id,
                                                       at=SATURDAY_NOON)
    with unit_of_work(write=False) as session:
        payment = session.get(Payment, started.payment_id)
    assert incident(result.incident_id).status == "awaiting_payment"
    paid_at = SATURDAY_NOON + timedelta(minutes=3)
    stripe_events.apply_event(checkout_event(payment), at=paid_at)
    stripe_events.apply_event(checkout_event(payment), at=paid_at)
    counts = row_counts()
    with unit_of_work() as session:  # the paid event routed again changes nothing
        invoice_events.dispatch(session, [paid_event(result.invoice_id, paid_at)])
    assert row_counts() == counts
    assert incident(result.incident_id).status == "scheduled"
    assert len(lots(gold.holdings.id)) == 1
    assert [r.status for r in plans.plan_overview(gold.actor("holdings_owner"), gold.holdings.id,
                                                  at=paid_at).incidents] == ["scheduled"]


def test_a_paid_scheduled_window_covers_itself(gold):
    result = scheduled(gold)
    inv = invoice(result.invoice_id)
    assert inv.total_minor == 40_000  # 2 hours at USD 200.00
    assert "Sat 15 Mar 2025, 20:00–22:00 UTC" in invoice_lines(inv.id)[0][0]
    inside = SATURDAY_EVENING + timedelta(minutes=30)
    owner = gold.actor("holdings_owner")
    assert plans.coverage_now(owner, gold.holdings.id, inside).headline.startswith("Not covered")
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    assert incident(result.incident_id).window_start == SATURDAY_EVENING  # a scheduled window keeps its time
    view = plans.coverage_now(owner, gold.holdings.id, inside)
    assert view.headline == "After-hours covered by Pay-Per-Incident Scheduled After-Hours"
    assert plans.coverage_now(owner, gold.holdings.id, SATURDAY_EVENING + timedelta(hours=2)).headline.startswith(
        "Not covered")


def test_paid_emergency_support_covers_the_organization_for_the_time_bought_from_when_it_was_paid(gold):
    result = emergency(gold)  # 2 hours
    owner = gold.actor("holdings_owner")
    paid_at = SATURDAY_NOON + timedelta(minutes=10)
    assert plans.coverage_now(owner, gold.holdings.id, paid_at).headline.startswith("Not covered — emergency")
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=paid_at)
    during = plans.coverage_now(owner, gold.holdings.id, paid_at + timedelta(minutes=30))
    assert during.headline == "After-hours covered by Pay-Per-Incident Emergency After-Hours"
    assert (during.covered, during.emergency_available) == (True, False)
    with pytest.raises(InvalidInput):  # nothing to buy while the paid emergency covers the moment
        emergency(gold, at=paid_at + timedelta(minutes=30))
    after = plans.coverage_now(owner, gold.holdings.id, paid_at + timedelta(hours=2))
    assert after.headline.startswith("Not covered — emergency support available")


def test_an_unpaid_emergency_request_does_not_cover_anything(gold):
    emergency(gold)
    view = plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, SATURDAY_NOON + timedelta(minutes=5))
    assert not view.covered


# ----------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("who", ["holdings_member", "holdings_billing"])
def test_members_and_billing_contacts_may_not_request_incidents(gold, who):
    with pytest.raises(PermissionDenied, match="owners and administrators"):
        emergency(gold, who=who)


def test_another_organizations_user_is_refused(gold):
    with pytest.raises(PermissionDenied):
        emergency(gold, who="fabrikam_owner")
    result = emergency(gold)
    with pytest.raises(NotFound):
        incidents.incident_of_ticket(gold.actor("fabrikam_owner"), result.ticket_id)


def test_staff_may_request_an_incident_on_a_customers_behalf(gold):
    result = incidents.request_incident(gold.actor("agent"), gold.holdings.id, "emergency", None, 1, "Shop offline",
                                        DESCRIPTION, accepted_terms=TERMS, at=SATURDAY_NOON)
    assert incident(result.incident_id).status == "awaiting_payment"


def test_emergency_support_is_refused_while_business_hours_cover(gold):
    with pytest.raises(InvalidInput, match="Support is available right now"):
        emergency(gold, at=WEDNESDAY_10AM)


def test_emergency_support_is_refused_while_everyday_after_hours_covers(world):
    set_up_gold(world.holdings, addons=("everyday_after_hours",))
    with pytest.raises(InvalidInput, match="After-hours covered by Everyday After-Hours"):
        emergency(world, at=WEDNESDAY_NIGHT)


def test_emergency_support_needs_gold(world):
    from opsportal.services import plan_catalog

    plan_catalog.set_org_regions(OPERATOR, world.fabrikam.id, "AMER", (), at=WEDNESDAY_10AM)
    with pytest.raises(InvalidInput, match="no active Gold Support"):
        emergency(world, who="fabrikam_owner", org=world.fabrikam)


@pytest.mark.parametrize(("start", "units", "message"), [
    (utc(2025, 3, 14, 16, 0), 2, "outside EMEA business hours"),  # Friday 16:00 in London
    (utc(2025, 3, 14, 17, 0), 2, "outside EMEA business hours"),  # starts an hour before closing
    (utc(2025, 3, 17, 7, 0), 2, "outside EMEA business hours"),  # runs into Monday's opening
    (utc(2025, 3, 11, 20, 0), 2, "booked and paid before it starts"),
    (utc(2026, 4, 1, 20, 0), 2, "at most a year ahead"),
    (SATURDAY_EVENING, 1, "at least 2 × hour"),
    (SATURDAY_EVENING, 0, "Expect 1 to 24 time units"),
    (SATURDAY_EVENING, 25, "Expect 1 to 24 time units"),
    (None, 2, "Choose the date and time"),
    (SATURDAY_EVENING.replace(tzinfo=None), 2, "time zone"),
])
def test_a_bad_scheduled_window_is_refused_with_the_reason_and_writes_nothing(gold, start, units, message):
    before = row_counts()
    with pytest.raises(InvalidInput, match=message):
        scheduled(gold, start, units=units)
    assert row_counts() == before


def test_a_window_past_the_end_of_gold_is_refused(gold):
    with pytest.raises(InvalidInput, match="needs active Gold Support"):
        scheduled(gold, utc(2026, 3, 14, 20, 0), at=utc(2026, 3, 1, 10, 0))


@pytest.mark.parametrize(("kind", "title", "description", "message"), [
    ("maintenance", "Shop offline", DESCRIPTION, "scheduled after-hours window or emergency"),
    ("emergency", "", DESCRIPTION, "Give the ticket a subject"),
    ("emergency", "Shop offline", "down", "at least 10 characters"),
])
def test_bad_request_details_are_refused(gold, kind, title, description, message):
    with pytest.raises(InvalidInput, match=message):
        incidents.request_incident(gold.actor("holdings_owner"), gold.holdings.id, kind, None, 2, title,
                                   description, accepted_terms=TERMS, at=SATURDAY_NOON)


def test_a_request_needs_a_support_region(world):
    with pytest.raises(InvalidInput, match="No support region"):
        emergency(world, who="fabrikam_owner", org=world.fabrikam)


def test_the_customer_sees_the_incident_task_and_a_voided_request_shows_cancelled(gold):
    result = emergency(gold)
    assert tasks.get_task(gold.actor("holdings_owner"), result.ticket_id).row.title == "Shop offline"
    invoice_staff.void_invoice(OPERATOR, result.invoice_id, reason="Solved without us", at=SATURDAY_NOON)
    row = incidents.incident_of_ticket(gold.actor("holdings_owner"), result.ticket_id)
    assert (row.status, row.status_label) == ("cancelled", "Cancelled")
