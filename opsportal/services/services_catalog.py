"""The services catalog: staff keep it; customers browse it and request a service with their service credits.

A request is one transaction: the task (through ``tasks.create_ticket``), the credits held for it in the
consumption order (``credits.hold_in_session``) and the request row. Closing the task (staff or customer) turns
the hold into used credits as for every task; ``cancel_request`` (staff) closes it and releases them, and so does
``cancel_own_request`` (the customer, until work has started). Credits are bought by card as packs on the Buy page
(``hour_blocks``); ``CatalogView.packs`` are the ones on sale to the organization.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import services_catalog as rules
from opsportal.domain.services_catalog import PRODUCT, RequestState
from opsportal.domain.tasks import OPEN_STATUSES, Priority, TaskStatus
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.models import CatalogService, HourBlock, Organization, ServiceRequest, Ticket, TicketComment
from opsportal.services import credit_views, credits, orgtree, sla, tasks, ticket_updates
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.pagination import Page, clamp

SERVICE_NOT_FOUND = "That service is not in the catalog."
REQUEST_NOT_FOUND = "That service request was not found or you do not have access to it."
OWNERS_ONLY = "Only the organization's owners and administrators may spend its service credits."
OPEN = [s.value for s in OPEN_STATUSES]


class InvalidService(InvalidInput):
    """A catalog form with problems; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class ServicePublic:
    id: int
    name: str
    description: str
    category: str
    price_credits: int
    active: bool


@dataclass(frozen=True)
class PackOffer:
    """A pack of service credits on sale to the organization (bought on the Buy page)."""

    id: int
    name: str
    credits: int


@dataclass(frozen=True)
class CatalogView:
    """What a customer sees: the services on offer, the service credits free now, whether they may spend them, and
    the credit packs on sale in their currency."""

    organization: str
    services: list[ServicePublic]
    available: int
    may_request: bool
    packs: list[PackOffer] = field(default_factory=list)


@dataclass(frozen=True)
class RequestPublic:
    id: int
    service: str
    category: str
    organization: str
    ticket_id: int
    credits: int
    state: RequestState
    requested_at: datetime
    may_cancel: bool = False  # by the customer: in play and nobody has started on it


def _public(row: CatalogService) -> ServicePublic:
    return ServicePublic(id=row.id, name=row.name, description=row.description, category=row.category,
                         price_credits=row.price_credits, active=row.active)


def _available(actor: Actor, org_id: int) -> int:
    return next((s.available for s in credit_views.summary(actor, org_id) if s.product == PRODUCT), 0)


def catalog_for(actor: Actor, organization_id: int) -> CatalogView:
    """The services on offer (by category, then name) with the organization's free service credits."""
    require_view_organization(actor, organization_id)
    available = _available(actor, organization_id)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        rows = session.exec(select(CatalogService).where(CatalogService.active)
                            .order_by(CatalogService.category, CatalogService.name)).all()
        packs = session.exec(select(HourBlock).where(HourBlock.active, HourBlock.product_code == PRODUCT,
                                                     HourBlock.currency == org.currency)
                             .order_by(HourBlock.quantity, HourBlock.id)).all()
        may_request = rules.may_request_service(actor.role)
        return CatalogView(organization=org.name, services=[_public(r) for r in rows], available=available,
                           may_request=may_request,
                           packs=[PackOffer(p.id, p.name, p.quantity) for p in packs] if may_request else [])


def all_services(actor: Actor) -> list[ServicePublic]:
    """The whole catalog, retired services too (staff)."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(CatalogService)
                            .order_by(CatalogService.active.desc(), CatalogService.category, CatalogService.name))
        return [_public(r) for r in rows.all()]


def save_service(actor: Actor, *, service_id: int | None, name: str, description: str, category: str,
                 price_credits: int, active: bool = True, at: datetime | None = None) -> ServicePublic:
    """Add (``service_id`` None) or change a service. Requests already made keep the price they were made at."""
    require_staff_admin(actor)
    terms = rules.ServiceTerms(name, description, category, price_credits)
    problems = rules.service_problems(terms)
    if problems:
        raise InvalidService(problems)
    name, description, at = rules.clean_text(name), description.strip(), at or clock.now()
    with unit_of_work() as session:
        if service_id is None:
            if session.exec(select(func.count()).select_from(CatalogService)).one() >= rules.MAX_SERVICES:
                raise InvalidInput(f"The catalog holds at most {rules.MAX_SERVICES} services; retire one first.")
            row = CatalogService()
        else:
            row = session.get(CatalogService, service_id)
            if row is None:
                raise NotFound(SERVICE_NOT_FOUND)
        same_name = session.exec(select(CatalogService.id).where(func.lower(CatalogService.name) == name.lower(),
                                                                 CatalogService.id != (service_id or 0))).first()
        if same_name is not None:
            raise InvalidService({"name": f"The catalog already has a service called {name}."})
        row.name, row.description, row.category = name, description, category
        row.price_credits, row.active, row.updated_at = price_credits, bool(active), at
        session.add(row)
        session.flush()
        return _public(row)


def set_active(actor: Actor, service_id: int, active: bool, *, at: datetime | None = None) -> ServicePublic:
    """Retire a service (customers no longer see it; its requests go on) or offer it again."""
    require_staff_admin(actor)
    with unit_of_work() as session:
        row = session.get(CatalogService, service_id)
        if row is None:
            raise NotFound(SERVICE_NOT_FOUND)
        row.active, row.updated_at = bool(active), at or clock.now()
        session.add(row)
        session.flush()
        return _public(row)


def request_service(actor: Actor, *, service_id: int, note: str = "", at: datetime | None = None) -> RequestPublic:
    """An owner or administrator asks for a service: one transaction opens its task in the service's category,
    holds its price in service credits for it (consumption order) and records the request. Not enough credits,
    or a service that is not on offer, writes nothing."""
    org_id = actor.organization_id
    if actor.is_staff or org_id is None:
        raise PermissionDenied("Service requests are made by the customer's owners and administrators.")
    require_view_organization(actor, org_id)
    if not rules.may_request_service(actor.role):
        raise PermissionDenied(OWNERS_ONLY)
    note = (note or "").strip()
    if len(note) > rules.NOTE_MAX:
        raise InvalidInput(f"Keep the notes under {rules.NOTE_MAX:,} characters.")
    at = at or clock.now()
    with unit_of_work(write=False) as session:
        offered = session.get(CatalogService, service_id) if isinstance(service_id, int) else None
        if offered is None or not offered.active:
            raise NotFound(SERVICE_NOT_FOUND)
        offered = _public(offered)
    made: list[ServiceRequest] = []

    def hold_and_record(session: Session, ticket: Ticket, _comment: TicketComment | None) -> None:
        # The service as it is now, in this transaction: retired or re-priced meanwhile, the request stops here.
        row = session.get(CatalogService, offered.id)
        if row is None or not row.active:
            raise NotFound(SERVICE_NOT_FOUND)
        if (row.price_credits, row.category) != (offered.price_credits, offered.category):
            raise Conflict("The service's terms changed while you were asking; read them again and retry.")
        credits.hold_in_session(session, actor, ticket, product=PRODUCT, quantity=row.price_credits, at=at)
        request = ServiceRequest(service_id=row.id, organization_id=ticket.organization_id, ticket_id=ticket.id,
                                 credits=row.price_credits, requested_by_user_id=actor.user_id or None,
                                 requested_at=at)
        session.add(request)
        session.flush()
        made.append(request)

    price_text = formats.credits(offered.price_credits)
    row = tasks.create_ticket(actor, subject=rules.request_subject(offered.name), category=offered.category,
                              priority=Priority.normal.value,
                              description=rules.request_description(offered.description, note, price_text),
                              organization_id=org_id, at=at, attach=hold_and_record)
    request = made[0]
    return RequestPublic(id=request.id, service=offered.name, category=offered.category, organization=row.organization,
                         ticket_id=row.id, credits=request.credits, state=RequestState.in_play, requested_at=at)


def _rows(session: Session, where: list, page: int, page_size: int) -> Page[RequestPublic]:
    page, page_size = clamp(page, page_size)
    total = session.exec(select(func.count()).select_from(ServiceRequest)
                         .join(Ticket, Ticket.id == ServiceRequest.ticket_id).where(*where)).one()
    rows = session.exec(
        select(ServiceRequest, CatalogService.name, Ticket.category, Ticket.status, Ticket.minutes_logged,
               Organization.name)
        .join(CatalogService, CatalogService.id == ServiceRequest.service_id)
        .join(Ticket, Ticket.id == ServiceRequest.ticket_id)
        .join(Organization, Organization.id == ServiceRequest.organization_id)
        .where(*where).order_by(ServiceRequest.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    items = [RequestPublic(id=r.id, service=name, category=category, organization=org, ticket_id=r.ticket_id,
                           credits=r.credits, requested_at=r.requested_at,
                           state=rules.request_state(task_open=TaskStatus(status).is_open,
                                                     cancelled=r.cancelled_at is not None),
                           may_cancel=rules.customer_cancel_problem(
                               status=TaskStatus(status), cancelled=r.cancelled_at is not None,
                               minutes_logged=logged) is None)
             for r, name, category, status, logged, org in rows]
    return Page(items=items, page=page, page_size=page_size, total=int(total))


def requests_of(actor: Actor, organization_id: int, *, page: int = 1, page_size: int = 10) -> Page[RequestPublic]:
    """One page of the organization's requests, newest first, with where their credits are."""
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        return _rows(session, [ServiceRequest.organization_id == organization_id], page, page_size)


def requests_in_play(actor: Actor, *, page: int = 1, page_size: int = 20) -> Page[RequestPublic]:
    """Every organization's requests whose task is still open (staff)."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        return _rows(session, [ServiceRequest.cancelled_at.is_(None), Ticket.status.in_(OPEN)], page, page_size)


def _locked(session: Session, request_id: int) -> tuple[ServiceRequest, Ticket] | None:
    request = session.exec(select(ServiceRequest).where(ServiceRequest.id == request_id).with_for_update()
                           .execution_options(populate_existing=True)).first()
    if request is None:
        return None
    ticket = session.exec(select(Ticket).where(Ticket.id == request.ticket_id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    return request, ticket


def _cancel(session: Session, actor: Actor, request: ServiceRequest, ticket: Ticket, reason: str,
            at: datetime) -> RequestPublic:
    """Close the request's task and release everything it holds (a cancelled request uses nothing)."""
    credits.settle_holds(session, actor, ticket, None, at, default=lambda _code, _held: 0)
    request.cancelled_at, request.cancelled_by_user_id = at, actor.user_id or None
    words = f"Service request cancelled: its {formats.credits(request.credits)} were released."
    session.add(TicketComment(ticket_id=ticket.id, author_user_id=actor.user_id or None,
                              author_name=actor.full_name or actor.email, from_staff=actor.is_staff,
                              body=f"{words} {reason}".strip(), created_at=at))
    ticket.status, ticket.closed_at, ticket.updated_at = TaskStatus.closed.value, at, at
    sla.sync_status(session, ticket, at)
    session.add_all([request, ticket])
    session.flush()
    ticket_updates.announce(session, ticket, kind=UpdateKind.status, text=TaskStatus.closed.label,
                            actor_user_id=actor.user_id, actor_name=actor.full_name or actor.email,
                            from_staff=actor.is_staff, at=at)
    service = session.get(CatalogService, request.service_id)
    org = session.get(Organization, request.organization_id)
    return RequestPublic(id=request.id, service=service.name, category=ticket.category, organization=org.name,
                         ticket_id=ticket.id, credits=request.credits, state=RequestState.cancelled,
                         requested_at=request.requested_at)


def cancel_request(actor: Actor, request_id: int, *, reason: str = "", at: datetime | None = None) -> RequestPublic:
    """The support team cancels a request whose task is open: the task closes and its credits are released."""
    require_staff(actor)
    at = at or clock.now()
    reason = (reason or "").strip()[:500]
    with unit_of_work() as session:
        found = _locked(session, request_id)
        if found is None:
            raise NotFound(REQUEST_NOT_FOUND)
        request, ticket = found
        problem = rules.cancel_problem(task_open=TaskStatus(ticket.status).is_open,
                                       cancelled=request.cancelled_at is not None)
        if problem:
            raise Conflict(problem)
        return _cancel(session, actor, request, ticket, reason, at)


def cancel_own_request(actor: Actor, request_id: int, *, at: datetime | None = None) -> RequestPublic:
    """An owner or administrator cancels their organization's request before the support team starts on it (the
    task still "Open", no time logged): in one transaction the task closes and its credits are released, exactly as
    when staff cancel. Refused, changing nothing, once work has started."""
    org_id = actor.organization_id
    if actor.is_staff or org_id is None or not rules.may_request_service(actor.role):
        raise PermissionDenied(OWNERS_ONLY)
    require_view_organization(actor, org_id)
    if isinstance(request_id, bool) or not isinstance(request_id, int):
        raise NotFound(REQUEST_NOT_FOUND)
    at = at or clock.now()
    with unit_of_work() as session:
        found = _locked(session, request_id)
        # Another organization's request (a subsidiary's too) reads as unknown: ids reveal nothing.
        if found is None or found[0].organization_id != org_id:
            raise NotFound(REQUEST_NOT_FOUND)
        request, ticket = found
        problem = rules.customer_cancel_problem(status=TaskStatus(ticket.status),
                                                cancelled=request.cancelled_at is not None,
                                                minutes_logged=ticket.minutes_logged)
        if problem:
            raise Conflict(problem)
        return _cancel(session, actor, request, ticket, "Cancelled by the customer before work started.", at)


def ask_for_credits(actor: Actor, *, service_id: int, at: datetime | None = None) -> int:
    """When no credit pack is on sale in the organization's currency: an owner or administrator short of credits
    for a service asks the support team for what is missing with a task (category Other). Returns the task's id."""
    org_id = actor.organization_id
    if actor.is_staff or org_id is None or not rules.may_request_service(actor.role):
        raise PermissionDenied(OWNERS_ONLY)
    with unit_of_work(write=False) as session:
        row = session.get(CatalogService, service_id)
        if row is None or not row.active:
            raise NotFound(SERVICE_NOT_FOUND)
        service = _public(row)
    missing = rules.shortfall(_available(actor, org_id), service.price_credits)
    if not missing:
        raise Conflict(f"You already have enough service credits for {service.name}.")
    words = formats.credits(missing)
    row = tasks.create_ticket(
        actor, subject=f"Buy {words} for {service.name}", category="Other", priority=Priority.normal.value,
        description=(f"We would like to buy {words} so that we can request {service.name} "
                     f"({formats.credits(service.price_credits)}) from the services catalog. Please send us a quote "
                     "or an invoice."), organization_id=org_id, at=at)
    return row.id
