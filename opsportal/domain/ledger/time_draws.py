"""How time logged on a task draws support hours, and how a correction draws them again.

A time entry draws, in this order: the hours held for its task (in ``entries.hold_order_key``), then
free hours in the consumption order, and what neither covers is pay-as-you-go. Each minute drawn is
recorded with where it came from, so a correction can give it back there: minutes taken from the
task's hold go back into the hold while the task is open (a closed task's holds were released when it
closed, so they come back free, as that release would have given them), minutes taken from free
hours come back free (and expire at once on a lot past its expiry).

A correction gives back what the corrected entry and every later entry of the task drew, then draws
them again in the order they were logged, each as a fresh log would. So after any sequence of logs and
corrections the task's holds, the free hours and every entry's prepaid/pay-as-you-go split are what
logging the corrected minutes directly would have given (at the same instant: a lot that expired
meanwhile takes back nothing; and a billed entry, which the service leaves out, keeps its draws). An
entry whose draws come out the same is left untouched (no entries); one whose draws change gives back
everything it drew and draws again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from opsportal.domain.ledger.entries import EntryKind, EntrySpec, hold_order_key
from opsportal.domain.ledger.lots import Lot
from opsportal.domain.ledger.order import Candidate
from opsportal.domain.ledger.plan import available, plan_draw

FROM_HOLD = "used from the hours set aside for this ticket"


@dataclass(frozen=True)
class Drawn:
    """What one time entry took and has not given back: lot id -> minutes, by source."""

    from_hold: Mapping[int, int] = field(default_factory=dict)
    free: Mapping[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.from_hold.values()) + sum(self.free.values())

    def same_as(self, other: Drawn) -> bool:
        def clean(m: Mapping[int, int]) -> dict[int, int]:
            return {k: v for k, v in m.items() if v}
        return clean(self.from_hold) == clean(other.from_hold) and clean(self.free) == clean(other.free)


def drawn_from_entries(rows: Iterable[tuple[int, str, int, int]]) -> Drawn:
    """What a time entry's ledger entries (lot id, kind, quantity, delta_held) left drawn.

    A consume that moved ``held`` drew on the task's hold; a refund that moved it gave back into the
    hold. Before holds were given back as such, a correction refunded hold minutes as free ones: a free
    refund beyond the free draws on a lot is read as the return of hold minutes it was.
    """
    hold: dict[int, int] = {}
    free: dict[int, int] = {}
    for lot_id, kind, quantity, delta_held in rows:
        sign = {EntryKind.consume.value: 1, EntryKind.refund.value: -1}.get(str(kind))
        if sign is None:
            continue
        into = hold if delta_held else free
        into[lot_id] = into.get(lot_id, 0) + sign * quantity
    for lot_id, q in list(free.items()):
        if q < 0:
            hold[lot_id] = hold.get(lot_id, 0) + q
            free[lot_id] = 0
    if any(q < 0 for q in hold.values()):
        raise ValueError("a time entry gave back more than it drew")
    return Drawn(from_hold={k: v for k, v in hold.items() if v}, free={k: v for k, v in free.items() if v})


@dataclass(frozen=True)
class EntryToDraw:
    """A time entry to (re)draw: its id, its minutes now, and what it has drawn so far."""

    entry_id: int
    minutes: int
    drawn: Drawn = field(default_factory=Drawn)


@dataclass(frozen=True)
class EntryDrawn:
    entry_id: int
    prepaid_minutes: int
    payg_minutes: int
    drawn: Drawn
    changed: bool  # whether ledger entries were written for it


@dataclass(frozen=True)
class TimeDraw:
    """The outcome: each entry's split, the ledger entries (time entry id, entry) in the order they
    apply (every give-back before any draw), and the task's holds afterwards (lot id -> minutes)."""

    entries: tuple[EntryDrawn, ...]
    ledger: tuple[tuple[int, EntrySpec], ...]
    holds: Mapping[int, int]


class _Lots:
    """The lots as the rule moves them (a working copy)."""

    def __init__(self, lots: Iterable[Lot]):
        self.by_id = {lot.id: lot for lot in lots}

    def move(self, lot_id: int, d_remaining: int, d_held: int) -> None:
        lot = self.by_id[lot_id]
        self.by_id[lot_id] = lot.with_balance(remaining=lot.remaining + d_remaining, held=lot.held + d_held)


def draw_time(lots: Iterable[Lot], holds: Mapping[int, int], entries: Sequence[EntryToDraw], *, org_id: int,
              ancestors: Sequence[int], product: str, at: datetime, ticket_id: int, category: str,
              task_open: bool, explain: Callable[[Candidate], str]) -> TimeDraw:
    """Give back what ``entries`` drew and draw their minutes again, in the order given (the order they
    were logged): each from the task's ``holds`` first (lot id -> minutes held), then
    from free ``lots`` in the consumption order, the rest pay-as-you-go.

    ``lots`` must include every lot held or drawn and the usable ones; a fresh log is one entry that has
    drawn nothing.
    """
    work = _Lots(lots)
    held = {k: v for k, v in holds.items() if v > 0}
    # 1. Everything the entries drew goes back where it came from (on the working copy).
    for entry in entries:
        for lot_id, q in entry.drawn.from_hold.items():
            if task_open:
                work.move(lot_id, q, q)
                held[lot_id] = held.get(lot_id, 0) + q
            else:
                work.move(lot_id, q, 0)
                if work.by_id[lot_id].is_expired(at):
                    work.move(lot_id, -q, 0)
        for lot_id, q in entry.drawn.free.items():
            work.move(lot_id, q, 0)
            if work.by_id[lot_id].is_expired(at):
                work.move(lot_id, -q, 0)
    # 2. Each entry draws again, as a fresh log would.
    results: list[tuple[EntryToDraw, Drawn, list[EntrySpec]]] = []
    for entry in entries:
        specs: list[EntrySpec] = []
        from_hold: dict[int, int] = {}
        left = entry.minutes
        for lot_id in sorted(held, key=lambda i: hold_order_key(work.by_id[i], org_id, ancestors)):
            if left <= 0:
                break
            take = min(left, held[lot_id])
            if take <= 0:
                continue
            left -= take
            held[lot_id] -= take
            work.move(lot_id, -take, -take)
            from_hold[lot_id] = from_hold.get(lot_id, 0) + take
            specs.append(EntrySpec(lot_id, EntryKind.consume, take, -take, -take, org_id, at, ticket_id, category,
                                   FROM_HOLD))
        free: dict[int, int] = {}
        prepaid_free = min(left, available(work.by_id.values(), org_id=org_id, ancestors=ancestors, product=product,
                                           at=at))
        if prepaid_free > 0:
            for d in plan_draw(work.by_id.values(), org_id=org_id, ancestors=ancestors, product=product,
                               quantity=prepaid_free, at=at):
                work.move(d.lot_id, -d.quantity, 0)
                free[d.lot_id] = free.get(d.lot_id, 0) + d.quantity
                specs.append(EntrySpec(d.lot_id, EntryKind.consume, d.quantity, -d.quantity, 0, org_id, at,
                                       ticket_id, category, explain(d.candidate)))
        results.append((entry, Drawn(from_hold=from_hold, free=free), specs))
    # 3. Only entries whose draws change get ledger entries: all they drew back, then the new draws.
    give_backs: list[tuple[int, EntrySpec]] = []
    draws: list[tuple[int, EntrySpec]] = []
    outcomes = []
    for entry, now, specs in results:
        changed = not entry.drawn.same_as(now)
        if changed:
            give_backs += [(entry.entry_id, s) for s in _give_back(entry, work, org_id=org_id, at=at,
                                                                    ticket_id=ticket_id, category=category,
                                                                    task_open=task_open)]
            draws += [(entry.entry_id, s) for s in specs]
        outcomes.append(EntryDrawn(entry.entry_id, now.total, entry.minutes - now.total, now, changed))
    return TimeDraw(entries=tuple(outcomes), ledger=tuple(give_backs + draws),
                    holds={k: v for k, v in held.items() if v > 0})


def _give_back(entry: EntryToDraw, work: _Lots, *, org_id: int, at: datetime, ticket_id: int, category: str,
               task_open: bool) -> list[EntrySpec]:
    """The entries returning everything ``entry`` drew to where it came from, lot by lot in id order."""
    out = []
    reason = f"given back: time entry #{entry.entry_id} corrected"
    sources = [(lot_id, q, True) for lot_id, q in entry.drawn.from_hold.items()]
    sources += [(lot_id, q, False) for lot_id, q in entry.drawn.free.items()]
    for lot_id, q, from_hold in sorted(sources, key=lambda s: (s[0], not s[2])):
        if q <= 0:
            continue
        into_hold = from_hold and task_open
        out.append(EntrySpec(lot_id, EntryKind.refund, q, q, q if into_hold else 0, org_id, at, ticket_id, category,
                             f"{reason}, back into the hours held for the ticket" if into_hold else reason))
        lot = work.by_id[lot_id]
        if not into_hold and lot.is_expired(at):
            out.append(EntrySpec(lot_id, EntryKind.expire, q, -q, 0, lot.owner_org_id, at, None, None,
                                 "given back after the lot's expiry"))
    return out
