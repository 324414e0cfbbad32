"""Software assurance inside a unit of work: the public shapes of products, versions, releases and licences, and what
an organization holds today (Gold, Extended-Term) as ``domain.coverage`` reads its plan. Callers check access first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.domain.audit import AuditAction
from opsportal.domain.coverage import coverage_at
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.software import (
    Access,
    Lifecycle,
    LifecycleStatus,
    ReleaseKind,
    download_access,
    names_version,
    version_label,
)
from opsportal.models import (
    Organization,
    PlanEntitlement,
    PlanOrder,
    ProductLicence,
    ProductRelease,
    ProductVersion,
    SoftwareProduct,
)
from opsportal.services import audit, plan_store
from opsportal.services.authz import Actor


@dataclass(frozen=True)
class Holdings:
    """What covers an organization's downloads today."""

    today: date  # the home region's calendar day
    gold_active: bool
    extended_versions: tuple[str, ...]  # versions named by an Extended-Term in force (with Gold)
    product_ids: frozenset[int]  # products it holds a licence of

    def extended_term_for(self, product: str, number: str) -> bool:
        return self.gold_active and names_version(self.extended_versions, product, number)

    def access(self, product_id: int, product: str, number: str, status: LifecycleStatus) -> Access:
        return download_access(status, licensed=product_id in self.product_ids, gold_active=self.gold_active,
                               extended_term=self.extended_term_for(product, number),
                               label=version_label(product, number))


def holdings(session: Session, org_id: int, at: datetime) -> Holdings:
    """The organization's Gold and Extended-Term on the day ``at`` falls on in its home region (the coverage rule),
    and the products it is licensed for."""
    products = frozenset(session.exec(select(ProductLicence.product_id)
                                      .where(ProductLicence.organization_id == org_id)).all())
    plan = plan_store.org_plan(session, org_id, at)
    if plan is None:
        return Holdings(at.date(), False, (), products)
    regions = plan_store.regions(session)
    coverage = coverage_at(plan, regions, at)
    today = entitlement_day(regions[plan.home_region], at)
    return Holdings(today, coverage.gold_active, coverage.extended_versions, products)


def lifecycle_of(row: ProductVersion) -> Lifecycle:
    return Lifecycle(row.ga_date, row.sunset_date, row.eol_date)


@dataclass(frozen=True)
class VersionView:
    id: int
    product_id: int
    product: str
    number: str
    label: str  # "K2 Five 5.4"
    ga: date
    sunset: date | None
    end_of_life: date | None
    status: LifecycleStatus


def version_view(row: ProductVersion, product: SoftwareProduct, today: date) -> VersionView:
    return VersionView(row.id, product.id, product.name, row.number, version_label(product.name, row.number),
                       row.ga_date, row.sunset_date, row.eol_date, lifecycle_of(row).status_on(today))


@dataclass(frozen=True)
class ReleaseView:
    id: int
    version: VersionView
    kind: ReleaseKind
    title: str
    notes: str
    released_on: date
    file_name: str
    size_bytes: int
    sha256: str
    access: Access | None = None  # for a customer: may they download it today, and if not, why


def release_view(row: ProductRelease, version: VersionView, access: Access | None = None) -> ReleaseView:
    return ReleaseView(row.id, version, ReleaseKind(row.kind), row.title, row.notes, row.released_on, row.file_name,
                       row.size_bytes, row.sha256, access)


@dataclass(frozen=True)
class LicenceView:
    id: int
    organization_id: int
    version: VersionView
    region: str
    quantity: int
    purchased_on: date
    note: str
    cover: str = ""  # what supports it today (customers' Products page)


def releases_query():
    """Releases with their version and product, newest first."""
    return (select(ProductRelease, ProductVersion, SoftwareProduct)
            .join(ProductVersion, ProductVersion.id == ProductRelease.version_id)
            .join(SoftwareProduct, SoftwareProduct.id == ProductVersion.product_id)
            .order_by(ProductRelease.released_on.desc(), ProductRelease.id.desc()))


def record(session: Session, actor: Actor, action: AuditAction, target: str,
           organization_id: int | None = None) -> None:
    """A catalog change (only staff see it) or a licence change (its organization's activity too) in the audit log,
    in the change's own transaction; the operator's command line is recorded as no person (``audit.NO_PERSON``)."""
    audit.record(session, actor_user_id=actor.user_id, organization_id=organization_id, action=action,
                 target=target, at=clock.now())


def _live_extended_terms(session: Session, at: datetime | None) -> list[PlanEntitlement]:
    """Extended-Terms in force or still to come (a day's slack for the home region's calendar): ended ones are
    history and keep the words they were bought with."""
    today = (at or clock.coverage_now()).date() - timedelta(days=1)
    return list(session.exec(select(PlanEntitlement).where(
        PlanEntitlement.offering_code == OfferingCode.extended_term.value, PlanEntitlement.revoked_at.is_(None),
        PlanEntitlement.end_date > today)).all())


def _pending_orders(session: Session) -> list[PlanOrder]:
    return list(session.exec(select(PlanOrder).where(PlanOrder.status == "pending")).all())


def naming_organizations(session: Session, product: str, number: str, at: datetime | None = None) -> list[str]:
    """The organizations whose Extended-Term (in force, to come, or ordered and waiting for payment) names the
    version."""
    ids = {e.organization_id for e in _live_extended_terms(session, at) if names_version(e.versions, product, number)}
    ids |= {o.organization_id for o in _pending_orders(session)
            if any(line.get("code") == OfferingCode.extended_term.value
                   and names_version(line.get("versions") or (), product, number) for line in o.lines)}
    if not ids:
        return []
    return list(session.exec(select(Organization.name).where(Organization.id.in_(ids))).all())


def carry_names(session: Session, carry: Callable[[tuple[str, ...]], tuple[str, ...]],
                at: datetime | None = None) -> int:
    """Rewrites the versions Extended-Terms in force or to come, and plan orders waiting for payment, name with
    ``carry`` (a renamed version's new name, ``domain.software.carried_version_names``); returns how many changed."""
    changed = 0
    for ent in _live_extended_terms(session, at):
        names = carry(tuple(ent.versions))
        if list(names) != list(ent.versions):
            ent.versions = list(names)
            session.add(ent)
            changed += 1
    for order in _pending_orders(session):
        lines = [{**line, "versions": list(carry(tuple(line.get("versions") or ())))}
                 if line.get("code") == OfferingCode.extended_term.value else line for line in order.lines]
        if lines != order.lines:
            order.lines = lines
            session.add(order)
            changed += 1
    return changed
