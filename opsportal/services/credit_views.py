"""What the Hours & Credits page and `credits balance` show, computed with SQL aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, literal, or_, text
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.credit_notices import FreeCredit, Usage
from opsportal.domain.ledger.lots import end_of_day
from opsportal.domain.ledger.views import BUCKETS
from opsportal.models import CreditHold, CreditLot, LedgerEntry, ProductRow, Ticket
from opsportal.services import ledger_store as store
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_view_organization, require_visible
from opsportal.services.credits import LotPublic, lot_public, product_labels
from opsportal.services.pagination import Page, clamp


@dataclass(frozen=True)
class ProductSummary:
    product: str
    name: str
    unit: str
    available: int
    in_play: int
    used_30d: int
    expiring_30d: int


@dataclass(frozen=True)
class Balance:
    organization: str
    product: str
    unit: str
    available: int
    in_play: int
    lots: list[LotPublic]
    expiry_schedule: dict[str, int]


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    quantity: int
    tickets: int


@dataclass(frozen=True)
class TicketTotal:
    ticket_id: int
    title: str
    status: str
    quantity: int


def _now_utc(at: datetime | None) -> datetime:
    """``at`` (default now) in UTC: days and months are counted by UTC dates, as in ``domain.ledger.views``."""
    return (at or clock.now()).astimezone(UTC)


USED_KINDS = ("consume", "refund")


def _net_used():
    """Used quantity net of what was given back (a corrected time entry refunds its draw)."""
    return func.coalesce(func.sum(case((LedgerEntry.kind == "refund", -LedgerEntry.quantity),
                                       else_=LedgerEntry.quantity)), 0)


def _usable(session: Session, org_id: int):
    # The ancestry is read once per unit of work (balance asks for it twice: its lots and the schedule).
    known = session.info.setdefault("credit_views.ancestors", {})
    if org_id not in known:
        known[org_id] = orgtree.ancestors(session, org_id)
    return store.usable_lots_filter(org_id, known[org_id])


def _free():
    return func.coalesce(func.sum(CreditLot.remaining - CreditLot.held), 0)


def summary(actor: Actor, org_id: int, *, at: datetime | None = None) -> list[ProductSummary]:
    """Per product the organization has touched: available now, in play, used in 30 days, expiring in 30 days."""
    require_view_organization(actor, org_id)
    at = _now_utc(at)
    soon = end_of_day(at.date() + timedelta(days=30))
    with unit_of_work(write=False) as session:
        orgtree.require_org(session, org_id)
        usable = _usable(session, org_id)
        # Available and expiring in one pass over the usable live lots (expiring ones are a subset).
        expiring_free = func.coalesce(func.sum(case((CreditLot.expires_at <= soon,
                                                     CreditLot.remaining - CreditLot.held), else_=0)), 0)
        free_rows = session.exec(
            select(CreditLot.product_code, _free(), expiring_free).where(usable, store.live_lots(at, free_only=False))
            .group_by(CreditLot.product_code)
        ).all()
        available = {code: free for code, free, _soon in free_rows}
        expiring = {code: soon_free for code, _free_now, soon_free in free_rows}
        in_play = in_play_by_product(session, org_id)
        used = dict(session.exec(
            select(LedgerEntry.product_code, _net_used())
            .where(LedgerEntry.org_id == org_id, LedgerEntry.kind.in_(USED_KINDS),
                   LedgerEntry.at > at - timedelta(days=30), LedgerEntry.at <= at)
            .group_by(LedgerEntry.product_code)
        ).all())
        touched = set(available) | set(in_play) | set(used) | {"support_hours", "service_credits"}
        products = session.exec(select(ProductRow).where(ProductRow.code.in_(touched)).order_by(ProductRow.name)).all()
        # Support hours first: they are what most customers come for.
        products = sorted(products, key=lambda p: (p.code != "support_hours", p.code != "service_credits", p.name))
        return [ProductSummary(product=p.code, name=p.name, unit=p.unit, available=int(available.get(p.code, 0)),
                               in_play=in_play.get(p.code, 0), used_30d=int(used.get(p.code, 0) or 0),
                               expiring_30d=int(expiring.get(p.code, 0))) for p in products]


def in_play_by_product(session: Session, org_id: int) -> dict[str, int]:
    """What the organization's open tickets hold, per product."""
    rows = session.exec(select(CreditHold.product_code, func.sum(CreditHold.quantity))
                        .where(CreditHold.org_id == org_id).group_by(CreditHold.product_code)).all()
    return {code: int(q or 0) for code, q in rows}


def expiry_schedule(session: Session, org_id: int, product: str, at: datetime) -> dict[str, int]:
    at = _now_utc(at)
    bounds = [end_of_day(at.date() + timedelta(days=d)) for d in (30, 60, 90, 120)]
    bucket = case(
        (CreditLot.expires_at.is_(None), literal("none")),
        (CreditLot.expires_at <= bounds[0], literal("0-30")),
        (CreditLot.expires_at <= bounds[1], literal("31-60")),
        (CreditLot.expires_at <= bounds[2], literal("61-90")),
        (CreditLot.expires_at <= bounds[3], literal("91-120")),
        else_=literal("later"),
    )
    rows = session.exec(
        select(bucket, _free()).where(CreditLot.product_code == product, _usable(session, org_id),
                                      store.live_lots(at)).group_by(bucket)
    ).all()
    schedule = dict.fromkeys(BUCKETS, 0)
    schedule.update({name: int(q) for name, q in rows})
    return schedule


def balance(actor: Actor, org_id: int, *, product: str = "support_hours", at: datetime | None = None,
            lot_limit: int = 200) -> Balance:
    require_view_organization(actor, org_id)
    at = _now_utc(at)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        prod = store.product(session, product)
        usable = _usable(session, org_id)
        by_expiry = expiry_schedule(session, org_id, prod.code, at)
        # The schedule splits exactly the available credit: lots it leaves out (remaining == held) have none free.
        available = sum(by_expiry.values())
        in_play = session.exec(select(func.coalesce(func.sum(CreditHold.quantity), 0))
                               .where(CreditHold.org_id == org_id, CreditHold.product_code == prod.code)).one()
        rows = session.exec(
            select(CreditLot).where(CreditLot.product_code == prod.code, usable, store.live_lots(at, free_only=False),
                                    CreditLot.remaining > 0)
            .order_by(CreditLot.expires_at.is_(None), CreditLot.expires_at, CreditLot.id).limit(lot_limit)
        ).all()
        names = orgtree.names(session, {r.holder_org_id for r in rows} | {r.assigned_org_id for r in rows
                                                                        if r.assigned_org_id})
        labels, windows = product_labels(session), store.lots_held_for_windows(session, rows)
        return Balance(organization=org.name, product=prod.code, unit=prod.unit.value, available=int(available),
                       in_play=int(in_play),
                       lots=[lot_public(session, r, names, labels, window_lots=windows, at=at) for r in rows],
                       expiry_schedule=by_expiry)


def credit_list(actor: Actor, org_id: int, *, page: int = 1, page_size: int = 20,
                at: datetime | None = None) -> Page[LotPublic]:
    """Lots the organization holds or may use, soonest expiry first (expired and spent lots included)."""
    require_view_organization(actor, org_id)
    page, page_size = clamp(page, page_size)
    with unit_of_work(write=False) as session:
        orgtree.require_org(session, org_id)
        where = or_(_usable(session, org_id), CreditLot.holder_org_id == org_id)
        total = session.exec(select(func.count()).select_from(CreditLot).where(where)).one()
        rows = session.exec(
            select(CreditLot).where(where)
            .order_by((CreditLot.remaining == 0), CreditLot.expires_at.is_(None), CreditLot.expires_at, CreditLot.id)
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
        names = orgtree.names(session, {r.holder_org_id for r in rows} | {r.assigned_org_id for r in rows
                                                                        if r.assigned_org_id})
        labels, windows = product_labels(session), store.lots_held_for_windows(session, rows)
        at = _now_utc(at)
        return Page(items=[lot_public(session, r, names, labels, window_lots=windows, at=at) for r in rows],
                    page=page, page_size=page_size, total=int(total))


def in_play_by_category(actor: Actor, org_id: int, *, product: str) -> list[CategoryTotal]:
    require_view_organization(actor, org_id)
    with unit_of_work(write=False) as session:
        rows = session.exec(
            select(CreditHold.category, func.sum(CreditHold.quantity), func.count(func.distinct(CreditHold.ticket_id)))
            .where(CreditHold.org_id == org_id, CreditHold.product_code == product, CreditHold.quantity > 0)
            .group_by(CreditHold.category).order_by(CreditHold.category)
        ).all()
    return [CategoryTotal(category=c, quantity=int(q), tickets=int(n)) for c, q, n in rows]


def in_play_tickets(actor: Actor, org_id: int, *, product: str, category: str) -> list[TicketTotal]:
    require_view_organization(actor, org_id)
    with unit_of_work(write=False) as session:
        rows = session.exec(
            select(Ticket.id, Ticket.title, Ticket.status, func.sum(CreditHold.quantity))
            .join(Ticket, Ticket.id == CreditHold.ticket_id)
            .where(CreditHold.org_id == org_id, CreditHold.product_code == product, CreditHold.category == category,
                   CreditHold.quantity > 0)
            .group_by(Ticket.id, Ticket.title, Ticket.status).order_by(Ticket.id.desc()).limit(200)
        ).all()
    return [TicketTotal(ticket_id=i, title=t, status=s, quantity=int(q)) for i, t, s, q in rows]


def _used_where(org_id: int, product: str, since: datetime, at: datetime):
    return (LedgerEntry.org_id == org_id, LedgerEntry.kind.in_(USED_KINDS), LedgerEntry.product_code == product,
            LedgerEntry.at > since, LedgerEntry.at <= at)


def used_by_category(actor: Actor, org_id: int, *, product: str, days: int = 365,
                     at: datetime | None = None) -> list[CategoryTotal]:
    require_view_organization(actor, org_id)
    at = at or clock.now()
    with unit_of_work(write=False) as session:
        rows = session.exec(
            select(LedgerEntry.category, _net_used(), func.count(func.distinct(LedgerEntry.ticket_id)))
            .where(*_used_where(org_id, product, at - timedelta(days=days), at))
            .group_by(LedgerEntry.category).order_by(LedgerEntry.category)
        ).all()
    return [CategoryTotal(category=c or "Uncategorized", quantity=int(q), tickets=int(n)) for c, q, n in rows
            if q]


def used_tickets(actor: Actor, org_id: int, *, product: str, category: str, days: int = 365,
                 at: datetime | None = None) -> list[TicketTotal]:
    require_view_organization(actor, org_id)
    at = at or clock.now()
    with unit_of_work(write=False) as session:
        rows = session.exec(
            select(Ticket.id, Ticket.title, Ticket.status, _net_used())
            .join(Ticket, Ticket.id == LedgerEntry.ticket_id)
            .where(*_used_where(org_id, product, at - timedelta(days=days), at), LedgerEntry.category == category)
            .group_by(Ticket.id, Ticket.title, Ticket.status).order_by(Ticket.id.desc()).limit(200)
        ).all()
    return [TicketTotal(ticket_id=i, title=t, status=s, quantity=int(q)) for i, t, s, q in rows if q]


def expired_by_month(actor: Actor, org_id: int, *, product: str, at: datetime | None = None) -> list[tuple[str, int]]:
    """Expired quantity per calendar month (YYYY-MM) over the last 365 days, oldest first."""
    require_view_organization(actor, org_id)
    at = at or clock.now()
    with unit_of_work(write=False) as session:
        # SQLite stores naive UTC; on PostgreSQL the column is timestamptz, which to_char would
        # render in the session's time zone: convert to UTC first so months are UTC months.
        # An expiry is stamped at the midnight after the lot's last day: a second earlier is the
        # month the customer lost it in.
        month = (func.strftime("%Y-%m", LedgerEntry.at, "-1 second") if session.get_bind().dialect.name == "sqlite"
                 else func.to_char(func.timezone("UTC", LedgerEntry.at) - text("interval '1 second'"), "YYYY-MM"))
        rows = session.exec(
            select(month, func.sum(LedgerEntry.quantity))
            .where(LedgerEntry.org_id == org_id, LedgerEntry.kind == "expire", LedgerEntry.product_code == product,
                   LedgerEntry.at > at - timedelta(days=365), LedgerEntry.at <= at)
            .group_by(month).order_by(month)
        ).all()
    return [(m, int(q)) for m, q in rows]


# --- the figures of the credit notices (services.notice_jobs, which checks who asks; in the caller's session) ---


def free_credits(session: Session, org_id: int, at: datetime) -> list[FreeCredit]:
    """Free credit the organization may use at ``at``, summed per product, type and expiry instant."""
    rows = session.exec(
        select(CreditLot.product_code, CreditLot.kind, CreditLot.expires_at, _free())
        .where(_usable(session, org_id), store.live_lots(at))
        .group_by(CreditLot.product_code, CreditLot.kind, CreditLot.expires_at)
    ).all()
    return [FreeCredit(product=p, kind=k, expires_at=e if e is None or e.tzinfo else e.replace(tzinfo=UTC),
                       quantity=int(q)) for p, k, e, q in rows]


def used_by_product_and_category(session: Session, org_id: int, since: datetime, at: datetime) -> list[Usage]:
    """Net use in (``since``, ``at``] per product and category."""
    rows = session.exec(
        select(LedgerEntry.product_code, LedgerEntry.category, _net_used())
        .where(LedgerEntry.org_id == org_id, LedgerEntry.kind.in_(USED_KINDS), LedgerEntry.at > since,
               LedgerEntry.at <= at)
        .group_by(LedgerEntry.product_code, LedgerEntry.category)
    ).all()
    return [Usage(product=p, category=c or "Uncategorized", quantity=int(q or 0)) for p, c, q in rows]


def expired_by_product(session: Session, org_id: int, since: datetime, at: datetime) -> dict[str, int]:
    """Expired in (``since``, ``at``] per product: the expiry job's entries, plus lots past their expiry that the
    job has not reached yet (reads treat them as expired already)."""
    out: dict[str, int] = {}
    for product, quantity in session.exec(
            select(LedgerEntry.product_code, func.sum(LedgerEntry.quantity))
            .where(LedgerEntry.org_id == org_id, LedgerEntry.kind == "expire", LedgerEntry.at > since,
                   LedgerEntry.at <= at).group_by(LedgerEntry.product_code)).all():
        out[product] = out.get(product, 0) + int(quantity)
    # The loss is the organization the lot serves (see Lot.owner_org_id): the usable filter without ancestors.
    for product, quantity in session.exec(
            select(CreditLot.product_code, func.sum(CreditLot.remaining - CreditLot.held))
            .where(store.usable_lots_filter(org_id, []), CreditLot.expires_at > since, CreditLot.expires_at <= at,
                   CreditLot.remaining > CreditLot.held)
            .group_by(CreditLot.product_code)).all():
        out[product] = out.get(product, 0) + int(quantity)
    return out


@dataclass(frozen=True)
class TicketSnapshot:
    id: int
    title: str
    category: str
    status: str
    created_at: datetime
    held: dict[str, int]
    used: dict[str, int]


def ticket_snapshot(actor: Actor, ticket_id: int) -> TicketSnapshot:
    with unit_of_work(write=False) as session:
        ticket = session.get(Ticket, ticket_id)
        # Another organization's ticket reads exactly like a missing one.
        require_visible(actor, ticket.organization_id if ticket is not None else None,
                        "That ticket was not found or you do not have access to it.")
        held = dict(session.exec(select(CreditHold.product_code, func.sum(CreditHold.quantity))
                                 .where(CreditHold.ticket_id == ticket_id).group_by(CreditHold.product_code)).all())
        used = dict(session.exec(select(LedgerEntry.product_code, _net_used())
                                 .where(LedgerEntry.ticket_id == ticket_id, LedgerEntry.kind.in_(USED_KINDS))
                                 .group_by(LedgerEntry.product_code)).all())
        return TicketSnapshot(id=ticket.id, title=ticket.title, category=ticket.category, status=ticket.status,
                              created_at=ticket.created_at, held={k: int(v) for k, v in held.items() if v},
                              used={k: int(v) for k, v in used.items()})


def schedule(actor: Actor, org_id: int, *, product: str, at: datetime | None = None) -> tuple[str, dict[str, int]]:
    """(organization name, expiry schedule of ``product``) for the page's chart."""
    require_view_organization(actor, org_id)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        return org.name, expiry_schedule(session, org_id, store.product(session, product).code, at or clock.now())


@dataclass(frozen=True)
class ProductOption:
    code: str
    name: str
    unit: str
    allocatable: bool


def products(actor: Actor) -> list[ProductOption]:
    """The active products, for forms (any signed-in user may read the catalog)."""
    del actor  # the catalog holds no organization data
    with unit_of_work(write=False) as session:
        rows = session.exec(select(ProductRow).where(ProductRow.active).order_by(ProductRow.name)).all()
        return [ProductOption(code=p.code, name=p.name, unit=p.unit, allocatable=p.allocatable) for p in rows]
