"""How tasks, comments and time entries read on the customer's pages (pure: no Reflex, no database)."""

from __future__ import annotations

from datetime import date, datetime

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import tasks
from opsportal.services.tasks import CommentPublic, TaskRow, TimeEntryPublic, TimeTotals

COMMENT_STEP = 50  # how many older comments "Show earlier messages" adds
STATUS_COLORS = {"open": "blue", "in_progress": "indigo", "waiting_on_customer": "orange", "resolved": "green",
                 "closed": "gray"}


def hours(minutes: int) -> str:
    return formats.duration(minutes)


def when(value: datetime | None, time_zone: str = formats.DEFAULT_TIME_ZONE) -> str:
    """An instant in the reader's zone, the zone named."""
    return formats.instant(value, time_zone)


def day(value: date | None) -> str:
    return formats.day(value)


def task_row(row: TaskRow, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    return {"id": str(row.id), "href": routes.task(row.id), "title": row.title, "status": row.status,
            "status_label": row.status_label, "color": STATUS_COLORS.get(row.status, "gray"),
            "category": row.category, "priority": formats.label(row.priority), "agent": row.agent or "Unassigned",
            "time": hours(row.minutes_logged), "updated": when(row.updated_at, time_zone)}


def paid_by(entry: TimeEntryPublic) -> str:
    """What paid for the entry; when both did, how the time was split."""
    if entry.written_off:
        return entry.paid_by
    if entry.prepaid_minutes and entry.payg_minutes:
        return f"Prepaid hours {hours(entry.prepaid_minutes)} + pay-as-you-go {hours(entry.payg_minutes)}"
    return "Prepaid hours" if entry.prepaid_minutes else "Pay-as-you-go"


def time_entry(entry: TimeEntryPublic) -> dict[str, str]:
    return {"id": str(entry.id), "date": day(entry.work_date), "agent": entry.agent, "time": hours(entry.minutes),
            "paid_by": paid_by(entry),
            "value": formats.money(entry.payg_amount_minor, entry.currency) if entry.payg_minutes else "—",
            "note": entry.note, "corrected": "yes" if entry.revisions > 0 else "",
            "after_hours": "yes" if entry.after_hours else "", "billed": "yes" if entry.billed else ""}


def time_totals(totals: TimeTotals) -> dict[str, str]:
    """The totals line over all of a task's entries (summed by the service, not from the page shown)."""
    return {"time": hours(totals.minutes), "prepaid": hours(totals.prepaid_minutes),
            "payg": hours(totals.payg_minutes),
            "written_off": f", {hours(totals.written_off_minutes)} written off" if totals.written_off_minutes else "",
            "value": " + ".join(formats.money(v, c) for c, v in sorted(totals.payg_amount_by_currency)) or "—"}


def wider_window(current: int) -> int:
    """The conversation window after "Show earlier messages": one step wider, never past the bound."""
    return tasks.comment_window(int(current) + COMMENT_STEP)


def earlier_label(comment_count: int, shown: int) -> str:
    """The label of the button that shows older comments; "" when all are shown or the window is at its bound."""
    more = max(0, comment_count - shown)
    return f"Show earlier messages ({formats.count(more)} more)" if more and shown < tasks.MAX_COMMENT_WINDOW else ""


def window_note(comment_count: int, shown: int) -> str:
    """What the page says when it shows as many comments as a page may hold and older ones remain."""
    if comment_count > shown >= tasks.MAX_COMMENT_WINDOW:
        return f"Showing the latest {formats.count(shown)} of {formats.count(comment_count)} messages."
    return ""


def comment(c: CommentPublic, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    return {"id": str(c.id), "author": c.author, "side": "support" if c.from_staff else "customer",
            "who": "Support team" if c.from_staff else "Customer", "body": c.body,
            "when": when(c.created_at, time_zone)}
