"""Time on a task draws its hold first, then free hours, the rest pay-as-you-go; a correction gives minutes
back where they came from and draws again, so any sequence of logs and corrections ends where logging the
corrected minutes directly would have."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain.ledger.entries import EntryKind, EntrySpec, apply, hold
from opsportal.domain.ledger.lots import Lot, LotKind, Scope
from opsportal.domain.ledger.time_draws import Drawn, EntryToDraw, TimeDraw, draw_time, drawn_from_entries
from tests.unit.ledger.builders import ANCESTORS, CHILD_A, CHILD_B, NOW, PRODUCT, ROOT, days_from_now, make_lot

TASK, CATEGORY, ORG = 77, "Infrastructure", CHILD_A


def reason(candidate) -> str:
    return f"lot {candidate.lot.id}"


def draw(lots, holds, entries, *, task_open=True, at=NOW) -> TimeDraw:
    return draw_time(lots, holds, entries, org_id=ORG, ancestors=ANCESTORS[ORG], product=PRODUCT, at=at,
                     ticket_id=TASK, category=CATEGORY, task_open=task_open, explain=reason)


@dataclass
class Task:
    """One task's world as the service keeps it: the lots, the task's holds, its entries' ledger rows."""

    lots: dict[int, Lot]
    holds: dict[int, int]
    minutes: dict[int, int] = field(default_factory=dict)  # entry id -> minutes, in log order
    ledger: list[tuple[int, EntrySpec]] = field(default_factory=list)
    split: dict[int, tuple[int, int]] = field(default_factory=dict)  # entry id -> (prepaid, pay-as-you-go)
    task_open: bool = True

    def drawn(self, entry_id: int) -> Drawn:
        return drawn_from_entries((s.lot_id, s.kind.value, s.quantity, s.delta_held)
                                  for e, s in self.ledger if e == entry_id)

    def run(self, entry_ids: list[int], at=NOW) -> TimeDraw:
        decided = draw(list(self.lots.values()), self.holds,
                       [EntryToDraw(i, self.minutes[i], self.drawn(i)) for i in entry_ids],
                       task_open=self.task_open, at=at)
        specs = [s for _e, s in decided.ledger]
        # Applied one by one, as the store writes them: no entry may break a lot's balance on the way.
        self.lots = {lot_id: apply(lot, specs) for lot_id, lot in self.lots.items()}
        for spec in specs:
            if spec.delta_held:
                self.holds[spec.lot_id] = self.holds.get(spec.lot_id, 0) + spec.delta_held
        self.holds = {k: v for k, v in self.holds.items() if v}
        self.ledger += decided.ledger
        for outcome in decided.entries:
            self.split[outcome.entry_id] = (outcome.prepaid_minutes, outcome.payg_minutes)
        return decided

    def log(self, minutes: int, at=NOW) -> TimeDraw:
        entry_id = len(self.minutes) + 1
        self.minutes[entry_id] = minutes
        return self.run([entry_id], at)

    def correct(self, entry_id: int, minutes: int, at=NOW) -> TimeDraw:
        self.minutes[entry_id] = minutes
        return self.run([i for i in self.minutes if i >= entry_id], at)


def held_task(lots: list[Lot], held: int) -> Task:
    """A task holding ``held`` of ``lots`` (taken in the consumption order, as hold_for_ticket does)."""
    specs = hold(lots, org_id=ORG, ancestors=ANCESTORS[ORG], product=PRODUCT, quantity=held, at=NOW,
                 ticket_id=TASK, category=CATEGORY, explain=reason) if held else []
    holds: dict[int, int] = {}
    for s in specs:
        holds[s.lot_id] = holds.get(s.lot_id, 0) + s.quantity
    return Task(lots={lot.id: apply(lot, specs) for lot in lots}, holds=holds)


def kinds(decided: TimeDraw) -> list[tuple[int, str, int, int, int]]:
    """(time entry, kind, lot, quantity, delta_held) of the ledger entries decided."""
    return [(e, s.kind.value, s.lot_id, s.quantity, s.delta_held) for e, s in decided.ledger]


# ------------------------------------------------------------------------------------------ examples


def test_a_correction_downward_gives_the_minutes_drawn_from_the_hold_back_into_the_hold():
    task = held_task([make_lot(1, holder=ORG, quantity=200, scope=Scope.org)], 120)
    task.log(90)

    decided = task.correct(1, 30)

    assert kinds(decided) == [(1, "refund", 1, 90, 90), (1, "consume", 1, 30, -30)]
    assert task.holds == {1: 90}
    assert (task.lots[1].remaining, task.lots[1].held, task.lots[1].free) == (170, 90, 80)
    assert task.split[1] == (30, 0)


def test_a_correction_upward_draws_the_hold_first_then_free_hours_then_pay_as_you_go():
    own = make_lot(1, holder=ORG, quantity=100, scope=Scope.org)
    task = held_task([own], 40)
    task.log(30)

    decided = task.correct(1, 200)

    assert kinds(decided) == [(1, "refund", 1, 30, 30), (1, "consume", 1, 40, -40), (1, "consume", 1, 60, 0)]
    assert task.holds == {}
    assert task.split[1] == (100, 100)


def test_hold_minutes_freed_by_a_correction_go_to_the_later_entries_that_had_to_use_free_hours():
    task = held_task([make_lot(1, holder=ORG, quantity=60, scope=Scope.org, expires=days_from_now(200)),
                      make_lot(2, holder=ORG, quantity=100, scope=Scope.org, expires=days_from_now(400))], 60)
    task.log(50)
    task.log(30)  # 10 from the hold, 20 free
    assert task.drawn(2) == Drawn(from_hold={1: 10}, free={2: 20})

    task.correct(1, 20)

    assert (task.split[1], task.split[2]) == ((20, 0), (30, 0))
    assert (task.drawn(1), task.drawn(2)) == (Drawn(from_hold={1: 20}), Drawn(from_hold={1: 30}))
    assert task.holds == {1: 10}
    assert task.lots[2].free == 100


def test_an_entry_whose_draws_stay_the_same_gets_no_ledger_entries():
    task = held_task([make_lot(1, holder=ORG, quantity=500, scope=Scope.org)], 100)
    task.log(30)
    task.log(20)

    decided = task.correct(1, 40)

    assert {e for e, *_ in kinds(decided)} == {1}
    assert [o.changed for o in decided.entries] == [True, False]


def test_a_log_that_prepaid_hours_cannot_cover_at_all_is_pay_as_you_go_with_no_ledger_entries():
    task = held_task([make_lot(1, holder=CHILD_B, quantity=500, scope=Scope.org)], 0)  # a sibling's lot

    decided = task.log(45)

    assert (decided.ledger, task.split[1]) == ((), (0, 45))


def test_on_a_closed_task_minutes_drawn_from_the_hold_come_back_free_as_its_release_would_have_given_them():
    task = held_task([make_lot(1, holder=ORG, quantity=200, scope=Scope.org)], 120)
    task.log(90)
    task.task_open, task.holds = False, {}  # closing released the 30 still held
    task.lots[1] = task.lots[1].with_balance(held=0)

    decided = task.correct(1, 60)

    assert kinds(decided) == [(1, "refund", 1, 90, 0), (1, "consume", 1, 60, 0)]
    assert (task.lots[1].remaining, task.lots[1].held) == (140, 0)


def test_free_minutes_given_back_to_a_lot_past_its_expiry_expire_at_once_while_hold_minutes_stay_held():
    lot = make_lot(1, holder=ORG, quantity=100, scope=Scope.org, expires=days_from_now(0))
    task = held_task([lot, make_lot(2, holder=ROOT, quantity=500)], 30)
    task.log(50)  # 30 from the hold on lot 1, 20 free from lot 1
    later = NOW + timedelta(days=2)

    decided = task.correct(1, 10, at=later)

    assert kinds(decided) == [(1, "refund", 1, 30, 30), (1, "refund", 1, 20, 0), (1, "expire", 1, 20, 0),
                              (1, "consume", 1, 10, -10)]
    assert task.holds == {1: 20}
    assert (task.lots[1].remaining, task.lots[1].held) == (70, 20)  # 50 free still wait for the expiry job


def test_a_free_refund_of_hold_minutes_from_before_holds_were_given_back_reads_as_their_return():
    rows = [(1, "consume", 50, -50), (1, "refund", 50, 0), (1, "consume", 20, -20), (2, "consume", 5, 0)]
    assert drawn_from_entries(rows) == Drawn(from_hold={1: 20}, free={2: 5})


# ------------------------------------------------------------------------------------------ property

def lot_strategy(lot_id: int):
    holder_scope = st.sampled_from([(ORG, Scope.org), (ORG, Scope.shared), (ROOT, Scope.shared),
                                    (CHILD_B, Scope.org)])
    expires = st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(days_from_now))
    return st.builds(lambda hs, q, e, k, age: make_lot(lot_id, holder=hs[0], scope=hs[1], quantity=q, expires=e,
                                                        kind=k, granted=NOW - timedelta(days=age)),
                     holder_scope, st.integers(1, 120), expires, st.sampled_from(list(LotKind)),
                     st.integers(0, 30))


@st.composite
def worlds(draw_):
    n = draw_(st.integers(1, 5))
    lots = [draw_(lot_strategy(i + 1)) for i in range(n)]
    usable = sum(lot.quantity for lot in lots if lot.holder_org_id != CHILD_B)
    task = held_task(lots, draw_(st.integers(0, usable)))
    past_expiry_hold = draw_(st.integers(0, 40))
    if past_expiry_hold:  # a hold keeps its quantity past the lot's expiry until released
        lot = make_lot(n + 1, holder=ORG, scope=Scope.org, quantity=60, remaining=past_expiry_hold + 5,
                       held=past_expiry_hold, expires=NOW - timedelta(days=1))
        task.lots[lot.id], task.holds[lot.id] = lot, past_expiry_hold
    ops = draw_(st.lists(st.tuples(st.booleans(), st.integers(0, 20), st.integers(1, 200)), min_size=1,
                         max_size=12))
    return task, ops


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_any_sequence_of_logs_and_corrections_ends_as_logging_the_corrected_minutes_directly(world):
    task, ops = world
    start_lots, start_holds = dict(task.lots), dict(task.holds)
    for is_correction, which, minutes in ops:
        if is_correction and task.minutes:
            task.correct(1 + which % len(task.minutes), minutes)
        else:
            task.log(minutes)
        # The running balances are the sums of the entries, and every entry's split what it drew.
        for entry_id, total in task.minutes.items():
            prepaid, payg = task.split[entry_id]
            assert (prepaid + payg, prepaid) == (total, task.drawn(entry_id).total)

    direct = Task(lots=start_lots, holds=start_holds)
    for minutes in task.minutes.values():
        direct.log(minutes)

    assert task.holds == direct.holds
    assert {i: (lot.remaining, lot.held) for i, lot in task.lots.items()} == \
        {i: (lot.remaining, lot.held) for i, lot in direct.lots.items()}
    assert task.split == direct.split
    assert {i: task.drawn(i) for i in task.minutes} == {i: direct.drawn(i) for i in direct.minutes}
    # Nothing the task does reaches beyond its hold and what it drew: holds never go negative.
    assert all(q > 0 for q in task.holds.values())
    assert all(s.kind in (EntryKind.consume, EntryKind.refund, EntryKind.expire) for _e, s in task.ledger)
