"""Support plans for customers: is support available right now, the plan overview, and buying plan terms.

Every purchase is a pre-service invoice paid through the invoice checkout; nothing is activated before the
payment is confirmed. ``activate_paid_order`` is called for an invoice paid (``services.invoice_events``), in
the transaction that marks it paid (a confirmed Stripe payment, or staff recording a bank transfer); it is
idempotent.

Who may do what: every user of an organization (and staff) sees its coverage and plan; its owners,
administrators and billing contacts buy plan terms (they are the ones who pay); pay-per-incident requests are
for owners and administrators (they direct support work) and staff (on a customer's behalf); see
``services.incidents``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.coverage import coverage_at
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus, LineDraft
from opsportal.domain.plan_catalog import Catalog, OfferingCode, OfferingKind, PlanError, rate_text, unit_text
from opsportal.domain.plan_purchase import OrderStatus, PurchaseLine, purchase_problems, quote, shown_order_status
from opsportal.domain.plan_terms import (
    TERM_INCREMENT_MONTHS,
    Entitlement,
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
from opsportal.services.errors import InvalidInput, PermissionDenied, sentence
from opsportal.services.invoice_issuing import create_in_session, tax_settings

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


# --- ordering --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderItem:
    code: str
    months: int = TERM_INCREMENT_MONTHS
    extra_regions: tuple[str, ...] = ()  # Multi-Regional
    versions: tuple[str, ...] = ()  # Extended-Term
    start: date | None = None  # None: the order's start


@dataclass(frozen=True)
class OrderResult:
    order_id: int
    invoice_id: int
    invoice_number: str
    total: str
    bundle: str  # the bundle whose discount applied, or ""


def _purchase_lines(items: Sequence[OrderItem], start: date) -> list[PurchaseLine]:
    if not items:
        raise InvalidInput("Choose at least one offering.")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"Order at most {MAX_ITEMS} offerings at once.")
    lines = []
    for item in items:
        try:
            code = OfferingCode(item.code)
        except ValueError:
            raise InvalidInput(f"Unknown offering {item.code!r}.") from None
        if isinstance(item.months, bool) or not isinstance(item.months, int):
            raise InvalidInput("The term is a whole number of months (12, 24, 36…).")
        lines.append(PurchaseLine(code, item.start or start, item.months,
                                  tuple(r.strip().upper() for r in item.extra_regions),
                                  tuple(v.strip() for v in item.versions)))
    return lines


def pending_entitlements(session: Session, org_id: int, home: str) -> list[Entitlement]:
    """What orders still waiting for payment would grant: ordering it again is refused until they are settled."""
    rows = session.exec(select(PlanOrder).join(Invoice, Invoice.id == PlanOrder.invoice_id).where(
        PlanOrder.organization_id == org_id, PlanOrder.status == OrderStatus.pending.value,
        Invoice.status == InvoiceStatus.open.value)).all()
    return [line.entitlement(home) for row in rows for line in lines_of(row)]


def held_and_pending(session: Session, org_id: int, home: str) -> list[Entitlement]:
    """The organization's entitlements and what its orders waiting for payment would grant."""
    existing = [store.entitlement_of(r) for r in store.entitlement_rows(session, org_id)]
    return existing + pending_entitlements(session, org_id, home)


def order_refusal(lines: Sequence[PurchaseLine], *, today: date, home: str, regions: Mapping[str, Region],
                  catalog: Catalog, existing: Sequence[Entitlement], currency: str) -> str | None:
    """Why an order of ``lines`` is refused today, in sentences; None when ``order_plan`` accepts it.

    ``existing``: held and pending entitlements (``held_and_pending``). The plans page asks this before it
    offers anything, so what it shows as buyable is what ordering accepts."""
    if any(line.start < today for line in lines):
        return f"A term starts today ({formats.day(today)}) or later."
    if any(line.start > today + timedelta(days=MAX_START_AHEAD_DAYS) for line in lines):
        return "A term starts within a year from today."
    problems = purchase_problems(lines, home_region=home, known_regions=regions, existing=existing, catalog=catalog)
    if problems:
        return " ".join(sentence(p) for p in problems)
    if catalog.currency != currency:
        return (f"Support plans are sold in {catalog.currency} and this organization is billed in {currency}; "
                "please contact us to order.")
    return None


def lines_of(order: PlanOrder) -> list[PurchaseLine]:
    return [PurchaseLine(OfferingCode(d["code"]), date.fromisoformat(d["start"]), int(d["months"]),
                         tuple(d.get("extra_regions") or ()), tuple(d.get("versions") or ())) for d in order.lines]


def _term_text(line: PurchaseLine) -> str:
    return f"{line.months} months, {formats.day(line.start)} to {formats.day(line.end - timedelta(days=1))}"


def invoice_lines(lines: Sequence[PurchaseLine], catalog: Catalog, home: str) -> tuple[list[LineDraft], str]:
    """The invoice's lines (bundled add-ons on one line at the bundle's price) and the bundle applied."""
    q = quote(lines, catalog)
    drafts = []
    bundled = [(line, price) for line, price in q.lines if q.bundle and line.code in q.bundle.addons]
    for line, price in q.lines:
        if q.bundle and line.code in q.bundle.addons:
            continue
        name = catalog.offering(line.code).name
        scope = f"in {home}"
        if line.code is OfferingCode.multi_regional:
            scope = f"for {', '.join(line.extra_regions)}"
        elif line.code is OfferingCode.extended_term:
            scope = f"in {home}, versions {', '.join(line.versions)}"
        drafts.append(invoice_rules.item_line(f"{name} {scope}, {_term_text(line)}", 1, price))
    if bundled:
        listed = sum(price for _, price in bundled)
        parts = " + ".join(catalog.offering(line.code).name for line, _ in bundled)
        text = (f"{q.bundle.name} bundle ({parts}) in {home}, {_term_text(bundled[0][0])}: list "
                f"{formats.money(listed, q.currency)} less {formats.percent_bp(q.bundle.discount_bp)}")
        drafts.append(invoice_rules.item_line(text[:300], 1, listed - q.discount_minor))
    assert sum(d.amount_minor for d in drafts) == q.total_minor
    return drafts, q.bundle.code if q.bundle else ""


def order_plan(actor: Actor, org_id: int, items: Sequence[OrderItem], start: date | None = None, *,
               at: datetime | None = None) -> OrderResult:
    """Order plan terms: a pre-service invoice to pay (``checkout_sessions.start_invoice_checkout``); activated
    when it is paid. ``start``: the first day (home region's calendar), today by default."""
    require_view_organization(actor, org_id)
    if not may_buy(actor.role):
        raise PermissionDenied(BUYERS_ONLY)
    at = at or clock.coverage_now()
    with unit_of_work() as session:
        org = orgtree.require_org(session, org_id)
        found = store.profile(session, org_id)
        if found is None:
            raise InvalidInput(NO_REGION)
        home = found[0]
        regions = store.regions(session)
        today = entitlement_day(regions[home], at)
        lines = _purchase_lines(items, start or today)
        catalog = store.catalog(session)
        if refusal := order_refusal(lines, today=today, home=home, regions=regions, catalog=catalog,
                                    existing=held_and_pending(session, org_id, home), currency=org.currency):
            raise InvalidInput(refusal)
        try:
            drafts, bundle = invoice_lines(lines, catalog, home)
        except PlanError as exc:
            raise InvalidInput(sentence(str(exc))) from None
        inv = create_in_session(session, org=org, kind=InvoiceKind.pre_service, lines=drafts,
                                currency=org.currency, issue_on=at.date(), created_by=actor.user_id or None,
                                memo="Support plan order: activated when this invoice is paid")
        order = PlanOrder(organization_id=org_id, invoice_id=inv.id, status=OrderStatus.pending.value,
                          region_code=home,
                          lines=[{"code": line.code.value, "start": line.start.isoformat(), "months": line.months,
                                  "extra_regions": list(line.extra_regions), "versions": list(line.versions)}
                                 for line in lines],
                          bundle_code=bundle or None, currency=inv.currency, total_minor=inv.total_minor,
                          created_by_user_id=actor.user_id or None, created_at=at)
        session.add(order)
        session.flush()
        return OrderResult(order.id, inv.id, inv.number, formats.money(inv.total_minor, inv.currency), bundle)


# --- activation when paid --------------------------------------------------------------------------------


def _activate(session: Session, order: PlanOrder, invoice: Invoice, at: datetime) -> None:
    if order.status != OrderStatus.pending:
        return  # already activated (or cancelled): a second call changes nothing
    lines = lines_of(order)
    existing = [store.entitlement_of(r) for r in store.entitlement_rows(session, order.organization_id)]
    problems = purchase_problems(lines, home_region=order.region_code, known_regions=store.regions(session),
                                 existing=existing, catalog=store.catalog(session, active_only=False))
    if problems:
        # The money is in: staff decide (grant by hand or refund); nothing half-granted.
        order.problem = sentence("Paid but not activated: " + "; ".join(problems))[:500]
        session.add(order)
        log.error("plan order %s: %s", order.id, order.problem)
        return
    for line in lines:
        session.add(PlanEntitlement(organization_id=order.organization_id, offering_code=line.code.value,
                                    region_code=order.region_code, start_date=line.start, end_date=line.end,
                                    extra_regions=list(line.extra_regions), versions=list(line.versions),
                                    plan_order_id=order.id, source_invoice_id=invoice.id,
                                    note=f"Invoice {invoice.number}", granted_by_user_id=order.created_by_user_id,
                                    created_at=at))
    order.status, order.activated_at, order.problem = OrderStatus.active.value, at, ""
    session.add(order)


def activate_paid_order(session: Session, invoice: Invoice, at: datetime) -> None:
    """Activate the plan terms a just-paid pre-service invoice bought, if it paid for an order.

    Called in the transaction that marks the invoice paid (its row is locked); safe to call again.
    """
    if invoice.kind != InvoiceKind.pre_service.value or invoice.status != InvoiceStatus.paid.value:
        return
    order = session.exec(select(PlanOrder).where(PlanOrder.invoice_id == invoice.id).with_for_update()).first()
    if order is not None:
        _activate(session, order, invoice, at)
