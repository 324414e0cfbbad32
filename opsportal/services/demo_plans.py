"""Demo support plans: the default regions and catalog, Northwind on Gold only, Fabrikam with after-hours cover.

Regions are set by staff (``plan_catalog.set_org_regions``, audited). Northwind bought its Gold on the Plans page
(``demo_purchases.buy_plan``: the order, its invoice paid by card, the terms activated by the payment); Fabrikam
is billed in EUR, which the plan catalog is not sold in, so its terms are a contract staff entered
(``plan_catalog.grant_entitlement``, checked by the plan rules and audited).

Idempotent: an organization that already has a home region or entitlements is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.services import orgtree, plan_catalog
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.demo_purchases import buy_plan, buyer
from opsportal.services.demo_support import load_demo_support
from opsportal.services.plan_catalog import seed_defaults

# organization -> (home region, other regions, offerings held now, bought on the Plans page (else by contract))
DEMO_PLANS = {
    # Gold only: business hours in EMEA; not covered at night, at weekends or in its AMER office.
    "Northwind Holdings": ("EMEA", ("AMER",), (OfferingCode.gold,), True),
    "Northwind Retail": ("EMEA", (), (), False),
    "Northwind Logistics": ("EMEA", (), (), False),
    # Gold with Everyday After-Hours: covered around the clock in AMER.
    "Fabrikam Clinics": ("AMER", (), (OfferingCode.gold, OfferingCode.everyday_after_hours), False),
}
TERM_MONTHS = 12
NOTE = "Demo data"


def load_demo_plans(actor: Actor, *, at: datetime | None = None) -> int:
    """Returns the number of regions, catalog rows, profiles and entitlements added."""
    require_staff_admin(actor)
    at = at or clock.now()
    bought = at - timedelta(days=60)
    with unit_of_work() as session:
        added = seed_defaults(session, at)
        found = {name: org.id for name in DEMO_PLANS if (org := orgtree.find_by_name(session, name)) is not None}
    # Phone numbers and the support terms, published before the demo buys anything (every purchase accepts them).
    added += load_demo_support(actor, at=bought - timedelta(days=30))
    for name, org_id in found.items():
        home, extra, codes, ordered = DEMO_PLANS[name]
        held = plan_catalog.org_entitlements(actor, org_id)
        if held.regions is None:
            plan_catalog.set_org_regions(actor, org_id, home, extra, at=at)
            added += 1 + len(extra)
        if held.entitlements or not codes:
            continue
        if ordered:
            buy_plan(buyer(name), [code.value for code in codes], bought)
        else:
            for code in codes:  # Gold first: an add-on needs it
                plan_catalog.grant_entitlement(actor, org_id, code.value, bought.date(), months=TERM_MONTHS,
                                               note=NOTE, at=at)
        added += len(codes)
    return added
