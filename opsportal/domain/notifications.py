"""Notifications as pure rules: the kinds, who may and who does receive them by default, the period a
run belongs to, when a notice is due, and what a credit statement or an expiry notice says.

Nothing here reads a database or sends mail: services gather plain figures (aggregated free credit
per product, type and expiry instant; usage per category; expired quantities) and these functions
decide whether there is anything to send and build its content, numbers already formatted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.invoices import BILLING_ROLES
from opsportal.domain.ledger.lots import LotKind, end_of_day, last_usable_day
from opsportal.domain.ledger.products import Unit
from opsportal.domain.ledger.views import BUCKETS, bucket_for
from opsportal.domain.roles import CUSTOMER_ROLES, ORG_MANAGER_ROLES, Role

# What "the last 30 days", "the past month" and "the next 30 days" mean in every notice.
WINDOW_DAYS = 30
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
}
_DEFAULT_ROLES = {
    NotificationKind.monthly_statement: frozenset(),
    NotificationKind.weekly_expiry: frozenset(),
    NotificationKind.low_balance: ORG_MANAGER_ROLES,
    NotificationKind.overdue_reminder: BILLING_ROLES,
}
_LOSS_WARNINGS = {
    NotificationKind.monthly_statement: "This might cause you to miss an expiration date and lead to loss of credits.",
    NotificationKind.weekly_expiry: "This might cause you to miss an expiration date and lead to loss of credits.",
    NotificationKind.low_balance: "This might cause you to run out of support hours unnoticed.",
    NotificationKind.overdue_reminder: "This might cause you to miss a payment and have support interrupted.",
}
# Subscribed when an organization gets its primary contact (its first owner).
PRIMARY_CONTACT_KINDS = (NotificationKind.monthly_statement, NotificationKind.weekly_expiry)


def parse_kind(value: str) -> NotificationKind:
    """The kind named by ``value`` (``monthly``, ``weekly-expiry``... are accepted too); ValueError otherwise."""
    cleaned = (value or "").strip().lower().replace("-", "_")
    aliases = {"monthly": "monthly_statement", "statement": "monthly_statement", "weekly": "weekly_expiry",
               "expiry": "weekly_expiry", "overdue": "overdue_reminder", "low": "low_balance"}
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
        if kind is NotificationKind.overdue_reminder:
            days = int(key.rsplit("-day-", 1)[1])
            return f"{days} day{'' if days == 1 else 's'} after the due date"
        since = datetime.strptime(key.removeprefix("below-"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return f"Below the threshold since {formats.instant(since, time_zone)}"
    except (ValueError, IndexError):
        return key


def month_title(at: datetime) -> str:
    """The statement's month as its title says it: ``November 2026`` (the UTC month its period key names)."""
    return formats.month(_utc(at).date())


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


# --- the old hand-written format ----------------------------------------------------------------------------
# The notices now write through domain.formats (``1 h 30 min``, ``5 December 2026``). This remains only for the pages
# not yet moved to formats (state.notifications, state.org_notifications); delete it with its last caller.


# --- figures the services gather ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductInfo:
    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class FreeCredit:
    """Free (not held) quantity of live lots of one product and type with one expiry instant."""

    product: str
    kind: str
    expires_at: datetime | None
    quantity: int


@dataclass(frozen=True)
class Usage:
    product: str
    category: str
    quantity: int


def _product_order(products: Mapping[str, ProductInfo], codes: Iterable[str]) -> list[ProductInfo]:
    """Support hours first, then service credits, then the others by name (as the credits page orders them)."""
    known = [products.get(code) or ProductInfo(code, code, Unit.credit.value) for code in set(codes)]
    return sorted(known, key=lambda p: (p.code != "support_hours", p.code != "service_credits", p.name, p.code))


def _days_left(expires_at: datetime | None, at: datetime) -> int | None:
    if expires_at is None:
        return None
    return (last_usable_day(expires_at) - _utc(at).date()).days


def _live(credit: FreeCredit, at: datetime) -> bool:
    return credit.quantity > 0 and (credit.expires_at is None or credit.expires_at > at)


# --- the monthly statement ----------------------------------------------------------------------------------

BUCKET_LABELS = {
    "0-30": "Expire within 30 days",
    "31-60": "Expire in 31 to 60 days",
    "61-90": "Expire in 61 to 90 days",
    "91-120": "Expire in 91 to 120 days",
    "later": "Expire in more than 120 days",
    "none": "Do not expire",
}


@dataclass(frozen=True)
class Line:
    label: str
    quantity: int
    amount: str


@dataclass(frozen=True)
class StatementSection:
    product: str
    name: str
    unit: str
    used: list[Line]
    used_total: str
    active: list[Line]
    active_total: str
    expiring_soon: str
    expiring_soon_quantity: int
    in_play: str | None
    expired: str
    expired_quantity: int


@dataclass(frozen=True)
class Statement:
    organization: str
    period: str  # "November 2026"
    since: date
    until: date
    sections: list[StatementSection]


def statement_due(used: int, active: int) -> bool:
    """A statement goes out only if the organization used credits in the past month or holds active credits."""
    return used > 0 or active > 0


def build_statement(organization: str, at: datetime, products: Mapping[str, ProductInfo],
                    free: Iterable[FreeCredit], usage: Iterable[Usage], expired: Mapping[str, int],
                    in_play: Mapping[str, int] | None = None) -> Statement | None:
    """The statement's three sections per product, or None when there is nothing to report.

    ``free`` are the usable credits (expired ones are ignored), ``usage`` the net use of the last 30
    days per category, ``expired`` the quantity per product that expired in the last 30 days.
    """
    at = _utc(at)
    in_play = {k: v for k, v in (in_play or {}).items() if v > 0}
    live = [c for c in free if _live(c, at)]
    used = [u for u in usage if u.quantity > 0]
    if not statement_due(sum(u.quantity for u in used), sum(c.quantity for c in live) + sum(in_play.values())):
        return None
    sections = []
    codes = {c.product for c in live} | {u.product for u in used} | {k for k, v in expired.items() if v > 0} | set(
        in_play)
    for product in _product_order(products, codes):
        unit = product.unit
        totals: dict[str, int] = {}
        for u in used:
            if u.product == product.code:
                totals[u.category] = totals.get(u.category, 0) + u.quantity
        # Largest use first.
        by_category = dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
        buckets = dict.fromkeys(BUCKETS, 0)
        for c in live:
            if c.product == product.code:
                buckets[bucket_for(_days_left(c.expires_at, at))] += c.quantity
        active_total = sum(buckets.values())
        expired_here = max(0, int(expired.get(product.code, 0)))
        sections.append(StatementSection(
            product=product.code, name=product.name, unit=unit,
            used=[Line(cat, q, formats.quantity(q, unit)) for cat, q in by_category.items()],
            used_total=formats.quantity(sum(by_category.values()), unit),
            active=[Line(BUCKET_LABELS[b], q, formats.quantity(q, unit)) for b, q in buckets.items() if q],
            active_total=formats.quantity(active_total, unit),
            expiring_soon=formats.quantity(buckets["0-30"], unit), expiring_soon_quantity=buckets["0-30"],
            in_play=formats.quantity(in_play[product.code], unit) if product.code in in_play else None,
            expired=formats.quantity(expired_here, unit), expired_quantity=expired_here))
    return Statement(organization=organization, period=month_title(at),
                     since=(at - timedelta(days=WINDOW_DAYS)).date(), until=at.date(), sections=sections)


# --- the weekly expiry notice --------------------------------------------------------------------------------

TYPE_LABELS = {LotKind.purchased.value: "Purchased", LotKind.complimentary.value: "Complimentary"}


@dataclass(frozen=True)
class Expiring:
    """Credits of one type (or all types, for a product's total) expiring in the next 30 days."""

    label: str
    total: int
    total_text: str
    nearest: date
    nearest_text: str
    on_nearest: int
    on_nearest_text: str
    note: str  # says whether the whole total expires on the nearest date

    @property
    def all_on_nearest(self) -> bool:
        return self.on_nearest >= self.total


@dataclass(frozen=True)
class ExpirySection:
    product: str
    name: str
    unit: str
    by_type: list[Expiring]
    total: Expiring


@dataclass(frozen=True)
class ExpiryNotice:
    organization: str
    until: date  # the last day of the 30-day window
    nearest: date
    sections: list[ExpirySection]


def expiry_horizon(at: datetime) -> datetime:
    """Credits expiring at or before this instant expire "in the next 30 days" (as on the credits page)."""
    return end_of_day(_utc(at).date() + timedelta(days=WINDOW_DAYS))


def expiring_soon(credit: FreeCredit, at: datetime) -> bool:
    return _live(credit, at) and credit.expires_at is not None and credit.expires_at <= expiry_horizon(at)


def expiry_note(total: int, on_nearest: int, nearest: date, unit: Unit | str) -> str:
    """The sentence under the nearest expiry date: it may not be the date for the whole total."""
    if on_nearest >= total:
        return f"All of it expires on {formats.long_day(nearest)}."
    return (f"Not all of the total expires on {formats.long_day(nearest)}: {formats.quantity(on_nearest, unit)} "
            f"expire on that date and {formats.quantity(total - on_nearest, unit)} later in the next 30 days.")


def _expiring(label: str, credits: list[FreeCredit], unit: str) -> Expiring:
    total = sum(c.quantity for c in credits)
    nearest = min(last_usable_day(c.expires_at) for c in credits)
    on_nearest = sum(c.quantity for c in credits if last_usable_day(c.expires_at) == nearest)
    return Expiring(label=label, total=total, total_text=formats.quantity(total, unit), nearest=nearest,
                    nearest_text=formats.long_day(nearest), on_nearest=on_nearest,
                    on_nearest_text=formats.quantity(on_nearest, unit),
                    note=expiry_note(total, on_nearest, nearest, unit))


def build_expiry_notice(organization: str, at: datetime, products: Mapping[str, ProductInfo],
                        free: Iterable[FreeCredit]) -> ExpiryNotice | None:
    """Per product: what expires in the next 30 days by type, the total, the nearest date; None if nothing does."""
    at = _utc(at)
    soon = [c for c in free if expiring_soon(c, at)]
    if not soon:
        return None
    sections = []
    for product in _product_order(products, {c.product for c in soon}):
        mine = [c for c in soon if c.product == product.code]
        by_type = [_expiring(TYPE_LABELS.get(kind, kind.capitalize()), [c for c in mine if c.kind == kind],
                             product.unit)
                   for kind in sorted({c.kind for c in mine}, key=lambda k: (k != LotKind.purchased.value, k))]
        sections.append(ExpirySection(product=product.code, name=product.name, unit=product.unit, by_type=by_type,
                                      total=_expiring("Total", mine, product.unit)))
    return ExpiryNotice(organization=organization, until=at.date() + timedelta(days=WINDOW_DAYS),
                        nearest=min(s.total.nearest for s in sections), sections=sections)


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
