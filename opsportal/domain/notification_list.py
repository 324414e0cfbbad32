"""The bell in the header: how many lines it shows, how its count reads, and when a read line may go.

What "read" means (the rule the services and pages follow):
- opening the bell's list shows the newest ``DROPDOWN_SIZE`` lines, the unread ones marked "New"; right after
  they are shown they count as read (the badge drops; the "New" marks stay until the list is opened again);
- opening a task marks every line about that task read (the reply is on the screen);
- the Updates page (``PAGE_SIZE`` lines a page) marks nothing by itself: it is where one finds what is still
  unread; following a line there, or "Mark as read" / "Mark all as read", marks it;
- read lines older than the retention (``OPSPORTAL_PORTAL_NOTIFICATION_RETENTION_DAYS``) are deleted by the
  hourly scheduler, at most ``PRUNE_BATCH`` a run; unread lines are never deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DROPDOWN_SIZE = 10
PAGE_SIZE = 25
PRUNE_BATCH = 5000
BADGE_MAX = 99


def badge(unread: int) -> str:
    """The badge's text: the count, capped ("99+"); empty when nothing is unread (no badge)."""
    if unread <= 0:
        return ""
    return f"{BADGE_MAX}+" if unread > BADGE_MAX else str(unread)


def bell_label(unread: int) -> str:
    """The bell button's accessible name, the unread count included."""
    if unread <= 0:
        return "Notifications, none unread"
    return f"Notifications, {badge(unread)} unread"


def prune_cutoff(now: datetime, retention_days: int) -> datetime:
    """Read lines read before this instant may be deleted."""
    return now - timedelta(days=max(0, retention_days))
