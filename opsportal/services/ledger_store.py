"""Loading lots for a decision and writing the entries the domain decided on (inside one unit of work)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, bindparam, insert, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from opsportal import clock
from opsportal.domain.incidents import IncidentStatus
from opsportal.domain.ledger.entries import EntryKind, EntrySpec
from opsportal.domain.ledger.lots import Lot, LotKind, Scope
from opsportal.domain.ledger.order import in_leading_window
from opsportal.domain.ledger.plan import InsufficientBalance, plan_still_holds
from opsportal.domain.ledger.products import Product, Unit
from opsportal.models import CreditHold, CreditLot, IncidentRequest, LedgerEntry, ProductRow
from opsportal.services import changes
from opsportal.services.errors import Conflict, NotFound


def to_domain(row: CreditLot) -> Lot:
    return Lot(id=row.id, product=row.product_code, holder_org_id=row.holder_org_id, kind=LotKind(row.kind),
               quantity=row.quantity, granted_at=row.granted_at, expires_at=row.expires_at, scope=Scope(row.scope),
               assigned_org_id=row.assigned_org_id, remaining=row.remaining, held=row.held)


def product(session: Session, code: str) -> Product:
    row = session.get(ProductRow, (code or "").strip())
    if row is None or not row.active:
        known = ", ".join(session.exec(select(ProductRow.code).where(ProductRow.active).order_by(ProductRow.code)))
        raise NotFound(f"Unknown product {code!r}; known products: {known}.")
    return product_of(row)


def product_of(row: ProductRow) -> Product:
    return Product(code=row.code, name=row.name, unit=Unit(row.unit), allocatable=row.allocatable,
                   tokens_per_credit=row.tokens_per_credit, shows_usage_period=row.shows_usage_period)


def lots_held_for_windows(session: Session, lots: Iterable[CreditLot]) -> set[int]:
    """The ids of ``lots`` holding a paid pay-per-incident window's prepaid units for its still open task."""
    ids = sorted({lot.id for lot in lots if lot.held > 0})
    if not ids:
        return set()
    held = and_(CreditHold.lot_id == IncidentRequest.lot_id, CreditHold.ticket_id == IncidentRequest.ticket_id)
    return set(session.exec(select(IncidentRequest.lot_id).join(CreditHold, held).where(
        IncidentRequest.lot_id.in_(ids), IncidentRequest.status == IncidentStatus.scheduled.value,
        CreditHold.quantity > 0)).all())


def usable_lots_filter(org_id: int, ancestor_ids: list[int]):
    """SQL condition: lots organization ``org_id`` may draw from (expiry and balance not included)."""
    own_or_assigned = and_(CreditLot.scope == Scope.org.value,
                           or_(CreditLot.assigned_org_id == org_id,
                               and_(CreditLot.assigned_org_id.is_(None), CreditLot.holder_org_id == org_id)))
    shared = and_(CreditLot.scope == Scope.shared.value, CreditLot.holder_org_id.in_([org_id, *ancestor_ids]))
    return or_(own_or_assigned, shared)


LOT_COLUMNS = (CreditLot.id, CreditLot.product_code, CreditLot.holder_org_id, CreditLot.kind, CreditLot.quantity,
               CreditLot.granted_at, CreditLot.expires_at, CreditLot.scope, CreditLot.assigned_org_id,
               CreditLot.remaining, CreditLot.held)

P = TypeVar("P")

# How many of the organization's own soonest-expiring lots a draw reads first (see head_of_order).
HEAD_SIZE = 32

# How often a draw on PostgreSQL plans again when the lots it chose changed before it could lock them.
MAX_PLAN_ATTEMPTS = 5

# Test hook: called on PostgreSQL with (session, planned specs) after a plan and before its lots are locked.
before_lock: Callable[[Session, list[EntrySpec]], None] | None = None


_SAVEPOINT = text("SAVEPOINT ledger_draw")
_ROLLBACK_TO_SAVEPOINT = text("ROLLBACK TO SAVEPOINT ledger_draw")


class LotsBusy(Conflict):
    """Other writers kept changing the lots a draw chose; nothing was drawn."""


def live_lots(at: datetime, *, free_only: bool = True):
    """SQL condition: lots granted by ``at`` and not expired at ``at``, whether or not the expiry job has run
    (``domain.ledger.lots.Lot.is_live``); with ``free_only``, only those with some quantity not held
    (remaining > held). Every read of what can still be used asks this, next to ``usable_lots_filter``."""
    live = and_(CreditLot.granted_at <= at, or_(CreditLot.expires_at.is_(None), CreditLot.expires_at > at))
    return and_(live, CreditLot.remaining > CreditLot.held) if free_only else live


def _lots(session: Session, stmt) -> list[Lot]:
    # Through the connection: the ORM's result machinery would double the cost of these few hundred rows.
    return [Lot(*row) for row in session.connection().execute(stmt).all()]


def usable_lots(session: Session, org_id: int, ancestor_ids: list[int], product_code: str,
                at: datetime) -> list[Lot]:
    """The lots the organization may draw from now (free quantity left, granted, not expired), unlocked."""
    return _lots(session, select(*LOT_COLUMNS).where(
        CreditLot.product_code == product_code, usable_lots_filter(org_id, ancestor_ids), live_lots(at)))


def head_of_order(session: Session, org_id: int, ancestor_ids: list[int], product_code: str,
                  at: datetime) -> list[Lot]:
    """The first usable lots in the consumption order, unlocked: the organization's own lots that expire
    before the ``size``-th soonest expiry among them (all of them if it has fewer), per
    ``order.in_leading_window``. A draw these cover takes exactly what it would take from every lot.
    """
    size = HEAD_SIZE
    lots = _lots(session, select(*LOT_COLUMNS).where(
        CreditLot.product_code == product_code, usable_lots_filter(org_id, []), CreditLot.expires_at.is_not(None),
        live_lots(at)).order_by(CreditLot.expires_at).limit(size))
    if not lots:
        return []
    # Lots sharing the last expiry read may continue past the limit: the window stops just before it.
    until = lots[-1].expires_at - (timedelta(microseconds=1) if len(lots) == size else timedelta(0))
    return [lot for lot in lots if in_leading_window(lot, org_id, ancestor_ids, until)]


def _plan(session: Session, org_id: int, ancestor_ids: list[int], product_code: str, at: datetime,
          plan: Callable[[list[Lot]], list[EntrySpec]]) -> list[EntrySpec]:
    """``plan`` over the head of the order if that covers it (a few lots), else over every usable lot.

    An organization with hundreds of live lots would otherwise read and sort all of them on every draw.
    """
    try:
        return plan(head_of_order(session, org_id, ancestor_ids, product_code, at))
    except InsufficientBalance:
        return plan(usable_lots(session, org_id, ancestor_ids, product_code, at))


def lock_lots(session: Session, lot_ids: Iterable[int]) -> list[CreditLot]:
    """The lots ``lot_ids`` as they are now, locked in id order (every writer locks in id order: no deadlocks).

    FOR NO KEY UPDATE on PostgreSQL (the lock an UPDATE of the balance takes anyway: it does not block
    the key-share locks of foreign-key checks); nothing on SQLite, where the writer holds the database.
    """
    ids = sorted(set(lot_ids))
    if not ids:
        return []
    return list(session.exec(select(CreditLot).where(CreditLot.id.in_(ids)).order_by(CreditLot.id)
                             .with_for_update(key_share=True).execution_options(populate_existing=True)).all())


def draw(session: Session, org_id: int, ancestor_ids: list[int], product_code: str, at: datetime,
         plan: Callable[[list[Lot]], list[EntrySpec]], actor_user_id: int | None
         ) -> tuple[list[EntrySpec], dict[int, int]]:
    """Decide a draw with ``plan`` (the domain, in the consumption order) and write it, locking only the
    lots it takes. Returns the entries written and the holder of each drawn lot.

    ``plan`` may raise (InsufficientBalance): nothing is written then.

    SQLite: the writing unit of work holds the database's write lock (BEGIN IMMEDIATE), so what is
    read is what is written on. PostgreSQL: the head of the order is read without locks and ``plan``
    chooses; then, after a savepoint, each chosen lot's balance is moved by one ``UPDATE ... RETURNING``
    (id order), which locks the lot and reads it as it now is. The plan
    must still hold on the lots as they were just before (``plan.plan_still_holds``); if it does not
    (another writer drew from them, an expiry ran, a lot was re-allocated) or the balance check refused
    the update, everything goes back to the savepoint (which gives the locks back) and the draw is
    planned again from fresh data, at most MAX_PLAN_ATTEMPTS times, then LotsBusy. Writers on one
    organization wait only for each other's drawn lots, a lot nobody draws is never locked, and a lot is
    held locked only for its ``UPDATE``, the entries' ``INSERT`` and the ``COMMIT``.
    """
    if session.get_bind().dialect.name == "sqlite":
        specs = _plan(session, org_id, ancestor_ids, product_code, at, plan)
        rows = {r.id: r for r in lock_lots(session, (s.lot_id for s in specs))}
        write_entries(session, rows, specs, actor_user_id)
        return specs, {lot_id: row.holder_org_id for lot_id, row in rows.items()}
    # Nothing may be pending in the session when the savepoint is rolled back to: flush it first.
    session.flush()
    connection = session.connection()
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        specs = _plan(session, org_id, ancestor_ids, product_code, at, plan)
        planned = [(s.lot_id, s.quantity) for s in specs]
        if before_lock is not None:
            before_lock(session, specs)
        # A plain savepoint, never released (COMMIT keeps what follows it): one round trip less.
        connection.execute(_SAVEPOINT)
        before = _move_balances(connection, specs)
        if before is not None and plan_still_holds(planned, before, org_id=org_id, ancestors=ancestor_ids,
                                                   product=product_code, at=at):
            # The entries after the lots are locked: their foreign-key checks' key-share locks on the
            # lots are then this transaction's own, so they can never wait for (or deadlock with) a
            # writer holding lots FOR UPDATE.
            connection.execute(insert(LedgerEntry), _entry_rows([(None, s) for s in specs],
                                                                {s.lot_id: product_code for s in specs},
                                                                actor_user_id))
            _announce(session, specs, before)
            for lot in before:  # a copy of the lot loaded earlier in this session is stale now
                loaded = session.identity_map.get(session.identity_key(CreditLot, lot.id))
                if loaded is not None:
                    session.expire(loaded)
            for spec in specs:
                if spec.delta_held and spec.ticket_id is not None:
                    _move_hold(session, spec.lot_id, product_code, spec)
            session.flush()
            return specs, {lot.id: lot.holder_org_id for lot in before}
        connection.execute(_ROLLBACK_TO_SAVEPOINT)
    raise LotsBusy("Other requests kept drawing on the same credits at this moment; nothing was drawn. "
                   "Please try again.")


def lots_by_ids(session: Session, lot_ids: Iterable[int]) -> list[Lot]:
    """The lots ``lot_ids`` as they are now, unlocked."""
    ids = sorted(set(lot_ids))
    return _lots(session, select(*LOT_COLUMNS).where(CreditLot.id.in_(ids))) if ids else []


def write_plan(session: Session, read: Callable[[], list[Lot]], plan: Callable[[list[Lot]], P],
               ledger_of: Callable[[P], Sequence[tuple[int | None, EntrySpec]]], actor_user_id: int | None) -> P:
    """Decide with ``plan`` over the lots ``read`` returns and write the entries it decided on
    (``ledger_of``: (time entry id or None, entry) pairs in the order they apply), locking only the
    lots those entries touch. Returns what ``plan`` decided.

    For a decision that is more than one draw (a time correction gives back and draws again). SQLite
    plans under the database's write lock. PostgreSQL reads without locks and plans; then, after a
    savepoint, locks the lots that plan touches (one statement, id order), plans again with them as
    they now are, and writes if this plan touches only locked lots. Otherwise it goes back to the
    savepoint (giving the locks back) and tries again, locking the lots of both plans: a lot it locked
    cannot change under it, so the plan settles within a few tries even while other writers drain the
    same lots (at most MAX_PLAN_ATTEMPTS, then LotsBusy).
    """
    if session.get_bind().dialect.name == "sqlite":
        decided = plan(read())
        tagged = list(ledger_of(decided))
        rows = {r.id: r for r in lock_lots(session, (spec.lot_id for _e, spec in tagged))}
        write_tagged(session, rows, tagged, actor_user_id)
        return decided
    session.flush()
    connection = session.connection()
    sticky: set[int] = set()
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        lots = {lot.id: lot for lot in read()}
        first = [spec for _e, spec in ledger_of(plan(list(lots.values())))]
        wanted = sticky | {spec.lot_id for spec in first}
        if before_lock is not None:
            before_lock(session, first)
        connection.execute(_SAVEPOINT)
        rows = lock_lots(session, wanted)
        locked = {row.id: to_domain(row) for row in rows}
        decided = plan(list((lots | locked).values()))
        tagged = list(ledger_of(decided))
        specs = [spec for _e, spec in tagged]
        touched = {spec.lot_id for spec in specs}
        if touched <= locked.keys():
            before = _move_balances(connection, specs) if specs else []
            if before is not None:
                if specs:
                    connection.execute(insert(LedgerEntry), _entry_rows(
                        tagged, {lot.id: lot.product for lot in before}, actor_user_id))
                    _announce(session, specs, before)
                for row in rows:  # stale now: their balances moved under the ORM
                    session.expire(row)
                for spec in specs:
                    if spec.delta_held and spec.ticket_id is not None:
                        _move_hold(session, spec.lot_id, locked[spec.lot_id].product, spec)
                session.flush()
                return decided
        sticky = wanted | touched
        connection.execute(_ROLLBACK_TO_SAVEPOINT)
    raise LotsBusy("Other requests kept drawing on the same hours at this moment; nothing was changed. "
                   "Please try again.")


_lots_table = CreditLot.__table__
_MOVE_BALANCE = (
    update(_lots_table).where(_lots_table.c.id == bindparam("lot_id"))
    .values(remaining=_lots_table.c.remaining + bindparam("d_remaining"),
            held=_lots_table.c.held + bindparam("d_held"))
    .returning(*(_lots_table.c[c.key] for c in LOT_COLUMNS))
)


def _move_balances(connection, specs: list[EntrySpec]) -> list[Lot] | None:
    """Moves each drawn lot's cached balance (one UPDATE per lot, id order: it locks the lot) and returns
    the lots as they were just before; None if the balance check (remaining >= held >= 0) refused one."""
    deltas: dict[int, list[int]] = {}
    for spec in specs:
        d = deltas.setdefault(spec.lot_id, [0, 0])
        d[0] += spec.delta_remaining
        d[1] += spec.delta_held
    before = []
    for lot_id in sorted(deltas):
        d_remaining, d_held = deltas[lot_id]
        try:
            row = connection.execute(_MOVE_BALANCE, {"lot_id": lot_id, "d_remaining": d_remaining,
                                                     "d_held": d_held}).one()
        except IntegrityError:
            return None  # the lot no longer has it; the caller rolls back to its savepoint
        lot = Lot(*row)
        before.append(lot.with_balance(remaining=lot.remaining - d_remaining, held=lot.held - d_held))
    return before


def _entry_rows(tagged: Iterable[tuple[int | None, EntrySpec]], product_of: dict[int, str],
                actor_user_id: int | None) -> list[dict]:
    """Rows for ``(time entry id or None, entry)`` pairs."""
    created_at = clock.now()
    return [dict(lot_id=spec.lot_id, org_id=spec.org_id, product_code=product_of[spec.lot_id],
                 kind=spec.kind.value, quantity=spec.quantity, delta_remaining=spec.delta_remaining,
                 delta_held=spec.delta_held, at=spec.at, ticket_id=spec.ticket_id, category=spec.category,
                 reason=spec.reason[:300], actor_user_id=actor_user_id or None, time_entry_id=time_entry_id,
                 created_at=created_at)
            for time_entry_id, spec in tagged]


def write_entries(session: Session, rows_by_id: dict[int, CreditLot], specs: Iterable[EntrySpec],
                  actor_user_id: int | None, *, time_entry_id: int | None = None) -> None:
    """Appends the entries, moves the cached balances and the per-ticket holds with them.

    The entries are inserted with one Core statement (executemany, no ids read back): nothing reads
    them through this session, and the ORM's INSERT ... RETURNING and identity bookkeeping cost more
    than the rest of a draw's writes.
    """
    write_tagged(session, rows_by_id, [(time_entry_id, spec) for spec in specs], actor_user_id)


def write_tagged(session: Session, rows_by_id: dict[int, CreditLot],
                 tagged: Iterable[tuple[int | None, EntrySpec]], actor_user_id: int | None) -> None:
    """``write_entries`` for entries that each name their time entry (or None), applied in order."""
    tagged = list(tagged)
    specs = [spec for _time_entry_id, spec in tagged]
    for spec in specs:
        lot = rows_by_id[spec.lot_id]
        lot.remaining += spec.delta_remaining
        lot.held += spec.delta_held
        if lot.held < 0 or lot.remaining < lot.held:
            raise AssertionError(f"entry would break lot {lot.id}'s balance")  # the domain prevents this
        session.add(lot)
        if spec.delta_held and spec.ticket_id is not None:
            _move_hold(session, lot.id, lot.product_code, spec)
    session.flush()
    if specs:
        session.connection().execute(insert(LedgerEntry), _entry_rows(
            tagged, {i: r.product_code for i, r in rows_by_id.items()}, actor_user_id))
        _announce(session, specs, rows_by_id.values())


def _announce(session: Session, specs: Iterable[EntrySpec], lots: Iterable[Lot | CreditLot]) -> None:
    """The change feed cannot see statements: it is told the organizations and tasks a draw touched (the drawer,
    each lot's holder and the organization it is allocated to, the tickets)."""
    orgs = {spec.org_id for spec in specs}
    for lot in lots:
        orgs.update(o for o in (lot.holder_org_id, lot.assigned_org_id) if o)
    tickets = {spec.ticket_id for spec in specs if spec.ticket_id}
    changes.mark(session, *(changes.org_topic(o) for o in orgs), *(changes.task_topic(t) for t in tickets))


def _move_hold(session: Session, lot_id: int, product_code: str, spec: EntrySpec) -> None:
    hold = session.exec(
        select(CreditHold).where(CreditHold.lot_id == lot_id, CreditHold.ticket_id == spec.ticket_id)
    ).first()
    if hold is None:
        hold = CreditHold(lot_id=lot_id, ticket_id=spec.ticket_id, org_id=spec.org_id, product_code=product_code,
                          category=spec.category or "", quantity=0)
    hold.quantity += spec.delta_held
    if hold.quantity == 0 and spec.kind is not EntryKind.allocate:
        if hold.id is not None:
            session.delete(hold)
        return
    session.add(hold)
