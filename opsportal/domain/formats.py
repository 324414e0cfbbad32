"""How the portal writes money, dates, instants, durations and statuses: one place, on Babel.

Every page, e-mail, PDF and CSV formats through these functions; nothing formats by hand.

- Money is integer minor units plus an ISO currency, written with the currency's code and its own
  number of decimals (``USD 1,234.50``, ``JPY 1,235``), never through floats.
- Instants are stored in UTC and shown in the reader's time zone with the zone named
  (``3 Dec 2026, 09:05 EST``; ``4 Dec 2026, 01:05 GMT+11:00`` where the zone has no common abbreviation).
- Days (credit expiry, invoice dates) are calendar dates, shown without a time or zone.
- Durations are minutes, written ``1 h 30 min``, ``2 h``, ``45 min``.
- Statuses are words customers read (``In progress``), never codes (``in_progress``).
- Phone numbers are stored in E.164 and shown in international format (``+44 20 7946 0321``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, get_currency_precision

from opsportal import clock
from opsportal.domain.ledger.products import Unit
from opsportal.domain.tasks import STATUS_LABELS

# The portal's one locale: dates, numbers and money follow it everywhere.
LOCALE = "en_GB"
# Where a user has no zone of their own and their organization no home region (staff, the CLI).
DEFAULT_TIME_ZONE = "UTC"

_MONEY_PATTERN = "¤¤ #,##0.00"


# --- time zones -----------------------------------------------------------------------------------------------


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone users may choose, or None."""
    if not (name or "").strip():
        return "choose a time zone"
    if name not in selectable_time_zones():
        return f"{name!r} is not a known time zone (use a name such as Europe/London)"
    return None


_SELECTABLE: tuple[str, ...] | None = None


def selectable_time_zones() -> tuple[str, ...]:
    """IANA zones a user may pick: canonical Area/City names plus UTC, sorted."""
    global _SELECTABLE
    if _SELECTABLE is None:
        areas = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
                 "Indian/", "Pacific/")
        _SELECTABLE = tuple(sorted(z for z in available_timezones() if z.startswith(areas))) + ("UTC",)
    return _SELECTABLE


def zone(name: str | tzinfo | None) -> tzinfo:
    """A zone from its IANA name; UTC for None or an unknown name (never fails while rendering)."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _utc(instant: datetime) -> datetime:
    # Rows written before aware columns were enforced are UTC; treat a naive value as UTC.
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def zone_abbreviation(instant: datetime, time_zone: str | tzinfo | None) -> str:
    """The zone as people write it at ``instant``: ``GMT``, ``BST``, ``EST``, ``CET``, else ``GMT+11:00``."""
    tz = zone(time_zone)
    if tz is UTC or getattr(tz, "key", None) in ("UTC", "Etc/UTC"):
        return "UTC"
    at = _utc(instant)
    for locale in (LOCALE, "en_US"):
        short = format_datetime(at, "zzz", tzinfo=tz, locale=locale)
        if short and short.isalpha() and short.isupper() and len(short) <= 5:
            return short
    return format_datetime(at, "OOOO", tzinfo=tz, locale=LOCALE)


def zone_label(time_zone: str | None, at: datetime | None = None) -> str:
    """A zone for a picker or a page footer: ``Europe/London (GMT)``."""
    name = time_zone or DEFAULT_TIME_ZONE
    return f"{name} ({zone_abbreviation(at or clock.now(), name)})"


def local_date(instant: datetime, time_zone: str | tzinfo | None) -> date:
    """The reader's calendar day at ``instant``."""
    return _utc(instant).astimezone(zone(time_zone)).date()


# --- instants and days ----------------------------------------------------------------------------------------


def instant(value: datetime | None, time_zone: str | tzinfo | None, *, empty: str = "—") -> str:
    """``3 Dec 2026, 09:05 EST``: an instant in the reader's zone, the zone named."""
    if value is None:
        return empty
    at = _utc(value)
    tz = zone(time_zone)
    return f"{format_datetime(at, 'd MMM y, HH:mm', tzinfo=tz, locale=LOCALE)} {zone_abbreviation(at, tz)}"


def clock_time(value: datetime, time_zone: str | tzinfo | None) -> str:
    """``09:05 EST``: the time of day only (progress lines, "updated at")."""
    at = _utc(value)
    tz = zone(time_zone)
    return f"{format_time(at, 'HH:mm', tzinfo=tz, locale=LOCALE)} {zone_abbreviation(at, tz)}"


def day(value: date | datetime | None, *, empty: str = "—", time_zone: str | tzinfo | None = None) -> str:
    """``3 Dec 2026``. An instant is turned into the reader's day first (``time_zone``, UTC if none)."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = local_date(value, time_zone)
    return format_date(value, "d MMM y", locale=LOCALE)


def long_day(value: date) -> str:
    """``3 December 2026`` (e-mail prose)."""
    return format_date(value, "d MMMM y", locale=LOCALE)


def picked_day(text: str | None) -> str:
    """What a date picker holds (ISO, ``2026-12-03``) in the portal's words: ``Thursday 3 December 2026``;
    "" when it holds no date (native pickers write the day the browser's way, so forms repeat it like this)."""
    try:
        value = date.fromisoformat((text or "").strip())
    except ValueError:
        return ""
    return format_date(value, "EEEE d MMMM y", locale=LOCALE)


def month(value: date) -> str:
    """``December 2026``."""
    return format_date(value, "MMMM y", locale=LOCALE)


def period(key: str | None, *, empty: str = "—") -> str:
    """A billing period as words: ``2026-09`` -> ``September 2026``; ``empty`` when there is none (anything else
    as it is)."""
    text = (key or "").strip()
    if not text:
        return empty
    try:
        return month(date.fromisoformat(f"{text}-01")) if len(text) == 7 else text
    except ValueError:
        return text


def date_input(value: date | None) -> str:
    """What an ``<input type=date>`` holds (ISO), for pickers showing the same day as the page."""
    return value.isoformat() if value else ""


def time_input(value: time) -> str:
    """What an ``<input type=time>`` holds: a wall-clock time as ``08:00`` (a region's business hours)."""
    return value.isoformat(timespec="minutes")


# --- money ----------------------------------------------------------------------------------------------------


def money(minor: int, currency: str) -> str:
    """``123450, "USD"`` -> ``USD 1,234.50``; the currency's own decimals (``JPY 1,235``)."""
    code = (currency or "USD").upper()
    digits = get_currency_precision(code)
    amount = Decimal(int(minor)).scaleb(-digits)
    return format_currency(amount, code, format=_MONEY_PATTERN, locale=LOCALE, currency_digits=True)


def amount(minor: int, currency: str) -> str:
    """``123450, "USD"`` -> ``1,234.50``: the number alone, for columns whose currency is named once (invoice PDF)."""
    code = (currency or "USD").upper()
    value = Decimal(int(minor)).scaleb(-get_currency_precision(code))
    return format_currency(value, code, format="#,##0.00", locale=LOCALE, currency_digits=True)


def count(value: int) -> str:
    """``1,250``."""
    return format_decimal(int(value), locale=LOCALE)


def percent_bp(bp: int) -> str:
    """Basis points as a percentage: ``2000`` -> ``20%``, ``825`` -> ``8.25%``."""
    return format_decimal(Decimal(int(bp)).scaleb(-2), format="#,##0.##", locale=LOCALE) + "%"


# --- durations and quantities ---------------------------------------------------------------------------------


def duration(minutes: int) -> str:
    """``90`` -> ``1 h 30 min``; ``120`` -> ``2 h``; ``45`` -> ``45 min``; ``0`` -> ``0 min``."""
    minutes = int(minutes)
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{count(hours)} h {rest} min"
    if hours:
        return f"{sign}{count(hours)} h"
    return f"{sign}{rest} min"


def byte_size(size: int) -> str:
    """File sizes in decimal units, one decimal from kB up: ``1 byte``, ``512 bytes``, ``2.3 kB``, ``10 MB``."""
    size = max(0, int(size))
    if size < 1000:
        return f"{count(size)} byte" + ("" if size == 1 else "s")
    for exponent, unit in ((3, "kB"), (6, "MB"), (9, "GB"), (12, "TB")):
        value = Decimal(size).scaleb(-exponent)
        if value < 1000 or unit == "TB":
            shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if shown < 1000 or unit == "TB":
                return format_decimal(shown, format="#,##0.#", locale=LOCALE) + f" {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def credits(quantity: int) -> str:
    """``1 credit``, ``1,250 credits``."""
    return f"{count(quantity)} credit" + ("" if abs(int(quantity)) == 1 else "s")


def quantity(value: int, unit: str) -> str:
    """A ledger quantity in its unit: minutes as a duration, credits as a count (ValueError for another unit)."""
    return duration(value) if Unit(unit) is Unit.minute else credits(value)


# --- words, not codes -----------------------------------------------------------------------------------------


_LABELS: dict[str, str] = {
    # Task statuses (their words live with the rule: domain.tasks.STATUS_LABELS).
    **{status.value: words for status, words in STATUS_LABELS.items()},
    # Invoice statuses as shown.
    "draft": "Draft",
    "pending": "Pending",
    "paid": "Paid",
    "overdue": "Overdue",
    "void": "Void",
    # Priorities.
    "low": "Low",
    "normal": "Normal",
    "high": "High",
    "urgent": "Urgent",
    # Ledger entries.
    "grant": "Granted",
    "allocate": "Held for a ticket",
    "release": "Released",
    "consume": "Used",
    "expire": "Expired",
    "adjust": "Adjusted",
    "refund": "Refunded",
    # Lots.
    "purchased": "Purchased",
    "complimentary": "Complimentary",
    "shared": "All organizations",
    "org": "This organization",
}


def label(code: str | None, *, staff: bool = False) -> str:
    """The words for a status, priority, entry kind or lot type; an unknown code is made readable."""
    if not code:
        return ""
    key = str(code)
    if staff and key == "waiting_on_customer":
        return "Waiting on customer"
    if key in _LABELS:
        return _LABELS[key]
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


# --- machine-readable values (CSV columns, form inputs) -------------------------------------------------------


def decimal_amount(minor: int, currency: str) -> str:
    """``123450, "USD"`` -> ``1234.50``: a plain decimal in the currency's own decimals, no separators (a CSV
    column a spreadsheet sums, a price field's value that ``money.parse_minor_units`` reads back)."""
    digits = get_currency_precision((currency or "USD").upper())
    return format(Decimal(int(minor)).scaleb(-digits), f".{digits}f")


def amount_input(minor: int) -> str:
    """``12050`` -> ``120.50``: what a price field holds, read back by ``money.parse_minor_units`` (which reads two
    decimals whatever the currency, so the field does too)."""
    return format(Decimal(int(minor)).scaleb(-2), ".2f")


def zone_header(name: str, time_zone: str | None) -> str:
    """A CSV column of instants names its zone once: ``At (America/New_York)``."""
    return f"{name} ({time_zone or DEFAULT_TIME_ZONE})"


def sheet_instant(value: datetime | None, time_zone: str | tzinfo | None) -> str:
    """``2026-12-03 09:05``: an instant in the reader's zone as spreadsheets read it (the column header names the
    zone, see ``zone_header``)."""
    if value is None:
        return ""
    return format_datetime(_utc(value), "yyyy-MM-dd HH:mm", tzinfo=zone(time_zone), locale=LOCALE)


def sheet_day(value: date | None) -> str:
    """``2026-12-03``: a calendar day as spreadsheets read it."""
    return value.isoformat() if value else ""


# --- windows and wall clocks ----------------------------------------------------------------------------------


def window(start: datetime, end: datetime, time_zone: str | tzinfo | None) -> str:
    """``Sat 29 Nov 2026, 22:00–00:00 GMT``: a span of time in the reader's zone, the zone named once."""
    tz = zone(time_zone)
    s, e = _utc(start), _utc(end)
    return (f"{format_datetime(s, 'EEE d MMM y, HH:mm', tzinfo=tz, locale=LOCALE)}–"
            f"{format_time(e, 'HH:mm', tzinfo=tz, locale=LOCALE)} {zone_abbreviation(e, tz)}")


def weekday_clock(value: datetime, time_zone: str | tzinfo | None, *, with_day: bool = True,
                  zone_named: bool = True) -> str:
    """``Mon 30 Nov, 08:00 EST`` (``Mon 08:00 EST`` without the day): a region's wall clock, zone named
    (leave the zone to the text that follows with ``zone_named=False``)."""
    tz = zone(time_zone)
    at = _utc(value)
    text = format_datetime(at, "EEE d MMM, HH:mm" if with_day else "EEE HH:mm", tzinfo=tz, locale=LOCALE)
    return f"{text} {zone_abbreviation(at, tz)}" if zone_named else text


def next_clock(value: datetime, time_zone: str | tzinfo | None, now: datetime) -> str:
    """When something happens next, in the reader's zone with the zone named, as people say it: ``17:00 CET``
    (later today), ``tomorrow at 08:00 CET``, ``Monday at 08:00 CET`` (within a week), ``Mon 5 Jan at 08:00 CET``."""
    tz = zone(time_zone)
    at = _utc(value)
    days = (local_date(at, tz) - local_date(now, tz)).days
    clock_text = clock_time(at, tz)
    if days <= 0:
        return clock_text
    if days == 1:
        return f"tomorrow at {clock_text}"
    if days < 7:
        return f"{format_datetime(at, 'EEEE', tzinfo=tz, locale=LOCALE)} at {clock_text}"
    return f"{format_datetime(at, 'EEE d MMM', tzinfo=tz, locale=LOCALE)} at {clock_text}"


# --- phone numbers ---------------------------------------------------------------------------------------------

def phone(e164: str) -> str:
    """``+44 20 7946 0321``: a stored E.164 number as people write it (international format, libphonenumber's
    grouping for its country); a stored value it cannot read is shown as stored."""
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return e164 or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_href(e164: str) -> str:
    """``tel:+442079460321``: the link that dials a stored E.164 number."""
    return "tel:" + "".join(c for c in (e164 or "") if c == "+" or c.isdigit())
