"""Demo data for customers acting on their tickets: colleagues following a few open tickets, satisfaction
ratings on solved ones over the months (the staff ratings page), and one follow-up ticket of an old closed one.

Everything goes through the use cases (``services.ticket_actions``) at instants after the demo tasks' own, so the
rows are what the real flows write. Called once by ``demo_tasks.load_demo_tasks`` after it created the tasks.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.roles import CUSTOMER_ROLES, Role
from opsportal.domain.tasks import CLOSED_STATUSES, OPEN_STATUSES
from opsportal.models import Organization, Ticket, User
from opsportal.services import ticket_actions
from opsportal.services.authz import Actor

SEED = 15
RATED_SHARE = 0.45  # about this many of the solved tickets with a customer requester get a rating
GOOD_SHARE = 0.85
GOOD_COMMENTS = ("Fixed quickly, thank you!", "Alex explained every step, much appreciated.",
                 "Works perfectly again.", "Great, and thanks for calling back.")
BAD_COMMENTS = ("It took three days to get a first answer.", "The problem came back the next morning.")
FOLLOW_UP_TEXT = ("The same problem is back since this morning: the fix from the last ticket did not hold. "
                  "Could you take another look?")


def _actor(user: User, org: Organization) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id, session_id="demo",
                 email=user.email, full_name=user.full_name, organization_name=org.name)


def load_demo_ticket_actions(org_names: list[str], now: datetime) -> None:
    rng = random.Random(SEED)
    with unit_of_work(write=False) as session:
        orgs = list(session.exec(select(Organization).where(Organization.name.in_(org_names))
                                 .order_by(Organization.id)).all())
        people = {o.id: list(session.exec(select(User).where(
            User.organization_id == o.id, User.is_active, User.role.in_([r.value for r in CUSTOMER_ROLES]))
            .order_by(User.id)).all()) for o in orgs}
        tickets = list(session.exec(select(Ticket).where(
            Ticket.organization_id.in_([o.id for o in orgs]), Ticket.created_by_user_id.is_not(None))
            .order_by(Ticket.id)).all())
    by_id = {o.id: o for o in orgs}
    users = {u.id: u for us in people.values() for u in us}
    requested = [t for t in tickets if t.created_by_user_id in users]

    def requester(t: Ticket) -> Actor:
        return _actor(users[t.created_by_user_id], by_id[t.organization_id])

    # Colleagues copied on the newest open tickets (the requester adds them).
    open_ones = [t for t in reversed(requested) if t.status in {s.value for s in OPEN_STATUSES}]
    for ticket in open_ones[:6]:
        others = [u for u in people[ticket.organization_id] if u.id != ticket.created_by_user_id]
        if others:
            colleague = others[ticket.id % len(others)]
            ticket_actions.add_follower(requester(ticket), ticket.id, colleague.id,
                                        at=max(ticket.created_at, now - timedelta(hours=1)))

    solved = [t for t in requested if t.status in {s.value for s in CLOSED_STATUSES} and t.closed_at is not None]
    # The newest solved ticket is always rated (the task page shows the card); others now and then.
    for index, ticket in enumerate(reversed(solved)):
        if index and rng.random() > RATED_SHARE:
            continue
        good = index == 0 or rng.random() < GOOD_SHARE
        comment = rng.choice(GOOD_COMMENTS if good else BAD_COMMENTS) if index == 0 or rng.random() < 0.5 else ""
        ticket_actions.rate(requester(ticket), ticket.id, "good" if good else "bad", comment,
                            at=min(now, ticket.closed_at + timedelta(hours=rng.randint(1, 20))))

    # One follow-up: a customer continues a ticket closed more than the reopen window ago, a few hours ago.
    old = [t for t in solved if t.closed_at < now - timedelta(days=8)]
    if old:
        ticket = old[-1]
        ticket_actions.open_follow_up(requester(ticket), ticket.id, FOLLOW_UP_TEXT, at=now - timedelta(hours=3))
