"""Notifications as pure rules: the kinds, who may and who does receive them by default, the period a
run belongs to, when a notice is due, and where one delivery stands.

What a credit statement or an expiry notice says is in ``domain.credit_notices``. Nothing here reads a
database or sends mail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.invoices import BILLING_ROLES
from opsportal.domain.roles import CUSTOMER_ROLES, ORG_MANAGER_ROLES, Role

# Overdue-invoice reminders go out this many days after the due date; the last stage applies for a week.
OVERDUE_STAGES = (1, 7, 14)
LAST_STAGE_DAYS = 7
# Scheduled notices (monthly, weekly) go out from this hour (UTC) of their first day on.
SEND_FROM_HOUR = 7
# How often one delivery is attempted before the job gives up on it (and keeps reporting it).
MAX_ATTEMPTS = 8


class NotificationKind(StrEnum):
    monthly_statement = "monthly_statement"
    weekly_expiry = "weekly_expiry"
    low_balance = "low_balance"
    overdue_reminder = "overdue_reminder"
    ticket_updates = "ticket_updates"  # agents' replies and status changes on tickets one raised or follows
    community_answers = "community_answers"  # new answers in K2 Community threads one asked or follows

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def description(self) -> str:
        return _LABELS[self][1]

    @property
    def eligible_roles(self) -> frozenset[Role]:
        """Who may subscribe: invoices are shown to billing roles only, so are their reminders."""
        return BILLING_ROLES if self is NotificationKind.overdue_reminder else CUSTOMER_ROLES

    @property
    def default_roles(self) -> frozenset[Role]:
        """Who receives it without having chosen either way (an explicit choice always wins).

        Statements and expiry notices are opt-in (the primary contact is subscribed when the
        organization gets its first owner); money matters reach the people who handle them.
        """
        return _DEFAULT_ROLES[self]

    def may_receive(self, role: Role | str) -> bool:
        return Role(role) in self.eligible_roles

    def subscribed_by_default(self, role: Role | str) -> bool:
        return Role(role) in self.default_roles

    @property
    def loss_warning(self) -> str:
        """What the last subscriber is told before unsubscribing."""
        return _LOSS_WARNINGS[self]


_LABELS = {
    NotificationKind.monthly_statement: (
        "Monthly credit statement",
        "Credits used in the last 30 days by service category, active credits with their expiry periods, "
        "and credits that expired in the past month. Sent once a month when there is something to report."),
    NotificationKind.weekly_expiry: (
        "Weekly credit expiry notice",
        "Credits that expire in the next 30 days, purchased and complimentary, with the nearest expiry date. "
        "Sent once a week when some credits are about to expire."),
    NotificationKind.low_balance: (
        "Low support-hours alert",
        "Sent once each time the organization's available support hours fall below its alert threshold."),
    NotificationKind.overdue_reminder: (
        "Overdue invoice reminders",
        "Reminders 1, 7 and 14 days after an unpaid invoice's due date, with a link to pay it."),
    NotificationKind.ticket_updates: (
        "Ticket updates by e-mail",
        "An e-mail when an agent replies on a ticket you raised or follow, or its status changes. Answer it to add "
        "a comment to the ticket."),
    NotificationKind.community_answers: (
        "Community answers by e-mail",
        "An e-mail when someone answers a K2 Community question you asked or follow."),
}
_DEFAULT_ROLES = {
    NotificationKind.monthly_statement: frozenset(),
    NotificationKind.weekly_expiry: frozenset(),
    NotificationKind.low_balance: ORG_MANAGER_ROLES,
    NotificationKind.overdue_reminder: BILLING_ROLES,
    NotificationKind.ticket_updates: CUSTOMER_ROLES,
    NotificationKind.community_answers: CUSTOMER_ROLES,
}
_LOSS_WARNINGS = {
    NotificationKind.monthly_statement: "This might cause you to miss an expiration date and lead to loss of credits.",
    NotificationKind.weekly_expiry: "This might cause you to miss an expiration date and lead to loss of credits.",
    NotificationKind.low_balance: "This might cause you to run out of support hours unnoticed.",
    NotificationKind.overdue_reminder: "This might cause you to miss a payment and have support interrupted.",
    NotificationKind.ticket_updates: "Agents' replies will then reach your organization only in the portal.",
    NotificationKind.community_answers: "Answers to your community questions will then show only in the portal.",
}
# Subscribed when an organization gets its primary contact (its first owner).
PRIMARY_CONTACT_KINDS = (NotificationKind.monthly_statement, NotificationKind.weekly_expiry)


def parse_kind(value: str) -> NotificationKind:
    """The kind named by ``value`` (``monthly``, ``weekly-expiry``... are accepted too); ValueError otherwise."""
    cleaned = (value or "").strip().lower().replace("-", "_")
    aliases = {"monthly": "monthly_statement", "statement": "monthly_statement", "weekly": "weekly_expiry",
               "expiry": "weekly_expiry", "overdue": "overdue_reminder", "low": "low_balance",
               "tickets": "ticket_updates", "ticket": "ticket_updates",
               "community": "community_answers", "forum": "community_answers"}
    try:
        return NotificationKind(aliases.get(cleaned, cleaned))
    except ValueError:
        valid = ", ".join(k.value for k in NotificationKind)
        raise ValueError(f"unknown notification {value!r}; known notifications: {valid}") from None


def is_subscribed(kind: NotificationKind, role: Role | str, choice: bool | None) -> bool:
    """Whether a user receives ``kind``: their explicit choice, else the role's default; never if not eligible."""
    if not kind.may_receive(role):
        return False
    return kind.subscribed_by_default(role) if choice is None else choice


def last_subscriber_warning(kind: NotificationKind, organization: str, colleague: str | None = None) -> str:
    """The confirmation asked of the last subscriber (or of an owner unsubscribing ``colleague``, the last one)."""
    who, action = (f"{colleague} is", f"{colleague} is unsubscribed") if colleague else ("You are", "you unsubscribe")
    return (f"{who} the last subscriber of the {kind.label.lower()} in {organization}. If {action}, "
            f"no one in {organization} will receive it any more. {kind.loss_warning}")


# --- periods ------------------------------------------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    return at.astimezone(UTC)


def month_key(at: datetime) -> str:
    """The monthly statement's period: the UTC calendar month of the run, ``2026-11``."""
    at = _utc(at)
    return f"{at.year:04d}-{at.month:02d}"


def week_key(at: datetime) -> str:
    """The weekly notice's period: the ISO week of the run (UTC), ``2026-W47``."""
    year, week, _ = _utc(at).isocalendar()
    return f"{year:04d}-W{week:02d}"


def period_key(kind: NotificationKind, at: datetime) -> str:
    if kind is NotificationKind.monthly_statement:
        return month_key(at)
    if kind is NotificationKind.weekly_expiry:
        return week_key(at)
    raise ValueError(f"{kind.value} has no calendar period: its key comes from an invoice or a crossing")


def period_label(kind: NotificationKind | str, key: str, time_zone: str | None = None) -> str:
    """A delivery's period as the support team reads it, not its key: ``October 2026``, ``Week of 16 Nov 2026``,
    ``7 days after the due date``, ``Below the threshold since 2 Nov 2026, 09:00 GMT`` (the reader's zone)."""
    try:
        kind = NotificationKind(kind)
        if kind is NotificationKind.monthly_statement:
            year, month = key.split("-")
            return formats.month(date(int(year), int(month), 1))
        if kind is NotificationKind.weekly_expiry:
            year, week = key.split("-W")
            return f"Week of {formats.day(date.fromisocalendar(int(year), int(week), 1))}"
        if kind is NotificationKind.ticket_updates:
            ticket, update = key.removeprefix("ticket-").split("-update-")
            return f"Update {int(update)} on task #{int(ticket)}"
        if kind is NotificationKind.community_answers:
            question, answer = key.removeprefix("forum-").split("-answer-")
            return f"Answer {int(answer)} in community question #{int(question)}"
        if kind is NotificationKind.overdue_reminder:
            days = int(key.rsplit("-day-", 1)[1])
            return f"{days} day{'' if days == 1 else 's'} after the due date"
        since = datetime.strptime(key.removeprefix("below-"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return f"Below the threshold since {formats.instant(since, time_zone)}"
    except (ValueError, IndexError):
        return key


def overdue_stage(due: date, today: date) -> int | None:
    """Which reminder an open invoice is due for today: 1, 7 or 14 (days past due), else None.

    A run that missed a stage sends only the latest one due; the last stage is sent up to a week
    late, after that reminders stop (the vendor's staff follow up).
    """
    days = (today - due).days
    due_stages = [s for s in OVERDUE_STAGES if s <= days]
    if not due_stages or days >= OVERDUE_STAGES[-1] + LAST_STAGE_DAYS:
        return None
    return due_stages[-1]


def overdue_window(today: date) -> tuple[date, date]:
    """The due dates (inclusive) of invoices that may be due for a reminder today."""
    return today - timedelta(days=OVERDUE_STAGES[-1] + LAST_STAGE_DAYS - 1), today - timedelta(days=OVERDUE_STAGES[0])


def ticket_update_key(ticket_id: int, update_id: int) -> str:
    """A ticket update's e-mail to one user (at most once): ``ticket-123-update-456``."""
    return f"ticket-{int(ticket_id)}-update-{int(update_id)}"


def overdue_key(invoice_id: int, stage: int) -> str:
    if stage not in OVERDUE_STAGES:
        raise ValueError(f"no reminder is sent {stage} days after the due date")
    return f"invoice-{invoice_id}-day-{stage}"


def low_balance_key(available: int, threshold: int | None, current_key: str | None, at: datetime) -> str | None:
    """The crossing an alert belongs to, or None when the balance is not below the threshold.

    Falling below the threshold starts a crossing named after the instant it was first seen; while
    the balance stays below, the same crossing (one alert per user); climbing back to the threshold
    or above ends it, so the next fall is a new crossing with an alert of its own.
    """
    if threshold is None or available >= threshold:
        return None
    return current_key or f"below-{_utc(at):%Y-%m-%dT%H:%M:%S.%fZ}"


def scheduled_run_due(kind: NotificationKind, at: datetime) -> bool:
    """Whether the in-process scheduler runs ``kind`` now; every job is idempotent within its period.

    Statements wait for 07:00 UTC on the 1st, expiry notices for 07:00 UTC on Monday, so a portal
    that runs all month sends them at a civil hour; alerts and reminders are checked at every tick.
    """
    at = _utc(at)
    if kind is NotificationKind.monthly_statement:
        return not (at.day == 1 and at.hour < SEND_FROM_HOUR)
    if kind is NotificationKind.weekly_expiry:
        return not (at.isoweekday() == 1 and at.hour < SEND_FROM_HOUR)
    return True


# --- deliveries, as the support team sees them -----------------------------------------------------------

UNCONFIRMED_AFTER = timedelta(minutes=15)  # a send takes seconds: still "sending" after this, the run died


class DeliveryState(StrEnum):
    """Where one notice stands, from its row's status, attempts and last attempt."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    retrying = "retrying"  # failed; a later run tries again
    gave_up = "gave_up"  # failed MAX_ATTEMPTS times; no run tries again unless staff allow it
    unconfirmed = "unconfirmed"  # a run began sending and never recorded the result: it may have gone out

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self]

    @property
    def needs_attention(self) -> bool:
        return self in (DeliveryState.retrying, DeliveryState.gave_up, DeliveryState.unconfirmed)


_DELIVERY_LABELS = {
    DeliveryState.pending: "Pending", DeliveryState.sending: "Sending", DeliveryState.sent: "Sent",
    DeliveryState.retrying: "Failed, will retry", DeliveryState.gave_up: "Failed, gave up",
    DeliveryState.unconfirmed: "Unconfirmed",
}


def delivery_state(status: str, attempts: int, last_attempt_at: datetime | None, now: datetime) -> DeliveryState:
    if status == "sent":
        return DeliveryState.sent
    if status == "failed":
        return DeliveryState.gave_up if attempts >= MAX_ATTEMPTS else DeliveryState.retrying
    if status == "sending":
        stale = last_attempt_at is None or _utc(now) - _utc(last_attempt_at) >= UNCONFIRMED_AFTER
        return DeliveryState.unconfirmed if stale else DeliveryState.sending
    return DeliveryState.pending
