"""Demo services catalog: a handful of services priced in service credits, and one request in play (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.models import CatalogService, Organization, ServiceRequest, User
from opsportal.services import services_catalog
from opsportal.services.authz import Actor, require_staff_admin

# (name, category, price in credits, description)
DEMO_SERVICES = (
    ("Health check", "Infrastructure", 12,
     "An engineer reviews your servers, storage and monitoring against our checklist and sends a written report "
     "with what to fix first."),
    ("Upgrade assistance", "Infrastructure", 24,
     "Planning and hands-on help with a version upgrade: a tested plan, a rehearsal, and an engineer on call "
     "during the change window."),
    ("Architecture review", "Cloud", 40,
     "A senior engineer reviews your cloud architecture for cost, resilience and security, and walks you through "
     "the recommendations."),
    ("Security assessment", "Security", 30,
     "A review of accounts, access rights, patch levels and exposed services, with a prioritised list of risks."),
    ("Training session", "End-user support", 8,
     "A two-hour remote training session for up to ten of your staff on a topic you choose."),
    ("Backup and recovery test", "Backup & recovery", 16,
     "We restore a sample of your backups to a clean environment and report what came back and how long it took."),
)
# The request in play: Fabrikam Clinics' owner asked for an architecture review two days ago. (Not Northwind
# Holdings: its first lot is the one the credits page's allocation is shown on, and a hold would split it.)
DEMO_REQUEST = ("Fabrikam Clinics", "fiona.walsh@fabrikam.example", "Architecture review",
                "We are moving our patient portal to the cloud next quarter; please review the target design.")


def load_demo_services(actor: Actor, *, now: datetime | None = None) -> int:
    """Adds the demo services that are missing and the demo request if the organization has none; returns the
    number of services added."""
    require_staff_admin(actor)
    now = now or clock.now()
    with unit_of_work(write=False) as session:
        present = set(session.exec(select(CatalogService.name)).all())
    added = 0
    for name, category, price, description in DEMO_SERVICES:
        if name not in present:
            services_catalog.save_service(actor, service_id=None, name=name, description=description,
                                          category=category, price_credits=price, at=now)
            added += 1
    org_name, email, service_name, note = DEMO_REQUEST
    with unit_of_work(write=False) as session:
        org = session.exec(select(Organization).where(Organization.name == org_name)).first()
        owner = session.exec(select(User).where(User.email == email, User.role == Role.owner.value)).first()
        service = session.exec(select(CatalogService).where(CatalogService.name == service_name)).first()
        if org is None or owner is None or service is None or session.exec(
                select(ServiceRequest.id).where(ServiceRequest.organization_id == org.id)).first() is not None:
            return added
    requester = Actor(user_id=owner.id, role=Role.owner, organization_id=org.id, session_id="demo",
                      email=owner.email, full_name=owner.full_name, organization_name=org.name)
    services_catalog.request_service(requester, service_id=service.id, note=note, at=now - timedelta(days=2))
    return added
