"""Whether an organization holds Gold Support today, and what a subsidiary without it is told when an ancestor
holds it (``domain.gold_scope``: Gold is held per organization). Read inside the caller's unit of work; the caller
has checked that the actor may see the organization."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from opsportal import clock
from opsportal.domain.gold_scope import GoldElsewhere, gold_elsewhere
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.roles import Role
from opsportal.models import User
from opsportal.services import orgtree
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor
from opsportal.services.plans import may_buy


def has_gold(session: Session, organization_id: int | None, at: datetime | None = None) -> bool:
    """Whether the organization holds a Gold term in force today (its home region's day; UTC's without one), on the
    same clock as the Plans page says so (``clock.coverage_now``)."""
    if organization_id is None:
        return False
    at = at or clock.coverage_now()
    found = store.profile(session, organization_id)
    home = store.regions(session).get(found[0]) if found else None
    today = entitlement_day(home, at)
    return any(row.offering_code == OfferingCode.gold.value and store.entitlement_of(row).is_active_on(today)
               for row in store.entitlement_rows(session, organization_id))


def gold_elsewhere_notice(session: Session, actor: Actor, org_id: int | None, at: datetime | None = None
                          ) -> GoldElsewhere | None:
    """For a customer of ``org_id`` (their own organization): the notice when it lacks Gold and an ancestor holds
    it; None when it holds Gold, when no ancestor does, or for staff (who read coverage on the staff pages)."""
    if actor.is_staff or org_id is None or has_gold(session, org_id, at):
        return None
    ancestors, names = orgtree.lineage(session, org_id)
    holder = next((a for a in ancestors if has_gold(session, a, at)), None)
    if holder is None:
        return None
    own = actor.organization_id == org_id
    owners = () if not own or may_buy(actor.role) else tuple(session.exec(
        select(User.full_name).where(User.organization_id == org_id, User.role == Role.owner.value,
                                     User.is_active.is_(True)).order_by(User.full_name).limit(3)).all())
    return gold_elsewhere(organization=names[org_id], holder=names[holder], may_buy=own and may_buy(actor.role),
                          owners=owners)
