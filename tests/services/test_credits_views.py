"""The read side of the ledger: summary, credit list, history, and cached balances against entries
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from opsportal.domain import formats
from opsportal.services import credit_history, credit_views, credits
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import (
    NOW,
    cache_mismatches,
    consume,
    day,
    entries,
    grant,
    lot_row,
    open_ticket,
    utc,
)

SC = "service_credits"
HOURS = "support_hours"


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_the_summary_shows_per_product_available_in_play_used_in_30_days_and_expiring_in_30_days(world):
    long_ago = NOW - timedelta(days=90)
    grant(world.retail, 100, expires=day(30), at=long_ago)  # expires within 30 days (on the 30th)
    grant(world.retail, 50, expires=day(31), at=long_ago)  # just outside
    grant(world.holdings, 20, shared=True, at=long_ago)
    grant(world.retail, 600, product=HOURS, at=long_ago)
    grant(world.retail, 9, product="network_offer", at=long_ago)
    consume(world.retail, 7, at=NOW - timedelta(days=31))  # too old for "used in 30 days"
    consume(world.retail, 5, at=NOW - timedelta(days=29))
    consume(world.retail, 45, product=HOURS, at=NOW - timedelta(days=1))
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=8, at=NOW - timedelta(hours=1))

    summary = credit_views.summary(OPERATOR, world.retail.id, at=NOW)

    assert [s.product for s in summary] == [HOURS, SC, "network_offer"]
    by_product = {s.product: (s.available, s.in_play, s.used_30d, s.expiring_30d) for s in summary}
    assert by_product == {
        HOURS: (555, 0, 45, 0),
        SC: (100 + 50 + 20 - 7 - 5 - 8, 8, 5, 100 - 7 - 5 - 8),
        "network_offer": (9, 0, 0, 0),
    }


def test_a_lot_granted_later_than_the_moment_asked_about_is_not_yet_available(world):
    grant(world.retail, 10, at=NOW + timedelta(days=1))

    assert credit_views.balance(OPERATOR, world.retail.id, product=SC, at=NOW).available == 0
    assert credit_views.balance(OPERATOR, world.retail.id, product=SC, at=NOW + timedelta(days=1)).available == 10


def test_the_credit_list_shows_lots_held_or_usable_spent_lots_last_and_paginates(world):
    spent = grant(world.retail, 5, expires=day(2))
    consume(world.retail, 5)
    soon = grant(world.retail, 10, expires=day(10))
    parents_shared = grant(world.holdings, 10, shared=True, expires=day(20))
    allocated_here = grant(world.holdings, 10, expires=day(40))
    credits.allocate(OPERATOR, lot_id=allocated_here.id, to_org_id=world.retail.id)
    forever = grant(world.retail, 10)
    grant(world.holdings, 10)  # the parent's own lot: not the child's
    grant(world.logistics, 10, shared=True)  # a sibling's lot

    first = credit_views.credit_list(OPERATOR, world.retail.id, page=1, page_size=3)
    second = credit_views.credit_list(OPERATOR, world.retail.id, page=2, page_size=3)

    assert (first.total, first.pages, second.total) == (5, 2, 5)
    assert [lot.id for lot in first.items + second.items] == [
        soon.id, parents_shared.id, allocated_here.id, forever.id, spent.id]
    listed = {lot.id: (lot.holder, lot.allocated_to) for lot in first.items + second.items}
    assert listed[parents_shared.id] == ("Northwind Holdings", "All organizations")
    assert listed[allocated_here.id] == ("Northwind Holdings", "Northwind Retail")
    # The holder still lists the lot it allocated to its child.
    holder_ids = [lot.id for lot in credit_views.credit_list(OPERATOR, world.holdings.id, page_size=100).items]
    assert allocated_here.id in holder_ids


def test_history_is_newest_first_and_holds_the_orgs_lot_grants_and_expiries_and_its_own_draws(world):
    parents = grant(world.holdings, 50, shared=True, at=NOW)
    own = grant(world.retail, 10, at=NOW + minutes(1))
    expiring = grant(world.retail, 4, expires=day(0), at=NOW + minutes(2))
    siblings = grant(world.logistics, 10, at=NOW + minutes(3))
    consume(world.retail, 14, at=NOW + minutes(10))  # 4 from the expiring lot, then 10 from `own`
    consume(world.logistics, 3, at=NOW + minutes(11))
    consume(world.holdings, 2, at=NOW + minutes(12))
    consume(world.retail, 5, at=NOW + minutes(13))  # all from the parent's shared lot
    expiring_later = grant(world.retail, 6, expires=day(0), at=NOW + minutes(14))
    credits.expire_due(OPERATOR, at=NOW + timedelta(days=1))

    pages = [credit_history.history(OPERATOR, world.retail.id, page=p, page_size=3) for p in (1, 2, 3)]

    assert [p.total for p in pages] == [7, 7, 7]
    rows = [row for p in pages for row in p.items]
    assert [(r.kind, r.lot_id, r.quantity, r.organization) for r in rows] == [
        ("expire", expiring_later.id, 6, "Northwind Retail"),
        ("grant", expiring_later.id, 6, "Northwind Retail"),
        ("consume", parents.id, 5, "Northwind Retail"),
        ("consume", own.id, 10, "Northwind Retail"),
        ("consume", expiring.id, 4, "Northwind Retail"),
        ("grant", expiring.id, 4, "Northwind Retail"),
        ("grant", own.id, 10, "Northwind Retail"),
    ]
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert rows[2].holder == "Northwind Holdings"
    assert rows[2].reason.startswith("1st choice: shared by parent Northwind Holdings, used after own credit")
    assert rows[3].reason.startswith("2nd choice: own credit; no expiry")
    assert rows[4].reason.startswith(f"1st choice: own credit; expires {formats.day(day(0))}")
    assert siblings.id not in {r.lot_id for r in rows}
    # The parent's history has its lot's grant, its own draw and the child's draws on its shared lot.
    parent_rows = credit_history.history(OPERATOR, world.holdings.id, page_size=100).items
    assert [(r.kind, r.organization, r.quantity) for r in parent_rows] == [
        ("consume", "Northwind Retail", 5), ("consume", "Northwind Holdings", 2), ("grant", "Northwind Holdings", 50)]


def test_history_can_be_narrowed_to_one_product(world):
    grant(world.retail, 10)
    grant(world.retail, 60, product=HOURS)
    consume(world.retail, 30, product=HOURS)

    page = credit_history.history(OPERATOR, world.retail.id, product=HOURS)

    assert (page.total, [r.kind for r in page.items]) == (2, ["consume", "grant"])


def test_cached_lot_and_hold_balances_equal_the_sums_of_their_entries_after_a_mixed_run(world):
    shared_lot = grant(world.holdings, 40, shared=True, expires=day(3))
    grant(world.holdings, 25, kind="complimentary", expires=day(20))
    retail_lot = grant(world.retail, 30, expires=day(3))
    grant(world.retail, 300, product=HOURS)
    grant(world.logistics, 10)
    allocated = grant(world.holdings, 15)
    credits.allocate(OPERATOR, lot_id=allocated.id, to_org_id=world.logistics.id)

    t1, t2, t3 = open_ticket(world.retail), open_ticket(world.retail, category="Security"), open_ticket(world.logistics)
    credits.hold_for_ticket(OPERATOR, ticket_id=t1, product=SC, quantity=35, at=NOW)  # 30 own + 5 shared
    credits.hold_for_ticket(OPERATOR, ticket_id=t1, product=SC, quantity=10, at=NOW)  # more shared
    credits.hold_for_ticket(OPERATOR, ticket_id=t1, product=HOURS, quantity=90, at=NOW)
    credits.hold_for_ticket(OPERATOR, ticket_id=t2, product=SC, quantity=12, at=NOW)
    credits.hold_for_ticket(OPERATOR, ticket_id=t3, product=SC, quantity=28, at=NOW)
    consume(world.retail, 3, at=NOW)
    consume(world.logistics, 2, at=NOW)
    credits.settle_ticket(OPERATOR, ticket_id=t2, used={SC: 4}, at=NOW + timedelta(hours=1))
    credits.expire_due(OPERATOR, at=utc(2025, 3, 14))  # the 3-day lots expire; t1's holds on them stay
    credits.settle_ticket(OPERATOR, ticket_id=t1, used={SC: 20, HOURS: 75}, at=utc(2025, 3, 15))
    credits.expire_due(OPERATOR, at=utc(2025, 3, 15))
    consume(world.holdings, 1, at=utc(2025, 3, 15))

    assert {kind for kind, *_ in entries()} == {"grant", "allocate", "consume", "release", "expire"}
    assert cache_mismatches() == []
    assert (lot_row(retail_lot.id)["remaining"], lot_row(shared_lot.id)["remaining"]) == (0, 3)
    # Still one hold open (t3), and its rows agree with its entries.
    assert credit_views.ticket_snapshot(OPERATOR, t3).held == {SC: 28}
