"""The support terms and conditions: read by anyone (the /terms page is public), published in versions by staff
administrators, and accepted by a customer in the transaction of every plan or add-on order and every
pay-per-incident request.

Who may do what: anyone reads the current version (and any earlier one); staff administrators publish a new
version; staff read every acceptance, a customer's users their own organization's (never another's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.support_terms import acceptance_problem, terms_problem
from opsportal.models import Organization, SupportTermsAcceptance, SupportTermsVersion
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp

NOT_FOUND = "That version of the support terms was not found."


@dataclass(frozen=True)
class TermsView:
    version: int
    title: str
    body: str  # markdown, rendered without raw HTML
    summary: str  # what changed from the version before
    published_at: datetime
    current: bool


@dataclass(frozen=True)
class TermsVersionRow:
    version: int
    title: str
    summary: str
    published_at: datetime
    published_by: str
    acceptances: int


@dataclass(frozen=True)
class AcceptanceRow:
    id: int
    version: int
    organization_id: int
    organization: str
    user: str
    purchase: str
    plan_order_id: int | None
    accepted_at: datetime


def current_version(session: Session) -> int | None:
    return session.exec(select(func.max(SupportTermsVersion.version))).one()


def _view(row: SupportTermsVersion, current: int | None) -> TermsView:
    return TermsView(row.version, row.title, row.body, row.summary, row.published_at, row.version == current)


def read_terms(version: int | None = None) -> TermsView | None:
    """The current terms (or the given version); None when none are published yet. Public: no actor needed."""
    with unit_of_work(write=False) as session:
        current = current_version(session)
        wanted = current if version is None else version
        if wanted is None:
            return None
        row = session.get(SupportTermsVersion, wanted)
        if row is None:
            raise NotFound(NOT_FOUND)
        return _view(row, current)


def publish_terms(actor: Actor, *, title: str, body: str, summary: str = "",
                  at: datetime | None = None) -> TermsView:
    """Staff administrators publish the next version; every purchase from now on must accept it."""
    require_staff_admin(actor)
    at = at or clock.now()
    if problem := terms_problem(title, body, summary):
        raise InvalidInput(problem)
    try:
        with unit_of_work() as session:
            version = (current_version(session) or 0) + 1
            row = SupportTermsVersion(version=version, title=" ".join(title.split()), body=body.strip(),
                                      summary=" ".join((summary or "").split()), published_at=at,
                                      published_by_user_id=actor.user_id or None,
                                      published_by_name=actor.full_name or actor.email)
            session.add(row)
            session.flush()
            return _view(row, version)
    except IntegrityError:
        raise Conflict("Someone published a version at the same moment; reload and check before publishing.") \
            from None


def terms_versions(actor: Actor, page: int = 1, *, page_size: int = 20) -> Page[TermsVersionRow]:
    """Every published version, newest first, with how many purchases accepted it (staff)."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(SupportTermsVersion)).one()
        counts = (select(SupportTermsAcceptance.version, func.count().label("n"))
                  .group_by(SupportTermsAcceptance.version).subquery())
        rows = session.exec(select(SupportTermsVersion, counts.c.n)
                            .join(counts, counts.c.version == SupportTermsVersion.version, isouter=True)
                            .order_by(SupportTermsVersion.version.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        items = [TermsVersionRow(r.version, r.title, r.summary, r.published_at, r.published_by_name, int(n or 0))
                 for r, n in rows]
    return Page(items, page, page_size, int(total))


def acceptances(actor: Actor, page: int = 1, *, organization_id: int | None = None,
                page_size: int = 25) -> Page[AcceptanceRow]:
    """Who accepted which version when buying what, newest first: staff every organization's (or one's), a
    customer's users only their own organization's."""
    if organization_id is None:
        require_staff(actor)
    else:
        require_view_organization(actor, organization_id)
    page, page_size = clamp(page, page_size)
    where = [SupportTermsAcceptance.organization_id == organization_id] if organization_id is not None else []
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(SupportTermsAcceptance).where(*where)).one()
        rows = session.exec(select(SupportTermsAcceptance, Organization.name)
                            .join(Organization, Organization.id == SupportTermsAcceptance.organization_id)
                            .where(*where)
                            .order_by(SupportTermsAcceptance.accepted_at.desc(), SupportTermsAcceptance.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        items = [AcceptanceRow(a.id, a.version, a.organization_id, name, a.user_name, a.purchase, a.plan_order_id,
                               a.accepted_at) for a, name in rows]
    return Page(items, page, page_size, int(total))


def require_current(session: Session, accepted: int | None) -> int:
    """The current version, when ``accepted`` is it; InvalidInput (the purchase is refused) otherwise."""
    current = current_version(session)
    if problem := acceptance_problem(accepted, current):
        raise InvalidInput(problem)
    return current


def record_acceptance(session: Session, actor: Actor, *, organization_id: int, version: int, purchase: str,
                      plan_order_id: int | None = None, incident_request_id: int | None = None,
                      at: datetime) -> SupportTermsAcceptance:
    """Write the acceptance in the caller's transaction (the plan order's or the pay-per-incident request's): both
    are kept or neither is."""
    row = SupportTermsAcceptance(version=version, organization_id=organization_id, user_id=actor.user_id or None,
                                 user_name=actor.full_name or actor.email, plan_order_id=plan_order_id,
                                 incident_request_id=incident_request_id, purchase=purchase[:500], accepted_at=at)
    session.add(row)
    return row
