"""Demo credits: lots of both products across the Northwind tree, tickets with holds and usage, and
credit that expired, so every part of the Hours & Credits page has something to show.

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
    ("Northwind Holdings", "support_hours", 40 * 60, "purchased", True, 60, 75),
    ("Northwind Holdings", "support_hours", 8 * 60, "complimentary", True, 20, 25),
    ("Northwind Holdings", "service_credits", 50, "complimentary", True, 30, 20),
    ("Northwind Holdings", "service_credits", 200, "purchased", False, 90, 200),
    ("Northwind Holdings", "kaizen_enterprise", 10, "purchased", True, 100, None),
    ("Northwind Retail", "support_hours", 10 * 60, "complimentary", False, 15, 45),
    ("Northwind Retail", "service_credits", 30, "purchased", False, 40, 100),
    ("Northwind Logistics", "support_hours", 20 * 60, "purchased", False, 10, 110),
    ("Fabrikam Clinics", "service_credits", 80, "purchased", False, 50, 150),
    ("Fabrikam Clinics", "support_hours", 12 * 60, "purchased", False, 50, 150),
]
# Lots granted long ago that partly expired: (organization, product, quantity, granted days ago, expired days ago)
EXPIRED = [
    ("Northwind Holdings", "support_hours", 10 * 60, 300, 120),
    ("Northwind Holdings", "service_credits", 40, 200, 45),
    ("Northwind Retail", "support_hours", 5 * 60, 150, 15),
]
# (organization, title, category, minutes used, days ago, still open with a hold?)
TICKETS = [
    ("Northwind Holdings", "Firewall rules for the new branch office", "Networking", 95, 12, False),
    ("Northwind Holdings", "Quarterly patching of the file servers", "Infrastructure", 180, 25, False),
    ("Northwind Holdings", "SSO login loop for finance users", "Identity & access", 60, 3, True),
    ("Northwind Holdings", "Backup job failing on SQL01", "Infrastructure", 120, 2, True),
    ("Northwind Retail", "POS terminals drop Wi-Fi at store 12", "Networking", 75, 8, False),
    ("Northwind Retail", "New starter laptops (4)", "End-user support", 140, 18, False),
    ("Northwind Retail", "Printer queue stuck at HQ", "End-user support", 30, 1, True),
    ("Northwind Logistics", "VPN for the warehouse scanners", "Networking", 210, 6, False),
    ("Northwind Logistics", "Mailbox migration for drivers", "Email & collaboration", 90, 1, True),
    ("Fabrikam Clinics", "EHR system slow in the mornings", "Infrastructure", 45, 4, True),
]


def load_demo_credits(actor: Actor, *, now: datetime | None = None) -> int:
    """Loads the demo ledger; returns the number of lots created (0 when it was already there)."""
    require_staff_admin(actor)
    now = now or utcnow()
    with unit_of_work(write=False) as session:
        northwind = require_by_name(session, "Northwind Holdings").id
        if session.exec(select(CreditLot.id).where(CreditLot.holder_org_id == northwind)).first() is not None:
            return 0
        ids = {name: require_by_name(session, name).id for name, *_ in LOTS}
    created = 0
    for org, product, quantity, granted_ago, expired_ago in EXPIRED:
        granted = now - timedelta(days=granted_ago)
        credits.grant(actor, org_id=ids[org], product=product, quantity=quantity, kind="purchased",
                      expires=(now - timedelta(days=expired_ago)).date(), shared=True, at=granted)
        credits.consume(actor, org_id=ids[org], product=product, quantity=quantity // 3,
                        category="Infrastructure", at=granted + timedelta(days=5))
        created += 1
    credits.expire_due(actor, at=now)
    for org, product, quantity, kind, shared, granted_ago, expires_in in LOTS:
        credits.grant(actor, org_id=ids[org], product=product, quantity=quantity, kind=kind, shared=shared,
                      expires=(now + timedelta(days=expires_in)).date() if expires_in is not None else None,
                      at=now - timedelta(days=granted_ago))
        created += 1
    for org, title, category, minutes, days_ago, still_open in TICKETS:
        at = now - timedelta(days=days_ago)
        ticket_id = credits.open_ticket(actor, org_id=ids[org], title=title, category=category)
        credits.hold_for_ticket(actor, ticket_id=ticket_id, product="support_hours", quantity=minutes, at=at)
        if not still_open:
            credits.settle_ticket(actor, ticket_id=ticket_id, used={"support_hours": minutes * 4 // 5},
                                  at=at + timedelta(hours=6))
    return created
