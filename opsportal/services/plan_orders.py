"""Ordering support plans: an order of plan terms (and add-ons) becomes a pending order and its pre-service
invoice; nothing is activated before the payment is confirmed. ``activate_paid_order`` is called for an invoice
paid (``services.invoice_events``), in the transaction that marks it paid (a confirmed Stripe payment, or staff
recording a bank transfer); it is idempotent.

The plan overview and coverage are read in ``services.plans``; the rules are in ``domain.plan_purchase`` and
``domain.plan_terms``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus, LineDraft
from opsportal.domain.plan_catalog import Catalog, OfferingCode, PlanError
from opsportal.domain.plan_purchase import OrderStatus, PurchaseLine, purchase_problems, quote
from opsportal.domain.plan_terms import (
    TERM_INCREMENT_MONTHS,
    Entitlement,
    entitlement_day,
)
from opsportal.domain.regions import Region
from opsportal.models import Invoice, PlanEntitlement, PlanOrder
from opsportal.services import orgtree, support_terms
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import InvalidInput, PermissionDenied, sentence
from opsportal.services.invoice_issuing import create_in_session
from opsportal.services.plans import BUYERS_ONLY, MAX_ITEMS, MAX_START_AHEAD_DAYS, NO_REGION, may_buy

log = logging.getLogger(__name__)

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
               accepted_terms: int | None = None, at: datetime | None = None) -> OrderResult:
    """Order plan terms: a pre-service invoice to pay (``checkout_sessions.start_invoice_checkout``); activated
    when it is paid. ``start``: the first day (home region's calendar), today by default.

    ``accepted_terms``: the version of the support terms the buyer accepted; refused unless it is the current one.
    The acceptance is written with the order (``support_terms.record_acceptance``)."""
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
        terms_version = support_terms.require_current(session, accepted_terms)
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
        support_terms.record_acceptance(session, actor, organization_id=org_id, version=terms_version,
                                        purchase=f"Invoice {inv.number}: " + "; ".join(d.description for d in drafts),
                                        plan_order_id=order.id, at=at)
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
