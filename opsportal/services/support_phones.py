"""Phone support: the support numbers and business hours of each region (staff administrators edit them, audited
in the plan audit log), and for a customer the numbers of their regions with whether they may call now.

Who may do what: every user of an organization (and staff) reads its contact lines; staff administrators add,
change and remove numbers and set a region's business hours (they are the hours coverage counts too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats, phone_live
from opsportal.domain.coverage import coverage_at
from opsportal.domain.phone_live import LiveLine
from opsportal.domain.regions import Region
from opsportal.domain.support_phone import (
    MAX_LABEL,
    hours_problem,
    label_problem,
    normalized_number,
    phone_regions,
    status_words,
)
from opsportal.models import SupportPhone, SupportRegion
from opsportal.services import changes, orgtree
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.plan_catalog import audit
from opsportal.services.plans import _days_text, may_buy

PHONE_NOT_FOUND = "That phone number was not found."
MAX_PER_REGION = 10


@dataclass(frozen=True)
class PhoneRow:
    id: int
    label: str
    number: str  # E.164: +442079460321


@dataclass(frozen=True)
class RegionHours:
    code: str
    name: str
    time_zone: str
    start: str  # "08:00"
    end: str
    days: tuple[int, ...]  # 0 = Monday
    hours: str  # "08:00-18:00, Mon-Fri (Europe/London)"
    phones: tuple[PhoneRow, ...]


def _phones(session, codes: Sequence[str] | None = None) -> dict[str, list[PhoneRow]]:
    query = select(SupportPhone).order_by(SupportPhone.region_code, SupportPhone.position, SupportPhone.id)
    if codes is not None:
        query = query.where(SupportPhone.region_code.in_(list(codes)))
    found: dict[str, list[PhoneRow]] = {}
    for row in session.exec(query).all():
        found.setdefault(row.region_code, []).append(PhoneRow(row.id, row.label, row.number))
    return found


def _hours_of(region: Region, phones: Sequence[PhoneRow]) -> RegionHours:
    days = region.business_days
    return RegionHours(region.code, region.name, region.time_zone, formats.time_input(region.business_start),
                       formats.time_input(region.business_end), tuple(sorted(days)),
                       f"{region.hours_label}, {_days_text(days)} ({region.time_zone})", tuple(phones))


def region_hours(actor: Actor) -> list[RegionHours]:
    """Every region with its business hours and support numbers (staff)."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        regions = store.regions(session)
        phones = _phones(session)
    return [_hours_of(r, phones.get(r.code, ())) for r in regions.values()]


def _number(text: str) -> str:
    try:
        return normalized_number(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _label(label: str) -> str:
    if problem := label_problem(label):
        raise InvalidInput(problem)
    return " ".join(label.split())[:MAX_LABEL]


def add_phone(actor: Actor, region_code: str, *, label: str, number: str, at: datetime | None = None) -> PhoneRow:
    require_staff_admin(actor)
    at = at or clock.now()
    code, label, number = (region_code or "").strip().upper(), _label(label), _number(number)
    try:
        with unit_of_work() as session:
            if session.get(SupportRegion, code) is None:
                raise InvalidInput(f"Unknown region {code or '(none)'}.")
            count = session.exec(select(func.count()).select_from(SupportPhone)
                                 .where(SupportPhone.region_code == code)).one()
            if count >= MAX_PER_REGION:
                raise InvalidInput(f"A region has at most {MAX_PER_REGION} numbers; remove one first.")
            row = SupportPhone(region_code=code, label=label, number=number, position=int(count), updated_at=at)
            session.add(row)
            session.flush()
            changes.mark(session, changes.SUPPORT_LINES_TOPIC)
            audit(session, actor, "phone.added", f"Phone {number} in {code}", before=None,
                  after={"label": label, "number": number}, at=at)
            return PhoneRow(row.id, row.label, row.number)
    except IntegrityError:
        raise Conflict(f"{number} is already a number of {code}.") from None


def update_phone(actor: Actor, phone_id: int, *, label: str, number: str, at: datetime | None = None) -> PhoneRow:
    require_staff_admin(actor)
    at = at or clock.now()
    label, number = _label(label), _number(number)
    try:
        with unit_of_work() as session:
            row = session.exec(select(SupportPhone).where(SupportPhone.id == phone_id).with_for_update()).first()
            if row is None:
                raise NotFound(PHONE_NOT_FOUND)
            before = {"label": row.label, "number": row.number}
            row.label, row.number, row.updated_at = label, number, at
            session.add(row)
            session.flush()
            changes.mark(session, changes.SUPPORT_LINES_TOPIC)
            audit(session, actor, "phone.changed", f"Phone {number} in {row.region_code}", before=before,
                  after={"label": label, "number": number}, at=at)
            return PhoneRow(row.id, row.label, row.number)
    except IntegrityError:
        raise Conflict(f"{number} is already a number of that region.") from None


def remove_phone(actor: Actor, phone_id: int, *, at: datetime | None = None) -> None:
    require_staff_admin(actor)
    with unit_of_work() as session:
        row = session.exec(select(SupportPhone).where(SupportPhone.id == phone_id).with_for_update()).first()
        if row is None:
            raise NotFound(PHONE_NOT_FOUND)
        changes.mark(session, changes.SUPPORT_LINES_TOPIC)
        audit(session, actor, "phone.removed", f"Phone {row.number} in {row.region_code}",
              before={"label": row.label, "number": row.number}, after=None, at=at or clock.now())
        session.delete(row)


def _clock(text: str, what: str) -> time:
    try:
        value = time.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput(f"Give the {what} as HH:MM, e.g. 08:00.") from None
    if len((text or "").strip()) != 5:
        raise InvalidInput(f"Give the {what} as HH:MM, e.g. 08:00.")
    return value


def set_region_hours(actor: Actor, region_code: str, *, start: str, end: str, days: Sequence[int],
                     at: datetime | None = None) -> RegionHours:
    """A region's business hours (local wall-clock times) and business days: its support lines and Gold's hours."""
    require_staff_admin(actor)
    at = at or clock.now()
    code = (region_code or "").strip().upper()
    opens, closes = _clock(start, "opening time"), _clock(end, "closing time")
    if any(isinstance(d, bool) or not isinstance(d, int) for d in days):
        raise InvalidInput("Business days are weekdays numbered 0 (Monday) to 6 (Sunday).")
    day_set = frozenset(days)
    if problem := hours_problem(opens, closes, day_set):
        raise InvalidInput(problem)
    with unit_of_work() as session:
        row = session.exec(select(SupportRegion).where(SupportRegion.code == code).with_for_update()).first()
        if row is None:
            raise NotFound(f"Unknown region {code or '(none)'}.")
        before = {"start": formats.time_input(row.business_start), "end": formats.time_input(row.business_end),
                  "days": row.business_days}
        row.business_start, row.business_end = opens, closes
        row.business_days = ",".join(str(d) for d in sorted(day_set))
        session.add(row)
        changes.mark(session, changes.SUPPORT_LINES_TOPIC)
        audit(session, actor, "region.hours", f"Business hours of {code}", before=before,
              after={"start": formats.time_input(opens), "end": formats.time_input(closes),
                     "days": row.business_days}, at=at)
        region = store.region_of(row)
        phones = tuple(_phones(session, [code]).get(code, ()))
    return _hours_of(region, phones)


# --- the customer's view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRegion:
    code: str
    name: str
    home: bool
    phones: tuple[PhoneRow, ...]
    hours: str  # "Mon-Fri 08:00-18:00 GMT (Europe, Middle East and Africa time)"
    open: bool
    status: str  # "Open now — until 18:00 GMT" / "Closed — opens Monday at 08:00 GMT"
    basis: str  # "Gold business hours", "" when closed
    live: LiveLine  # the line's states from the read on: the page rewords ``status`` as the clock moves


@dataclass(frozen=True)
class SupportContacts:
    organization_id: int
    organization: str
    gold_active: bool
    regions: list[ContactRegion]  # home region first, then the Multi-Regional ones
    other_regions: list[str]  # regions the organization has teams in that Multi-Regional does not cover
    time_zone: str  # the reader's, named in every status
    may_buy: bool  # may buy Gold on the plans page (offered when it is what is missing)
    message: str  # why no line is shown ("" when lines are shown)


def change_topics(actor: Actor, org_id: int) -> list[str]:
    """What the Contact support page follows on the change feed: the numbers and hours staff edit, and the
    organization's own plan (what covers it)."""
    require_view_organization(actor, org_id)
    return [changes.SUPPORT_LINES_TOPIC, changes.org_topic(org_id)]


def support_contacts(actor: Actor, org_id: int, at: datetime | None = None) -> SupportContacts:
    """The support numbers of the organization's regions and whether each may be called now (and until when, or
    when it opens), in the reader's time zone. Without Gold Support no number is given: phone support comes with it."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    if at.tzinfo is None:
        raise InvalidInput("Give the instant with a time zone.")
    tz = actor.time_zone
    buyer = not actor.is_staff and may_buy(actor.role)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        plan = store.org_plan(session, org_id, at)
        regions = store.regions(session)
        if plan is None:
            return SupportContacts(org_id, org.name, False, [], [], tz, False, store.NO_REGION)  # no Gold offer
        codes = phone_regions(plan, regions, at)
        phones = _phones(session, codes)
    lives = {code: phone_live.capture(plan, regions, code, at) for code in codes}
    statuses = {code: phone_live.status_at(live, at) for code, live in lives.items()}
    gold = coverage_at(plan, regions, at).gold_active
    others = [c for c in plan.extra_regions if c not in codes]
    if not gold:
        return SupportContacts(org_id, org.name, False, [], others, tz, buyer,
                               "Phone support comes with Gold Support: during business hours in your region, "
                               "and around the clock with Everyday After-Hours.")
    rows = []
    for code in codes:
        region, line = regions[code], statuses[code]
        abbr = formats.zone_abbreviation(at, region.tz)
        hours = f"{_days_text(region.business_days)} {region.hours_label} {abbr} ({region.name} time)"
        rows.append(ContactRegion(code, region.name, code == plan.home_region, tuple(phones.get(code, ())), hours,
                                  line.open, status_words(line, tz, at), line.basis, lives[code]))
    return SupportContacts(org_id, org.name, True, rows, others, tz, buyer, "")
