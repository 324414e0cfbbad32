"""Builders and SQL checks for the support task, time and prepaid-hours service tests.

Every time is fixed (``NOW`` of the ledger tests, a Monday in the middle of March 2025): tests pass
``at`` to the services so nothing depends on the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlmodel import select

from opsportal.db import get_engine, unit_of_work
from opsportal.models import Ticket, TimeEntry, TimeEntryRevision
from opsportal.services import agent_work, prepaid, tasks
from opsportal.services.authz import Actor
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, grant

HOURS = "support_hours"
DESCRIPTION = "Something is wrong and we would like it fixed, please."
USD_120 = 12_000  # USD 120.00 an hour, in cents


def set_rate(org, minor: int = USD_120, currency: str = "USD") -> None:
    prepaid.set_hourly_rate(OPERATOR, org.id, hourly_rate_minor=minor, currency=currency)


def hours(org, minutes: int, *, expires: date | None = None, shared: bool = False, kind: str = "purchased",
          at: datetime = NOW):
    """A lot of support hours (``minutes``) granted to ``org``."""
    return grant(org, minutes, product=HOURS, kind=kind, expires=expires, shared=shared, at=at)


def new_task(org, *, subject: str = "Printer offline", category: str = "End-user support",
             priority: str = "normal", description: str = DESCRIPTION, by: Actor = OPERATOR,
             at: datetime | None = NOW) -> int:
    """A task opened for ``org`` (by staff unless ``by`` says otherwise); returns its id."""
    return tasks.create_ticket(by, subject=subject, category=category, priority=priority, description=description,
                               organization_id=org.id, at=at).id


def log(ticket_id: int, minutes: int, *, at: datetime = NOW, work_date: date | None = None, note: str = "",
        by: Actor = OPERATOR) -> tasks.TimeEntryPublic:
    return agent_work.log_time(by, ticket_id, minutes=minutes, work_date=work_date, note=note, at=at)


def correct(entry_id: int, minutes: int, *, at: datetime = NOW + timedelta(hours=1), work_date: date | None = None,
            note: str = "", reason: str = "Typo in the minutes", by: Actor = OPERATOR) -> tasks.TimeEntryPublic:
    return agent_work.correct_time(by, entry_id, minutes=minutes, work_date=work_date or at.date(), note=note,
                                   reason=reason, at=at)


def _rows(sql: str, **params) -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _one(sql: str, **params):
    with get_engine().connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def bill(entry_id: int) -> int:
    """Marks the entry billed on a new draft invoice of its organization, as an invoice run would; its id."""
    with get_engine().begin() as conn:
        org_id, currency = conn.execute(text("SELECT organization_id, currency FROM time_entry WHERE id = :e"),
                                        {"e": entry_id}).one()
        invoice_id = conn.execute(text(
            "INSERT INTO invoice (organization_id, kind, status, currency, subtotal_minor, tax_rate_bp, tax_minor, "
            "total_minor, amount_paid_minor, memo, void_reason, created_at) VALUES (:o, 'post_service', 'draft', "
            ":c, 0, 0, 0, 0, 0, '', '', CURRENT_TIMESTAMP) RETURNING id"), {"o": org_id, "c": currency}).scalar_one()
        conn.execute(text("UPDATE time_entry SET billed_invoice_id = :i WHERE id = :e"),
                     {"i": invoice_id, "e": entry_id})
    return invoice_id


def set_ticket_status(ticket_id: int, status: str) -> None:
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE ticket SET status = :s WHERE id = :t"), {"s": status, "t": ticket_id})


def _as_dicts(model, *where, order_by=None) -> list[dict]:
    """Rows read through the model, so dates and times come back typed on SQLite too."""
    with unit_of_work(write=False) as session:
        rows = session.exec(select(model).where(*where).order_by(order_by if order_by is not None else model.id)).all()
        return [row.model_dump() for row in rows]


def ticket_row(ticket_id: int) -> dict:
    [row] = _as_dicts(Ticket, Ticket.id == ticket_id)
    return row


def entry_row(entry_id: int) -> dict:
    [row] = _as_dicts(TimeEntry, TimeEntry.id == entry_id)
    return row


def draws_of(entry_id: int) -> list[tuple[str, int, int]]:
    """(kind, lot id, quantity) of the ledger entries a time entry wrote, in id order."""
    return _rows("SELECT kind, lot_id, quantity FROM ledger_entry WHERE time_entry_id = :e ORDER BY id", e=entry_id)


def revisions_of(entry_id: int) -> list[dict]:
    return _as_dicts(TimeEntryRevision, TimeEntryRevision.time_entry_id == entry_id)


def logged_minutes_mismatches() -> list[str]:
    """Tickets whose cached minutes_logged differs from the sum of their time entries (empty when all agree)."""
    return [f"ticket {t}: cached {cached} != entries {total}" for t, cached, total in _rows("""
        SELECT t.id, t.minutes_logged, COALESCE(SUM(e.minutes), 0) FROM ticket t
        LEFT JOIN time_entry e ON e.ticket_id = t.id GROUP BY t.id, t.minutes_logged ORDER BY t.id""")
        if cached != total]


def split_mismatches() -> list[str]:
    """Time entries whose prepaid part differs from the net minutes their ledger entries drew."""
    return [f"time entry {e}: prepaid {p} != drawn {d}" for e, p, d in _rows("""
        SELECT t.id, t.prepaid_minutes,
               COALESCE(SUM(CASE WHEN l.kind = 'consume' THEN l.quantity
                                 WHEN l.kind = 'refund' THEN -l.quantity ELSE 0 END), 0)
        FROM time_entry t LEFT JOIN ledger_entry l ON l.time_entry_id = t.id
        GROUP BY t.id, t.prepaid_minutes ORDER BY t.id""") if p != d]


def task_state() -> dict[str, list[tuple]]:
    """Every row of the task and ledger tables, in id order (to prove a refused call wrote nothing)."""
    names = ("ticket", "ticket_comment", "time_entry", "time_entry_revision", "credit_lot", "ledger_entry",
             "credit_hold", "service_subscription", "subscription_grant", "organization")
    return {t: _rows(f"SELECT * FROM {t} ORDER BY id") for t in names}


def count(table: str, where: str = "1 = 1", **params) -> int:
    return int(_one(f"SELECT COUNT(*) FROM {table} WHERE {where}", **params))
