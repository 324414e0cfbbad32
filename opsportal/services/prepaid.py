"""Prepaid hours for the period (managed-service subscriptions), the burn-rate forecast, and the
pay-as-you-go time the next invoice will hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.forecast import Forecast, forecast
from opsportal.domain.ledger import entries as rules
from opsportal.domain.ledger.lots import LotKind, Origin, Scope, end_of_day, last_usable_day
from opsportal.domain.periods import Period, PeriodLength, lot_last_day, period_containing, periods_usable_on
from opsportal.models import (
    CreditLot,
    LedgerEntry,
    ServiceSubscription,
    SubscriptionGrant,
    Ticket,
    TimeEntry,
)
from opsportal.services import ledger_store as store
from opsportal.services import orgtree, signoff_store
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput

HOURS = "support_hours"
# The columns are 32-bit integers: bounded here so bad input gets a message, not a database error.
# At the top rate a 16-hour entry is still worth less than 2**31 minor units.
MAX_MINUTES_PER_PERIOD = 10_000_000
MAX_HOURLY_RATE_MINOR = 100_000_000


@dataclass(frozen=True)
class SubscriptionPublic:
    id: int
    organization_id: int
    name: str
    minutes_per_period: int
    period: str
    rolls_over_once: bool
    starts_on: date
    ends_on: date | None = None
    active: bool = True


@dataclass(frozen=True)
class BillingTerms:
    """What an organization's support time costs: the pay-as-you-go rate and its subscriptions."""

    organization_id: int
    hourly_rate_minor: int
    currency: str
    subscriptions: list[SubscriptionPublic]


@dataclass(frozen=True)
class HoursOverview:
    remaining_minutes: int  # what the organization can use now
    used_this_period: int
    period_start: date
    period_end: date
    plan: str | None
    minutes_per_period: int | None
    forecast: Forecast


@dataclass(frozen=True)
class PaygTask:
    ticket_id: int
    title: str
    minutes: int
    amount_minor: int


@dataclass(frozen=True)
class PaygView:
    period_start: date
    period_end: date
    currency: str
    hourly_rate_minor: int
    tasks: list[PaygTask]
    total_minutes: int
    total_minor: int


def create_subscription(actor: Actor, *, organization_id: int, name: str, minutes_per_period: int, period: str,
                        rolls_over_once: bool, starts_on: date) -> SubscriptionPublic:
    require_staff_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidInput("Name the plan (up to 120 characters).")
    if isinstance(minutes_per_period, bool) or not isinstance(minutes_per_period, int) or minutes_per_period <= 0:
        raise InvalidInput("Hours per period must be more than zero.")
    if minutes_per_period > MAX_MINUTES_PER_PERIOD:
        raise InvalidInput(f"Hours per period must be at most {MAX_MINUTES_PER_PERIOD // 60:,}.")
    if isinstance(starts_on, datetime) or not isinstance(starts_on, date):
        raise InvalidInput("Give the day the subscription starts (YYYY-MM-DD).")
    try:
        length = PeriodLength(period)
    except ValueError:
        raise InvalidInput("The period is monthly or quarterly.") from None
    with unit_of_work() as session:
        orgtree.require_org(session, organization_id)
        sub = ServiceSubscription(organization_id=organization_id, name=name, minutes_per_period=minutes_per_period,
                                  period=length.value, rolls_over_once=rolls_over_once, starts_on=starts_on)
        session.add(sub)
        session.flush()
        return _subscription_public(sub)


def _subscription_public(sub: ServiceSubscription) -> SubscriptionPublic:
    return SubscriptionPublic(id=sub.id, organization_id=sub.organization_id, name=sub.name,
                              minutes_per_period=sub.minutes_per_period, period=sub.period,
                              rolls_over_once=sub.rolls_over_once, starts_on=sub.starts_on, ends_on=sub.ends_on,
                              active=sub.active)


def billing_terms(actor: Actor, organization_id: int) -> BillingTerms:
    """The organization's hourly rate and its managed-service subscriptions (newest first), for staff."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        subs = session.exec(select(ServiceSubscription).where(ServiceSubscription.organization_id == org.id)
                            .order_by(ServiceSubscription.starts_on.desc(), ServiceSubscription.id.desc())
                            .limit(100)).all()
        return BillingTerms(organization_id=org.id, hourly_rate_minor=org.hourly_rate_minor, currency=org.currency,
                            subscriptions=[_subscription_public(s) for s in subs])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def grant_due_periods(actor: Actor, *, at: datetime | None = None) -> int:
    """The period job: each active subscription's current period gets its lot, once, and so does the period
    before it while its hours roll over (a period the job missed). Safe to rerun."""
    require_staff_admin(actor)
    at = at or clock.now()
    today = at.astimezone(UTC).date()
    granted = 0
    with unit_of_work(write=False) as session:
        subs = session.exec(select(ServiceSubscription).where(
            ServiceSubscription.active, ServiceSubscription.starts_on <= today,
            or_(ServiceSubscription.ends_on.is_(None), ServiceSubscription.ends_on >= today))).all()
    for sub in subs:
        length = PeriodLength(sub.period)
        for period in periods_usable_on(sub.starts_on, length, sub.rolls_over_once, today):
            try:
                granted += _grant_period(actor, sub, period, length)
            except Conflict:
                continue  # another run granted this period meanwhile
    return granted


def _grant_period(actor: Actor, sub: ServiceSubscription, period: Period, length: PeriodLength) -> int:
    with unit_of_work() as session:
        exists = session.exec(select(SubscriptionGrant.id).where(
            SubscriptionGrant.subscription_id == sub.id, SubscriptionGrant.period_start == period.start)).first()
        if exists is not None:
            return 0
        granted_at = _midnight(period.start)
        lot = CreditLot(product_code=HOURS, holder_org_id=sub.organization_id, kind=LotKind.purchased.value,
                        origin=Origin.plan_period.value, quantity=sub.minutes_per_period, granted_at=granted_at,
                        expires_at=end_of_day(lot_last_day(period, length, sub.rolls_over_once)),
                        scope=Scope.org.value, remaining=0, held=0,
                        note=f"{sub.name}: {formats.day(period.start)} – {formats.day(period.end)}",
                        created_by=actor.user_id or None)
        session.add(lot)
        session.flush()
        store.write_entries(session, {lot.id: lot}, [rules.grant(store.to_domain(lot), granted_at)], actor.user_id)
        session.add(SubscriptionGrant(subscription_id=sub.id, period_start=period.start, period_end=period.end,
                                      lot_id=lot.id))
        try:
            session.flush()
        except IntegrityError:
            raise Conflict("This period was granted already.") from None
        return 1


def _current_subscription(session, organization_id: int, today: date) -> ServiceSubscription | None:
    return session.exec(select(ServiceSubscription).where(
        ServiceSubscription.organization_id == organization_id, ServiceSubscription.active,
        ServiceSubscription.starts_on <= today,
        or_(ServiceSubscription.ends_on.is_(None), ServiceSubscription.ends_on >= today))
        .order_by(ServiceSubscription.id.desc())).first()


def _month(today: date) -> Period:
    return period_containing(today.replace(day=1), PeriodLength.monthly, today)


def _net_used_since(session, organization_id: int, since: datetime, until: datetime) -> int:
    signed = case((LedgerEntry.kind == "refund", -LedgerEntry.quantity), else_=LedgerEntry.quantity)
    return int(session.exec(select(func.coalesce(func.sum(signed), 0)).where(
        LedgerEntry.org_id == organization_id, LedgerEntry.kind.in_(("consume", "refund")),
        LedgerEntry.product_code == HOURS, LedgerEntry.at > since, LedgerEntry.at <= until)).one())


def hours_overview(actor: Actor, organization_id: int, *, at: datetime | None = None) -> HoursOverview:
    """Remaining hours for the period, hours used in it, and when the hours run out at the current pace."""
    require_view_organization(actor, organization_id)
    at = (at or clock.now()).astimezone(UTC)
    today = at.date()
    with unit_of_work(write=False) as session:
        orgtree.require_org(session, organization_id)
        sub = _current_subscription(session, organization_id, today)
        period = (period_containing(sub.starts_on, PeriodLength(sub.period), today) if sub else None) or _month(today)
        usable = store.usable_lots_filter(organization_id, orgtree.ancestors(session, organization_id))
        live = (CreditLot.product_code == HOURS, usable, store.live_lots(at))
        available, latest, no_expiry = session.exec(select(
            func.coalesce(func.sum(CreditLot.remaining - CreditLot.held), 0), func.max(CreditLot.expires_at),
            func.coalesce(func.sum(case((CreditLot.expires_at.is_(None), 1), else_=0)), 0)).where(*live)).one()
        used_period = _net_used_since(session, organization_id, _midnight(period.start) - timedelta(microseconds=1),
                                      at)
        used_30 = _net_used_since(session, organization_id, at - timedelta(days=30), at)
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    expires_on = last_usable_day(latest) if latest is not None and not no_expiry else None
    return HoursOverview(remaining_minutes=int(available), used_this_period=used_period, period_start=period.start,
                         period_end=period.end, plan=sub.name if sub else None,
                         minutes_per_period=sub.minutes_per_period if sub else None,
                         forecast=forecast(int(available), used_30, today, expires_on))


def payg_view(actor: Actor, organization_id: int, *, at: datetime | None = None) -> PaygView:
    """Pay-as-you-go time of this month not yet billed, per task, with its value."""
    require_view_organization(actor, organization_id)
    today = (at or clock.now()).astimezone(UTC).date()
    period = _month(today)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        rows = session.exec(
            select(Ticket.id, Ticket.title, func.sum(TimeEntry.payg_minutes), func.sum(TimeEntry.payg_amount_minor))
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .where(TimeEntry.organization_id == organization_id, TimeEntry.billed_invoice_id.is_(None),
                   TimeEntry.payg_minutes > 0, TimeEntry.work_date >= period.start, TimeEntry.work_date <= period.end,
                   ~signoff_store.written_off_clause())
            .group_by(Ticket.id, Ticket.title).order_by(Ticket.id.desc())
        ).all()
        currency, rate = org.currency, org.hourly_rate_minor
    tasks = [PaygTask(ticket_id=i, title=t, minutes=int(m), amount_minor=int(a)) for i, t, m, a in rows]
    return PaygView(period_start=period.start, period_end=period.end, currency=currency, hourly_rate_minor=rate,
                    tasks=tasks, total_minutes=sum(t.minutes for t in tasks),
                    total_minor=sum(t.amount_minor for t in tasks))


def set_hourly_rate(actor: Actor, organization_id: int, *, hourly_rate_minor: int, currency: str) -> None:
    require_staff_admin(actor)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        raise InvalidInput("The currency is a three-letter ISO code, e.g. USD.")
    if isinstance(hourly_rate_minor, bool) or not isinstance(hourly_rate_minor, int) or hourly_rate_minor < 0:
        raise InvalidInput("The hourly rate must be zero or more, in minor units (cents).")
    if hourly_rate_minor > MAX_HOURLY_RATE_MINOR:
        raise InvalidInput(f"The hourly rate must be at most {formats.money(MAX_HOURLY_RATE_MINOR, currency)}.")
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        org.hourly_rate_minor, org.currency = hourly_rate_minor, currency
        session.add(org)
