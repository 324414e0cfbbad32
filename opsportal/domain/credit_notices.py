"""What the credit notices say, as pure rules: the monthly credit statement (use by category, active credits by
expiry period, what expired) and the weekly expiry notice (what expires in the next 30 days by type, the total,
the nearest date).

Services gather plain figures (``services.credit_views``: free credit per product, type and expiry instant; use per
category; expired quantities) and these functions decide whether there is anything to send and build its content,
numbers already formatted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opsportal.domain import formats
from opsportal.domain.ledger.lots import LotKind, end_of_day, last_usable_day
from opsportal.domain.ledger.products import Unit
from opsportal.domain.ledger.views import BUCKETS, bucket_for
from opsportal.domain.regions import require_aware as _utc

# What "the last 30 days", "the past month" and "the next 30 days" mean in every notice.
WINDOW_DAYS = 30


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


def month_title(at: datetime) -> str:
    """The statement's month as its title says it: ``November 2026`` (the UTC month its period key names)."""
    return formats.month(_utc(at).date())


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
