"""Demo credits: the lots of both products across the Northwind tree, granted at past dates through the grant
service, so every part of the Hours & Credits page has something to show.

Only grants happen here. Every use of them (holds, time logged on tasks, service requests, expiry) is a step of
the demo's story in ``demo_tasks``, run in date order through the real use cases: a lot is never drawn before
it was granted, and what expires is what the story left unused.

Idempotent: skipped when the demo group already holds lots.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import CreditLot
from opsportal.models.types import utcnow
from opsportal.services import credits
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.orgtree import require_by_name

# (organization, product, quantity, type, shared, granted days ago, expires in days or None)
LOTS = [
    # The head office's own block (its subsidiaries share the complimentary hours below, not this one).
    ("Northwind Holdings", "support_hours", 80 * 60, "purchased", False, 60, 75),
    ("Northwind Holdings", "support_hours", 8 * 60, "complimentary", True, 20, 25),
    ("Northwind Holdings", "service_credits", 50, "complimentary", True, 30, 20),
    ("Northwind Holdings", "service_credits", 200, "purchased", False, 90, 200),
    ("Northwind Holdings", "kaizen_enterprise", 10, "purchased", True, 100, None),
    ("Northwind Retail", "support_hours", 10 * 60, "complimentary", False, 15, 45),
    ("Northwind Retail", "service_credits", 30, "purchased", False, 40, 100),
    ("Northwind Logistics", "support_hours", 20 * 60, "purchased", False, 10, 110),
    ("Fabrikam Clinics", "service_credits", 80, "purchased", False, 50, 150),
    ("Fabrikam Clinics", "support_hours", 12 * 60, "purchased", False, 50, 150),
    # Bought this week, once the block above had run out (the time logged in between is pay-as-you-go).
    ("Fabrikam Clinics", "support_hours", 10 * 60, "purchased", False, 5, 360),
]
# Lots granted long ago that have expired since:
# (organization, product, quantity, type, shared, granted days ago, expired days ago).
# The tasks draw on them while they are live (see ``demo_tasks.STORIES``); what they left unused expired.
EXPIRED = [
    ("Northwind Holdings", "support_hours", 10 * 60, "purchased", False, 300, 190),
    ("Northwind Holdings", "service_credits", 40, "purchased", False, 200, 45),
    ("Northwind Retail", "support_hours", 5 * 60, "complimentary", False, 150, 15),
]


def load_demo_credits(actor: Actor, *, now: datetime | None = None) -> int:
    """Grants the demo lots; returns the number of lots created (0 when they were already there)."""
    require_staff_admin(actor)
    now = now or utcnow()
    with unit_of_work(write=False) as session:
        northwind = require_by_name(session, "Northwind Holdings").id
        if session.exec(select(CreditLot.id).where(CreditLot.holder_org_id == northwind)).first() is not None:
            return 0
        ids = {name: require_by_name(session, name).id for name, *_ in LOTS}
    grants = [(org, product, quantity, kind, shared, granted_ago, -expired_ago)
              for org, product, quantity, kind, shared, granted_ago, expired_ago in EXPIRED] + LOTS
    # In the order they were granted, so lot numbers follow the dates.
    for org, product, quantity, kind, shared, granted_ago, expires_in in sorted(grants, key=lambda g: -g[5]):
        granted = now - timedelta(days=granted_ago)
        expires = (now + timedelta(days=expires_in)).date() if expires_in is not None else None
        credits.grant(actor, org_id=ids[org], product=product, quantity=quantity, kind=kind, shared=shared,
                      expires=expires, at=granted)
    return len(grants)
