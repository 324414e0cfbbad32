"""Staff manage the plan catalog, prices, organizations' regions and entitlements; every change is audited.

Staff administrators only. Each change and its audit row (who, when, before and after) are written in one
transaction. ``seed_defaults`` puts back the default regions and catalog where they are missing (idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, func, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.plan_catalog import (
    DEFAULT_CATALOG,
    Bundle,
    Catalog,
    Offering,
    OfferingCode,
    bundle_definition_problem,
    catalog_problems,
    offering_problem,
)
from opsportal.domain.plan_purchase import PurchaseLine, purchase_problems
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import DEFAULT_REGIONS
from opsportal.models import (
    OrgExtraRegion,
    OrgSupportProfile,
    PlanAudit,
    PlanBundle,
    PlanEntitlement,
    PlanOffering,
    SupportRegion,
)
from opsportal.services import orgtree
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence
from opsportal.services.pagination import Page, clamp
from opsportal.services.plan_admin_views import (
    BundleView,
    EntitlementView,
    OfferingView,
    RegionsView,
    bundle_view,
    entitlement_view,
    offering_view,
)

ENTITLEMENT_NOT_FOUND = "That entitlement was not found."


# --- audit -----------------------------------------------------------------------------------------------


def audit(session: Session, actor: Actor, action: str, subject: str, *, before: dict[str, Any] | None,
          after: dict[str, Any] | None, organization_id: int | None = None, note: str = "",
          at: datetime | None = None) -> None:
    session.add(PlanAudit(at=at or clock.now(), actor_user_id=actor.user_id or None,
                          actor_name=actor.full_name or actor.email, action=action, subject=subject[:200],
                          organization_id=organization_id, before=before, after=after, note=note))


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    organization_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str


def audit_log(actor: Actor, page: int = 1, *, page_size: int = 25,
              organization_id: int | None = None) -> Page[AuditRow]:
    """Staff changes to plans, newest first."""
    require_staff_admin(actor)
    page, page_size = clamp(page, page_size)
    conditions = [PlanAudit.organization_id == organization_id] if organization_id is not None else []
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(PlanAudit).where(*conditions)).one()
        rows = session.exec(select(PlanAudit).where(*conditions).order_by(PlanAudit.at.desc(), PlanAudit.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        items = [AuditRow(r.id, r.at, r.actor_name, r.action, r.subject, r.organization_id, r.before, r.after,
                          r.note) for r in rows]
    return Page(items, page, page_size, int(total))


# --- the catalog -----------------------------------------------------------------------------------------


def _offering_dict(row: PlanOffering) -> dict[str, Any]:
    return {"name": row.name, "currency": row.currency, "price_minor": row.price_minor,
            "unit_price_minor": row.unit_price_minor, "unit_minutes": row.unit_minutes, "min_units": row.min_units,
            "active": row.active}


def _bundle_dict(row: PlanBundle) -> dict[str, Any]:
    return {"name": row.name, "addons": row.addons.split(","), "discount_bp": row.discount_bp, "active": row.active}


def _whole(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 100_000_000:
        raise InvalidInput(f"{what} must be a whole number from 0 to 100,000,000.")
    return value


def _check_catalog(session: Session, *, offering: Offering | None = None, bundle: Bundle | None = None,
                   active: bool = True) -> None:
    """The active catalog after the change must still be sound (one currency, Gold on sale, bundles complete)."""
    current = store.catalog(session)
    offerings = [o for o in current.offerings if offering is None or o.code is not offering.code]
    bundles = [b for b in current.bundles if bundle is None or b.code != bundle.code]
    if offering is not None and active:
        offerings.append(offering)
    if bundle is not None and active:
        bundles.append(bundle)
    problems = catalog_problems(Catalog(tuple(offerings), tuple(bundles)))
    if problems:
        raise InvalidInput(" ".join(sentence(p) for p in problems))


def save_offering(actor: Actor, code: str, *, name: str, price_minor: int = 0, unit_price_minor: int = 0,
                  unit_minutes: int = 60, min_units: int = 1, currency: str = "USD", active: bool = True,
                  at: datetime | None = None) -> OfferingView:
    """Create or change an offering (its code is one of the fixed ``OfferingCode`` values)."""
    require_staff_admin(actor)
    at = at or clock.now()
    try:
        offering_code = OfferingCode(code)
    except ValueError:
        raise InvalidInput(f"Unknown offering code {code!r}; codes: "
                           f"{', '.join(c.value for c in OfferingCode)}.") from None
    offering = Offering(offering_code, " ".join((name or "").split())[:120], (currency or "").strip().upper(),
                        _whole(price_minor, "The price"), _whole(unit_price_minor, "The unit price"),
                        _whole(unit_minutes, "The time unit"), _whole(min_units, "The minimum units"))
    if problem := offering_problem(offering):
        raise InvalidInput(sentence(problem))
    with unit_of_work() as session:
        row = session.exec(select(PlanOffering).where(PlanOffering.code == offering_code.value)
                           .with_for_update()).first()
        before = _offering_dict(row) if row else None
        bundled = [b.name for b in store.catalog(session).bundles if offering_code in b.addons]
        if not active and bundled:
            raise InvalidInput(f"{offering.name} is sold in the bundle(s) {', '.join(bundled)}: withdraw them first.")
        _check_catalog(session, offering=offering, active=active)
        row = row or PlanOffering(code=offering_code.value, kind=offering_code.kind.value)
        row.name, row.currency, row.price_minor = offering.name, offering.currency, offering.price_minor
        row.unit_price_minor, row.unit_minutes, row.min_units = (offering.unit_price_minor, offering.unit_minutes,
                                                                 offering.min_units)
        row.active, row.updated_at = bool(active), at
        session.add(row)
        after = _offering_dict(row)
        audit(session, actor, "offering.saved", f"Offering {offering_code.value}", before=before, after=after, at=at)
        return offering_view(row)


def save_bundle(actor: Actor, code: str, *, name: str, addons: Sequence[str], discount_bp: int, active: bool = True,
                at: datetime | None = None) -> BundleView:
    """Create or change a bundle of Premier add-ons sold at a discount."""
    require_staff_admin(actor)
    at = at or clock.now()
    code = (code or "").strip().lower()
    if not code or len(code) > 40 or not code.replace("_", "").isalnum():
        raise InvalidInput("A bundle code is 1 to 40 letters, digits and underscores.")
    try:
        codes = frozenset(OfferingCode(c) for c in addons)
    except ValueError:
        raise InvalidInput("Bundle only known add-ons.") from None
    bundle = Bundle(code, " ".join((name or "").split())[:120], codes, _whole(discount_bp, "The discount"))
    if problem := bundle_definition_problem(bundle):
        raise InvalidInput(sentence(problem))
    with unit_of_work() as session:
        row = session.exec(select(PlanBundle).where(PlanBundle.code == code).with_for_update()).first()
        before = _bundle_dict(row) if row else None
        _check_catalog(session, bundle=bundle, active=active)
        row = row or PlanBundle(code=code)
        row.name, row.addons = bundle.name, ",".join(sorted(c.value for c in codes))
        row.discount_bp, row.active, row.updated_at = bundle.discount_bp, bool(active), at
        session.add(row)
        after = _bundle_dict(row)
        audit(session, actor, "bundle.saved", f"Bundle {code}", before=before, after=after, at=at)
        return bundle_view(row)


# --- organizations' regions and entitlements -------------------------------------------------------------


def _regions_dict(session: Session, org_id: int) -> dict[str, Any] | None:
    found = store.profile(session, org_id)
    return {"home": found[0], "extra": list(found[1])} if found else None


def set_org_regions(actor: Actor, org_id: int, home: str, extra: Sequence[str] = (), *,
                    at: datetime | None = None) -> RegionsView:
    """Set where an organization bought its software (home region) and its other regions."""
    require_staff_admin(actor)
    at = at or clock.now()
    home = (home or "").strip().upper()
    extra_codes = [c.strip().upper() for c in extra if c.strip()]
    if len(set(extra_codes)) != len(extra_codes):
        raise InvalidInput("Name each other region once.")
    if home in extra_codes:
        raise InvalidInput(f"{home} is the home region; choose other regions as additional ones.")
    with unit_of_work() as session:
        org = orgtree.require_org(session, org_id)
        known = store.regions(session)
        unknown = [c for c in [home, *extra_codes] if c not in known]
        if unknown:
            raise InvalidInput(f"Unknown region {unknown[0] or '(none)'}; regions: {', '.join(sorted(known))}.")
        before = _regions_dict(session, org_id)
        profile = session.get(OrgSupportProfile, org_id) or OrgSupportProfile(organization_id=org_id,
                                                                               home_region_code=home)
        profile.home_region_code, profile.updated_at = home, at
        session.add(profile)
        for row in session.exec(select(OrgExtraRegion).where(OrgExtraRegion.organization_id == org_id)).all():
            session.delete(row)
        session.flush()
        session.add_all([OrgExtraRegion(organization_id=org_id, region_code=c) for c in extra_codes])
        after = {"home": home, "extra": sorted(extra_codes)}
        audit(session, actor, "regions.set", f"Regions of {org.name}", before=before, after=after,
              organization_id=org_id, at=at)
        return RegionsView(home, tuple(sorted(extra_codes)))


def _entitlement_dict(row: PlanEntitlement) -> dict[str, Any]:
    return {"id": row.id, "code": row.offering_code, "region": row.region_code, "start": row.start_date.isoformat(),
            "end": row.end_date.isoformat(), "extra_regions": list(row.extra_regions or []),
            "versions": list(row.versions or []), "revoked": row.revoked_at is not None}


def grant_entitlement(actor: Actor, org_id: int, code: str, start: date, *, months: int = 12,
                      extra_regions: Sequence[str] = (), versions: Sequence[str] = (), note: str = "",
                      at: datetime | None = None) -> EntitlementView:
    """Staff grant a term (e.g. a contract paid outside the portal) in the organization's home region."""
    require_staff_admin(actor)
    at = at or clock.now()
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise InvalidInput("Keep the note under 300 characters.")
    try:
        offering_code = OfferingCode(code)
    except ValueError:
        raise InvalidInput(f"Unknown offering code {code!r}.") from None
    if isinstance(months, bool) or not isinstance(months, int):
        raise InvalidInput("The term is a whole number of months (12, 24, 36…).")
    if not isinstance(start, date) or isinstance(start, datetime):
        raise InvalidInput("Give the first day of the term as a date.")
    line = PurchaseLine(offering_code, start, months, tuple(r.strip().upper() for r in extra_regions),
                        tuple(v.strip() for v in versions))
    with unit_of_work() as session:
        org = orgtree.require_org(session, org_id)
        found = store.profile(session, org_id)
        if found is None:
            raise InvalidInput(f"Set {org.name}'s home region first.")
        existing = [store.entitlement_of(r) for r in store.entitlement_rows(session, org_id)]
        catalog = store.catalog(session, active_only=False)
        problems = purchase_problems([line], home_region=found[0], known_regions=store.regions(session),
                                     existing=existing, catalog=catalog)
        if problems:
            raise InvalidInput(" ".join(sentence(p) for p in problems))
        row = PlanEntitlement(organization_id=org_id, offering_code=offering_code.value, region_code=found[0],
                              start_date=line.start, end_date=line.end, extra_regions=list(line.extra_regions),
                              versions=list(line.versions), note=note or "Granted by staff",
                              granted_by_user_id=actor.user_id or None, created_at=at)
        session.add(row)
        session.flush()
        after = _entitlement_dict(row)
        audit(session, actor, "entitlement.granted", f"{offering_code.label} for {org.name}", before=None,
              after=after, organization_id=org_id, note=note, at=at)
        return entitlement_view(row)


def revoke_entitlement(actor: Actor, entitlement_id: int, *, reason: str,
                       at: datetime | None = None) -> EntitlementView:
    """Staff revoke an entitlement (kept, marked revoked): it no longer counts for coverage or purchases."""
    require_staff_admin(actor)
    at = at or clock.now()
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 300:
        raise InvalidInput("Give a reason of 3 to 300 characters for revoking the entitlement.")
    with unit_of_work() as session:
        row = session.exec(select(PlanEntitlement).where(PlanEntitlement.id == entitlement_id)
                           .with_for_update()).first()
        if row is None:
            raise NotFound(ENTITLEMENT_NOT_FOUND)
        if row.revoked_at is not None:
            raise Conflict("That entitlement is already revoked.")
        before = _entitlement_dict(row)
        row.revoked_at, row.revoke_reason = at, reason
        session.add(row)
        org_name = orgtree.names(session, {row.organization_id}).get(row.organization_id, "?")
        audit(session, actor, "entitlement.revoked", f"{OfferingCode(row.offering_code).label} for {org_name}",
              before=before, after=_entitlement_dict(row), organization_id=row.organization_id, note=reason, at=at)
        return entitlement_view(row)


@dataclass(frozen=True)
class OrgEntitlements:
    organization: str
    regions: RegionsView | None  # None: no home region set yet
    entitlements: list[EntitlementView]  # by first day


def org_entitlements(actor: Actor, org_id: int, *, at: datetime | None = None) -> OrgEntitlements:
    """Every entitlement of an organization, revoked ones included (staff), each with its ``status`` at ``at``
    counted on the home region's day, as the customer's plans page counts it (``plan_terms.entitlement_day``)."""
    require_staff_admin(actor)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        found = store.profile(session, org_id)
        today = entitlement_day(store.regions(session)[found[0]] if found else None, at)
        rows = session.exec(select(PlanEntitlement).where(PlanEntitlement.organization_id == org_id)
                            .order_by(PlanEntitlement.start_date, PlanEntitlement.id)).all()
        regions = RegionsView(found[0], tuple(sorted(found[1]))) if found else None
        return OrgEntitlements(org.name, regions, [entitlement_view(r, today) for r in rows])


# --- default data ----------------------------------------------------------------------------------------


def seed_defaults(session: Session, at: datetime | None = None) -> int:
    """Add the default regions, offerings and bundles that are missing (nothing existing changes)."""
    at = at or clock.now()
    added = 0
    for region in DEFAULT_REGIONS.values():
        if session.get(SupportRegion, region.code) is None:
            session.add(SupportRegion(code=region.code, name=region.name, time_zone=region.time_zone,
                                      holiday_country=region.holiday_country,
                                      holiday_subdivision=region.holiday_subdivision,
                                      business_start=region.business_start, business_end=region.business_end,
                                      business_days=",".join(str(d) for d in sorted(region.business_days))))
            added += 1
    session.flush()
    for o in DEFAULT_CATALOG.offerings:
        if session.get(PlanOffering, o.code.value) is None:
            session.add(PlanOffering(code=o.code.value, name=o.name, kind=o.kind.value, currency=o.currency,
                                     price_minor=o.price_minor, unit_price_minor=o.unit_price_minor,
                                     unit_minutes=o.unit_minutes, min_units=o.min_units, active=True, updated_at=at))
            added += 1
    for b in DEFAULT_CATALOG.bundles:
        if session.get(PlanBundle, b.code) is None:
            session.add(PlanBundle(code=b.code, name=b.name, addons=",".join(sorted(c.value for c in b.addons)),
                                   discount_bp=b.discount_bp, active=True, updated_at=at))
            added += 1
    session.flush()
    return added

