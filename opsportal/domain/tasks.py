"""Support tasks (tickets): statuses, priorities, categories, and what a valid ticket is."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    waiting_on_customer = "waiting_on_customer"
    resolved = "resolved"
    closed = "closed"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


OPEN_STATUSES = frozenset({TaskStatus.open, TaskStatus.in_progress, TaskStatus.waiting_on_customer})
CLOSED_STATUSES = frozenset({TaskStatus.resolved, TaskStatus.closed})
STATUS_LABELS = {
    TaskStatus.open: "Open",
    TaskStatus.in_progress: "In progress",
    TaskStatus.waiting_on_customer: "Waiting on you",
    TaskStatus.resolved: "Resolved",
    TaskStatus.closed: "Closed",
}


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


CATEGORIES = (
    "Infrastructure", "Networking", "Security", "Identity & access", "End-user support",
    "Email & collaboration", "Backup & recovery", "Cloud", "Other",
)
SUBJECT_MAX = 200
DESCRIPTION_MAX = 20_000
COMMENT_MAX = 10_000
NOTE_MAX = 500
# One time entry covers at most a long working day; more is almost certainly a typo.
MAX_ENTRY_MINUTES = 16 * 60


def ticket_problems(subject: str, category: str, priority: str, description: str) -> dict[str, str]:
    """Field -> what is wrong with it, for a new ticket (empty when it is valid)."""
    problems = {}
    subject = " ".join((subject or "").split())
    if not subject:
        problems["subject"] = "Give the ticket a subject."
    elif len(subject) > SUBJECT_MAX:
        problems["subject"] = f"Keep the subject under {SUBJECT_MAX} characters."
    if category not in CATEGORIES:
        problems["category"] = "Choose a category."
    if priority not in {p.value for p in Priority}:
        problems["priority"] = "Choose a priority."
    text = (description or "").strip()
    if len(text) < 10:
        problems["description"] = "Describe the problem in a sentence or two (at least 10 characters)."
    elif len(text) > DESCRIPTION_MAX:
        problems["description"] = f"Keep the description under {DESCRIPTION_MAX:,} characters."
    return problems


def minutes_problem(minutes: int) -> str | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        return "Time must be a positive number of minutes."
    if minutes > MAX_ENTRY_MINUTES:
        return f"One time entry can hold at most {MAX_ENTRY_MINUTES // 60} hours; split longer work."
    return None
