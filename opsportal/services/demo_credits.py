"""Demo credits: the lots of both products across the Northwind tree, at past dates, so every part of the Hours &
Credits page has something to show. Purchased support hours are hour blocks the customers bought by card
(``demo_purchases``: a checkout confirmed as Stripe's webhook confirms it, with its paid receipt); the other lots
are granted through the staff grant service (complimentary hours, service credits bought under contract).

Only purchases and grants happen here. Every use of them (holds, time logged on tasks, service requests, expiry)
is a step of the demo's story in ``demo_tasks``, run in date order through the real use cases: a lot is never
drawn before it was granted, and what expires is what the story left unused.

Idempotent: skipped when the demo group already holds lots.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import CreditLot
from opsportal.services import credits, hour_blocks, prepaid
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.demo_billing import set_demo_terms
from opsportal.services.demo_purchases import buy_hour_block, buyer
from opsportal.services.demo_tasks import ORGANIZATIONS
from opsportal.services.orgtree import require_by_name

# (organization, product, quantity, type, shared, granted days ago, expires in days or None)
LOTS = [
    # The head office's own block (its subsidiaries share the complimentary hours below, not this one).
    ("Northwind Holdings", "support_hours", 8 * 60, "complimentary", True, 20, 25),
    ("Northwind Holdings", "service_credits", 50, "complimentary", True, 30, 20),
    ("Northwind Holdings", "service_credits", 200, "purchased", False, 90, 200),
    ("Northwind Holdings", "kaizen_enterprise", 10, "purchased", True, 100, None),
    ("Northwind Retail", "support_hours", 10 * 60, "complimentary", False, 15, 45),
    ("Northwind Retail", "service_credits", 30, "purchased", False, 40, 100),
    ("Fabrikam Clinics", "service_credits", 80, "purchased", False, 50, 150),
]
# Kaizen Platform credits (seed 002), granted apart so a database loaded before they were added gets them too:
# (organization, product, quantity, type, granted days ago, expires in days). Jumpstart shows no usage period; the
# "w/ 7 Tokens" offers carry 7 tokens a credit; the subsidiary's Demo credit still names "All organizations".
KAIZEN_LOTS = [
    ("Northwind Holdings", "kaizen_jumpstart", 5, "purchased", 45, 320),
    ("Northwind Holdings", "network_offer_7_tokens", 2, "purchased", 30, 335),
    ("Northwind Holdings", "targeting_offer_7_tokens", 3, "complimentary", 12, 170),
    ("Northwind Retail", "kaizen_demo", 1, "complimentary", 8, 22),
]
# Hour blocks bought on Buy hours, paid by card: (organization, block, bought days ago). A block is usable for its
# validity from the day of payment (Starter 180 days, the others 365), in the organization's own currency.
PURCHASES = [
    # The head office's first blocks: expired since, after the early work drew on them.
    ("Northwind Holdings", "Starter block", 300),
    ("Northwind Holdings", "Starter block", 290),
    # Its own hours now (its subsidiaries share the complimentary hours above, not these).
    ("Northwind Holdings", "Enterprise block", 60),
    ("Northwind Holdings", "Enterprise block", 60),
    ("Northwind Logistics", "Growth block", 10),
    ("Fabrikam Clinics", "Standard block", 50),
    # Bought this week, once the block above had run out (the time logged in between is pay-as-you-go).
    ("Fabrikam Clinics", "Standard block", 5),
]
# Lots granted long ago that have expired since:
# (organization, product, quantity, type, shared, granted days ago, expired days ago).
# The tasks draw on them while they are live (see ``demo_tasks.STORIES``); what they left unused expired.
EXPIRED = [
    ("Northwind Holdings", "service_credits", 40, "purchased", False, 200, 45),
    ("Northwind Retail", "support_hours", 5 * 60, "complimentary", False, 150, 15),
]


def load_demo_credits(actor: Actor, *, now: datetime | None = None) -> int:
    """Buys and grants the demo lots; returns the number of lots created (0 when they were already there).

    The catalog, currencies and tax rates are set first: a purchase is priced as the customer would see it."""
    require_staff_admin(actor)
    now = now or clock.now()
    with unit_of_work(write=False) as session:
        northwind = require_by_name(session, "Northwind Holdings").id
        if session.exec(select(CreditLot.id).where(CreditLot.holder_org_id == northwind)).first() is not None:
            return load_demo_kaizen_credits(actor, now=now)
        ids = {name: require_by_name(session, name).id for name in ORGANIZATIONS}
    hour_blocks.ensure_demo_catalog(actor)
    for name, (rate, currency, _tasks) in ORGANIZATIONS.items():
        prepaid.set_hourly_rate(actor, ids[name], hourly_rate_minor=rate, currency=currency)
    set_demo_terms(actor, ids)
    grants = [(org, product, quantity, kind, shared, granted_ago, -expired_ago)
              for org, product, quantity, kind, shared, granted_ago, expired_ago in EXPIRED] + LOTS
    # (days ago, order, what): a grant has 7 fields, a purchase 3.
    steps = [(g[5], n, g) for n, g in enumerate(grants)]
    steps += [(p[2], len(grants) + n, p) for n, p in enumerate(PURCHASES)]
    buyers = {name: buyer(name) for name, _block, _ago in PURCHASES}
    # In date order, so lot numbers follow the dates.
    for days_ago, _n, step in sorted(steps, key=lambda s: (-s[0], s[1])):
        at = now - timedelta(days=days_ago)
        if len(step) == 3:
            buy_hour_block(buyers[step[0]], step[1], at)
            continue
        org, product, quantity, kind, shared, _granted_ago, expires_in = step
        expires = (now + timedelta(days=expires_in)).date() if expires_in is not None else None
        credits.grant(actor, org_id=ids[org], product=product, quantity=quantity, kind=kind, shared=shared,
                      expires=expires, at=at)
    return len(steps) + load_demo_kaizen_credits(actor, now=now)


def load_demo_kaizen_credits(actor: Actor, *, now: datetime | None = None) -> int:
    """Grants the Kaizen demo lots each organization does not hold yet (by product); returns how many."""
    require_staff_admin(actor)
    now = now or clock.now()
    with unit_of_work(write=False) as session:
        ids = {org: require_by_name(session, org).id for org, *_rest in KAIZEN_LOTS}
        held = set(session.exec(select(CreditLot.holder_org_id, CreditLot.product_code).where(
            CreditLot.holder_org_id.in_(ids.values()),
            CreditLot.product_code.in_([lot[1] for lot in KAIZEN_LOTS]))).all())
    made = 0
    for org, product, quantity, kind, granted_ago, expires_in in KAIZEN_LOTS:
        if (ids[org], product) in held:
            continue
        credits.grant(actor, org_id=ids[org], product=product, quantity=quantity, kind=kind,
                      expires=(now + timedelta(days=expires_in)).date(), at=now - timedelta(days=granted_ago))
        made += 1
    return made
