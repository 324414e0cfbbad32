"""Pay-per-incident support: a scheduled after-hours window or an emergency, paid before it is scheduled.

A request opens its task (waiting on the customer) and issues a pre-service invoice for the expected time
units. When the invoice is paid (``services.invoice_events``) the request is scheduled: the task opens with a
comment, and the prepaid units become a purchased ``support_hours`` lot held for the task, so time logged on
it draws them first; time beyond them is drawn as usual (other prepaid hours, then pay-as-you-go).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.coverage import coverage_at
from opsportal.domain.incidents import (
    IncidentKind,
    IncidentStatus,
    ScheduledWindow,
    scheduled_window_problem,
    shown_status,
)
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus
from opsportal.domain.ledger import entries as ledger_rules
from opsportal.domain.ledger.lots import LotKind, Origin, end_of_day
from opsportal.domain.ledger.order import explain
from opsportal.domain.plan_catalog import unit_label, unit_text
from opsportal.domain.plan_offers import incident_option
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import Region, next_business_start
from opsportal.domain.roles import may_request_incident
from opsportal.domain.tasks import Priority, TaskStatus, ticket_problems
from opsportal.models import IncidentRequest, Invoice, Ticket, TicketComment
from opsportal.services import credits, orgtree, support_terms
from opsportal.services import ledger_store as ledger
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_view_organization, require_visible
from opsportal.services.errors import InvalidInput, PermissionDenied, sentence
from opsportal.services.invoice_issuing import create_in_session
from opsportal.services.plan_store import NO_REGION

REQUESTERS_ONLY = "Only the organization's owners and administrators can request pay-per-incident support."
STATUS_LABELS = {IncidentStatus.awaiting_payment: "Awaiting payment", IncidentStatus.scheduled: "Scheduled",
                 IncidentStatus.cancelled: "Cancelled"}
MAX_UNITS = 24
MAX_AHEAD = timedelta(days=365)
LOT_VALIDITY = timedelta(days=365)  # prepaid units left over stay usable for a year after the window
SYSTEM_AUTHOR = "OpsPortal"


@dataclass(frozen=True)
class IncidentRow:
    id: int
    kind: IncidentKind
    kind_label: str
    status: IncidentStatus  # cancelled also when still awaiting payment but its invoice was voided
    status_label: str
    window_start: datetime
    window_end: datetime
    expected_units: int
    unit: str  # "hour"
    ticket_id: int
    ticket_title: str
    invoice_id: int
    invoice_number: str
    total: str


@dataclass(frozen=True)
class IncidentResult:
    incident_id: int
    ticket_id: int
    invoice_id: int
    invoice_number: str
    total: str
    window_start: datetime
    window_end: datetime


TASK_NOT_FOUND = "That task was not found or you do not have access to it."  # as services.tasks says


def window_text(start: datetime, end: datetime, region: Region | None = None, *,
                time_zone: str = formats.DEFAULT_TIME_ZONE) -> str:
    """``Sat 29 Nov 2026, 22:00–00:00 GMT`` in ``time_zone`` (and the region's wall clock when given)."""
    text = formats.window(start, end, time_zone)
    if region is not None:
        text += f" ({region.code}: {formats.weekday_clock(start, region.tz, with_day=False, zone_named=False)}" \
                f"–{formats.clock_time(end, region.tz)})"
    return text


def _row(req: IncidentRequest, ticket: Ticket, inv: Invoice, name: str) -> IncidentRow:
    status = shown_status(req.status, invoice_void=inv.status == InvoiceStatus.void)
    return IncidentRow(req.id, IncidentKind(req.kind), name, status, STATUS_LABELS[status], req.window_start,
                       req.window_end, req.expected_units, unit_text(req.unit_minutes), ticket.id, ticket.title,
                       inv.id, inv.number or "", formats.money(inv.total_minor, inv.currency))


def incident_rows(session: Session, org_id: int, *, limit: int = 20) -> list[IncidentRow]:
    """The organization's latest requests, newest first (callers check access)."""
    rows = session.exec(select(IncidentRequest, Ticket, Invoice)
                        .join(Ticket, Ticket.id == IncidentRequest.ticket_id)
                        .join(Invoice, Invoice.id == IncidentRequest.invoice_id)
                        .where(IncidentRequest.organization_id == org_id)
                        .order_by(IncidentRequest.id.desc()).limit(limit)).all()
    names = {o.code.value: o.name for o in store.catalog(session, active_only=False).offerings}
    return [_row(r, t, i, names.get(r.offering_code, r.offering_code)) for r, t, i in rows]


def incident_of_ticket(actor: Actor, ticket_id: int) -> IncidentRow | None:
    """The pay-per-incident request behind a task (for the task page), or None."""
    with unit_of_work(write=False) as session:
        # The task first: another organization's task reads exactly like a missing one, incident or not.
        ticket = session.get(Ticket, ticket_id)
        require_visible(actor, ticket.organization_id if ticket is not None else None, TASK_NOT_FOUND)
        found = session.exec(select(IncidentRequest, Ticket, Invoice)
                             .join(Ticket, Ticket.id == IncidentRequest.ticket_id)
                             .join(Invoice, Invoice.id == IncidentRequest.invoice_id)
                             .where(IncidentRequest.ticket_id == ticket_id)).first()
        if found is None:
            return None
        req, ticket, inv = found
        offering = store.catalog(session, active_only=False).find(req.offering_code)
        return _row(req, ticket, inv, offering.name if offering else req.offering_code)


def _window(kind: IncidentKind, window_start: datetime | None, minutes: int, at: datetime) -> ScheduledWindow:
    if kind is IncidentKind.emergency:
        return ScheduledWindow(at, at + timedelta(minutes=minutes))
    if window_start is None:
        raise InvalidInput("Choose the date and time the scheduled window starts.")
    if window_start.tzinfo is None:
        raise InvalidInput("Give the window's start with a time zone.")
    start = window_start.astimezone(UTC)
    if start > at + MAX_AHEAD:
        raise InvalidInput("A window is scheduled at most a year ahead.")
    return ScheduledWindow(start, start + timedelta(minutes=minutes))


def request_incident(actor: Actor, org_id: int, kind: IncidentKind | str, window_start: datetime | None,
                     expected_units: int, title: str, description: str, *, category: str = "Other",
                     accepted_terms: int | None = None, at: datetime | None = None) -> IncidentResult:
    """Request pay-per-incident support: its task and the pre-service invoice to pay before it is scheduled.

    ``kind`` (``IncidentKind``): "emergency" (only while nothing covers the organization: starts when paid) or
    "scheduled" (a future window outside business hours; ``window_start`` aware). ``expected_units``: time
    units to prepay. ``accepted_terms``: the version of the support terms the requester accepted; refused unless it
    is the current one, as for plan orders. The acceptance is written with the request.
    """
    require_view_organization(actor, org_id)
    if not may_request_incident(actor.role):
        raise PermissionDenied(REQUESTERS_ONLY)
    at = (at or clock.coverage_now()).astimezone(UTC)
    try:
        kind = IncidentKind(kind)
    except ValueError:
        raise InvalidInput("Choose a scheduled after-hours window or emergency support.") from None
    code = kind.code
    if isinstance(expected_units, bool) or not isinstance(expected_units, int) or not 1 <= expected_units <= MAX_UNITS:
        raise InvalidInput(f"Expect 1 to {MAX_UNITS} time units.")
    priority = Priority.urgent if kind is IncidentKind.emergency else Priority.normal
    problems = ticket_problems(title, category, priority.value, description)
    if problems:
        raise InvalidInput(" ".join(problems.values()))
    with unit_of_work() as session:
        org = orgtree.require_org(session, org_id)
        plan = store.org_plan(session, org_id, at)
        if plan is None:
            raise InvalidInput(NO_REGION)
        regions, catalog = store.regions(session), store.catalog(session)
        offering = catalog.find(code)
        if offering is None:
            raise InvalidInput(f"{code.label} is not on sale at the moment.")
        if expected_units < offering.min_units:
            raise InvalidInput(f"{offering.name} is billed at least {offering.min_units} × {unit_label(offering)} "
                               "per incident.")
        if offering.currency != org.currency:
            raise InvalidInput(f"{offering.name} is sold in {offering.currency} and this organization is billed in "
                               f"{org.currency}; please contact us.")
        home = regions[plan.home_region]
        # The same rule the plans page uses to offer the option at all (domain.plan_offers.incident_option).
        option = incident_option(code, coverage=coverage_at(plan, regions, at, catalog), home_region=home.code,
                                 today=entitlement_day(home, at), entitlements=plan.entitlements, catalog=catalog)
        if not option.available:
            raise InvalidInput(option.reason)
        terms_version = support_terms.require_current(session, accepted_terms)
        window = _window(kind, window_start, expected_units * offering.unit_minutes, at)
        if kind is IncidentKind.scheduled:
            problem = scheduled_window_problem(window, now=at, home=home, entitlements=plan.entitlements)
            if problem:
                raise InvalidInput(sentence(problem))
            opens = next_business_start(home, window.start)
            if opens < window.end:
                raise InvalidInput(f"A scheduled after-hours window lies outside {home.code} business hours, which "
                                   f"open {formats.weekday_clock(opens, home.tz)}; Gold Support covers them.")
        ticket = Ticket(organization_id=org_id, title=" ".join(title.split()), category=category,
                        priority=priority.value, description=description.strip(),
                        created_by_user_id=actor.user_id or None, status=TaskStatus.waiting_on_customer.value,
                        created_at=at, updated_at=at)
        session.add(ticket)
        session.flush()
        when = window_text(window.start, window.end, home)
        what = (f"{offering.name} for task #{ticket.id}: {expected_units} × {unit_label(offering)}"
                + (f", {when}" if kind is IncidentKind.scheduled else ", starting when paid"))
        inv = create_in_session(
            session, org=org, kind=InvoiceKind.pre_service,
            lines=[invoice_rules.item_line(what[:300], expected_units, offering.unit_price_minor)],
            currency=org.currency, issue_on=at.date(), created_by=actor.user_id or None, ticket_ids=[ticket.id],
            memo=f"Pay-per-incident support for task #{ticket.id}: scheduled once this invoice is paid")
        req = IncidentRequest(organization_id=org_id, kind=kind.value, offering_code=code.value,
                              window_start=window.start, window_end=window.end, expected_units=expected_units,
                              unit_minutes=offering.unit_minutes, unit_price_minor=offering.unit_price_minor,
                              ticket_id=ticket.id, invoice_id=inv.id, status=IncidentStatus.awaiting_payment.value,
                              created_by_user_id=actor.user_id or None, created_at=at)
        session.add(req)
        session.flush()
        support_terms.record_acceptance(session, actor, organization_id=org_id, version=terms_version,
                                        purchase=f"Invoice {inv.number}: {what}", incident_request_id=req.id, at=at)
        session.add(TicketComment(ticket_id=ticket.id, author_name=SYSTEM_AUTHOR, from_staff=True, created_at=at,
                                  body=f"{offering.name} requested. Awaiting payment of invoice {inv.number} "
                                       f"({formats.money(inv.total_minor, inv.currency)}); the work is scheduled "
                                       "once it is paid."))
        session.flush()
        return IncidentResult(req.id, ticket.id, inv.id, inv.number, formats.money(inv.total_minor, inv.currency),
                              window.start, window.end)


def _hold_units(session: Session, req: IncidentRequest, ticket: Ticket, inv: Invoice, at: datetime) -> None:
    """Grant the prepaid units as a purchased lot and hold all of it for the task (drawn first by its time)."""
    minutes = req.expected_units * req.unit_minutes
    lot = credits.grant_in_session(
        session, org_id=req.organization_id, product="support_hours", quantity=minutes, kind=LotKind.purchased,
        expires_at=end_of_day((req.window_end + LOT_VALIDITY).date()), shared=False, origin=str(Origin.purchase),
        note=f"Pay-per-incident units for task #{ticket.id}, invoice {inv.number}", at=at, user_id=None)
    req.lot_id = lot.id
    if not TaskStatus(ticket.status).is_open:
        return  # closed meanwhile: the units stay with the organization as prepaid hours
    name = orgtree.names(session, {req.organization_id}).get(req.organization_id)
    specs = ledger_rules.hold([ledger.to_domain(lot)], org_id=req.organization_id,
                              ancestors=orgtree.ancestors(session, req.organization_id), product="support_hours",
                              quantity=minutes, at=at, ticket_id=ticket.id, category=ticket.category,
                              explain=lambda c: explain(c, name))
    ledger.write_entries(session, {lot.id: lot}, specs, None)


def schedule_paid(session: Session, invoice: Invoice, at: datetime) -> None:
    """The request paid by ``invoice`` is scheduled (once; called for an invoice paid, ``invoice_events``)."""
    req = session.exec(select(IncidentRequest).where(IncidentRequest.invoice_id == invoice.id)
                       .with_for_update()).first()
    if req is None or req.status != IncidentStatus.awaiting_payment:
        return
    ticket = session.exec(select(Ticket).where(Ticket.id == req.ticket_id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    starts = clock.on_coverage_clock(at)
    if req.kind == IncidentKind.emergency and req.window_start < starts:  # emergency work starts once paid
        length = req.window_end - req.window_start
        req.window_start, req.window_end = starts, starts + length
    _hold_units(session, req, ticket, invoice, at)
    req.status, req.scheduled_at = IncidentStatus.scheduled.value, at
    session.add(req)
    home = store.profile(session, req.organization_id)
    region = store.regions(session).get(home[0]) if home else None
    prepaid = formats.duration(req.expected_units * req.unit_minutes)
    session.add(TicketComment(ticket_id=ticket.id, author_name=SYSTEM_AUTHOR, from_staff=True, created_at=at,
                              body=f"Paid — scheduled for {window_text(req.window_start, req.window_end, region)}. "
                                   f"Invoice {invoice.number} prepaid {prepaid}, used first by time on this "
                                   "task; further time is billed as usual."))
    if ticket.status == TaskStatus.waiting_on_customer.value:
        ticket.status = TaskStatus.open.value
    ticket.updated_at = at
    session.add(ticket)
