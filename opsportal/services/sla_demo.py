"""Demo tickets whose service-level clocks are running now: some on track, some near breach, some breached.

Each is opened so much business time before ``now`` (on its own plan's clock) that the staff queue, sorted by time
to breach, shows the whole range whatever the hour the demo is loaded at. Idempotent: a demo ticket already there
(same title in the same organization) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import sla as rules
from opsportal.domain.identity import email_key
from opsportal.domain.roles import Role
from opsportal.models import Ticket, User
from opsportal.services import agent_work, plan_store, tasks
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.orgtree import find_by_name

SEARCH_MINUTES = 60 * 24 * 60  # look back at most 60 days for the opening instant


@dataclass(frozen=True)
class DemoTicket:
    organization: str
    customer: str  # e-mail
    title: str
    category: str
    priority: str
    elapsed: int  # minutes of the ticket's clock since it was opened
    replied_after: int | None  # minutes of its clock before the agent's first reply (None: no reply yet)
    description: str


DEMO_TICKETS = (
    DemoTicket("Northwind Holdings", "mark.osei@northwind.example", "Card payments failing at the Leeds store",
               "Networking", "urgent", 95, None,
               "Since this morning every card payment at the Leeds store is declined with 'host unreachable'. "
               "Cash only for now."),
    DemoTicket("Northwind Holdings", "adam.reyes@northwind.example",
               "VPN disconnects every few minutes for the finance team", "Networking", "high", 200, None,
               "The finance team's VPN sessions drop every 3-5 minutes; month-end close is this week."),
    DemoTicket("Northwind Holdings", "olivia.hart@northwind.example", "Warehouse scanners cannot sync orders",
               "Infrastructure", "urgent", 540, 15,
               "Handheld scanners in the warehouse show 'sync failed' and orders are not reaching the ERP."),
    DemoTicket("Northwind Holdings", "mark.osei@northwind.example", "New starter laptop for Priya",
               "End-user support", "normal", 120, 25,
               "Priya joins the buying team on Monday: laptop, e-mail and access to the shared drives, please."),
    DemoTicket("Fabrikam Clinics", "fiona.walsh@fabrikam.example", "Patient check-in kiosks frozen",
               "End-user support", "urgent", 50, None,
               "All three check-in kiosks at the Eastside clinic froze on the welcome screen."),
)
AGENT = "alex.kim@opsportal.example"


def _actor(user: User, org_name: str | None) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id, session_id="demo",
                 email=user.email, full_name=user.full_name, organization_name=org_name)


def opened_before(found: rules.SlaClock, regions, now: datetime, elapsed: int) -> datetime:
    """The latest instant from which ``elapsed`` minutes of the clock have passed by ``now``."""
    lo, hi = 0, SEARCH_MINUTES  # real minutes back
    while lo < hi:
        mid = (lo + hi) // 2
        if rules.business_minutes_between(found, regions, now - timedelta(minutes=mid), now) >= elapsed:
            hi = mid
        else:
            lo = mid + 1
    return now - timedelta(minutes=lo)


def load_demo_sla(actor: Actor, *, now: datetime | None = None) -> int:
    """Opens the demo's running-SLA tickets; returns how many were added."""
    require_staff_admin(actor)
    now = now or clock.now()
    plans = []
    with unit_of_work(write=False) as session:
        regions = plan_store.regions(session)
        agent = session.exec(select(User).where(User.email_key == email_key(AGENT))).first()
        for demo in DEMO_TICKETS:
            org = find_by_name(session, demo.organization)
            customer = session.exec(select(User).where(User.email_key == email_key(demo.customer))).first()
            if org is None or customer is None or agent is None:
                continue
            if session.exec(select(Ticket.id).where(Ticket.organization_id == org.id,
                                                    Ticket.title == demo.title)).first() is not None:
                continue
            found = rules.clock_for(plan_store.org_plan(session, org.id, now), regions, demo.priority, now)
            if found is None:
                continue
            plans.append((demo, _actor(customer, org.name), found))
        agent_actor = _actor(agent, None) if agent is not None else None
    added = 0
    for demo, customer, found in plans:
        opened = opened_before(found, regions, now, demo.elapsed)
        ticket = tasks.create_ticket(customer, subject=demo.title, category=demo.category, priority=demo.priority,
                                     description=demo.description, at=opened)
        if demo.replied_after is not None:
            replied = rules.add_business_minutes(found, regions, opened, demo.replied_after)
            agent_work.assign(agent_actor, ticket.id, agent_actor.user_id, at=replied)
            tasks.add_comment(agent_actor, ticket.id, "Thanks for the details: I'm on it and will update you here.",
                              at=replied)
        added += 1
    return added
