"""Demo data: a customer group with two subsidiaries, an unrelated customer, and the vendor's staff.

Loading is idempotent: what exists is left as it is, what is missing is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.auth.security import hash_password
from opsportal.db import unit_of_work
from opsportal.domain.identity import email_key
from opsportal.models import Organization, User
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.subscriptions import on_user_created

DEMO_PASSWORD = "demo-password-2026"
# The demo's history (credit lots, tasks, invoices) goes back about ten months: its customers and users were
# created before it.
CUSTOMER_FOR_DAYS = 365

# (name, parent)
DEMO_ORGANIZATIONS = [
    ("Northwind Holdings", None),
    ("Northwind Retail", "Northwind Holdings"),
    ("Northwind Logistics", "Northwind Holdings"),
    ("Fabrikam Clinics", None),
]

# (e-mail, full name, role, organization)
DEMO_USERS = [
    ("olivia.hart@northwind.example", "Olivia Hart", "owner", "Northwind Holdings"),
    ("adam.reyes@northwind.example", "Adam Reyes", "admin", "Northwind Holdings"),
    ("bianca.novak@northwind.example", "Bianca Novak", "billing", "Northwind Holdings"),
    ("mark.osei@northwind.example", "Mark Osei", "member", "Northwind Holdings"),
    ("rita.alvarez@retail.northwind.example", "Rita Alvarez", "owner", "Northwind Retail"),
    ("sanjay.patel@retail.northwind.example", "Sanjay Patel", "member", "Northwind Retail"),
    ("lena.fischer@logistics.northwind.example", "Lena Fischer", "owner", "Northwind Logistics"),
    ("tom.becker@logistics.northwind.example", "Tom Becker", "member", "Northwind Logistics"),
    ("fiona.walsh@fabrikam.example", "Fiona Walsh", "owner", "Fabrikam Clinics"),
    ("alex.kim@opsportal.example", "Alex Kim", "agent", None),
    ("sam.taylor@opsportal.example", "Sam Taylor", "staff_admin", None),
]


@dataclass(frozen=True)
class DemoLoadResult:
    organizations_created: int
    users_created: int
    organizations_total: int
    users_total: int


def _org(session: Session, name: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.name_key == name.casefold())).first()


def load_demo(actor: Actor, *, now: datetime | None = None) -> DemoLoadResult:
    require_staff_admin(actor)
    since = (now or clock.now()) - timedelta(days=CUSTOMER_FOR_DAYS)
    orgs_created = users_created = 0
    password_hash = None
    with unit_of_work() as session:
        for name, parent_name in DEMO_ORGANIZATIONS:
            if _org(session, name) is None:
                parent = _org(session, parent_name) if parent_name else None
                session.add(Organization(name=name, name_key=name.casefold(), parent_id=parent.id if parent else None,
                                         created_at=since))
                session.flush()
                orgs_created += 1
        for email, full_name, role, org_name in DEMO_USERS:
            key = email_key(email)
            if session.exec(select(User.id).where(User.email_key == key)).first() is not None:
                continue
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            org = _org(session, org_name) if org_name else None
            user = User(email=email, email_key=key, full_name=full_name, password_hash=password_hash,
                        role=role, organization_id=org.id if org else None, created_at=since)
            session.add(user)
            session.flush()
            # Each organization's first owner is its primary contact, subscribed to the credit notices.
            on_user_created(session, user)
            users_created += 1
    return DemoLoadResult(organizations_created=orgs_created, users_created=users_created,
                          organizations_total=len(DEMO_ORGANIZATIONS), users_total=len(DEMO_USERS))
