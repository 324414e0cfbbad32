"""The demo services catalog loads once: a handful of services and one request in play (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.services_catalog import RequestState
from opsportal.models import Organization
from opsportal.services import credit_views, services_catalog
from opsportal.services.demo import load_demo
from opsportal.services.demo_services import DEMO_SERVICES, load_demo_services
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW, grant

LATER = NOW + timedelta(days=5)  # the lot is granted before the request


def test_the_demo_catalog_and_its_request_in_play_load_once(database_url):
    load_demo(OPERATOR)
    with unit_of_work(write=False) as session:
        fabrikam = session.exec(select(Organization).where(Organization.name == "Fabrikam Clinics")).one()
    grant(fabrikam, 100)
    assert load_demo_services(OPERATOR, now=LATER) == len(DEMO_SERVICES)
    before = dump_tables()
    assert load_demo_services(OPERATOR, now=LATER) == 0
    assert dump_tables() == before
    assert len(services_catalog.all_services(OPERATOR)) == len(DEMO_SERVICES) >= 4
    requests = services_catalog.requests_of(OPERATOR, fabrikam.id).items
    assert [(r.service, r.state) for r in requests] == [("Architecture review", RequestState.in_play)]
    in_play = credit_views.in_play_by_category(OPERATOR, fabrikam.id, product="service_credits")
    assert [(c.category, c.quantity) for c in in_play] == [("Cloud", 40)]
