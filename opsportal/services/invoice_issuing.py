"""Writing invoices in the caller's transaction: gapless numbers, drafts, issuing, the tax rule's rate, and
carrying the lifecycle's transitions (``domain.invoices.lifecycle``) onto the stored invoice.

Every use case that bills (plan terms, pay-per-incident, hour-block receipts, the billing run, staff) writes
its invoice here; what happens once an invoice is paid or voided is routed by ``services.invoice_events``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, InvoiceState, InvoiceStatus, LineDraft, Refused, Transition
from opsportal.models import Invoice, InvoiceCounter, InvoiceLine, Organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound

INVOICE_NOT_FOUND = "That invoice was not found or you do not have access to it."


def next_number(session: Session, year: int) -> str:
    """The next number of ``year``, in the caller's transaction: a rollback gives it back, so no gaps."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = pg_insert(InvoiceCounter).values(year=year, last_number=0).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(InvoiceCounter).values(year=year, last_number=0).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(InvoiceCounter).values(year=year, last_number=0)
    session.execute(stmt)
    # The UPDATE takes the counter row's lock until commit: concurrent issuers queue here.
    sequence = session.execute(
        update(InvoiceCounter).where(InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + 1).returning(InvoiceCounter.last_number)).scalar_one()
    return rules.format_number(year, sequence)


def _write_lines(session: Session, invoice_id: int, lines: Sequence[LineDraft],
                 ticket_ids: Sequence[int | None] | None = None) -> None:
    for position, line in enumerate(lines, start=1):
        session.add(InvoiceLine(invoice_id=invoice_id, position=position, description=line.description[:300],
                                quantity=line.quantity, unit=line.unit, unit_price_minor=line.unit_price_minor,
                                amount_minor=line.amount_minor,
                                ticket_id=ticket_ids[position - 1] if ticket_ids else None))


def tax_settings(org: Organization) -> rules.TaxSettings:
    """The organization's tax settings, for the tax rule (``domain.invoices.invoice_tax_rate``)."""
    return rules.TaxSettings(org.tax_rate_bp)


# --- the lifecycle on the stored invoice -----------------------------------------------------------------


def state_of(inv: Invoice) -> InvoiceState:
    return InvoiceState(id=inv.id, kind=InvoiceKind(inv.kind), status=InvoiceStatus(inv.status),
                        currency=inv.currency, total_minor=inv.total_minor, amount_paid_minor=inv.amount_paid_minor,
                        number=inv.number, issue_date=inv.issue_date, due_date=inv.due_date, paid_at=inv.paid_at,
                        voided_at=inv.voided_at, void_reason=inv.void_reason)


def apply(session: Session, inv: Invoice, transition: Transition) -> Transition:
    """Store what a transition left on the invoice; returns the transition (its events are the caller's)."""
    state = transition.invoice
    inv.status, inv.amount_paid_minor = state.status.value, state.amount_paid_minor
    inv.number, inv.issue_date, inv.due_date = state.number, state.issue_date, state.due_date
    inv.paid_at, inv.voided_at, inv.void_reason = state.paid_at, state.voided_at, state.void_reason
    session.add(inv)
    return transition


def refused(exc: Refused) -> InvalidInput | Conflict:
    """The service error for a transition the invoice's rules refused."""
    return InvalidInput(str(exc)) if exc.bad_input else Conflict(str(exc))


def lock(session: Session, invoice_id: int) -> Invoice:
    """The invoice, its row locked until commit (NotFound if there is none)."""
    inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
    if inv is None:
        raise NotFound(INVOICE_NOT_FOUND)
    return inv


# --- drafts and issuing ----------------------------------------------------------------------------------


def create_in_session(session: Session, *, org: Organization, kind: InvoiceKind, lines: Sequence[LineDraft],
                      currency: str, issue_on: date | None, period: str | None = None, memo: str = "",
                      created_by: int | None = None, ticket_ids: Sequence[int | None] | None = None,
                      charged_rate_bp: int | None = None) -> Invoice:
    """Write an invoice in the caller's transaction: a draft when ``issue_on`` is None, else issued (numbered).

    Its tax follows the tax rule with the organization's settings of now; ``charged_rate_bp`` is the rate
    the customer was already charged at (an hour block's checkout), which the receipt must show.
    """
    if not lines:
        raise InvalidInput("An invoice needs at least one line.")
    rate = charged_rate_bp if charged_rate_bp is not None else rules.invoice_tax_rate(kind, tax_settings(org))
    tot = rules.totals(lines, rate)
    inv = Invoice(organization_id=org.id, kind=kind.value, status=InvoiceStatus.draft.value, currency=currency,
                  period=period, subtotal_minor=tot.subtotal_minor, tax_rate_bp=tot.tax_rate_bp,
                  tax_minor=tot.tax_minor, total_minor=tot.total_minor, memo=memo[:500], created_by_user_id=created_by)
    if issue_on is not None:
        issue_in_session(session, inv, org, issue_on)
    session.add(inv)
    session.flush()
    _write_lines(session, inv.id, lines, ticket_ids)
    return inv


def issue_in_session(session: Session, inv: Invoice, org: Organization, issue_on: date) -> None:
    """A draft is issued: numbered, dated and due by the organization's terms, bill-to details fixed."""
    number = next_number(session, issue_on.year)
    try:
        apply(session, inv, rules.issue(state_of(inv), number=number, issue_on=issue_on,
                                        terms_days=org.payment_terms_days))
    except Refused as exc:
        raise refused(exc) from None
    # The bill-to details are the invoice's from now on: editing the organization's changes later invoices only.
    inv.bill_to_name, inv.bill_to_address, inv.bill_to_tax_id = org.name, org.billing_address or "", org.tax_id or ""


def retax(inv: Invoice, org: Organization) -> None:
    """A draft being issued takes the tax rate in force now (the rule: the rate of the day it is issued)."""
    tot = rules.priced(inv.kind, tax_settings(org), inv.subtotal_minor)
    inv.tax_rate_bp, inv.tax_minor, inv.total_minor = tot.tax_rate_bp, tot.tax_minor, tot.total_minor
