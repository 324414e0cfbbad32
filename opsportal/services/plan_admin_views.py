"""Read-only views for the staff plans page: the whole catalog (withdrawn rows too), regions, organizations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import Organization, PlanBundle, PlanOffering
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_staff_admin


@dataclass(frozen=True)
class CatalogRows:
    offerings: list[PlanOffering]
    bundles: list[PlanBundle]
    regions: list[str]  # region codes
    organizations: list[tuple[int, str]]  # (id, name), by name


def catalog_rows(actor: Actor) -> CatalogRows:
    require_staff_admin(actor)
    with unit_of_work(write=False) as session:
        offerings = list(session.exec(select(PlanOffering).order_by(PlanOffering.kind, PlanOffering.code)).all())
        bundles = list(session.exec(select(PlanBundle).order_by(PlanBundle.code)).all())
        regions = sorted(store.regions(session))
        orgs = [(o.id, o.name) for o in session.exec(select(Organization).order_by(Organization.name)).all()]
        for row in offerings + bundles:
            session.expunge(row)
        return CatalogRows(offerings, bundles, regions, orgs)
