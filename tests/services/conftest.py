"""A small customer world on a fresh database (SQLite and PostgreSQL) for the service tests.

Northwind Holdings is the parent of Northwind Retail and Northwind Logistics (siblings);
Fabrikam Clinics is unrelated. The vendor has an agent and a staff administrator. ``inbox``: a real SMTP server
per test for the notification tests (what it caught: ``tests/utils/mail.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session

from opsportal.db import unit_of_work
from opsportal.devtools.smtp_sink import SmtpSink
from opsportal.models import Organization, User
from opsportal.services.authz import Actor
from opsportal.settings import get_settings
from tests.utils.builders import actor_for, add_org, add_user
from tests.utils.mail import PUBLIC_URL, Inbox, free_port


@pytest.fixture(autouse=True)
def _cheap_hashing(cheap_password_hashing) -> None:
    """Service tests are about rules, not hashing cost (see ``cheap_password_hashing``)."""


@dataclass
class World:
    holdings: Organization
    retail: Organization
    logistics: Organization
    fabrikam: Organization
    users: dict[str, User]

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name])

    def org(self, name: str) -> Organization:
        return getattr(self, name)


@pytest.fixture
def world(database_url: str) -> World:
    with unit_of_work() as session:
        return _build_world(session)


def _build_world(session: Session) -> World:
    def make_org(name, **kwargs):
        return add_org(session, name, **kwargs)

    def make_user(email, **kwargs):
        return add_user(session, email, **kwargs)

    holdings = make_org("Northwind Holdings")
    retail = make_org("Northwind Retail", parent=holdings)
    logistics = make_org("Northwind Logistics", parent=holdings)
    fabrikam = make_org("Fabrikam Clinics")
    users = {
        "holdings_owner": make_user("olivia@northwind.example", role="owner", org=holdings, full_name="Olivia Hart"),
        "holdings_admin": make_user("adam@northwind.example", role="admin", org=holdings, full_name="Adam Reyes"),
        "holdings_billing": make_user("bianca@northwind.example", role="billing", org=holdings,
                                      full_name="Bianca Novak"),
        "holdings_member": make_user("mark@northwind.example", role="member", org=holdings, full_name="Mark Osei"),
        "retail_owner": make_user("rita@retail.northwind.example", role="owner", org=retail,
                                  full_name="Rita Alvarez"),
        "retail_member": make_user("sanjay@retail.northwind.example", role="member", org=retail,
                                   full_name="Sanjay Patel"),
        "logistics_owner": make_user("lena@logistics.northwind.example", role="owner", org=logistics,
                                     full_name="Lena Fischer"),
        "fabrikam_owner": make_user("fiona@fabrikam.example", role="owner", org=fabrikam, full_name="Fiona Walsh"),
        "agent": make_user("alex@opsportal.example", role="agent", full_name="Alex Kim"),
        "staff_admin": make_user("sam@opsportal.example", role="staff_admin", full_name="Sam Taylor"),
    }
    return World(holdings=holdings, retail=retail, logistics=logistics, fabrikam=fabrikam, users=users)


@pytest.fixture
def inbox(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An SMTP server on a free port; the app's settings point at it (after the database fixture's)."""
    port = free_port()
    sink = SmtpSink(tmp_path / "mail", port=port).start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TIMEOUT_SECONDS": "5",
                        "PUBLIC_URL": PUBLIC_URL, "MAIL_DIR": str(tmp_path / "mail")}.items():
        monkeypatch.setenv(f"OPSPORTAL_{name}", value)
    get_settings.cache_clear()
    yield Inbox(sink)
    sink.stop()
    get_settings.cache_clear()
