"""Demo support plans: the default regions and catalog, Northwind on Gold only, Fabrikam with after-hours cover.

Regions and terms go through the staff use cases (``plan_catalog.set_org_regions`` and ``grant_entitlement``:
checked by the plan rules and audited, as a contract entered by staff would be).

Idempotent: an organization that already has a home region or entitlements is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from opsportal.db import unit_of_work
from opsportal.domain.plans import OfferingCode
from opsportal.models.types import utcnow
from opsportal.services import orgtree, plan_catalog
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
TERM_MONTHS = 12
NOTE = "Demo data"


def load_demo_plans(actor: Actor, *, at: datetime | None = None) -> int:
    """Returns the number of regions, catalog rows, profiles and entitlements added."""
    require_staff_admin(actor)
    at = at or utcnow()
    start = (at - timedelta(days=60)).date()
    with unit_of_work() as session:
        added = seed_defaults(session, at)
        found = {name: org.id for name in DEMO_PLANS if (org := orgtree.find_by_name(session, name)) is not None}
    for name, org_id in found.items():
        home, extra, codes = DEMO_PLANS[name]
        held = plan_catalog.org_entitlements(actor, org_id)
        if held.regions is None:
            plan_catalog.set_org_regions(actor, org_id, home, extra, at=at)
            added += 1 + len(extra)
        if not held.entitlements:
            for code in codes:  # Gold first: an add-on needs it
                plan_catalog.grant_entitlement(actor, org_id, code.value, start, months=TERM_MONTHS, note=NOTE, at=at)
                added += 1
    return added
