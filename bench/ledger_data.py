"""The credit ledger benchmark's data: a synthetic but consistent ledger (organizations and their trees,
tickets, lots, holds and entries over years), generated from a seed and bulk-loaded into SQLite or PostgreSQL.
Used by bench/ledger.py."""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from sqlalchemy import create_engine, event, insert

from opsportal.domain.ledger.lots import end_of_day
from opsportal.models import CreditHold, CreditLot, LedgerEntry, Organization, Ticket

DAY = 86_400.0
PRODUCTS = ("support_hours", "service_credits")
CATEGORIES = ("Network", "Endpoint", "Email & Collaboration", "Security incident", "Backup & Recovery",
              "Cloud infrastructure", "Identity & Access", "Printing", "Onboarding", "Offboarding",
              "Line-of-business apps", "Consulting")
REASONS = {
    "consume": "1st choice: own credit; expires soonest; purchased; granted earlier",
    "allocate": "1st choice: own credit; held for the ticket",
    "release": "not needed when the ticket closed",
    "settle": "used on the ticket it was held for",
    "grant": "granted",
    "expire": "expired unused",
}
TABLE_ORDER = ("organization", "ticket", "credit_lot", "credit_hold", "ledger_entry")

ORG_COLS = ("id", "name", "name_key", "parent_id", "created_at")
TICKET_COLS = ("id", "organization_id", "title", "category", "status", "created_at", "updated_at", "closed_at")
LOT_COLS = ("id", "product_code", "holder_org_id", "kind", "origin", "quantity", "granted_at", "expires_at",
            "scope", "assigned_org_id", "remaining", "held", "note", "created_by", "created_at")
HOLD_COLS = ("id", "lot_id", "ticket_id", "org_id", "product_code", "category", "quantity")
ENTRY_COLS = ("id", "lot_id", "org_id", "product_code", "kind", "quantity", "delta_remaining", "delta_held", "at",
              "ticket_id", "category", "reason", "actor_user_id", "created_at")
TABLES = {
    "organization": (Organization.__table__, ORG_COLS),
    "ticket": (Ticket.__table__, TICKET_COLS),
    "credit_lot": (CreditLot.__table__, LOT_COLS),
    "credit_hold": (CreditHold.__table__, HOLD_COLS),
    "ledger_entry": (LedgerEntry.__table__, ENTRY_COLS),
}


# --------------------------------------------------------------------------------------------- data


@dataclass
class Dataset:
    now: datetime
    big_org: int
    small_org: int
    rows: dict[str, list[tuple]] = field(default_factory=dict)


def _orgs(n: int, rng: random.Random, now: datetime) -> tuple[list[tuple], dict[int, list[int]]]:
    """Organizations: fixed big and small groups first, then standalone customers and small trees."""
    orgs: list[tuple] = []
    children: dict[int, list[int]] = defaultdict(list)

    def add(name: str, parent: int | None = None) -> int:
        oid = len(orgs) + 1
        created = now - timedelta(days=400 + rng.uniform(0, 1500))
        orgs.append((oid, name, name.casefold(), parent, created))
        if parent is not None:
            children[parent].append(oid)
        return oid

    big_group = add("Bench Big Group")
    add("Bench Big Org", big_group)  # 2
    add("Bench Big Sibling", big_group)
    small_group = add("Bench Small Group")
    add("Bench Small Org", small_group)  # 5
    add("Bench Small Sibling", small_group)
    while len(orgs) < n:
        if rng.random() < 0.12 and n - len(orgs) >= 3:
            root = add(f"Group {len(orgs) + 1:05d}")
            for _ in range(rng.randint(2, 4)):
                if len(orgs) >= n:
                    break
                child = add(f"Group {root:05d} member {len(orgs) + 1:05d}", root)
                if rng.random() < 0.3 and len(orgs) < n:
                    add(f"Group {root:05d} unit {len(orgs) + 1:05d}", child)
        else:
            add(f"Customer {len(orgs) + 1:05d}")
    return orgs, children


def _subtree(org: int, children: dict[int, list[int]]) -> list[int]:
    out, frontier = [org], [org]
    while frontier:
        frontier = [c for f in frontier for c in children.get(f, ())]
        out.extend(frontier)
    return out


def generate(args: argparse.Namespace) -> Dataset:
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    orgs, children = _orgs(args.orgs, rng, now)
    big, small = 2, 5
    org_ids = [o[0] for o in orgs]

    # Entry budgets: the big organization gets its share; the two fixed groups get fixed budgets,
    # so that they (and the big and small organizations' figures) do not depend on --orgs and
    # --entries; the rest is spread unevenly over the other organizations.
    rest = max(0, args.entries - args.big_org_entries)
    fixed = {1: 2000, 3: 1000, 4: 400, small: 800, 6: 400}
    scale = min(1.0, rest / (2 * sum(fixed.values())))
    budget = {o: int(n * scale) for o, n in fixed.items()}
    budget[big] = args.big_org_entries
    others = [o for o in org_ids if o not in budget]
    weights = [rng.lognormvariate(0, 0.8) for _ in others]
    spread = rest - sum(budget.values()) + args.big_org_entries
    total_w = sum(weights) or 1.0
    budget.update({o: int(round(spread * w / total_w)) for o, w in zip(others, weights, strict=True)})

    # Lot specs per organization: (holder, product, scope, assigned, kind, granted_at, expires_at, n_entries,
    # random seed of the lot). Every organization and every lot draws from a generator of its own.
    specs = []
    for org in org_ids:
        rng = random.Random(f"{args.seed}:{org}")
        left = budget[org]
        kids = children.get(org, [])
        seq = 0
        while left > 0:
            seq += 1
            n = rng.randint(40, 160) if org == big else rng.randint(5, 60)
            if left - n < 5:
                n = left
            left -= n
            product = PRODUCTS[0] if rng.random() < 0.6 else PRODUCTS[1]
            assigned = None
            r = rng.random()
            if kids:
                if r < 0.5:
                    scope = "shared"
                elif r < 0.75:
                    scope = "org"
                else:
                    scope, assigned = "org", rng.choice(kids)
            else:
                scope = "shared" if r < 0.15 else "org"
            kind = "complimentary" if rng.random() < 0.2 else "purchased"
            granted = now - timedelta(seconds=rng.uniform(0, 365 * DAY))
            age_days = (now - granted).total_seconds() / DAY
            r = rng.random()
            if r < 0.15:
                expires = None
            elif r < 0.35 and age_days > 3:
                first = granted.date() + timedelta(days=1)
                last = now.date() - timedelta(days=1)
                expires = end_of_day(first + timedelta(days=rng.randint(0, (last - first).days)))
            else:
                expires = end_of_day(now.date() + timedelta(days=rng.randint(0, 400)))
            specs.append((org, product, scope, assigned, kind, granted, expires, n, f"{args.seed}:{org}:{seq}"))
    specs.sort(key=itemgetter(5))  # lot ids in grant order, as in real life

    subtrees: dict[int, list[int]] = {}
    lots, tickets, holds, raw_entries = [], [], [], []
    for lot_id, (holder, product, scope, assigned, kind, granted, expires, n, lot_seed) in enumerate(specs, start=1):
        rng = random.Random(lot_seed)
        if scope == "org":
            spenders = [assigned or holder]
        else:
            spenders = subtrees.get(holder) or subtrees.setdefault(holder, _subtree(holder, children))
        hours = product == "support_hours"

        def qty(hours: bool = hours, rng: random.Random = rng) -> int:
            return rng.choice((15, 15, 30, 30, 30, 45, 60, 60, 90, 120, 240)) if hours else rng.randint(1, 20)

        past_expired = expires is not None and expires <= now
        live = not past_expired
        window_end = expires if past_expired else now
        # Operations: (kind, quantity, d_remaining, d_held, ticket_slot, category, spender, reason_key)
        ops: list[list] = []
        lot_tickets: list[list] = []  # [ticket_id, org, category, status, first_op, last_op]
        consumed = 0
        target = n - 1 - (1 if past_expired else 0)
        while len(ops) < target:
            spender = spenders[0] if len(spenders) == 1 else rng.choice(spenders)
            cat = rng.choice(CATEGORIES)
            q = qty()
            r = rng.random()
            if r < 0.6 or target - len(ops) < 3:
                t = None
                if lot_tickets and rng.random() < 0.5 and lot_tickets[-1][1] == spender:
                    t = lot_tickets[-1][0]
                ops.append(["consume", q, -q, 0, t, cat, spender, "consume"])
                consumed += q
            else:
                tid = len(tickets) + len(lot_tickets) + 1
                lot_tickets.append([tid, spender, cat, "closed", len(ops), None])
                ops.append(["allocate", q, 0, q, tid, cat, spender, "allocate"])
                used = 0 if r > 0.92 else rng.randint(0, q)
                if used:
                    ops.append(["consume", used, -used, -used, tid, cat, spender, "settle"])
                    consumed += used
                if q - used:
                    ops.append(["release", q - used, 0, -(q - used), tid, cat, spender, "release"])
                lot_tickets[-1][5] = len(ops) - 1
        open_held = 0
        if live and rng.random() < 0.1:
            spender = rng.choice(spenders)
            cat = rng.choice(CATEGORIES)
            q = qty()
            tid = len(tickets) + len(lot_tickets) + 1
            lot_tickets.append([tid, spender, cat, "open", len(ops), len(ops)])
            ops.append(["allocate", q, 0, q, tid, cat, spender, "allocate"])
            holds.append((len(holds) + 1, lot_id, tid, spender, product, cat, q))
            open_held = q

        age_days = (now - granted).total_seconds() / DAY
        p_spent = 0.7 if age_days > 180 else 0.3 if age_days > 60 else 0.05
        if rng.random() < p_spent:
            leftover = 0
        elif consumed:
            leftover = max(1, int(consumed * rng.uniform(0.1, 1.5)))
        else:
            leftover = qty() * rng.randint(5, 50)
        quantity = consumed + open_held + leftover
        if quantity <= 0:
            quantity = leftover = qty()

        # Times: the operations spread over the lot's usable window, in order.
        span = max(1.0, (window_end - granted).total_seconds())
        times = sorted(rng.uniform(1.0, span) for _ in ops)
        raw_entries.append((granted, lot_id, holder, product, "grant", quantity, quantity, 0, None, None,
                            REASONS["grant"]))
        for (k, q, dr, dh, t, cat, spender, why), secs in zip(ops, times, strict=True):
            raw_entries.append((granted + timedelta(seconds=secs), lot_id, spender, product, k, q, dr, dh, t, cat,
                                REASONS[why]))
        if past_expired and leftover:
            raw_entries.append((expires, lot_id, holder, product, "expire", leftover, -leftover, 0, None, None,
                                REASONS["expire"]))
            remaining = open_held  # 0: no open holds on expired lots
        else:
            remaining = leftover + open_held
        for tid, org, cat, status, first, last in lot_tickets:
            created = granted + timedelta(seconds=times[first])
            closed = granted + timedelta(seconds=times[last]) if status == "closed" else None
            tickets.append((tid, org, f"Ticket {tid}: {cat.lower()} request", cat, status, created, closed or created,
                            closed))
        origin = ("complimentary_grant" if kind == "complimentary"
                  else "hour_block" if hours else rng.choice(("purchase", "plan_period")))
        lots.append((lot_id, product, holder, kind, origin, quantity, granted, expires, scope, assigned, remaining,
                     open_held, "", None, granted))

    raw_entries.sort(key=itemgetter(0))  # entry ids in time order, as in real life
    entries = [(i, lot, org, prod, kind, q, dr, dh, at, t, cat, why, None, at)
               for i, (at, lot, org, prod, kind, q, dr, dh, t, cat, why) in enumerate(raw_entries, start=1)]
    del raw_entries
    return Dataset(now=now, big_org=big, small_org=small, rows={
        "organization": orgs, "ticket": tickets, "credit_lot": lots, "credit_hold": holds, "ledger_entry": entries,
    })


# ------------------------------------------------------------------------------------------ loading


def _pg_conninfo(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def load_postgresql(url: str, data: Dataset) -> None:
    import psycopg

    with psycopg.connect(_pg_conninfo(url)) as conn:
        with conn.cursor() as cur:
            for name in TABLE_ORDER:
                _table, cols = TABLES[name]
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data.rows[name]:
                        copy.write_row(row)
            for name in TABLE_ORDER:  # explicit ids were loaded: move the sequences past them
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")
        conn.commit()


def load_sqlite(url: str, data: Dataset, batch: int = 50_000) -> None:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA synchronous=OFF")
        dbapi_conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
        dbapi_conn.execute("PRAGMA temp_store=MEMORY")
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # checked with one query after loading instead

    try:
        with engine.begin() as conn:  # one big transaction
            for name in TABLE_ORDER:
                table, cols = TABLES[name]
                rows = data.rows[name]
                stmt = insert(table)
                for start in range(0, len(rows), batch):
                    conn.execute(stmt, [dict(zip(cols, r, strict=True)) for r in rows[start:start + batch]])
    finally:
        engine.dispose()
