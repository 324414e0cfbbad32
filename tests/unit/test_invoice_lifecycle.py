"""The invoice aggregate: each transition's guards, the state it leaves, and the events it returns."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.invoices import (
    InvoiceKind,
    InvoicePaid,
    InvoiceState,
    InvoiceStatus,
    InvoiceVoided,
    PaidThrough,
    PaymentFlagged,
    Refused,
    issue,
    mark_paid,
    record_payment,
    void,
)

AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
ISSUED = date(2026, 3, 1)


def draft(total: int = 10_000, kind: InvoiceKind = InvoiceKind.pre_service) -> InvoiceState:
    return InvoiceState(id=7, kind=kind, status=InvoiceStatus.draft, currency="USD", total_minor=total)


def open_invoice(total: int = 10_000, paid: int = 0, kind: InvoiceKind = InvoiceKind.pre_service) -> InvoiceState:
    issued = issue(draft(total, kind), number="INV-2026-00001", issue_on=ISSUED, terms_days=30).invoice
    return replace(issued, amount_paid_minor=paid)


def paid_invoice() -> InvoiceState:
    return mark_paid(open_invoice(), at=AT, through=PaidThrough.bank_transfer).invoice


def void_invoice() -> InvoiceState:
    return void(open_invoice(), reason="Sent to the wrong customer", at=AT).invoice


# --- issue -----------------------------------------------------------------------------------------------


def test_issuing_a_draft_opens_it_with_its_number_issue_date_and_due_date():
    result = issue(draft(), number="INV-2026-00001", issue_on=ISSUED, terms_days=30)
    assert (result.invoice.status, result.invoice.number, result.invoice.issue_date, result.invoice.due_date) == (
        InvoiceStatus.open, "INV-2026-00001", ISSUED, date(2026, 3, 31))
    assert result.events == ()


@pytest.mark.parametrize("state", [open_invoice, paid_invoice, void_invoice])
def test_only_a_draft_can_be_issued(state):
    with pytest.raises(Refused, match=r"^Invoice INV-2026-00001 is already issued\.$"):
        issue(state(), number="INV-2026-00002", issue_on=ISSUED, terms_days=30)


def test_issuing_with_payment_terms_outside_the_allowed_range_is_refused():
    with pytest.raises(ValueError, match="payment terms"):
        issue(draft(), number="INV-2026-00001", issue_on=ISSUED, terms_days=121)


# --- record a payment ------------------------------------------------------------------------------------


def test_a_payment_of_the_whole_total_pays_the_invoice_and_says_so_once():
    result = record_payment(open_invoice(), payment_id=3, amount_minor=10_000, at=AT)
    assert (result.invoice.status, result.invoice.amount_paid_minor, result.invoice.paid_at) == (
        InvoiceStatus.paid, 10_000, AT)
    assert result.events == (InvoicePaid(7, InvoiceKind.pre_service, AT, PaidThrough.checkout, 3),)


def test_a_part_payment_leaves_the_invoice_open_with_the_rest_owed():
    result = record_payment(open_invoice(), payment_id=3, amount_minor=4_000, at=AT)
    assert (result.invoice.status, result.invoice.owed_minor, result.events) == (InvoiceStatus.open, 6_000, ())


def test_an_overpayment_pays_the_invoice_and_is_flagged_with_the_difference():
    result = record_payment(open_invoice(), payment_id=3, amount_minor=12_500, at=AT)
    assert result.invoice.status is InvoiceStatus.paid
    flagged = [e for e in result.events if isinstance(e, PaymentFlagged)]
    assert [(e.payment_id, e.problem) for e in flagged] == [
        (3, "Invoice INV-2026-00001 is overpaid by USD 25.00: refund the difference.")]
    assert sum(isinstance(e, InvoicePaid) for e in result.events) == 1


@pytest.mark.parametrize(("state", "word"), [(draft, "draft"), (paid_invoice, "paid"), (void_invoice, "void")])
def test_a_payment_for_an_invoice_that_is_not_open_changes_nothing_and_is_flagged(state, word):
    before = state()
    result = record_payment(before, payment_id=3, amount_minor=10_000, at=AT)
    assert result.invoice == before
    assert len(result.events) == 1 and isinstance(result.events[0], PaymentFlagged)
    assert result.events[0].problem.endswith(f"was already {word} when this payment arrived: "
                                             "refund it or apply it elsewhere.")


def test_a_payment_that_is_not_a_positive_amount_is_a_mistake():
    with pytest.raises(ValueError):
        record_payment(open_invoice(), payment_id=3, amount_minor=0, at=AT)


@given(total=st.integers(min_value=1, max_value=10**9),
       parts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12))
def test_payments_summing_to_the_total_mark_the_invoice_paid_exactly_once(total, parts):
    state, events = open_invoice(total), []
    for n, amount in enumerate(parts):
        result = record_payment(state, payment_id=n, amount_minor=amount, at=AT)
        state, events = result.invoice, events + list(result.events)
    reached = sum(parts) >= total
    paid_events = [e for e in events if isinstance(e, InvoicePaid)]
    assert len(paid_events) == (1 if reached else 0)
    assert (state.status is InvoiceStatus.paid) == reached
    if reached:
        # Paid by the payment that reached the total; later ones are flagged, not added.
        first = next(i for i in range(len(parts)) if sum(parts[: i + 1]) >= total)
        assert paid_events[0].payment_id == first
        assert state.amount_paid_minor == sum(parts[: first + 1])
        assert {e.payment_id for e in events if isinstance(e, PaymentFlagged)} >= set(range(first + 1, len(parts)))
    else:
        assert state.amount_paid_minor == sum(parts) and state.owed_minor == total - sum(parts)


# --- mark paid -------------------------------------------------------------------------------------------


def test_marking_an_open_invoice_paid_pays_what_is_owed_at_once():
    result = mark_paid(open_invoice(paid=3_000), at=AT, through=PaidThrough.bank_transfer)
    assert (result.invoice.status, result.invoice.amount_paid_minor, result.invoice.paid_at) == (
        InvoiceStatus.paid, 10_000, AT)
    assert result.events == (InvoicePaid(7, InvoiceKind.pre_service, AT, PaidThrough.bank_transfer, None),)


@pytest.mark.parametrize(("state", "message"), [
    (paid_invoice, r"^Invoice INV-2026-00001 is already paid\.$"),
    (draft, r"^Issue the draft before marking it paid\.$"),
    (void_invoice, r"^Invoice INV-2026-00001 is void; it cannot be marked paid\.$"),
])
def test_only_an_open_invoice_can_be_marked_paid(state, message):
    with pytest.raises(Refused, match=message) as refused:
        mark_paid(state(), at=AT, through=PaidThrough.bank_transfer)
    assert not refused.value.bad_input


def test_a_payment_date_before_the_issue_date_is_refused_as_bad_input():
    with pytest.raises(Refused, match=r"^The payment date cannot be before the invoice's issue date, 1 Mar 2026\.$") \
            as refused:
        mark_paid(open_invoice(), at=datetime(2026, 2, 28, 23, 0, tzinfo=UTC), through=PaidThrough.bank_transfer)
    assert refused.value.bad_input


def test_an_open_invoice_with_nothing_owed_cannot_be_marked_paid():
    with pytest.raises(Refused, match=r"^Nothing is owed on invoice INV-2026-00001\.$"):
        mark_paid(open_invoice(total=0), at=AT, through=PaidThrough.bank_transfer)


def test_a_receipt_marked_paid_names_the_payment_that_paid_it():
    result = mark_paid(open_invoice(kind=InvoiceKind.hour_block), at=AT, through=PaidThrough.checkout, payment_id=9)
    assert result.events == (InvoicePaid(7, InvoiceKind.hour_block, AT, PaidThrough.checkout, 9),)


# --- void ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [draft, open_invoice])
def test_an_unpaid_invoice_is_voided_with_its_reason_and_says_so(state):
    result = void(state(), reason="  Sent to the   wrong customer ", at=AT)
    assert (result.invoice.status, result.invoice.voided_at, result.invoice.void_reason) == (
        InvoiceStatus.void, AT, "Sent to the wrong customer")
    assert result.events == (InvoiceVoided(7, AT),)


def test_an_invoice_is_voided_only_once():
    with pytest.raises(Refused, match=r"^Invoice INV-2026-00001 is already void\.$"):
        void(void_invoice(), reason="Again", at=AT)


@pytest.mark.parametrize("state", [paid_invoice, lambda: open_invoice(paid=1)])
def test_an_invoice_with_money_paid_on_it_cannot_be_voided(state):
    with pytest.raises(Refused, match=r"^A paid invoice cannot be voided; refund the payment instead\.$"):
        void(state(), reason="Changed our mind", at=AT)


@pytest.mark.parametrize("reason", ["", "  ab ", "x" * 301])
def test_voiding_needs_a_reason_of_three_to_three_hundred_characters(reason):
    with pytest.raises(Refused, match=r"^Give a reason of 3 to 300 characters for voiding the invoice\.$") as refused:
        void(open_invoice(), reason=reason, at=AT)
    assert refused.value.bad_input


# --- events ----------------------------------------------------------------------------------------------


LATER_STEPS = st.lists(st.sampled_from(["pay", "part", "mark", "void"]), max_size=6)


@given(st.sampled_from(["issue", "pay", "part", "mark", "void"]).flatmap(
    lambda first: LATER_STEPS.map(lambda rest: [first, *rest])))
def test_paid_and_void_are_final_whatever_is_tried_after(steps):
    state, seen_final = draft(), None
    for step in steps:
        try:
            if step == "issue":
                result = issue(state, number="INV-2026-00001", issue_on=ISSUED, terms_days=0)
            elif step in ("pay", "part"):
                result = record_payment(state, payment_id=1, amount_minor=10_000 if step == "pay" else 1, at=AT)
            elif step == "mark":
                result = mark_paid(state, at=AT, through=PaidThrough.bank_transfer)
            else:
                result = void(state, reason="No longer wanted", at=AT)
        except Refused:
            continue
        if seen_final is not None:
            assert result.invoice.status is seen_final
            assert not any(isinstance(e, InvoicePaid | InvoiceVoided) for e in result.events)
        state = result.invoice
        if state.status in (InvoiceStatus.paid, InvoiceStatus.void):
            seen_final = state.status


def test_events_are_frozen():
    event = InvoiceVoided(7, AT)
    with pytest.raises(FrozenInstanceError):
        event.invoice_id = 8  # type: ignore[misc]
