"""What the staff plans page reads, as typed shapes: the whole catalog (withdrawn rows too), regions,
organizations, an organization's regions and entitlements. Never ORM rows: the UI gets these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.plan_terms import EntitlementStatus, entitlement_status
from opsportal.models import Organization, PlanBundle, PlanEntitlement, PlanOffering
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_staff_admin


@dataclass(frozen=True)
class OfferingView:
    code: str
    name: str
    kind: str  # base | addon | incident
    currency: str
    price_minor: int  # per 12 months (base and add-ons)
    unit_price_minor: int  # per time unit (incidents)
    unit_minutes: int
    min_units: int
    active: bool


@dataclass(frozen=True)
class BundleView:
    code: str
    name: str
    addons: tuple[str, ...]  # offering codes, sorted
    discount_bp: int
    active: bool


@dataclass(frozen=True)
class RegionsView:
    home: str
    extra: tuple[str, ...]  # sorted


@dataclass(frozen=True)
class EntitlementView:
    id: int
    code: str
    region: str
    start: date
    end: date  # exclusive: the first day it no longer covers
    extra_regions: tuple[str, ...]  # Multi-Regional
    versions: tuple[str, ...]  # Extended-Term
    revoked: bool
    status: EntitlementStatus | None = None  # on the home region's day, where the caller asked for it


def offering_view(row: PlanOffering) -> OfferingView:
    return OfferingView(row.code, row.name, row.kind, row.currency, row.price_minor, row.unit_price_minor,
                        row.unit_minutes, row.min_units, bool(row.active))


def bundle_view(row: PlanBundle) -> BundleView:
    return BundleView(row.code, row.name, tuple(sorted(filter(None, row.addons.split(",")))), row.discount_bp,
                      bool(row.active))


def entitlement_view(row: PlanEntitlement, today: date | None = None) -> EntitlementView:
    """The entitlement as staff see it; with ``today`` (the home region's day) also its status that day."""
    revoked = row.revoked_at is not None
    status = None if today is None else entitlement_status(row.start_date, row.end_date, today, revoked=revoked)
    return EntitlementView(row.id, row.offering_code, row.region_code, row.start_date, row.end_date,
                           tuple(row.extra_regions or ()), tuple(row.versions or ()), revoked, status)


@dataclass(frozen=True)
class CatalogRows:
    offerings: list[OfferingView]
    bundles: list[BundleView]
    regions: list[str]  # region codes
    organizations: list[tuple[int, str]]  # (id, name), by name


def catalog_rows(actor: Actor) -> CatalogRows:
    require_staff_admin(actor)
    with unit_of_work(write=False) as session:
        offerings = session.exec(select(PlanOffering).order_by(PlanOffering.kind, PlanOffering.code)).all()
        bundles = session.exec(select(PlanBundle).order_by(PlanBundle.code)).all()
        regions = sorted(store.regions(session))
        orgs = [(o.id, o.name) for o in session.exec(select(Organization).order_by(Organization.name)).all()]
        return CatalogRows([offering_view(r) for r in offerings], [bundle_view(r) for r in bundles], regions, orgs)
