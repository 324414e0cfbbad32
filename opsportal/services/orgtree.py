"""Reading the organization tree inside a unit of work (no authorization: callers check first)."""

from __future__ import annotations

from sqlalchemy import literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from opsportal.domain.organizations import clean_organization_name
from opsportal.models import Organization
from opsportal.services.errors import NotFound

MAX_DEPTH = 32


def ancestors(session: Session, org_id: int) -> list[int]:
    """The organization's ancestors, nearest first. One indexed lookup per level."""
    chain: list[int] = []
    parent = session.exec(select(Organization.parent_id).where(Organization.id == org_id)).first()
    while parent is not None and len(chain) < MAX_DEPTH:
        chain.append(parent)
        parent = session.exec(select(Organization.parent_id).where(Organization.id == parent)).first()
    return chain


def lineage(session: Session, org_id: int) -> tuple[list[int], dict[int, str]]:
    """The organization's ancestors (nearest first) and the names of it and of them, in one statement.

    NotFound if there is no such organization.
    """
    up = (select(Organization.id, Organization.parent_id, Organization.name, literal(0).label("depth"))
          .where(Organization.id == org_id).cte("up", recursive=True))
    parent = aliased(Organization)
    up = up.union_all(select(parent.id, parent.parent_id, parent.name, (up.c.depth + 1).label("depth"))
                      .where(parent.id == up.c.parent_id, up.c.depth < MAX_DEPTH))
    rows = session.execute(select(up.c.id, up.c.name, up.c.depth).order_by(up.c.depth)).all()
    if not rows:
        raise NotFound("That organization was not found or you do not have access to it.")
    return [r.id for r in rows[1:]], {r.id: r.name for r in rows}


def subtree(session: Session, org_id: int) -> list[int]:
    """The organization and all its descendants, breadth first."""
    found, frontier = [org_id], [org_id]
    while frontier and len(found) < 100_000:
        frontier = list(session.exec(select(Organization.id).where(Organization.parent_id.in_(frontier))).all())
        found.extend(frontier)
    return found


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def require_org(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("That organization was not found or you do not have access to it.")
    return org


def find_by_name(session: Session, name: str) -> Organization | None:
    """The organization named ``name`` regardless of case and spacing, or None (also for unusable names)."""
    try:
        key = clean_organization_name(name).casefold()
    except ValueError:
        return None
    return session.exec(select(Organization).where(Organization.name_key == key)).first()


def require_by_name(session: Session, name: str) -> Organization:
    org = find_by_name(session, name)
    if org is None:
        raise NotFound(f"Unknown organization {name!r}.")
    return org
