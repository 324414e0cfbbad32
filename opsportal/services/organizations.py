"""Organizations: creating them, the tree, and what a dashboard shows of one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain.access import may_view_organization
from opsportal.domain.organizations import clean_organization_name
from opsportal.domain.roles import Role
from opsportal.models import Organization, User
from opsportal.services.authz import (
    Actor,
    require_manage_organization,
    require_staff,
    require_staff_admin,
    require_view_organization,
)
from opsportal.services.changes import org_topic
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence
from opsportal.services.orgtree import ancestors, find_by_name, names, require_by_name, subtree
from opsportal.services.pagination import Page, clamp


@dataclass(frozen=True)
class OrganizationPublic:
    id: int
    name: str
    parent_id: int | None
    parent_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Subsidiary:
    id: int
    name: str
    may_open: bool  # whether the caller may open its page (domain.access): links only where they lead somewhere


@dataclass(frozen=True)
class OrganizationOverview:
    organization: OrganizationPublic
    children: list[str]
    members_by_role: dict[str, int]
    member_count: int
    subsidiaries: list[Subsidiary] = field(default_factory=list)


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    name: str
    parent_name: str | None
    member_count: int


def _public(session: Session, org: Organization) -> OrganizationPublic:
    parent = session.get(Organization, org.parent_id) if org.parent_id else None
    return OrganizationPublic(id=org.id, name=org.name, parent_id=org.parent_id,
                              parent_name=parent.name if parent else None, created_at=org.created_at)


def create_organization(actor: Actor, *, name: str, parent_name: str | None = None) -> OrganizationPublic:
    require_staff_admin(actor)
    try:
        clean = clean_organization_name(name)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    with unit_of_work() as session:
        parent = None
        if parent_name is not None:
            parent = find_by_name(session, parent_name)
            if parent is None:
                raise NotFound(f"Unknown parent organization {parent_name!r}.")
        if find_by_name(session, clean) is not None:
            raise Conflict(f"An organization named {clean!r} already exists.")
        org = Organization(name=clean, name_key=clean.casefold(), parent_id=parent.id if parent else None)
        session.add(org)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"An organization named {clean!r} already exists.") from None
        return _public(session, org)


def get_overview(actor: Actor, organization_id: int) -> OrganizationOverview:
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        org = session.get(Organization, organization_id)
        if org is None:
            raise NotFound("That organization was not found or you do not have access to it.")
        children = session.exec(
            select(Organization.id, Organization.name).where(Organization.parent_id == org.id)
            .order_by(Organization.name_key)
        ).all()
        counts = dict(
            session.exec(
                select(User.role, func.count()).where(User.organization_id == org.id, User.is_active)
                .group_by(User.role)
            ).all()
        )
        by_role = {r.value: int(counts.get(r.value, 0)) for r in (Role.owner, Role.admin, Role.billing, Role.member)}
        subsidiaries = [Subsidiary(id=i, name=name, may_open=may_view_organization(actor.principal, i))
                        for i, name in children]
        return OrganizationOverview(organization=_public(session, org), children=[s.name for s in subsidiaries],
                                    members_by_role=by_role, member_count=sum(by_role.values()),
                                    subsidiaries=subsidiaries)


def list_organizations(actor: Actor, *, search: str = "", page: int = 1, page_size: int = 25) -> Page[OrganizationRow]:
    """Every customer organization with its member count, for staff."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    parent = Organization.__table__.alias("parent")
    members = (
        select(User.organization_id, func.count().label("n"))
        .where(User.is_active).group_by(User.organization_id).subquery()
    )
    filters = []
    if search.strip():
        filters.append(Organization.name_key.contains(search.strip().casefold(), autoescape=True))
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(Organization).where(*filters)).one()
        rows = session.exec(
            select(Organization.id, Organization.name, parent.c.name, func.coalesce(members.c.n, 0))
            .outerjoin(parent, parent.c.id == Organization.parent_id)
            .outerjoin(members, members.c.organization_id == Organization.id)
            .where(*filters)
            .order_by(Organization.name_key)
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
    return Page(items=[OrganizationRow(id=r[0], name=r[1], parent_name=r[2], member_count=int(r[3])) for r in rows],
                page=page, page_size=page_size, total=int(total))


def resolve_id(actor: Actor, name: str) -> int:
    """The id of the organization named ``name`` (any case), for staff tools."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        return require_by_name(session, name).id


def allocation_targets(actor: Actor, organization_id: int) -> list[tuple[int, str]]:
    """The organization and its descendants, as (id, name): where its lots may be allocated."""
    require_manage_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        ids = subtree(session, organization_id)
        named = names(session, set(ids))
        return [(i, named[i]) for i in ids if i in named]


def change_topics(actor: Actor, organization_id: int) -> list[str]:
    """What an open page of the organization follows on the change feed: the organization and its ancestors,
    whose shared credits it may use."""
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        return [org_topic(i) for i in (organization_id, *ancestors(session, organization_id))]
