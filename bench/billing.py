#!/usr/bin/env python
"""Billing benchmark: the invoice list over many invoices, the billing run, webhook events, numbering.

    .venv/bin/python bench/billing.py                      # both databases, defaults
    .venv/bin/python bench/billing.py --database sqlite --invoices 20000 --orgs 500

For each database it creates a fresh one (see bench/common.py), migrates it, bulk-loads
organizations, invoices (one big organization holds most of them) and unbilled pay-as-you-go time
entries, and measures through the real services:

* ``invoice_views.list_invoices`` for the big organization: first page with the totals, the overdue
  filter, a number search, and every organization's list as staff see it;
* ``billing_run.run_billing`` over all organizations' unbilled time of one month (one transaction per
  organization), then again (nothing left to bill);
* ``stripe_events.apply_event`` of ``checkout.session.completed`` events: sequential, and 4 threads each
  delivering every event (so 3 of 4 deliveries are duplicates);
* gapless invoice numbers handed out by 4 threads at once (``create_pre_service_invoice``).

Every figure is printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from bench.common import measure_interleaved, scratch_database, server_version  # noqa: E402
from opsportal import db as app_db  # noqa: E402
from opsportal.db import unit_of_work  # noqa: E402
from opsportal.domain import invoices as invoice_rules  # noqa: E402
from opsportal.domain.roles import Role  # noqa: E402
from opsportal.migrations import upgrade  # noqa: E402
from opsportal.models import Invoice, Organization, Payment, Ticket, TimeEntry  # noqa: E402
from opsportal.services import billing_run, invoice_issuing, invoice_staff, invoice_views, stripe_events  # noqa: E402
from opsportal.services.authz import Actor  # noqa: E402
from opsportal.services.invoice_staff import ItemInput  # noqa: E402
from opsportal.services.operator import OPERATOR  # noqa: E402

BIG_ORG = 1
TODAY = date(2026, 11, 22)
PERIOD = "2026-10"


def generate(args: argparse.Namespace) -> dict[str, list[dict]]:
    rng = random.Random(7)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    orgs = [{"id": i, "name": f"Bench Customer {i:04d}", "name_key": f"bench customer {i:04d}", "parent_id": None,
             "hourly_rate_minor": 12_000, "currency": "USD", "tax_rate_bp": 825, "payment_terms_days": 30,
             "created_at": now - timedelta(days=1500)} for i in range(1, args.orgs + 1)]
    invoice_rows = []
    for n in range(1, args.invoices + 1):
        org = BIG_ORG if n <= int(args.invoices * 0.8) else rng.randint(2, args.orgs)
        issued = date(2019, 1, 1) + timedelta(days=rng.randint(0, (TODAY - date(2019, 1, 1)).days - 1))
        subtotal = rng.randint(5_000, 500_000)
        tax = (subtotal * 825 * 2 + 10_000) // 20_000
        status = "paid" if issued < TODAY - timedelta(days=60) or rng.random() < 0.5 else "open"
        invoice_rows.append({
            "id": n, "number": f"INV-{issued.year}-B{n:07d}", "organization_id": org, "kind": "post_service",
            "status": status, "currency": "USD", "period": None, "issue_date": issued,
            "due_date": issued + timedelta(days=30), "subtotal_minor": subtotal, "tax_rate_bp": 825,
            "tax_minor": tax, "total_minor": subtotal + tax,
            "amount_paid_minor": subtotal + tax if status == "paid" else 0, "memo": "", "void_reason": "",
            "created_at": now})
    tickets, entries = [], []
    for org in range(1, args.orgs + 1):
        tid = len(tickets) + 1
        tickets.append({"id": tid, "organization_id": org, "title": f"Bench task {tid}", "category": "Networking",
                        "status": "open", "priority": "normal", "description": "", "minutes_logged": 0,
                        "created_at": now, "updated_at": now})
        for k in range(args.entries_per_org):
            minutes = rng.choice((15, 30, 45, 60, 90))
            entries.append({
                "ticket_id": tid, "organization_id": org, "agent_name": "Bench Agent",
                "work_date": date(2026, 10, 1 + k % 31), "minutes": minutes, "note": "", "after_hours": False,
                "prepaid_minutes": 0, "payg_minutes": minutes, "hourly_rate_minor": 12_000, "currency": "USD",
                "payg_amount_minor": (minutes * 12_000 * 2 + 60) // 120, "created_at": now, "updated_at": now})
    return {"organization": orgs, "invoice": invoice_rows, "ticket": tickets, "time_entry": entries}


def load(url: str, rows: dict[str, list[dict]], batch: int = 5_000) -> None:
    engine = create_engine(url)
    tables = {"organization": Organization.__table__, "invoice": Invoice.__table__, "ticket": Ticket.__table__,
              "time_entry": TimeEntry.__table__}
    try:
        with engine.begin() as conn:
            for name, table in tables.items():
                data = rows[name]
                for start in range(0, len(data), batch):
                    conn.execute(insert(table), data[start:start + batch])
            if conn.dialect.name == "postgresql":
                for name in tables:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
                conn.execute(text("ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def bench_lists(samples: int) -> None:
    owner = Actor(user_id=0, role=Role.owner, organization_id=BIG_ORG, session_id="bench", email="o@example.com",
                  full_name="Owner")
    first = invoice_views.list_invoices(owner, BIG_ORG, today=TODAY)
    print(f"  big organization: {first.page.total:,} invoices, outstanding {first.outstanding.text()}, "
          f"overdue {first.overdue.text()} ({first.overdue_count} invoices)")
    measure_interleaved("Invoice list", {
        "first page + totals": lambda: invoice_views.list_invoices(owner, BIG_ORG, today=TODAY),
        "overdue filter": lambda: invoice_views.list_invoices(owner, BIG_ORG, status="overdue", today=TODAY),
        'search "B00123"': lambda: invoice_views.list_invoices(owner, BIG_ORG, search="B00123", today=TODAY),
        "page 200": lambda: invoice_views.list_invoices(owner, BIG_ORG, page=200, today=TODAY),
        "staff: all organizations": lambda: invoice_views.list_invoices(OPERATOR, None, today=TODAY),
    }, samples)


def bench_billing_run() -> None:
    start = time.perf_counter()
    result = billing_run.run_billing(OPERATOR, PERIOD, today=TODAY)
    first = time.perf_counter() - start
    entries = sum(i.entries for i in result.invoices)
    start = time.perf_counter()
    again = billing_run.run_billing(OPERATOR, PERIOD, today=TODAY)
    second = time.perf_counter() - start
    print(f"Billing run {PERIOD}: {len(result.invoices):,} invoices from {entries:,} entries in {first:.2f} s "
          f"({len(result.invoices) / first:,.0f} invoices/s); run again: {len(again.invoices)} invoices "
          f"in {second * 1000:.0f} ms")


def _event(session_id: str, payment_id: int, amount: int) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "checkout.session.completed",
            "data": {"object": {"id": session_id, "object": "checkout.session", "status": "complete",
                                "payment_status": "paid", "amount_total": amount, "currency": "usd",
                                "metadata": {"opsportal_payment_id": str(payment_id)},
                                "payment_intent": f"pi_{payment_id}"}}}


def _open_payments(count: int) -> list[dict]:
    """Open invoices with an open checkout each, written directly (Stripe is not part of this measure)."""
    now = datetime.now(UTC)
    events = []
    with unit_of_work() as session:
        org = session.get(Organization, 2)
        for _ in range(count):
            inv = invoice_issuing.create_in_session(session, org=org, kind=invoice_rules.InvoiceKind.pre_service,
                                                    lines=[invoice_rules.item_line("Bench", 1, 10_000)],
                                                    currency="USD", issue_on=TODAY)
            p = Payment(organization_id=2, purpose="invoice", status="open", invoice_id=inv.id,
                        amount_minor=inv.total_minor, currency="USD", description="bench",
                        idempotency_key=f"bench-{uuid.uuid4()}", stripe_session_id=f"cs_bench_{uuid.uuid4().hex}",
                        checkout_url="http://x", created_at=now, updated_at=now)
            session.add(p)
            session.flush()
            events.append(_event(p.stripe_session_id, p.id, p.amount_minor))
    return events


def bench_events(count: int) -> None:
    events = _open_payments(count)
    start = time.perf_counter()
    for e in events:
        stripe_events.apply_event(e)
    seq = time.perf_counter() - start
    events = _open_payments(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver_all() -> None:
        for e in events:
            out = stripe_events.apply_event(e)
            with lock:
                outcomes.append(out)

    threads = [threading.Thread(target=deliver_all) for _ in range(4)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    par = time.perf_counter() - start
    applied = sum(o.startswith("applied") for o in outcomes)
    print(f"Webhook events: {count / seq:,.0f} applied/s sequentially; 4 threads delivering each of {count} events: "
          f"{len(outcomes) / par:,.0f} deliveries/s, {applied} applied, {len(outcomes) - applied} duplicates")


def bench_numbering(per_thread: int) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def issue() -> None:
        for _ in range(per_thread):
            row = invoice_staff.create_pre_service_invoice(OPERATOR, 3, [ItemInput("Bench", 1, 1_000)], today=TODAY)
            with lock:
                numbers.append(row.number)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"INV-{TODAY.year}-0"))
    gapless = seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    print(f"Numbering: 4 threads issued {len(numbers)} invoices in {took:.2f} s ({len(numbers) / took:,.0f}/s); "
          f"numbers {'gapless and unique' if gapless else 'NOT gapless'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--orgs", type=int, default=1_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--entries-per-org", type=int, default=20)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    rows = generate(args)
    for kind in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        with scratch_database(kind, args.pg_admin) as url:
            upgrade(url)
            start = time.perf_counter()
            load(url, rows)
            print(f"\n== {server_version(url)}: {args.orgs:,} organizations, {args.invoices:,} invoices "
                  f"({int(args.invoices * 0.8):,} in one), {len(rows['time_entry']):,} unbilled entries; "
                  f"loaded in {time.perf_counter() - start:.1f} s")
            bench_lists(args.samples)
            bench_billing_run()
            bench_events(args.events)
            bench_numbering(25)
            app_db.dispose_engines()


if __name__ == "__main__":
    main()
