"""How tasks, comments and time entries read on the customer's pages (pure: no Reflex, no database)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from opsportal import routes
from opsportal.domain.billing_time import format_money
from opsportal.domain.ledger.products import format_quantity
from opsportal.services.tasks import CommentPublic, TaskRow, TimeEntryPublic

STATUS_COLORS = {"open": "blue", "in_progress": "indigo", "waiting_on_customer": "orange", "resolved": "green",
                 "closed": "gray"}


def hours(minutes: int) -> str:
    return format_quantity(minutes, "minute")


def when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC") if value else "—"


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def task_row(row: TaskRow) -> dict[str, str]:
    return {"id": str(row.id), "href": routes.task(row.id), "title": row.title, "status": row.status,
            "status_label": row.status_label, "color": STATUS_COLORS.get(row.status, "gray"),
            "category": row.category, "priority": row.priority.capitalize(), "agent": row.agent or "Unassigned",
            "time": hours(row.minutes_logged), "updated": when(row.updated_at)}


def paid_by(entry: TimeEntryPublic) -> str:
    """What paid for the entry; when both did, how the time was split."""
    if entry.prepaid_minutes and entry.payg_minutes:
        return f"Prepaid hours {hours(entry.prepaid_minutes)} + pay-as-you-go {hours(entry.payg_minutes)}"
    return "Prepaid hours" if entry.prepaid_minutes else "Pay-as-you-go"


def time_entry(entry: TimeEntryPublic) -> dict[str, str]:
    return {"id": str(entry.id), "date": day(entry.work_date), "agent": entry.agent, "time": hours(entry.minutes),
            "paid_by": paid_by(entry),
            "value": format_money(entry.payg_amount_minor, entry.currency) if entry.payg_minutes else "—",
            "note": entry.note, "corrected": "yes" if entry.revisions > 0 else "",
            "after_hours": "yes" if entry.after_hours else "", "billed": "yes" if entry.billed else ""}


def time_totals(entries: Iterable[TimeEntryPublic]) -> dict[str, str]:
    entries = list(entries)
    value_by_currency: dict[str, int] = {}
    for e in entries:
        if e.payg_minutes:
            value_by_currency[e.currency] = value_by_currency.get(e.currency, 0) + e.payg_amount_minor
    return {"time": hours(sum(e.minutes for e in entries)),
            "prepaid": hours(sum(e.prepaid_minutes for e in entries)),
            "payg": hours(sum(e.payg_minutes for e in entries)),
            "value": " + ".join(format_money(v, c) for c, v in sorted(value_by_currency.items())) or "—"}


def comment(c: CommentPublic) -> dict[str, str]:
    return {"id": str(c.id), "author": c.author, "side": "support" if c.from_staff else "customer",
            "who": "Support team" if c.from_staff else "Customer", "body": c.body, "when": when(c.created_at)}
