"""Support plans for customers: is support available right now, and the plan overview. Buying plan terms is
``services.plan_orders``.

Who may do what: every user of an organization (and staff) sees its coverage and plan; its owners,
administrators and billing contacts buy plan terms (they are the ones who pay); pay-per-incident requests are
for owners and administrators (they direct support work) and staff (on a customer's behalf); see
``services.incidents``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.coverage import coverage_at
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus
from opsportal.domain.plan_catalog import Catalog, OfferingCode, OfferingKind, rate_text, unit_text
from opsportal.domain.plan_purchase import OrderStatus, shown_order_status
from opsportal.domain.plan_terms import (
    EntitlementStatus,
    entitlement_day,
    entitlement_status,
)
from opsportal.domain.regions import Region, local_time, next_business_start
from opsportal.domain.roles import Role, may_request_incident
from opsportal.models import Invoice, PlanEntitlement, PlanOrder
from opsportal.services import incidents, orgtree
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import InvalidInput
from opsportal.services.invoice_issuing import tax_settings

log = logging.getLogger(__name__)

BUYERS_ONLY = "Only the organization's owners, administrators and billing contacts can buy support plans."
NO_REGION = store.NO_REGION
MAX_ITEMS = 10
MAX_START_AHEAD_DAYS = 366


def may_buy(role: Role) -> bool:
    return role in invoice_rules.BILLING_ROLES


# --- coverage now ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionLine:
    code: str
    name: str
    home: bool
    local_time: str  # "Sat 14:05 GMT"
    hours: str  # "08:00-18:00, Mon-Fri"
    business_time: bool
    covered: bool
    basis: str  # the entitlement it is covered under; "" when not covered
    text: str  # "Covered — Gold business hours" / "Not covered"
    opens_next: str  # "Business hours resume Mon 24 Nov 08:00" when closed


@dataclass(frozen=True)
class CoverageView:
    organization_id: int
    organization: str
    instant: datetime
    headline: str
    tone: str  # "available" | "after_hours" | "not_covered"
    covered: bool
    gold_active: bool
    regions: list[RegionLine]
    emergency_available: bool
    emergency_rate: str  # "USD 250.00 per hour" when emergency support is offered
    extended_versions: list[str]
    may_request_incident: bool


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{_DAYS[ordered[0]]}-{_DAYS[ordered[-1]]}"
    return ", ".join(_DAYS[d] for d in ordered)


def coverage_now(actor: Actor, org_id: int, at: datetime | None = None) -> CoverageView:
    """Whether support is available for the organization at ``at`` (now), where, and under which entitlement."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    if at.tzinfo is None:
        raise InvalidInput("Give the instant with a time zone.")
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        plan = store.org_plan(session, org_id, at)
        regions = store.regions(session)
        catalog = store.catalog(session)
    may_incident = may_request_incident(actor.role)
    if plan is None:
        return CoverageView(org_id, org.name, at, f"Not covered — {NO_REGION[:-1].lower()}", "not_covered", False,
                            False, [], False, "", [], may_incident)
    coverage = coverage_at(plan, regions, at, catalog)
    lines = []
    for row in coverage.regions:
        region = regions[row.region]
        opens = ""
        if not row.business_time:
            nxt = local_time(region, next_business_start(region, at))
            opens = f"Business hours resume {formats.weekday_clock(nxt, region.tz)}"
        basis = row.basis.value if row.basis else ""
        local = formats.weekday_clock(row.local, region.tz, with_day=False)
        lines.append(RegionLine(row.region, region.name, row.home, local,
                                f"{region.hours_label}, {_days_text(region.business_days)}", row.business_time,
                                row.covered, basis, f"Covered — {basis}" if basis else "Not covered", opens))
    tone = "not_covered"
    if coverage.covered:
        tone = "available" if any(r.basis and r.basis.is_business_hours for r in coverage.regions) else "after_hours"
    return CoverageView(org_id, org.name, coverage.instant, coverage.headline, tone, coverage.covered,
                        coverage.gold_active, lines, coverage.emergency is not None,
                        coverage.emergency.text if coverage.emergency else "", list(coverage.extended_versions),
                        may_incident)


# --- the plan overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitlementRow:
    id: int
    code: str
    name: str
    kind: str
    region: str
    start: date
    last_day: date
    renews_on: date  # a renewal starts on this day (the term's exclusive end)
    state: EntitlementStatus  # active | upcoming | ended (on the home region's day, ``entitlement_day``)
    extra_regions: list[str]
    versions: list[str]
    source_invoice_id: int | None
    note: str


@dataclass(frozen=True)
class OfferRow:
    code: str
    name: str
    kind: str
    price: str  # "USD 4,800.00 per 12 months" / "USD 250.00 per hour (at least 2)"
    price_minor: int
    unit_price_minor: int
    unit_minutes: int
    min_units: int
    currency: str = ""
    unit: str = ""  # the incident time unit in words: "hour", "30 minutes"
    # A term with the organization's tax, as its invoice will charge it ("" for incidents and without tax):
    # "USD 5,196.00 for 12 months with 8.25% tax"
    with_tax: str = ""


@dataclass(frozen=True)
class BundleRow:
    code: str
    name: str
    addons: list[str]
    discount: str  # "10%"


@dataclass(frozen=True)
class OrderRow:
    id: int
    status: OrderStatus  # pending | active | cancelled (pending with a void invoice shows cancelled)
    invoice_id: int
    invoice_number: str
    total: str
    summary: str
    created_at: datetime
    problem: str


@dataclass(frozen=True)
class PlanOverview:
    organization_id: int
    organization: str
    today: date  # in the home region
    home_region: str
    home_region_name: str
    extra_regions: list[str]
    gold: EntitlementRow | None  # the Gold term in force today
    current: list[EntitlementRow]  # in force today (Gold first)
    upcoming: list[EntitlementRow]  # renewals and terms bought ahead
    ended: list[EntitlementRow]  # the last few that ended
    orders: list[OrderRow]
    offers: list[OfferRow]
    bundles: list[BundleRow]
    may_buy: bool
    may_request_incident: bool
    incidents: list = field(default_factory=list)  # services.incidents.IncidentRow
    other_regions: list[str] = field(default_factory=list)  # every region but the home one (Multi-Regional)
    home_region_rules: Region | None = None  # the home region (time zone, business hours), None without one
    # The tax every order and incident invoice of the organization carries (the tax rule), in basis points.
    tax_rate_bp: int = 0

    @property
    def tax(self) -> invoice_rules.TaxSettings:
        return invoice_rules.TaxSettings(self.tax_rate_bp)


def _offer_rows(catalog: Catalog, tax: invoice_rules.TaxSettings) -> list[OfferRow]:
    rows = []
    for o in catalog.offerings:
        with_tax = ""
        if o.kind is OfferingKind.incident:
            price = rate_text(o) + (f" (at least {o.min_units})" if o.min_units > 1 else "")
        else:
            price = f"{formats.money(o.price_minor, o.currency)} per 12 months"
            if o.code is OfferingCode.multi_regional:
                price += " per additional region"
            term = invoice_rules.priced(InvoiceKind.pre_service, tax, o.price_minor)
            if term.tax_minor:
                with_tax = (f"{formats.money(term.total_minor, o.currency)} for 12 months with "
                            f"{formats.percent_bp(term.tax_rate_bp)} tax")
        rows.append(OfferRow(o.code.value, o.name, o.kind.value, price, o.price_minor, o.unit_price_minor,
                             o.unit_minutes, o.min_units, o.currency, unit_text(o.unit_minutes), with_tax))
    order = {OfferingKind.base.value: 0, OfferingKind.addon.value: 1, OfferingKind.incident.value: 2}
    return sorted(rows, key=lambda r: (order[r.kind], r.name))


def entitlement_row(row: PlanEntitlement, names: dict[str, str], today: date) -> EntitlementRow:
    state = entitlement_status(row.start_date, row.end_date, today)
    return EntitlementRow(row.id, row.offering_code, names.get(row.offering_code, row.offering_code),
                          OfferingCode(row.offering_code).kind.value, row.region_code, row.start_date,
                          row.end_date - timedelta(days=1), row.end_date, state, list(row.extra_regions or []),
                          list(row.versions or []), row.source_invoice_id, row.note)


def _order_rows(session: Session, org_id: int, names: dict[str, str]) -> list[OrderRow]:
    orders = session.exec(select(PlanOrder).where(PlanOrder.organization_id == org_id)
                          .order_by(PlanOrder.id.desc()).limit(20)).all()
    invs = {i.id: i for i in session.exec(select(Invoice).where(Invoice.id.in_([o.invoice_id for o in orders])))}
    rows = []
    for o in orders:
        inv = invs[o.invoice_id]
        status = shown_order_status(o.status, invoice_void=inv.status == InvoiceStatus.void)
        summary = ", ".join(names.get(line["code"], line["code"]) for line in o.lines)
        rows.append(OrderRow(o.id, status, inv.id, inv.number or "", formats.money(inv.total_minor, inv.currency),
                             summary, o.created_at, o.problem))
    return rows


def home_region(actor: Actor, org_id: int) -> Region | None:
    """The organization's home region (time zone, business hours, holidays), or None without one."""
    require_view_organization(actor, org_id)
    with unit_of_work(write=False) as session:
        found = store.profile(session, org_id)
        return store.regions(session).get(found[0]) if found else None


def plan_overview(actor: Actor, org_id: int, *, at: datetime | None = None) -> PlanOverview:
    """The organization's plan: Gold and add-ons with their terms and renewal dates, orders, what is on sale."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        found = store.profile(session, org_id)
        regions = store.regions(session)
        catalog = store.catalog(session)
        names = {o.code: o.name for o in store.catalog(session, active_only=False).offerings}
        home = found[0] if found else ""
        today = entitlement_day(regions[home] if home else None, at)
        rows = [entitlement_row(r, names, today) for r in store.entitlement_rows(session, org_id)]
        orders = _order_rows(session, org_id, names) if may_buy(actor.role) or actor.is_staff else []
        incident_rows = incidents.incident_rows(session, org_id)
    current = sorted((r for r in rows if r.state is EntitlementStatus.active), key=lambda r: (r.kind != "base", r.name))
    gold = next((r for r in current if r.code == OfferingCode.gold and r.region == home), None)
    return PlanOverview(
        organization_id=org_id, organization=org.name, today=today, home_region=home,
        home_region_name=regions[home].name if home else "", extra_regions=list(found[1]) if found else [],
        gold=gold, current=current, upcoming=[r for r in rows if r.state is EntitlementStatus.upcoming],
        ended=[r for r in rows if r.state is EntitlementStatus.ended][-5:], orders=orders,
        offers=_offer_rows(catalog, tax_settings(org)),
        bundles=[BundleRow(b.code, b.name, sorted(c.value for c in b.addons), formats.percent_bp(
            b.discount_bp)) for b in catalog.bundles],
        may_buy=may_buy(actor.role), may_request_incident=may_request_incident(actor.role), incidents=incident_rows,
        other_regions=[code for code in regions if code != home] if home else [],
        home_region_rules=regions[home] if home else None,
        tax_rate_bp=invoice_rules.invoice_tax_rate(InvoiceKind.pre_service, tax_settings(org)))
