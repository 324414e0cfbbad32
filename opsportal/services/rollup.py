"""The parent-company roll-up: a parent's owners and administrators read their subsidiaries' tasks and hours.

Read-only by construction: nothing here writes, and the task writes (``services.tasks.add_comment``, the staff's
``agent_work``) keep their own check (``authz.require_visible``: the task's own organization or staff), so a parent's
user who reads a subsidiary's task here still cannot comment on it or change it. Who may read what is
``domain.rollup.may_roll_up``: downward only, never to the parent or a sibling.

Totals per organization are aggregated in SQL (one grouped query per figure, over the whole tree at once):
open tasks, tasks closed in the period, time logged in the period split prepaid / pay-as-you-go with the
pay-as-you-go value per currency, and the support hours each organization can use now.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_, text
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.ledger.lots import Scope as LotScope
from opsportal.domain.roles import ORG_MANAGER_ROLES
from opsportal.domain.rollup import PeriodChoice, Window, may_roll_up, period_days, window
from opsportal.domain.tasks import CLOSED_STATUSES, OPEN_STATUSES
from opsportal.models import CreditLot, Organization, Ticket, TimeEntry
from opsportal.services import ledger_store as store
from opsportal.services import orgtree, signoff_store, tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.pagination import Page

HOURS = "support_hours"
ORG_NOT_FOUND = "That organization was not found or you do not have access to it."
MANAGERS_ONLY = "Only the organization's owners and administrators see its subsidiaries' support."
EXPORT_BATCH = 100
EXPORT_MAX_ROWS = 50_000


@dataclass(frozen=True)
class TreeOrg:
    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 for the organization the roll-up is read for


@dataclass(frozen=True)
class Tree:
    """The organization a roll-up is read for and every organization below it, parents before their children."""

    orgs: list[TreeOrg]

    @property
    def root(self) -> TreeOrg:
        return self.orgs[0]

    @property
    def ids(self) -> list[int]:
        return [o.id for o in self.orgs]


@dataclass(frozen=True)
class OrgTotals:
    organization_id: int | None  # None for the line over the whole tree
    name: str
    depth: int = 0
    open_tasks: int = 0
    closed_in_period: int = 0
    minutes: int = 0
    prepaid_minutes: int = 0
    payg_minutes: int = 0
    payg_amount_by_currency: tuple[tuple[str, int], ...] = ()  # (currency, minor units), by currency
    available_minutes: int = 0  # support hours usable now (own, assigned and inherited shared lots)


@dataclass(frozen=True)
class Rollup:
    tree: Tree
    period: Window
    rows: list[OrgTotals]  # the tree's order
    total: OrgTotals  # every organization's sums; available hours counted once per lot, not once per user of it
    subsidiaries: list[TreeOrg] = field(default_factory=list)  # the tree without its root


_DOWN = text("""
    WITH RECURSIVE down (id, parent_id, name, name_key, depth) AS (
        SELECT id, parent_id, name, name_key, 0 FROM organization WHERE id = :root
        UNION ALL
        SELECT o.id, o.parent_id, o.name, o.name_key, down.depth + 1 FROM organization o
        JOIN down ON o.parent_id = down.id WHERE down.depth < :max_depth
    )
    SELECT id, parent_id, name, name_key, depth FROM down
""")


def _tree(session: Session, root_id: int) -> Tree:
    rows = session.connection().execute(_DOWN, {"root": root_id, "max_depth": orgtree.MAX_DEPTH}).all()
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r.parent_id if r.id != root_id else None, []).append(r)
    ordered: list[TreeOrg] = []

    def visit(parent: int | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.name_key, r.id)):
            ordered.append(TreeOrg(id=r.id, name=r.name, parent_id=r.parent_id, depth=r.depth))
            visit(r.id)

    visit(None)
    return Tree(orgs=ordered)


def _authorize(session: Session, actor: Actor, root_id: int | None) -> tuple[int, list[int]]:
    """The organization the roll-up is read for and its ancestors; refused as if missing unless the actor may."""
    if root_id is None:
        if actor.is_staff or actor.organization_id is None:
            raise InvalidInput("Choose the organization whose subsidiaries to show.")
        root_id = actor.organization_id
    if actor.organization_id == root_id and not actor.is_staff and actor.role not in ORG_MANAGER_ROLES:
        raise PermissionDenied(MANAGERS_ONLY)
    ancestors, _names = orgtree.lineage(session, root_id)  # NotFound for a missing organization
    if not may_roll_up(actor.principal, [root_id, *ancestors]):
        raise NotFound(ORG_NOT_FOUND)
    return root_id, ancestors


def _scope(session: Session, actor: Actor, root_id: int | None) -> tuple[Tree, list[int]]:
    root_id, ancestors = _authorize(session, actor, root_id)
    return _tree(session, root_id), ancestors


def _chosen(tree: Tree, subsidiary_id: int | None) -> list[int]:
    if subsidiary_id is None:
        return tree.ids
    if subsidiary_id not in tree.ids:
        raise NotFound(ORG_NOT_FOUND)
    return [subsidiary_id]


def has_subsidiaries(actor: Actor, org_id: int | None = None) -> bool:
    """Whether the actor may open a roll-up of ``org_id`` (default: their own) and it has subsidiaries."""
    try:
        with unit_of_work(write=False) as session:
            root_id, _ = _authorize(session, actor, org_id)
            return session.exec(select(Organization.id).where(Organization.parent_id == root_id).limit(1)).first() \
                is not None
    except (NotFound, PermissionDenied, InvalidInput):
        return False


def tree(actor: Actor, org_id: int | None = None) -> Tree:
    with unit_of_work(write=False) as session:
        return _scope(session, actor, org_id)[0]


def _filters(tree: Tree, subsidiary_id: int | None, *, tab: str, search: str, status: str, category: str) -> list:
    try:
        filters = tasks.task_filters(organization_id=None, tab=tab, search=search[:100], status=status,
                                     category=category)
    except ValueError:
        raise InvalidInput("Unknown status.") from None
    return [Ticket.organization_id.in_(_chosen(tree, subsidiary_id)), *filters]


def list_tasks(actor: Actor, org_id: int | None = None, *, subsidiary_id: int | None = None, tab: str = "open",
               search: str = "", status: str = "", category: str = "", sort: str = "updated", page: int = 1,
               page_size: int = 20) -> Page[tasks.TaskRow]:
    """One page of the tasks of the organization and every organization below it (or of one of them:
    ``subsidiary_id``), with the task list's filters and sorts (``tab``: open, closed or all)."""
    with unit_of_work(write=False) as session:
        scope, _ = _scope(session, actor, org_id)
        filters = _filters(scope, subsidiary_id, tab=tab, search=search, status=status, category=category)
        return tasks.page_of_tasks(session, filters, sort=sort, page=page, page_size=page_size)


def export_batches(actor: Actor, org_id: int | None = None, **criteria) -> Iterator[list[tasks.TaskRow]]:
    """Every task ``list_tasks`` would list, a page at a time (authorized before the first batch is returned)."""
    first = list_tasks(actor, org_id, page=1, page_size=EXPORT_BATCH, **criteria)

    def batches():
        yield first.items
        for page in range(2, min(first.pages, EXPORT_MAX_ROWS // EXPORT_BATCH) + 1):
            yield list_tasks(actor, org_id, page=page, page_size=EXPORT_BATCH, **criteria).items

    return batches()


def period(choice: str, time_zone: str, first: date | None = None, last: date | None = None,
           at: datetime | None = None) -> Window:
    """The period's days in the reader's zone (``domain.rollup.period_days``) and the instants that bound them."""
    today = formats.local_date(at or clock.now(), time_zone)
    try:
        days = period_days(choice, today, first, last)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return window(*days, time_zone)


def _available(session: Session, ids: list[int], above: list[int],
               at: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Free support hours now: of organization-scoped lots per organization using them, of shared lots per holder.

    Two grouped sums: organization-scoped lots by the organization using them (the one assigned, else the holder),
    and shared lots by holder (usable by the holder and everything below it, ``ledger_store.usable_lots_filter``).
    """
    free = func.coalesce(func.sum(CreditLot.remaining - CreditLot.held), 0)
    user = func.coalesce(CreditLot.assigned_org_id, CreditLot.holder_org_id)
    live = (CreditLot.product_code == HOURS, store.live_lots(at))
    own = dict(session.exec(select(user, free).where(
        *live, CreditLot.scope == LotScope.org.value,
        or_(CreditLot.assigned_org_id.in_(ids),
            and_(CreditLot.assigned_org_id.is_(None), CreditLot.holder_org_id.in_(ids)))).group_by(user)).all())
    shared = dict(session.exec(select(CreditLot.holder_org_id, free).where(
        *live, CreditLot.scope == LotScope.shared.value, CreditLot.holder_org_id.in_([*ids, *above]))
        .group_by(CreditLot.holder_org_id)).all())
    return own, shared


def totals(actor: Actor, org_id: int | None = None, *, choice: str = PeriodChoice.this_month.value,
           first: date | None = None, last: date | None = None, time_zone: str | None = None,
           at: datetime | None = None) -> Rollup:
    """Per organization of the tree: open tasks, tasks closed in the period, time logged in it (by the entries'
    work days) and the support hours it can use now; the period's days are the reader's (``time_zone``)."""
    at = (at or clock.now()).astimezone(UTC)
    span = period(choice, time_zone or actor.time_zone, first, last, at=at)
    with unit_of_work(write=False) as session:
        scope, above = _scope(session, actor, org_id)
        ids = scope.ids
        open_by = dict(session.exec(select(Ticket.organization_id, func.count()).where(
            Ticket.organization_id.in_(ids), Ticket.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(Ticket.organization_id)).all())
        closed_by = dict(session.exec(select(Ticket.organization_id, func.count()).where(
            Ticket.organization_id.in_(ids), Ticket.status.in_([s.value for s in CLOSED_STATUSES]),
            Ticket.closed_at >= span.start, Ticket.closed_at < span.end).group_by(Ticket.organization_id)).all())
        time_rows = session.exec(
            select(TimeEntry.organization_id, TimeEntry.currency, func.sum(TimeEntry.minutes),
                   func.sum(TimeEntry.prepaid_minutes), func.sum(signoff_store.counted_payg_minutes()),
                   func.sum(signoff_store.counted_payg_amount()))
            .where(TimeEntry.organization_id.in_(ids), TimeEntry.work_date >= span.first,
                   TimeEntry.work_date <= span.last)
            .group_by(TimeEntry.organization_id, TimeEntry.currency)).all()
        own, shared = _available(session, ids, above, at)
    return _assemble(scope, above, span, open_by, closed_by, time_rows, own, shared)


def _assemble(scope: Tree, above: list[int], span: Window, open_by: dict, closed_by: dict, time_rows: list,
              own: dict, shared: dict) -> Rollup:
    """Puts the grouped sums together: a handful of numbers per organization of the tree, no rows read here."""
    parents = {o.id: o.parent_id for o in scope.orgs}
    root_chain = [scope.root.id, *above]

    def chain(org_id: int) -> list[int]:
        up = []
        while org_id != scope.root.id:
            up.append(org_id)
            org_id = parents[org_id]
        return up + root_chain

    rows = []
    for org in scope.orgs:
        mine = [r for r in time_rows if r[0] == org.id]
        rows.append(OrgTotals(
            organization_id=org.id, name=org.name, depth=org.depth, open_tasks=int(open_by.get(org.id, 0)),
            closed_in_period=int(closed_by.get(org.id, 0)), minutes=sum(int(r[2] or 0) for r in mine),
            prepaid_minutes=sum(int(r[3] or 0) for r in mine), payg_minutes=sum(int(r[4] or 0) for r in mine),
            payg_amount_by_currency=tuple(sorted((r[1], int(r[5] or 0)) for r in mine if r[5])),
            available_minutes=int(own.get(org.id, 0)) + sum(int(shared.get(i, 0)) for i in chain(org.id))))
    amounts: dict[str, int] = {}
    for r in rows:
        for currency, minor in r.payg_amount_by_currency:
            amounts[currency] = amounts.get(currency, 0) + minor
    total = OrgTotals(
        organization_id=None, name="All organizations", open_tasks=sum(r.open_tasks for r in rows),
        closed_in_period=sum(r.closed_in_period for r in rows), minutes=sum(r.minutes for r in rows),
        prepaid_minutes=sum(r.prepaid_minutes for r in rows), payg_minutes=sum(r.payg_minutes for r in rows),
        payg_amount_by_currency=tuple(sorted(amounts.items())),
        available_minutes=sum(int(v) for v in own.values()) + sum(int(shared.get(i, 0)) for i in
                                                                   [*scope.ids, *above]))
    return Rollup(tree=scope, period=span, rows=rows, total=total, subsidiaries=scope.orgs[1:])


def _load_in_tree(session: Session, actor: Actor, ticket_id: int):
    """The task, when the actor may read it through the roll-up; refused exactly like a missing task otherwise."""
    ticket = session.get(Ticket, ticket_id) if 0 < ticket_id <= tasks.MAX_TASK_ID else None
    if ticket is None or not may_roll_up(actor.principal,
                                         [ticket.organization_id, *orgtree.ancestors(session, ticket.organization_id)]):
        raise NotFound(tasks.TASK_NOT_FOUND)
    return ticket


def get_task(actor: Actor, ticket_id: int, **window) -> tasks.TaskDetail:
    """A task of the actor's organization or one below it, read-only (``tasks.get_task``'s window arguments)."""
    return tasks.get_task(actor, ticket_id, load=_load_in_tree, **window)


def change_topics(actor: Actor, org_id: int | None = None) -> list[str]:
    """What an open roll-up follows on the change feed: every organization of the tree (refused like the roll-up)."""
    from opsportal.services.changes import org_topic

    with unit_of_work(write=False) as session:
        return [org_topic(i) for i in _scope(session, actor, org_id)[0].ids]

