"""What bench/ui_load.py writes into the portal's scratch database besides the demo: sign-ins and billable time."""

from __future__ import annotations

import random
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from opsportal import db as app_db
from opsportal import routes
from opsportal.auth.security import SESSION_COOKIE
from opsportal.domain.time_signoff import ReviewState
from opsportal.models import Invoice, Organization, Ticket, TimeEntry, TimeReview

DEMO_PASSWORD = "demo-password-2026"
# Customer users whose sessions the load clients share (the demo's owners and an admin, see README).
CUSTOMERS = ("olivia.hart@northwind.example", "adam.reyes@northwind.example",
             "rita.alvarez@retail.northwind.example", "lena.fischer@logistics.northwind.example")
STAFF_ADMIN = "sam.taylor@opsportal.example"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_token(base_url: str, email: str) -> str:
    """A real session, opened the way the login form does: a POST to the portal's sign-in route, whose 303 sets
    the HttpOnly session cookie (the load clients then send it on their socket handshakes)."""
    form = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "next": "/"}).encode()
    request = urllib.request.Request(base_url.rstrip("/") + routes.SIGN_IN_ACTION, data=form, method="POST",
                                     headers={"User-Agent": "bench/ui_load"})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code == 303:
            for header in answer.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                if name == SESSION_COOKIE and rest.split(";", 1)[0]:
                    return rest.split(";", 1)[0]
            raise RuntimeError(f"{email}: no session cookie in the sign-in answer") from None
        raise
    raise RuntimeError(f"{email}: the sign-in route did not answer 303")


def previous_month(today: date | None = None) -> tuple[str, date]:
    """The last finished month as YYYY-MM, and its first day."""
    today = today or datetime.now(UTC).date()
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}", last.replace(day=1)


def seed_billable_time(orgs: int, entries_per_org: int, first_day: date, *, seed: int = 11,
                       label: str = "") -> dict[str, int]:
    """``orgs`` new pay-as-you-go customers, each with a task and unbilled time in the month of ``first_day``, approved
    by its customer (time sign-off: the billing run bills only signed-off time).

    Written with SQLAlchemy Core in one transaction (as bench/billing.py loads its data), after the demo,
    so the ids continue from the demo's. ``label`` goes into the names (unique, case-folded), so a
    database that is kept (a running portal's) can be seeded again by a later sitting.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    engine = app_db.get_engine()
    with engine.begin() as conn:
        org0 = conn.execute(select(func.coalesce(func.max(Organization.id), 0))).scalar_one()
        ticket0 = conn.execute(select(func.coalesce(func.max(Ticket.id), 0))).scalar_one()
        entry0 = conn.execute(select(func.coalesce(func.max(TimeEntry.id), 0))).scalar_one()
        org_rows, ticket_rows, entry_rows, review_rows = [], [], [], []
        for n in range(1, orgs + 1):
            oid, tid = org0 + n, ticket0 + n
            name = " ".join(filter(None, ("Bench Billing Customer", label, f"{n:05d}")))
            org_rows.append({"id": oid, "name": name, "name_key": name.casefold(), "parent_id": None,
                             "hourly_rate_minor": 12_000, "currency": "USD", "tax_rate_bp": 825,
                             "payment_terms_days": 30, "created_at": now - timedelta(days=400)})
            ticket_rows.append({"id": tid, "organization_id": oid, "title": f"Bench billable task {n}",
                                "category": "Networking", "status": "open", "priority": "normal", "description": "",
                                "minutes_logged": 0, "created_at": now, "updated_at": now})
            for k in range(entries_per_org):
                minutes = rng.choice((15, 30, 45, 60, 90))
                review_rows.append({"time_entry_id": entry0 + len(entry_rows) + 1, "organization_id": oid,
                                    "state": ReviewState.approved.value, "reviewed_by_name": "Bench Billing Contact",
                                    "reviewed_at": now})
                entry_rows.append({
                    "id": entry0 + len(entry_rows) + 1, "ticket_id": tid, "organization_id": oid,
                    "agent_name": "Bench Agent",
                    "work_date": first_day + timedelta(days=k % 28), "minutes": minutes, "note": "",
                    "after_hours": False, "prepaid_minutes": 0, "payg_minutes": minutes, "hourly_rate_minor": 12_000,
                    "currency": "USD", "payg_amount_minor": (minutes * 12_000 * 2 + 60) // 120,
                    "created_at": now, "updated_at": now})
        for table, rows in ((Organization.__table__, org_rows), (Ticket.__table__, ticket_rows),
                            (TimeEntry.__table__, entry_rows), (TimeReview.__table__, review_rows)):
            for start in range(0, len(rows), 5_000):
                conn.execute(insert(table), rows[start:start + 5_000])
        if conn.dialect.name == "postgresql":
            for name in ("organization", "ticket", "time_entry", "time_review"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
        conn.execute(text("ANALYZE"))
    return {"organizations": len(org_rows), "time_entries": len(entry_rows)}


def invoices_for(period: str) -> int:
    with app_db.get_engine().connect() as conn:
        return conn.execute(select(func.count()).select_from(Invoice).where(Invoice.period == period)).scalar_one()
