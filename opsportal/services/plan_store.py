"""Loading the support-plan tables as domain values (inside a unit of work; callers check access first)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from opsportal.domain.coverage import OrgPlan
from opsportal.domain.incidents import IncidentKind, IncidentStatus, ScheduledWindow
from opsportal.domain.plan_catalog import Bundle, Catalog, Offering, OfferingCode
from opsportal.domain.plan_terms import Entitlement
from opsportal.domain.regions import Region
from opsportal.models import (
    IncidentRequest,
    OrgExtraRegion,
    OrgSupportProfile,
    PlanBundle,
    PlanEntitlement,
    PlanOffering,
    SupportRegion,
)

NO_REGION = "No support region is set for this organization yet; please contact us to set it up."


def region_of(row: SupportRegion) -> Region:
    days = frozenset(int(d) for d in row.business_days.split(",") if d.strip())
    return Region(row.code, row.name, row.time_zone, row.holiday_country, row.holiday_subdivision or None,
                  row.business_start, row.business_end, days)


def regions(session: Session) -> dict[str, Region]:
    return {r.code: region_of(r) for r in session.exec(select(SupportRegion).order_by(SupportRegion.code)).all()}


def offering_of(row: PlanOffering) -> Offering:
    return Offering(OfferingCode(row.code), row.name, row.currency, row.price_minor, row.unit_price_minor,
                    row.unit_minutes, row.min_units)


def bundle_of(row: PlanBundle) -> Bundle:
    return Bundle(row.code, row.name, frozenset(OfferingCode(c) for c in row.addons.split(",") if c),
                  row.discount_bp)


def catalog(session: Session, *, active_only: bool = True) -> Catalog:
    """What is on sale (or, with ``active_only=False``, everything staff have defined)."""
    offerings = session.exec(select(PlanOffering).order_by(PlanOffering.code)).all()
    bundles = session.exec(select(PlanBundle).order_by(PlanBundle.code)).all()
    return Catalog(tuple(offering_of(o) for o in offerings if o.active or not active_only),
                   tuple(bundle_of(b) for b in bundles if b.active or not active_only))


def entitlement_of(row: PlanEntitlement) -> Entitlement:
    return Entitlement(OfferingCode(row.offering_code), row.region_code, row.start_date, row.end_date,
                       tuple(row.extra_regions or ()), tuple(row.versions or ()))


def entitlement_rows(session: Session, org_id: int) -> list[PlanEntitlement]:
    """The organization's entitlements that were not revoked, oldest term first."""
    return list(session.exec(select(PlanEntitlement).where(PlanEntitlement.organization_id == org_id,
                                                           PlanEntitlement.revoked_at.is_(None))
                             .order_by(PlanEntitlement.start_date, PlanEntitlement.id)).all())


def profile(session: Session, org_id: int) -> tuple[str, tuple[str, ...]] | None:
    """(home region, other regions) of an organization, or None when no home region is set."""
    row = session.get(OrgSupportProfile, org_id)
    if row is None:
        return None
    extra = session.exec(select(OrgExtraRegion.region_code).where(OrgExtraRegion.organization_id == org_id)
                         .order_by(OrgExtraRegion.region_code)).all()
    return row.home_region_code, tuple(extra)


def scheduled_windows(session: Session, org_id: int, since: datetime) -> tuple[ScheduledWindow, ...]:
    """Paid pay-per-incident windows (scheduled after-hours, and emergencies from the moment they were paid)
    that have not ended by ``since``."""
    rows = session.exec(select(IncidentRequest.window_start, IncidentRequest.window_end, IncidentRequest.kind).where(
        IncidentRequest.organization_id == org_id, IncidentRequest.status == IncidentStatus.scheduled.value,
        IncidentRequest.window_end > since)
        .order_by(IncidentRequest.window_start)).all()
    return tuple(ScheduledWindow(start, end, emergency=kind == IncidentKind.emergency)
                 for start, end, kind in rows)


def org_plan(session: Session, org_id: int, at: datetime) -> OrgPlan | None:
    found = profile(session, org_id)
    if found is None:
        return None
    home, extra = found
    return OrgPlan(home, extra, tuple(entitlement_of(r) for r in entitlement_rows(session, org_id)),
                   scheduled_windows(session, org_id, at))
