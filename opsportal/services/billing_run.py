"""The post-service billing run: every organization's unbilled pay-as-you-go time of a finished month becomes
an invoice (one per currency), as a background job the staff page and the command line share; and the time
of a voided invoice becoming unbilled again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain import jobs as job_rules
from opsportal.domain.invoices import InvoiceKind
from opsportal.models import Organization, Ticket, TimeEntry
from opsportal.services import changes, jobs, signoff_store
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, ServiceError, sentence
from opsportal.services.invoice_issuing import create_in_session


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
            return f"Nothing to bill for {self.period}: its signed-off pay-as-you-go time is already billed."
        return f"Billed {self.period}: {len(self.invoices)} invoice(s), " + ", ".join(
            f"{i.number} {i.organization} {i.total}" for i in self.invoices) + "."


def _bill_organization(actor: Actor, organization_id: int, period: rules.BillingPeriod,
                       today: date) -> list[BilledInvoice]:
    """One organization's unbilled pay-as-you-go time of ``period``, in one transaction (one invoice per currency)."""
    with unit_of_work() as session:
        # The organization row's lock serializes billing runs per organization; entries are locked too,
        # so a correction racing the run either lands before it or is refused as billed.
        org = session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).one()
        # Only signed-off time is billed (domain.time_signoff): what nobody disputed by its deadline is approved
        # here if the job has not done it yet; disputed or still unreviewed time waits for a later run, which
        # bills it (from any earlier month) once it is billable.
        signoff_store.auto_approve_in_session(session, today, clock.now(), organization_id=organization_id)
        entries = session.exec(
            select(TimeEntry).where(TimeEntry.organization_id == organization_id,
                                    TimeEntry.billed_invoice_id.is_(None), TimeEntry.payg_minutes > 0,
                                    TimeEntry.work_date <= period.last_day,
                                    TimeEntry.id.in_(signoff_store.billable_entry_ids()))
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


def run_billing(actor: Actor, period_text: str, *, today: date | None = None, progress: Progress | None = None,
                organization_id: int | None = None) -> BillingRunResult:
    """Bill every organization's (or one's) unbilled signed-off pay-as-you-go time up to the end of a finished
    month; safe to run again.

    Each organization is billed (and committed) on its own, under its row's lock; ``progress(done, total)`` is
    called once the organizations are counted and after each one.
    """
    require_staff_admin(actor)
    today = today or clock.now().date()
    period = _billable_period(period_text, today)
    with unit_of_work(write=False) as session:
        org_ids = session.exec(
            select(TimeEntry.organization_id).where(
                TimeEntry.billed_invoice_id.is_(None), TimeEntry.payg_minutes > 0,
                TimeEntry.work_date <= period.last_day,
                *([TimeEntry.organization_id == organization_id] if organization_id is not None else []))
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
    period = _billable_period(period_text, today or clock.now().date())
    return jobs.start(actor, job_rules.BILLING, job_rules.billing_key(period.key))


def billing_run_job(actor: Actor, job_id: int, period_text: str, *, today: date | None = None,
                    progress: Progress | None = None) -> BillingRunResult:
    """Runs a claimed billing job: progress goes to the job row (at most once a second, and at the end), the
    result or the failure closes it. ``progress`` is told after every organization."""
    throttle = job_rules.Throttle(job_rules.HEARTBEAT_EVERY)

    def report(done: int, total: int) -> None:
        if throttle.due(clock.now(), force=done in (0, total)):
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




# --- a voided invoice's time -----------------------------------------------------------------------------


def unbill_time(session: Session, invoice_id: int) -> None:
    """The time entries a voided invoice billed become unbilled again (and correctable), in its transaction."""
    unbilled = session.execute(update(TimeEntry).where(TimeEntry.billed_invoice_id == invoice_id)
                               .values(billed_invoice_id=None).returning(TimeEntry.ticket_id)).scalars().all()
    changes.mark(session, *{changes.task_topic(t) for t in unbilled})  # their task pages show them billed
