"""Invoices: gapless numbering, the post-service billing run, pre-service invoices, voiding, and reading them.

Customers with a billing role (owner, admin, billing) see their organization's issued invoices;
members see none; staff see every invoice, drafts and void ones included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, insert, or_, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain import billing_details as billing_rules
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain import jobs as job_rules
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus, LineDraft, ShownStatus
from opsportal.models import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Organization,
    Payment,
    PaymentAttempt,
    Ticket,
    TimeEntry,
)
from opsportal.models.types import utcnow
from opsportal.services import changes, jobs, orgtree
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServiceError, sentence
from opsportal.services.pagination import Page, clamp

INVOICE_NOT_FOUND = "That invoice was not found or you do not have access to it."
MEMBERS_REFUSED = "Invoices are shown to the organization's owners, administrators and billing contacts."
MAX_LINES = 50
CUSTOMER_STATUSES = (InvoiceStatus.open.value, InvoiceStatus.paid.value)


# --- reading ---------------------------------------------------------------------------------------------


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


def _row(inv: Invoice, org_name: str, today: date) -> InvoiceRow:
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
    today = today or utcnow().date()
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
        items = [_row(r, names.get(r.organization_id, "?"), today) for r in rows]
    return InvoiceList(Page(items, page, page_size, int(total)), outstanding, overdue, overdue_count)


def _load_for_reader(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    inv = session.get(Invoice, invoice_id)
    if inv is None or (not actor.is_staff and (inv.organization_id != actor.organization_id
                                               or inv.status not in CUSTOMER_STATUSES)):
        raise NotFound(INVOICE_NOT_FOUND)
    require_invoice_reader(actor, inv.organization_id)
    return inv


def payments_of(session: Session, invoice_id: int) -> list[PaymentPublic]:
    from opsportal.models import User

    payments = session.exec(select(Payment).where(Payment.invoice_id == invoice_id)
                            .where(Payment.status != "creating").order_by(Payment.id)).all()
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
    today = today or utcnow().date()
    with unit_of_work(write=False) as session:
        inv = _load_for_reader(session, actor, invoice_id)
        org = orgtree.require_org(session, inv.organization_id)
        lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)
                             .order_by(InvoiceLine.position)).all()
        row = _row(inv, inv.bill_to_name or org.name, today)
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
    today = today or utcnow().date()
    require_invoice_reader(actor, organization_id)
    with unit_of_work(write=False) as session:
        query = select(Invoice).where(Invoice.organization_id == organization_id)
        if not actor.is_staff:
            query = query.where(Invoice.status.in_(CUSTOMER_STATUSES))
        rows = session.exec(query.order_by(Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())).all()
        name = orgtree.require_org(session, organization_id).name
        return [_row(r, name, today) for r in rows]


# --- numbering and issuing -------------------------------------------------------------------------------


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


def create_in_session(session: Session, *, org: Organization, kind: InvoiceKind, lines: Sequence[LineDraft],
                      currency: str, issue_on: date | None, period: str | None = None, memo: str = "",
                      created_by: int | None = None, ticket_ids: Sequence[int | None] | None = None,
                      paid_at: datetime | None = None, charged_rate_bp: int | None = None) -> Invoice:
    """Write an invoice in the caller's transaction: a draft when ``issue_on`` is None, else issued (numbered).

    Its tax follows the tax rule with the organization's settings of now; ``charged_rate_bp`` is the rate
    the customer was already charged at (an hour block's checkout), which the receipt must show. With
    ``paid_at`` it is issued already paid in full (a receipt).
    """
    if not lines:
        raise InvalidInput("An invoice needs at least one line.")
    rate = charged_rate_bp if charged_rate_bp is not None else rules.invoice_tax_rate(kind, tax_settings(org))
    tot = rules.totals(lines, rate)
    inv = Invoice(organization_id=org.id, kind=kind.value, status=InvoiceStatus.draft.value, currency=currency,
                  period=period, subtotal_minor=tot.subtotal_minor, tax_rate_bp=tot.tax_rate_bp,
                  tax_minor=tot.tax_minor, total_minor=tot.total_minor, memo=memo[:500], created_by_user_id=created_by)
    if issue_on is not None:
        _issue(session, inv, org, issue_on)
    if paid_at is not None:
        inv.status, inv.amount_paid_minor, inv.paid_at = InvoiceStatus.paid.value, inv.total_minor, paid_at
    session.add(inv)
    session.flush()
    _write_lines(session, inv.id, lines, ticket_ids)
    return inv


def _issue(session: Session, inv: Invoice, org: Organization, issue_on: date) -> None:
    inv.number = next_number(session, issue_on.year)
    inv.issue_date = issue_on
    inv.due_date = rules.due_date(issue_on, org.payment_terms_days)
    inv.status = InvoiceStatus.open.value
    # The bill-to details are the invoice's from now on: editing the organization's changes later invoices only.
    inv.bill_to_name, inv.bill_to_address, inv.bill_to_tax_id = org.name, org.billing_address or "", org.tax_id or ""


def _retax(inv: Invoice, org: Organization) -> None:
    """A draft being issued takes the tax rate in force now (the rule: the rate of the day it is issued)."""
    tot = rules.priced(inv.kind, tax_settings(org), inv.subtotal_minor)
    inv.tax_rate_bp, inv.tax_minor, inv.total_minor = tot.tax_rate_bp, tot.tax_minor, tot.total_minor


# --- the post-service billing run ------------------------------------------------------------------------


@dataclass(frozen=True)
class BilledInvoice:
    invoice_id: int
    number: str
    organization: str
    total_minor: int
    currency: str
    entries: int

    @property
    def total(self) -> str:
        return formats.money(self.total_minor, self.currency)


@dataclass(frozen=True)
class BillingRunResult:
    period: str
    invoices: list[BilledInvoice]

    @property
    def summary(self) -> str:
        if not self.invoices:
            return f"Nothing to bill for {self.period}: every pay-as-you-go entry of it is already billed."
        return f"Billed {self.period}: {len(self.invoices)} invoice(s), " + ", ".join(
            f"{i.number} {i.organization} {i.total}" for i in self.invoices) + "."


def _bill_organization(actor: Actor, organization_id: int, period: rules.BillingPeriod,
                       today: date) -> list[BilledInvoice]:
    """One organization's unbilled pay-as-you-go time of ``period``, in one transaction (one invoice per currency)."""
    with unit_of_work() as session:
        # The organization row's lock serializes billing runs per organization; entries are locked too,
        # so a correction racing the run either lands before it or is refused as billed.
        org = session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).one()
        entries = session.exec(
            select(TimeEntry).where(TimeEntry.organization_id == organization_id,
                                    TimeEntry.billed_invoice_id.is_(None), TimeEntry.payg_minutes > 0,
                                    TimeEntry.work_date >= period.first_day, TimeEntry.work_date <= period.last_day)
            .order_by(TimeEntry.ticket_id, TimeEntry.work_date, TimeEntry.id).with_for_update()).all()
        if not entries:
            return []
        titles = dict(session.exec(select(Ticket.id, Ticket.title)
                                   .where(Ticket.id.in_({e.ticket_id for e in entries}))).all())
        by_currency: dict[str, dict[tuple[int, int], list[TimeEntry]]] = {}
        for e in entries:
            by_currency.setdefault(e.currency, {}).setdefault((e.ticket_id, e.hourly_rate_minor), []).append(e)
        billed = []
        for currency, groups in sorted(by_currency.items()):
            lines, tickets = [], []
            for (ticket_id, rate), group in groups.items():
                minutes = sum(e.payg_minutes for e in group)
                amount = sum(e.payg_amount_minor for e in group)
                count = len(group)
                lines.append(rules.time_line(
                    f"Task #{ticket_id} {titles.get(ticket_id, '')} — pay-as-you-go time, "
                    f"{count} entr{'y' if count == 1 else 'ies'}", minutes, rate, amount))
                tickets.append(ticket_id)
            inv = create_in_session(session, org=org, kind=InvoiceKind.post_service, lines=lines, currency=currency,
                                    issue_on=today, period=period.key, created_by=actor.user_id or None,
                                    ticket_ids=tickets, memo=f"Pay-as-you-go support, {period.label}")
            for group in groups.values():
                for e in group:
                    e.billed_invoice_id = inv.id
                    session.add(e)
            billed.append(BilledInvoice(inv.id, inv.number, org.name, inv.total_minor, currency,
                                        sum(len(g) for g in groups.values())))
        return billed


Progress = Callable[[int, int], None]


def _billable_period(period_text: str, today: date) -> rules.BillingPeriod:
    try:
        period = rules.parse_period(period_text)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    problem = rules.billable_problem(period, today)
    if problem:
        raise InvalidInput(sentence(problem))
    return period


def run_billing(actor: Actor, period_text: str, *, today: date | None = None,
                progress: Progress | None = None) -> BillingRunResult:
    """Bill every organization's unbilled pay-as-you-go time of a finished month; safe to run again.

    Each organization is billed (and committed) on its own, under its row's lock; ``progress(done, total)`` is
    called once the organizations are counted and after each one.
    """
    require_staff_admin(actor)
    today = today or utcnow().date()
    period = _billable_period(period_text, today)
    with unit_of_work(write=False) as session:
        org_ids = session.exec(
            select(TimeEntry.organization_id).where(
                TimeEntry.billed_invoice_id.is_(None), TimeEntry.payg_minutes > 0,
                TimeEntry.work_date >= period.first_day, TimeEntry.work_date <= period.last_day)
            .distinct().order_by(TimeEntry.organization_id)).all()
    invoices: list[BilledInvoice] = []
    if progress is not None:
        progress(0, len(org_ids))
    for done, org_id in enumerate(org_ids, start=1):
        invoices.extend(_bill_organization(actor, org_id, period, today))
        if progress is not None:
            progress(done, len(org_ids))
    return BillingRunResult(period.key, invoices)


# --- the billing run as a background job (the staff page and the CLI claim the same job) ----------------


def start_billing_run(actor: Actor, period_text: str, *, today: date | None = None) -> jobs.JobView:
    """Claims the month's billing job; refused while another run of that month is alive (page, CLI, any host)."""
    require_staff_admin(actor)
    period = _billable_period(period_text, today or utcnow().date())
    return jobs.start(actor, job_rules.BILLING, job_rules.billing_key(period.key))


def billing_run_job(actor: Actor, job_id: int, period_text: str, *, today: date | None = None,
                    progress: Progress | None = None) -> BillingRunResult:
    """Runs a claimed billing job: progress goes to the job row (at most once a second, and at the end), the
    result or the failure closes it. ``progress`` is told after every organization."""
    throttle = job_rules.Throttle(job_rules.HEARTBEAT_EVERY)

    def report(done: int, total: int) -> None:
        if throttle.due(utcnow(), force=done in (0, total)):
            jobs.progress(job_id, done, total)
        if progress is not None:
            progress(done, total)

    try:
        result = run_billing(actor, period_text, today=today, progress=report)
    except ServiceError as exc:
        jobs.fail(job_id, str(exc))
        raise
    except BaseException as exc:
        jobs.fail(job_id, f"The billing run stopped ({type(exc).__name__}); what it billed stays billed, and "
                          "running the month again bills the rest.")
        raise
    jobs.finish(job_id, result.summary)
    return result


def run_claimed_billing_job(actor: Actor, job_id: int) -> BillingRunResult:
    """Runs a billing job claimed elsewhere (the staff Billing page launches ``opsportal billing run-job ID``)."""
    require_staff_admin(actor)
    job = jobs.get(actor, job_id)
    if job.kind != job_rules.BILLING or not job.running:
        raise Conflict(f"Job {job_id} is not a billing run waiting to run.")
    return billing_run_job(actor, job.id, job_rules.billing_period_of(job.key))


def launch_billing_run(actor: Actor, period_text: str, *, today: date | None = None) -> jobs.JobView:
    """Claims the month's billing job and starts it in a process of its own (``jobs.launch``)."""
    job = start_billing_run(actor, period_text, today=today)
    jobs.launch(job.id, ["billing", "run-job", str(job.id)])
    return job


def run_billing_as_job(actor: Actor, period_text: str, *, today: date | None = None,
                       progress: Progress | None = None) -> BillingRunResult:
    """Claim, then run: the command line's billing run."""
    job = start_billing_run(actor, period_text, today=today)
    return billing_run_job(actor, job.id, period_text, today=today, progress=progress)


# --- staff: pre-service invoices, issuing, voiding, terms ------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    description: str
    count: int
    unit_price_minor: int


def _item_lines(items: Sequence[ItemInput]) -> list[LineDraft]:
    if not items:
        raise InvalidInput("Add at least one line.")
    if len(items) > MAX_LINES:
        raise InvalidInput(f"An invoice has at most {MAX_LINES} lines.")
    lines = []
    for n, item in enumerate(items, start=1):
        description = " ".join((item.description or "").split())
        if not 1 <= len(description) <= 300:
            raise InvalidInput(f"Line {n}: give a description of 1 to 300 characters.")
        if isinstance(item.count, bool) or not isinstance(item.count, int) or not 1 <= item.count <= 10_000:
            raise InvalidInput(f"Line {n}: the quantity must be a whole number from 1 to 10,000.")
        if not isinstance(item.unit_price_minor, int) or not 0 <= item.unit_price_minor <= 100_000_000:
            raise InvalidInput(f"Line {n}: the price must be from 0.00 to 1,000,000.00.")
        lines.append(rules.item_line(description, item.count, item.unit_price_minor))
    if sum(line.amount_minor for line in lines) <= 0:
        raise InvalidInput("The invoice total must be more than zero.")
    return lines


def create_pre_service_invoice(actor: Actor, organization_id: int, items: Sequence[ItemInput], *, memo: str = "",
                               issue: bool = True, today: date | None = None) -> InvoiceRow:
    """Staff bill work up front: it is scheduled only once this invoice is paid."""
    require_staff(actor)
    today = today or utcnow().date()
    lines = _item_lines(items)
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        inv = create_in_session(session, org=org, kind=InvoiceKind.pre_service, lines=lines, currency=org.currency,
                                issue_on=today if issue else None, memo=" ".join(memo.split()),
                                created_by=actor.user_id or None)
        return _row(inv, org.name, today)


def issue_draft(actor: Actor, invoice_id: int, *, today: date | None = None) -> InvoiceRow:
    require_staff(actor)
    today = today or utcnow().date()
    with unit_of_work() as session:
        inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
        if inv is None:
            raise NotFound(INVOICE_NOT_FOUND)
        if inv.status != InvoiceStatus.draft:
            raise Conflict(f"Invoice {inv.number} is already issued.")
        org = orgtree.require_org(session, inv.organization_id)
        _retax(inv, org)
        _issue(session, inv, org, today)
        session.add(inv)
        return _row(inv, org.name, today)


def void_invoice(actor: Actor, invoice_id: int, *, reason: str, at: datetime | None = None) -> InvoiceRow:
    """Staff admins void an unpaid invoice; its time becomes unbilled again (and correctable)."""
    require_staff_admin(actor)
    at = at or utcnow()
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 300:
        raise InvalidInput("Give a reason of 3 to 300 characters for voiding the invoice.")
    with unit_of_work() as session:
        inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
        if inv is None:
            raise NotFound(INVOICE_NOT_FOUND)
        if inv.status == InvoiceStatus.void:
            raise Conflict(f"Invoice {inv.number} is already void.")
        if inv.status == InvoiceStatus.paid or inv.amount_paid_minor > 0:
            raise Conflict("A paid invoice cannot be voided; refund the payment instead.")
        inv.status, inv.voided_at, inv.void_reason = InvoiceStatus.void.value, at, reason
        session.add(inv)
        unbilled = session.execute(update(TimeEntry).where(TimeEntry.billed_invoice_id == inv.id)
                                   .values(billed_invoice_id=None).returning(TimeEntry.ticket_id)).scalars().all()
        changes.mark(session, *{changes.task_topic(t) for t in unbilled})  # their task pages show them billed
        row = _row(inv, orgtree.require_org(session, inv.organization_id).name, at.date())
    from opsportal.services import payments  # payments builds on invoices

    payments.close_open_checkouts(invoice_id, at=at)
    return row


OFFLINE_SOURCE = "bank_transfer"


def record_offline_payment(actor: Actor, invoice_id: int, *, at: datetime | None = None,
                           reference: str = "") -> InvoiceRow:
    """Staff admins mark an open invoice paid by bank transfer (money that did not come through Stripe).

    What was owed is recorded as one succeeded payment with its attempt (who marked it, the bank reference),
    so the invoice's payment history says how it was paid.
    """
    require_staff_admin(actor)
    now = utcnow()
    at = at or now
    reference = " ".join((reference or "").split())
    if len(reference) > 100:
        raise InvalidInput("Give a bank reference of at most 100 characters.")
    if at > now:
        raise InvalidInput("The payment date cannot be in the future.")
    with unit_of_work() as session:
        inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
        if inv is None:
            raise NotFound(INVOICE_NOT_FOUND)
        if inv.status == InvoiceStatus.paid:
            raise Conflict(f"Invoice {inv.number} is already paid.")
        if inv.status == InvoiceStatus.draft:
            raise Conflict("Issue the draft before marking it paid.")
        if inv.status == InvoiceStatus.void:
            raise Conflict(f"Invoice {inv.number} is void; it cannot be marked paid.")
        if inv.issue_date is not None and at.date() < inv.issue_date:
            raise InvalidInput(f"The payment date cannot be before the invoice's issue date, "
                               f"{formats.day(inv.issue_date)}.")
        owed = rules.outstanding(inv.total_minor, inv.amount_paid_minor)
        if owed <= 0:
            raise Conflict(f"Nothing is owed on invoice {inv.number}.")
        by = f"; marked paid by {actor.full_name or actor.email}" if actor.user_id else ""  # not the CLI operator
        payment = Payment(organization_id=inv.organization_id, purpose="invoice", status="succeeded",
                          invoice_id=inv.id, amount_minor=owed, currency=inv.currency,
                          description=("Bank transfer " + reference if reference else "Bank transfer")[:200],
                          idempotency_key=f"bank-transfer-invoice-{inv.id}",
                          created_by_user_id=actor.user_id or None, created_at=at, updated_at=now, completed_at=at)
        session.add(payment)
        session.flush()
        session.add(PaymentAttempt(payment_id=payment.id, outcome="succeeded", source=OFFLINE_SOURCE,
                                   message="Bank transfer received" + (f", reference {reference}" if reference else "")
                                           + by,
                                   occurred_at=at))
        inv.status, inv.amount_paid_minor, inv.paid_at = InvoiceStatus.paid.value, inv.total_minor, at
        session.add(inv)
        from opsportal.services import plans  # activates what a paid pre-service invoice bought

        plans.on_invoice_paid(session, inv, at)
        row = _row(inv, orgtree.require_org(session, inv.organization_id).name, at.date())
    from opsportal.services import payments  # payments builds on invoices

    # A checkout the customer left open must not take the money a second time.
    payments.close_open_checkouts(invoice_id, at=now)
    return row


@dataclass(frozen=True)
class InvoiceTerms:
    tax_rate_bp: int
    payment_terms_days: int

    @property
    def tax_rate(self) -> str:
        return rules.format_tax_rate(self.tax_rate_bp)


def invoice_terms(actor: Actor, organization_id: int) -> InvoiceTerms:
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        return InvoiceTerms(org.tax_rate_bp, org.payment_terms_days)


def set_invoice_terms(actor: Actor, organization_id: int, *, tax_rate: str, payment_terms_days: int) -> InvoiceTerms:
    """Staff admins set an organization's tax rate (e.g. "20" or "8.25" per cent; zero allowed) and terms."""
    require_staff_admin(actor)
    try:
        rate = rules.parse_tax_rate(tax_rate)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    if isinstance(payment_terms_days, bool) or not isinstance(payment_terms_days, int) \
            or not 0 <= payment_terms_days <= rules.MAX_TERMS_DAYS:
        raise InvalidInput(f"Payment terms must be 0 to {rules.MAX_TERMS_DAYS} days.")
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        org.tax_rate_bp, org.payment_terms_days = rate, payment_terms_days
        session.add(org)
        return InvoiceTerms(rate, payment_terms_days)
