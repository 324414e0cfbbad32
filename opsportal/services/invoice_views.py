"""Reading invoices: the list with its totals outstanding and overdue, one invoice with its lines and payments,
the CSV export.

Customers with a billing role (owner, admin, billing) see their organization's issued invoices;
members see none; staff see every invoice, drafts and void ones included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, true
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import billing_details as billing_rules
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus, PaymentStatus, ShownStatus
from opsportal.models import Invoice, InvoiceLine, Organization, Payment, PaymentAttempt, User
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_staff, require_view_organization
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.invoice_issuing import INVOICE_NOT_FOUND
from opsportal.services.pagination import Page, clamp

MEMBERS_REFUSED = "Invoices are shown to the organization's owners, administrators and billing contacts."
CUSTOMER_STATUSES = (InvoiceStatus.open.value, InvoiceStatus.paid.value)


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    organization_id: int
    organization: str
    kind: str
    kind_label: str
    period: str | None
    issue_date: date | None
    due_date: date | None
    currency: str
    total_minor: int
    amount_paid_minor: int
    outstanding_minor: int
    status: ShownStatus

    @property
    def total(self) -> str:
        return formats.money(self.total_minor, self.currency)

    @property
    def outstanding(self) -> str:
        return formats.money(self.outstanding_minor, self.currency)


@dataclass(frozen=True)
class MoneyByCurrency:
    amounts: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        if not self.amounts:
            return "0.00"
        return ", ".join(formats.money(v, c) for c, v in sorted(self.amounts.items()))

    @property
    def is_zero(self) -> bool:
        return not any(self.amounts.values())


@dataclass(frozen=True)
class InvoiceList:
    page: Page[InvoiceRow]
    outstanding: MoneyByCurrency
    overdue: MoneyByCurrency
    overdue_count: int


@dataclass(frozen=True)
class LinePublic:
    position: int
    description: str
    quantity: int
    unit: str
    unit_price_minor: int
    amount_minor: int
    ticket_id: int | None

    @property
    def quantity_text(self) -> str:
        return formats.duration(self.quantity) if self.unit == "minute" else formats.count(self.quantity)


@dataclass(frozen=True)
class AttemptPublic:
    outcome: str
    message: str
    source: str
    occurred_at: datetime


@dataclass(frozen=True)
class PaymentPublic:
    id: int
    status: str
    amount_minor: int
    currency: str
    created_at: datetime
    completed_at: datetime | None
    created_by: str
    last_error: str
    problem: str
    attempts: list[AttemptPublic]


@dataclass(frozen=True)
class InvoiceDetail:
    row: InvoiceRow
    organization_currency: str
    memo: str
    subtotal_minor: int
    tax_rate_bp: int
    tax_minor: int
    lines: list[LinePublic]
    payments: list[PaymentPublic]
    paid_at: datetime | None
    voided_at: datetime | None
    void_reason: str
    stored_status: str
    may_pay: bool
    # Bill to: the organization's billing details (domain.billing_details), as they are now.
    bill_to_address: str = ""
    bill_to_tax_id: str = ""

    @property
    def tax_rate(self) -> str:
        return rules.format_tax_rate(self.tax_rate_bp)

    @property
    def bill_to_lines(self) -> list[str]:
        return billing_rules.address_lines(self.bill_to_address)


def require_invoice_reader(actor: Actor, organization_id: int) -> None:
    require_view_organization(actor, organization_id)
    if not rules.may_see_invoices(actor.role):
        raise PermissionDenied(MEMBERS_REFUSED)


def _shown_filter(status: str, today: date):
    """SQL condition for a shown status ("all" for none)."""
    if status == ShownStatus.pending:
        return (Invoice.status == InvoiceStatus.open.value) & (Invoice.due_date >= today)
    if status == ShownStatus.overdue:
        return (Invoice.status == InvoiceStatus.open.value) & (Invoice.due_date < today)
    if status in (ShownStatus.paid, ShownStatus.draft, ShownStatus.void):
        return Invoice.status == status
    if status in ("", "all"):
        return None
    raise InvalidInput("Filter by all, pending, overdue or paid.")


def row_of(inv: Invoice, org_name: str, today: date) -> InvoiceRow:
    return InvoiceRow(
        id=inv.id, number=inv.number or f"Draft {inv.id}", organization_id=inv.organization_id, organization=org_name,
        kind=inv.kind, kind_label=InvoiceKind(inv.kind).label, period=inv.period, issue_date=inv.issue_date,
        due_date=inv.due_date, currency=inv.currency, total_minor=inv.total_minor,
        amount_paid_minor=inv.amount_paid_minor,
        outstanding_minor=rules.outstanding(inv.total_minor, inv.amount_paid_minor)
        if inv.status == InvoiceStatus.open else 0,
        status=rules.shown_status(inv.status, inv.due_date, today))


def _sums(session: Session, scope, today: date) -> tuple[MoneyByCurrency, MoneyByCurrency, int]:
    due = Invoice.total_minor - Invoice.amount_paid_minor
    is_overdue = Invoice.due_date < today
    rows = session.exec(
        select(Invoice.currency, func.sum(due), func.sum(case((is_overdue, due), else_=0)),
               func.sum(case((is_overdue, 1), else_=0)))
        .where(scope, Invoice.status == InvoiceStatus.open.value).group_by(Invoice.currency)).all()
    outstanding = {c: int(o or 0) for c, o, _, _ in rows}
    overdue = {c: int(v or 0) for c, _, v, _ in rows if v}
    return MoneyByCurrency(outstanding), MoneyByCurrency(overdue), sum(int(n or 0) for *_, n in rows)


def list_invoices(actor: Actor, organization_id: int | None, *, status: str = "all", search: str = "",
                  page: int = 1, page_size: int = 20, today: date | None = None) -> InvoiceList:
    """One page of invoices, newest first, with the totals outstanding and overdue (of the whole filter scope).

    ``organization_id`` None lists every organization's invoices (staff only).
    """
    today = today or clock.now().date()
    page, page_size = clamp(page, page_size)
    if organization_id is None:
        require_staff(actor)
    else:
        require_invoice_reader(actor, organization_id)
    conditions = []
    if organization_id is not None:
        conditions.append(Invoice.organization_id == organization_id)
    if not actor.is_staff:
        conditions.append(Invoice.status.in_(CUSTOMER_STATUSES))
        if status in (ShownStatus.draft, ShownStatus.void):
            raise InvalidInput("Filter by all, pending, overdue or paid.")
    shown = _shown_filter(status, today)
    needle = " ".join((search or "").split())
    if len(needle) > 60:
        raise InvalidInput("Search for at most 60 characters.")
    with unit_of_work(write=False) as session:
        scope = and_(true(), *conditions)
        outstanding, overdue, overdue_count = _sums(session, scope, today)
        query_conditions = list(conditions)
        if shown is not None:
            query_conditions.append(shown)
        if exact := rules.whole_number(needle):
            query_conditions.append(Invoice.number == exact)  # the unique index answers it
        elif needle:
            like = f"%{needle}%"
            org_ids = select(Organization.id).where(Organization.name.ilike(like))
            query_conditions.append(or_(Invoice.number.ilike(like), Invoice.organization_id.in_(org_ids))
                                    if organization_id is None else Invoice.number.ilike(like))
        total = session.exec(select(func.count()).select_from(Invoice).where(*query_conditions)).one()
        rows = session.exec(
            select(Invoice).where(*query_conditions)
            .order_by(Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
            .offset((page - 1) * page_size).limit(page_size)).all()
        names = orgtree.names(session, {r.organization_id for r in rows})
        items = [row_of(r, names.get(r.organization_id, "?"), today) for r in rows]
    return InvoiceList(Page(items, page, page_size, int(total)), outstanding, overdue, overdue_count)


def _load_for_reader(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    inv = session.get(Invoice, invoice_id)
    if inv is None or (not actor.is_staff and (inv.organization_id != actor.organization_id
                                               or inv.status not in CUSTOMER_STATUSES)):
        raise NotFound(INVOICE_NOT_FOUND)
    require_invoice_reader(actor, inv.organization_id)
    return inv


def payments_of(session: Session, invoice_id: int) -> list[PaymentPublic]:
    payments = session.exec(select(Payment).where(Payment.invoice_id == invoice_id)
                            .where(Payment.status != PaymentStatus.creating.value).order_by(Payment.id)).all()
    if not payments:
        return []
    ids = [p.id for p in payments]
    attempts = session.exec(select(PaymentAttempt).where(PaymentAttempt.payment_id.in_(ids))
                            .order_by(PaymentAttempt.occurred_at, PaymentAttempt.id)).all()
    users = {u.id: u.full_name for u in session.exec(
        select(User).where(User.id.in_({p.created_by_user_id for p in payments if p.created_by_user_id}))).all()}
    by_payment: dict[int, list[AttemptPublic]] = {}
    for a in attempts:
        by_payment.setdefault(a.payment_id, []).append(AttemptPublic(a.outcome, a.message, a.source, a.occurred_at))
    return [PaymentPublic(id=p.id, status=p.status, amount_minor=p.amount_minor, currency=p.currency,
                          created_at=p.created_at, completed_at=p.completed_at,
                          created_by=users.get(p.created_by_user_id, ""), last_error=p.last_error,
                          problem=p.problem, attempts=by_payment.get(p.id, [])) for p in payments]


def invoice_detail(actor: Actor, invoice_id: int, *, today: date | None = None) -> InvoiceDetail:
    today = today or clock.now().date()
    with unit_of_work(write=False) as session:
        inv = _load_for_reader(session, actor, invoice_id)
        org = orgtree.require_org(session, inv.organization_id)
        lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)
                             .order_by(InvoiceLine.position)).all()
        row = row_of(inv, inv.bill_to_name or org.name, today)
        return InvoiceDetail(
            row=row, organization_currency=org.currency, memo=inv.memo, subtotal_minor=inv.subtotal_minor,
            tax_rate_bp=inv.tax_rate_bp, tax_minor=inv.tax_minor,
            lines=[LinePublic(ln.position, ln.description, ln.quantity, ln.unit, ln.unit_price_minor, ln.amount_minor,
                              ln.ticket_id) for ln in lines],
            payments=payments_of(session, inv.id), paid_at=inv.paid_at, voided_at=inv.voided_at,
            void_reason=inv.void_reason, stored_status=inv.status,
            bill_to_address=org.billing_address or "" if inv.bill_to_address is None else inv.bill_to_address,
            bill_to_tax_id=org.tax_id or "" if inv.bill_to_tax_id is None else inv.bill_to_tax_id,
            may_pay=rules.may_pay_invoices(actor.role) and inv.status == InvoiceStatus.open
            and row.outstanding_minor > 0)


def export_rows(actor: Actor, organization_id: int, *, today: date | None = None) -> list[InvoiceRow]:
    """Every invoice the actor may see of one organization, for the CSV export (newest first)."""
    today = today or clock.now().date()
    require_invoice_reader(actor, organization_id)
    with unit_of_work(write=False) as session:
        query = select(Invoice).where(Invoice.organization_id == organization_id)
        if not actor.is_staff:
            query = query.where(Invoice.status.in_(CUSTOMER_STATUSES))
        rows = session.exec(query.order_by(Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())).all()
        name = orgtree.require_org(session, organization_id).name
        return [row_of(r, name, today) for r in rows]


