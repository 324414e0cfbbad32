"""Demo support plans: the default regions and catalog, Northwind on Gold only, Fabrikam with after-hours cover.

Idempotent: an organization that already has a home region or entitlements is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import term_end
from opsportal.models import OrgExtraRegion, OrgSupportProfile, PlanEntitlement
from opsportal.models.types import utcnow
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.plan_catalog import seed_defaults

# organization -> (home region, other regions, offerings held now)
DEMO_PLANS = {
    # Gold only: business hours in EMEA; not covered at night, at weekends or in its AMER office.
    "Northwind Holdings": ("EMEA", ("AMER",), (OfferingCode.gold,)),
    "Northwind Retail": ("EMEA", (), ()),
    "Northwind Logistics": ("EMEA", (), ()),
    # Gold with Everyday After-Hours: covered around the clock in AMER.
    "Fabrikam Clinics": ("AMER", (), (OfferingCode.gold, OfferingCode.everyday_after_hours)),
}


def load_demo_plans(actor: Actor, *, at: datetime | None = None) -> int:
    """Returns the number of regions, catalog rows, profiles and entitlements added."""
    require_staff_admin(actor)
    at = at or utcnow()
    start = (at - timedelta(days=60)).date()
    with unit_of_work() as session:
        added = seed_defaults(session, at)
        for name, (home, extra, codes) in DEMO_PLANS.items():
            org = orgtree.find_by_name(session, name)
            if org is None:
                continue
            if session.get(OrgSupportProfile, org.id) is None:
                session.add(OrgSupportProfile(organization_id=org.id, home_region_code=home, updated_at=at))
                session.add_all([OrgExtraRegion(organization_id=org.id, region_code=c) for c in extra])
                added += 1 + len(extra)
            held = session.exec(select(PlanEntitlement.id).where(PlanEntitlement.organization_id == org.id)).first()
            if held is None:
                for code in codes:
                    session.add(_entitlement(org.id, code, home, start, at))
                    added += 1
        return added


def _entitlement(org_id: int, code: OfferingCode, home: str, start: date, at: datetime) -> PlanEntitlement:
    return PlanEntitlement(organization_id=org_id, offering_code=code.value, region_code=home, start_date=start,
                           end_date=term_end(start, 12), note="Demo data", created_at=at)
