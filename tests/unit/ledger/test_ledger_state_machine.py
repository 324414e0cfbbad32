"""A random life of one organization tree's ledger: grants, consumption, holds, settling, expiry, re-allocation.

Every step goes through the domain functions, and the resulting entries are kept per lot and applied with
``entries.apply``, the way the services write them. After every step the invariants of the ledger hold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from opsportal.domain.ledger import entries as ledger
from opsportal.domain.ledger.entries import EntryKind, EntrySpec
from opsportal.domain.ledger.lots import Lot, LotKind, Scope, end_of_day
from opsportal.domain.ledger.order import explain, sort_key, tier_for
from opsportal.domain.ledger.plan import InsufficientBalance
from opsportal.domain.ledger.products import KAIZEN_PRODUCTS, SERVICE_CREDITS
from opsportal.domain.ledger.sharing import allocated_scope, allocation_problem
from tests.unit.ledger.model import Tree

START = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PRODUCT = SERVICE_CREDITS.code
PLATFORM = KAIZEN_PRODUCTS[0]  # Kaizen Platform Enterprise: shared at issue, never re-allocated
PRODUCTS = {SERVICE_CREDITS.code: SERVICE_CREDITS, PLATFORM.code: PLATFORM}
CATEGORIES = ("Infrastructure", "Security", "Upgrade")
# Mostly requests that fit, now and then one too large to be met.
REQUESTS = st.one_of(st.integers(1, 8), st.integers(1, 80))

# The shape each kind of entry must have: (sign of delta_remaining, sign of delta_held) per unit of quantity.
SHAPES = {
    EntryKind.grant: {(1, 0)},
    EntryKind.allocate: {(0, 1)},
    EntryKind.release: {(0, -1)},
    EntryKind.consume: {(-1, 0), (-1, -1)},
    EntryKind.expire: {(-1, 0)},
}


class LedgerMachine(RuleBasedStateMachine):
    # --- set-up -------------------------------------------------------------------------------------------

    @initialize(data=st.data())
    def build_tree_and_first_lots(self, data):
        parent, next_id = {1: None}, 2
        for _ in range(data.draw(st.integers(1, 3), label="children")):
            child, next_id = next_id, next_id + 1
            parent[child] = 1
            for _ in range(data.draw(st.integers(0, 2), label="grandchildren")):
                parent[next_id], next_id = child, next_id + 1
        self.tree = Tree(parent)
        self.now = START
        self.lots: dict[int, Lot] = {}
        self.entries: dict[int, list[EntrySpec]] = {}
        self.holds: dict[int, tuple[int, str, dict[int, int]]] = {}  # ticket -> (org, category, lot -> held)
        self.next_ticket = 1
        for _ in range(data.draw(st.integers(1, 6), label="lots")):
            self._grant(data, granted_at=START - timedelta(days=data.draw(st.integers(0, 3), label="age")))

    def _grant(self, data, granted_at: datetime) -> None:
        lot_id = len(self.lots) + 1
        product = data.draw(st.sampled_from([PRODUCT, PRODUCT, PRODUCT, PLATFORM.code]), label="product")
        holder = data.draw(st.sampled_from(self.tree.orgs), label="holder")
        scope, assigned = Scope.shared, None
        if PRODUCTS[product].allocatable:
            target = data.draw(st.one_of(st.none(), st.sampled_from(sorted(self.tree.subtree(holder)))),
                               label="allocated to")
            scope, assigned = allocated_scope(target, holder)
            if target == holder and data.draw(st.booleans(), label="holder only, no assignee"):
                assigned = None
        expiry_kind = data.draw(st.sampled_from(["none", "day", "instant"]), label="expiry")
        expires_at = None
        # Many lots expire within days, so holds and the moving clock meet expiry often.
        if expiry_kind == "day":
            days = data.draw(st.one_of(st.integers(-1, 3), st.integers(-2, 60)), label="days")
            expires_at = end_of_day(self.now.date() + timedelta(days=days))
        elif expiry_kind == "instant":
            hours = data.draw(st.one_of(st.integers(-6, 72), st.integers(-12, 24 * 60)), label="hours")
            expires_at = self.now + timedelta(hours=hours)
        quantity = data.draw(st.integers(1, 40), label="quantity")
        base = Lot(id=lot_id, product=product, holder_org_id=holder,
                   kind=data.draw(st.sampled_from(list(LotKind)), label="kind"), quantity=quantity,
                   granted_at=granted_at, expires_at=expires_at, scope=scope, assigned_org_id=assigned, remaining=0)
        self.lots[lot_id] = base
        self.entries[lot_id] = []
        self._apply([ledger.grant(base, granted_at)])

    def _apply(self, specs: list[EntrySpec]) -> None:
        by_lot = defaultdict(list)
        for spec in specs:
            assert spec.quantity > 0, spec
            per_unit = (spec.delta_remaining // spec.quantity, spec.delta_held // spec.quantity)
            assert per_unit in SHAPES[spec.kind] and spec.quantity in (abs(spec.delta_remaining),
                                                                        abs(spec.delta_held)), spec
            by_lot[spec.lot_id].append(spec)
        for lot_id, lot_specs in by_lot.items():
            self.lots[lot_id] = ledger.apply(self.lots[lot_id], lot_specs)
            self.entries[lot_id].extend(lot_specs)

    # --- checks shared by consume and hold ----------------------------------------------------------------

    def _check_draws(self, specs: list[EntrySpec], org: int, quantity: int) -> None:
        before = self.lots
        ancestors = self.tree.ancestors(org)
        assert sum(s.quantity for s in specs) == quantity
        assert len({s.lot_id for s in specs}) == len(specs)
        keys = []
        for s in specs:
            lot = before[s.lot_id]
            assert lot.product == PRODUCT
            assert not lot.is_expired(self.now), "drew from an expired lot"
            assert tier_for(lot, org, ancestors) is not None, "drew from a lot the organization may not use"
            assert self.tree.tier(lot, org) is not None
            assert 0 < s.quantity <= lot.free
            keys.append(sort_key(lot, tier_for(lot, org, ancestors)))
        assert keys == sorted(keys), "a later draw came before an earlier one in the order"
        # No lot earlier in the order may keep free quantity while a later one is drawn.
        drawn = {s.lot_id: s.quantity for s in specs}
        for lot in self.tree.order(before.values(), org, PRODUCT, self.now):
            if self.tree.key(lot, org) < self.tree.key(before[specs[-1].lot_id], org):
                assert drawn.get(lot.id) == lot.free, f"lot {lot.id} was skipped"
        # The oracle's greedy plan is exactly what was drawn.
        assert [(s.lot_id, s.quantity) for s in specs] == self.tree.greedy(before.values(), org, PRODUCT,
                                                                           self.now, quantity)

    def _check_refusal(self, error: InsufficientBalance, org: int, quantity: int, snapshot) -> None:
        can = sum(lot.free for lot in self.tree.order(self.lots.values(), org, PRODUCT, self.now))
        assert quantity > can
        assert (error.requested, error.available) == (quantity, can)
        assert self.lots == snapshot[0] and {i: len(e) for i, e in self.entries.items()} == snapshot[1]

    def _snapshot(self):
        return dict(self.lots), {i: len(e) for i, e in self.entries.items()}

    # --- rules --------------------------------------------------------------------------------------------

    @rule(data=st.data())
    def grant_a_new_lot(self, data):
        self._grant(data, granted_at=self.now)

    @rule(data=st.data(), quantity=REQUESTS)
    def consume(self, data, quantity):
        org = data.draw(st.sampled_from(self.tree.orgs), label="spender")
        snapshot = self._snapshot()
        try:
            specs = ledger.consume(list(self.lots.values()), org_id=org, ancestors=self.tree.ancestors(org),
                                   product=PRODUCT, quantity=quantity, at=self.now, category="Infrastructure",
                                   ticket_id=None, explain=explain)
        except InsufficientBalance as error:
            self._check_refusal(error, org, quantity, snapshot)
            return
        assert {s.kind for s in specs} == {EntryKind.consume}
        self._check_draws(specs, org, quantity)
        self._apply(specs)

    @rule(data=st.data(), quantity=REQUESTS)
    def hold_for_a_ticket(self, data, quantity):
        self._hold(data, quantity)

    @rule(data=st.data(), extra=st.integers(1, 6))
    def hold_more_than_the_first_lot_in_order_has(self, data, extra):
        org = data.draw(st.sampled_from(self.tree.orgs), label="ticket org")
        first = next(iter(self.tree.order(self.lots.values(), org, PRODUCT, self.now)), None)
        self._hold(data, (first.free if first else 0) + extra, org=org)

    def _hold(self, data, quantity: int, org: int | None = None) -> None:
        open_tickets = sorted(self.holds)
        open_tickets = [t for t in open_tickets if org is None or self.holds[t][0] == org]
        if open_tickets and data.draw(st.booleans(), label="add to an open ticket"):
            ticket = data.draw(st.sampled_from(open_tickets), label="ticket")
            org, category, _ = self.holds[ticket]
        else:
            ticket, self.next_ticket = self.next_ticket, self.next_ticket + 1
            if org is None:
                org = data.draw(st.sampled_from(self.tree.orgs), label="ticket org")
            category = data.draw(st.sampled_from(CATEGORIES), label="category")
        snapshot = self._snapshot()
        try:
            specs = ledger.hold(list(self.lots.values()), org_id=org, ancestors=self.tree.ancestors(org),
                                product=PRODUCT, quantity=quantity, at=self.now, ticket_id=ticket,
                                category=category, explain=explain)
        except InsufficientBalance as error:
            self._check_refusal(error, org, quantity, snapshot)
            return
        assert {(s.kind, s.ticket_id, s.category, s.org_id) for s in specs} == {
            (EntryKind.allocate, ticket, category, org)}
        self._check_draws(specs, org, quantity)
        held = self.holds.setdefault(ticket, (org, category, {}))[2]
        for s in specs:
            held[s.lot_id] = held.get(s.lot_id, 0) + s.quantity
        self._apply(specs)

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def settle_a_tickets_holds(self, data):
        self._settle(data, data.draw(st.sampled_from(sorted(self.holds)), label="closing ticket"))

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def close_the_oldest_open_ticket(self, data):
        self._settle(data, min(self.holds))

    def _settle(self, data, ticket: int) -> None:
        org, category, held = self.holds[ticket]
        total = sum(held.values())
        used = data.draw(st.one_of(st.integers(0, total), st.just(total), st.integers(total + 1, total + 3)),
                         label="used")
        if used > total:
            snapshot = self._snapshot()
            try:
                ledger.settle_holds(dict(self.lots), dict(held), org_id=org, ancestors=self.tree.ancestors(org),
                                    used=used, at=self.now, ticket_id=ticket, category=category)
            except InsufficientBalance as error:
                assert (error.requested, error.available) == (used, total)
                assert self._snapshot() == snapshot
                return
            raise AssertionError("settling more than was held was accepted")
        specs = ledger.settle_holds(dict(self.lots), dict(held), org_id=org, ancestors=self.tree.ancestors(org),
                                    used=used, at=self.now, ticket_id=ticket, category=category)
        consumed, released, expired = defaultdict(int), defaultdict(int), defaultdict(int)
        for s in specs:
            {EntryKind.consume: consumed, EntryKind.release: released, EntryKind.expire: expired}[s.kind][
                s.lot_id] += s.quantity
            if s.kind is EntryKind.consume:
                assert (s.delta_remaining, s.delta_held) == (-s.quantity, -s.quantity)
        assert sum(consumed.values()) == used
        for lot_id, quantity in held.items():
            assert consumed[lot_id] + released[lot_id] == quantity
            expected_expiry = released[lot_id] if self.lots[lot_id].is_expired(self.now) else 0
            assert expired[lot_id] == expected_expiry, "released after expiry must expire at once, and only then"
        # Holds are consumed in the consumption order: a lot is only partly consumed if all before it are used up.
        order = sorted(held, key=lambda i: sort_key(self.lots[i], tier_for(self.lots[i], org,
                                                                           self.tree.ancestors(org)) or 0))
        reached_partial = False
        for lot_id in order:
            if reached_partial:
                assert consumed[lot_id] == 0
            elif consumed[lot_id] < held[lot_id]:
                reached_partial = True
        del self.holds[ticket]
        self._apply(specs)

    @rule(hours=st.one_of(st.integers(0, 48), st.integers(0, 24 * 20)), minutes=st.integers(0, 59))
    def the_clock_moves_forward(self, hours, minutes):
        self.now += timedelta(hours=hours, minutes=minutes)

    @precondition(lambda self: any(self.lots[i].expires_at for _o, _c, held in self.holds.values() for i in held))
    @rule(data=st.data(), extra=st.integers(0, 3600))
    def the_clock_jumps_past_a_held_lots_expiry(self, data, extra):
        held_lots = sorted({i for _o, _c, held in self.holds.values() for i in held if self.lots[i].expires_at})
        lot = self.lots[data.draw(st.sampled_from(held_lots), label="held lot")]
        self.now = max(self.now, lot.expires_at + timedelta(seconds=extra))

    @rule()
    def expire_what_is_due(self):
        lots = list(self.lots.values())
        specs = ledger.expire_due(lots, self.now)
        due = {lot.id for lot in lots if lot.is_expired(self.now) and lot.free > 0}
        assert {s.lot_id for s in specs} == due and len(specs) == len(due)
        for s in specs:
            assert s.kind is EntryKind.expire and s.quantity == self.lots[s.lot_id].free
        held_before = {i: lot.held for i, lot in self.lots.items()}
        self._apply(specs)
        assert {i: lot.held for i, lot in self.lots.items()} == held_before, "expiry must keep holds"
        assert all(self.lots[i].free == 0 for i in due)
        assert ledger.expire_due(list(self.lots.values()), self.now) == []

    @rule(data=st.data())
    def re_allocate_a_lot(self, data):
        lot = self.lots[data.draw(st.sampled_from(sorted(self.lots)), label="lot")]
        target = data.draw(st.one_of(st.none(), st.sampled_from(self.tree.orgs)), label="target")
        product = PRODUCTS[lot.product]
        problem = allocation_problem(lot, product, target, self.tree.subtree(lot.holder_org_id))
        refused = not product.allocatable or (target is not None and target not in self.tree.subtree(
            lot.holder_org_id))
        assert (problem is not None) == refused, problem
        if problem is None:
            scope, assigned = allocated_scope(target, lot.holder_org_id)
            self.lots[lot.id] = replace(lot, scope=scope, assigned_org_id=assigned)

    # --- invariants ---------------------------------------------------------------------------------------

    @invariant()
    def no_balance_goes_below_zero(self):
        for lot in self.lots.values():
            assert lot.free >= 0 and lot.held >= 0 and lot.remaining >= 0, lot

    @invariant()
    def cached_balances_equal_the_sums_of_the_entries(self):
        for lot_id, lot in self.lots.items():
            entries = self.entries[lot_id]
            assert sum(e.delta_remaining for e in entries) == lot.remaining
            assert sum(e.delta_held for e in entries) == lot.held
            assert ledger.apply(lot.with_balance(remaining=0, held=0), entries) == lot

    @invariant()
    def held_equals_the_open_tickets_holds(self):
        per_lot = defaultdict(int)
        for _org, _category, held in self.holds.values():
            for lot_id, quantity in held.items():
                per_lot[lot_id] += quantity
        assert {i: lot.held for i, lot in self.lots.items() if lot.held} == {i: q for i, q in per_lot.items() if q}

    @invariant()
    def quantity_is_conserved(self):
        for lot_id, lot in self.lots.items():
            by_kind = defaultdict(int)
            for e in self.entries[lot_id]:
                by_kind[e.kind] += e.quantity
            assert by_kind[EntryKind.grant] == lot.quantity
            assert lot.quantity == lot.remaining + by_kind[EntryKind.consume] + by_kind[EntryKind.expire]

    @invariant()
    def other_products_are_never_drawn(self):
        for lot_id, lot in self.lots.items():
            if lot.product != PRODUCT:
                assert [e.kind for e in self.entries[lot_id]] in ([EntryKind.grant],
                                                                  [EntryKind.grant, EntryKind.expire])


LedgerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
test_ledger_state_machine = LedgerMachine.TestCase
