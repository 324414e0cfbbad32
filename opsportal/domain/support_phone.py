"""Phone support: a region's support numbers, and whether an organization may call them right now.

Seed 001: "Phone support is available to customers during regular business hours for the region in which the
software is purchased." A line is open for an organization exactly when the coverage rules (``domain.coverage``)
cover it in that region: Gold business hours in the home region, Multi-Regional business hours in the regions it
names, and in the home region whatever the add-ons extend (Everyday After-Hours: at any time; Business-Day
After-Hours: the workweek's nights) and a paid pay-per-incident window. Without Gold no line is open.

``line_status`` also finds when the state changes next (closes / opens). Coverage can change only at a few
instants: a local midnight (a public holiday, a term's first or last day), a business day's opening or closing
(the workweek starts at Monday's opening and ends at Friday's closing), a paid window's start or end. Between
two of those it is constant, so the first of them (in order) with a different state is the change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

import phonenumbers
from babel import Locale
from phonenumbers import ValidationResult as _Reason

from opsportal.domain import formats
from opsportal.domain.coverage import OrgPlan, coverage_at
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import Region, local_time, require_aware, wall_instant

# How far ahead the next opening or closing is looked for (longer than any run of weekend and holidays).
HORIZON_DAYS = 21
MAX_LABEL = 80
EXAMPLE = "+44 20 7946 0321"
_SHORT_NAMES = {"HK": "Hong Kong", "MO": "Macao"}  # CLDR's "Hong Kong SAR China" reads oddly in a sentence
_SEPARATORS = re.compile(r"[\s().\-/]")


def normalized_number(text: str) -> str:
    """The number in E.164 form (``+442071234567``); ValueError with a sentence when it is not one.

    Staff may type spaces, dashes, dots, slashes and brackets, and 00 for +; the number starts with + and the
    country code, and libphonenumber (``phonenumbers``) must know it as a valid number of that country.
    """
    raw = (text or "").strip()
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+") or not compact[1:].isdigit() or not compact[1:].isascii():
        raise ValueError(f"{raw or 'An empty number'} is not an international phone number: write it with + and "
                         f"the country code, e.g. {EXAMPLE}.")
    if compact[1] == "0":
        raise ValueError(f"A country code never starts with 0: write the number as {EXAMPLE}, not +0….")
    try:
        number = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{raw} does not start with a country code that exists: write it as + and the country "
                         f"code, e.g. {EXAMPLE}.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_invalid_reason(raw, number))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _invalid_reason(raw: str, number: phonenumbers.PhoneNumber) -> str:
    code = number.country_code
    country = _country_name(phonenumbers.region_code_for_country_code(code))
    where = f"a {country} number (+{code})" if country else f"a number with country code +{code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if code not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        return f"+{code} is not a country code: write the number as + and the country code, e.g. {EXAMPLE}."
    if reason in (_Reason.TOO_SHORT, _Reason.INVALID_LENGTH) and len(str(number.national_number)) < 7:
        return f"{raw} is too short for {where}: check the digits."
    if reason == _Reason.TOO_LONG:
        return f"{raw} is too long for {where}: check the digits."
    if reason in (_Reason.TOO_SHORT, _Reason.INVALID_LENGTH):
        return f"{raw} has the wrong number of digits for {where}: check them."
    return f"{raw} is not a valid {country or 'phone'} number (+{code}): check the digits."


def _country_name(region: str) -> str:
    if not region or region == phonenumbers.UNKNOWN_REGION or region == "001":
        return ""
    return _SHORT_NAMES.get(region) or Locale.parse("en_GB").territories.get(region, region)


def label_problem(label: str) -> str | None:
    text = " ".join((label or "").split())
    if not text:
        return "Give the number a label, e.g. Main line or Toll-free."
    if len(text) > MAX_LABEL:
        return f"Keep the label under {MAX_LABEL} characters."
    return None


def hours_problem(start: time, end: time, days: frozenset[int]) -> str | None:
    """Why a region's business hours are not sane (None when they are): whole minutes, start before end, and
    at least one hour; one or more weekdays."""
    if start.second or start.microsecond or end.second or end.microsecond:
        return "Business hours are whole minutes (HH:MM)."
    if start >= end:
        return "Business hours must start before they end on the same day."
    if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
        return "Business hours are at least one hour long."
    if not days or not days <= frozenset(range(7)):
        return "Choose one or more business days."
    return None


def phone_regions(plan: OrgPlan, regions: Mapping[str, Region], instant: datetime) -> tuple[str, ...]:
    """The regions whose support lines are the organization's: the home region (where the software was bought)
    and the regions a Multi-Regional term in force today (home region's day) names."""
    home = regions[plan.home_region]
    today = entitlement_day(home, require_aware(instant))
    codes = [plan.home_region]
    codes += [r for e in plan.entitlements if e.code is OfferingCode.multi_regional and e.is_active_on(today)
              for r in e.extra_regions if r in regions]
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class LineStatus:
    region: str
    open: bool
    until: datetime | None  # while open: when it closes (None: not within HORIZON_DAYS, i.e. around the clock)
    opens: datetime | None  # while closed: when it opens next (None: not within HORIZON_DAYS)
    basis: str  # the entitlement it is open under ("Gold business hours"), "" when closed


def change_points(plan: OrgPlan, regions: Mapping[str, Region], code: str, at: datetime,
                  days: int = HORIZON_DAYS) -> list[datetime]:
    """The instants in (at, at + days] where the line's state may change (see the module's text), in order."""
    points: set[datetime] = set()
    for region in {regions[code], regions[plan.home_region]}:
        first = local_time(region, at).date() - timedelta(days=1)
        for k in range(days + 2):
            day = first + timedelta(days=k)
            points.update(wall_instant(region, day, t) for t in (time(0), region.business_start, region.business_end))
    for window in plan.scheduled:
        points.update((require_aware(window.start), require_aware(window.end)))
    last = at + timedelta(days=days)
    return sorted(p for p in points if at < p <= last)


def open_basis(plan: OrgPlan, regions: Mapping[str, Region], code: str, at: datetime) -> str:
    """The entitlement the line is open under at ``at`` ("Gold business hours"), "" when it is closed."""
    row = next((r for r in coverage_at(plan, regions, at).regions if r.region == code), None)
    return row.basis.value if row is not None and row.basis is not None else ""


def known_regions_only(plan: OrgPlan, regions: Mapping[str, Region], code: str) -> OrgPlan:
    if code not in regions or plan.home_region not in regions:
        raise ValueError(f"unknown region {code}")
    return replace(plan, extra_regions=tuple(r for r in plan.extra_regions if r in regions))


def line_status(plan: OrgPlan, regions: Mapping[str, Region], code: str, instant: datetime) -> LineStatus:
    """Whether the organization may call ``code``'s support line at ``instant`` and when that changes next."""
    at = require_aware(instant)
    plan = known_regions_only(plan, regions, code)
    basis = open_basis(plan, regions, code, at)
    for point in change_points(plan, regions, code, at):
        if bool(open_basis(plan, regions, code, point)) != bool(basis):
            return LineStatus(code, bool(basis), point if basis else None, None if basis else point, basis)
    return LineStatus(code, bool(basis), None, None, basis)


def status_words(line: LineStatus, time_zone: str, at: datetime) -> str:
    """"Open now — until 18:00 GMT" / "Closed — opens Monday at 08:00 GMT": the line's state at ``at`` in the
    reader's zone (``formats.next_clock`` says "tomorrow" and "Monday" relative to ``at``)."""
    if line.open:
        if line.until is None:
            return "Open now — around the clock"
        return f"Open now — until {formats.next_clock(line.until, time_zone, at)}"
    if line.opens is None:
        return "Closed — no opening in the next weeks"
    return f"Closed — opens {formats.next_clock(line.opens, time_zone, at)}"
