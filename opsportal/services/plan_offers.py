"""What the plans page offers this customer now: each Gold, add-on and bundle card with the one order it would
place (and its price, line by line), or why it cannot be bought; and whether pay-per-incident support can be
requested, or what is missing.

The cards are decided here, with the same checks ``plan_orders.order_plan`` applies
(``plan_orders.order_refusal`` over ``domain.plan_offers.offer``), so nothing shown as buyable is refused after
the customer has filled it in.
``order_offer`` orders what a card shows, in one order and one checkout, even when it is two lines (Gold renewed
together with an add-on that would outlive it).

Who may do what: every user of the organization (and staff) may see the offers; buying follows
``plan_orders.order_plan`` (owners, administrators, billing contacts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.coverage import coverage_at
from opsportal.domain.incidents import IncidentKind
from opsportal.domain.plan_catalog import Bundle, Catalog, OfferingCode, OfferingKind, rate_text
from opsportal.domain.plan_offers import Offer, OfferState, bundle_lines, bundle_saving, incident_option, offer
from opsportal.domain.plan_purchase import PurchaseLine
from opsportal.domain.plan_terms import TERM_INCREMENT_MONTHS, Entitlement, entitlement_day, term_problem
from opsportal.domain.roles import may_request_incident
from opsportal.services import invoice_issuing, orgtree, plan_orders, plans
from opsportal.services import plan_store as store
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, sentence

TERMS = (12, 24, 36)
PRICE_CHANGED = ("The price of this order changed since the page was shown ({shown} then, {now} now). "
                 "Check the offer again before you pay.")


@dataclass(frozen=True)
class Choice:
    """What the customer picked on a card: the term, the first day, and for Multi-Regional and Extended-Term
    the regions or versions it covers. ``start`` None: the card's default (today, or the day a held term ends)."""

    months: int = TERM_INCREMENT_MONTHS
    start: date | None = None
    extra_regions: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuoteLineView:
    name: str  # "Gold Support (renewal)"
    term: str  # "12 months, 1 Mar 2026 to 28 Feb 2027"
    price: str  # "USD 4,800.00"


@dataclass(frozen=True)
class Priced:
    """The one order a card places, priced as its invoice will be (a bundle on one line, the organization's tax)."""

    lines: list[QuoteLineView]
    discount: str  # "USD 600.00": the bundle discount taken off, "" without one
    discount_label: str  # "Bundle discount (10%)"
    subtotal: str  # before tax
    tax: str  # "" when the organization pays no tax on it
    tax_label: str  # "Tax (8.25%)"
    total: str  # what the checkout charges: the invoice's total, tax included
    total_minor: int
    items: tuple[plan_orders.OrderItem, ...]  # what ``plan_orders.order_plan`` is given (empty while input is missing)


@dataclass(frozen=True)
class OfferView:
    target: str  # an offering code or a bundle code
    kind: str  # "base" | "addon" | "bundle"
    name: str
    list_price: str  # "USD 4,800.00 per 12 months" (Multi-Regional: "… per additional region")
    separately: str  # bundles: the add-ons' price bought separately, "" otherwise
    saving: str  # bundles: "USD 600.00 (10%)", "" otherwise
    state: str  # OfferState: buyable | with_gold | blocked
    reason: str  # blocked: why not; with_gold: why Gold is in the order
    action: str  # the button's words: "Buy Gold Support", "Renew Gold Support and add Everyday After-Hours"
    choice: Choice  # the card's choice, defaults filled in (the first day)
    held_until: date | None  # the last day of the term held now or bought ahead (a renewal starts after it)
    ordered_until: date | None  # the same for terms in orders waiting for payment
    needs_regions: bool
    needs_versions: bool
    missing: str = ""  # the input still needed before it can be ordered ("Choose at least one additional region.")
    priced: Priced | None = None  # None when blocked

    @property
    def orderable(self) -> bool:
        return self.priced is not None and not self.missing

    @property
    def total_minor(self) -> int:
        return self.priced.total_minor if self.priced else 0


@dataclass(frozen=True)
class IncidentOptionView:
    kind: IncidentKind
    name: str
    rate: str  # "USD 200.00 per hour (at least 2)"
    available: bool
    reason: str  # why not now ("" when available)
    remedy: str  # "buy_gold" | "open_ticket" | ""
    until: str  # scheduled: "28 Feb 2027", the last day a window may fall on ("" when not available)


@dataclass(frozen=True)
class OffersView:
    organization_id: int
    today: date  # in the home region
    home_region: str
    may_buy: bool
    may_request_incident: bool
    offers: list[OfferView] = field(default_factory=list)  # Gold first, then add-ons, then bundles
    incidents: list[IncidentOptionView] = field(default_factory=list)
    region_choices: list[str] = field(default_factory=list)  # regions Multi-Regional may add


def _requested(target: str, choice: Choice, catalog: Catalog, start: date) -> tuple[list[PurchaseLine], Bundle | None]:
    bundle = next((b for b in catalog.bundles if b.code == target), None)
    if bundle is not None:
        return bundle_lines(bundle, start, choice.months, extra_regions=choice.extra_regions,
                            versions=choice.versions), bundle
    try:
        code = OfferingCode(target)
    except ValueError:
        raise NotFound("That offering is not on sale.") from None
    if catalog.find(code) is None or code.kind is OfferingKind.incident:
        raise NotFound("That offering is not on sale.")
    return [PurchaseLine(code, start, choice.months, choice.extra_regions if code is OfferingCode.multi_regional
                         else (), choice.versions if code is OfferingCode.extended_term else ())], None


def _missing(lines: list[PurchaseLine], other_regions: list[str]) -> tuple[str, list[PurchaseLine]]:
    """The input still needed, and the lines with a stand-in for it so the card can be priced and checked."""
    missing, filled = [], []
    for line in lines:
        if line.code is OfferingCode.multi_regional and not line.extra_regions:
            missing.append("Choose at least one additional region.")
            line = PurchaseLine(line.code, line.start, line.months, tuple(other_regions[:1]), line.versions)
        if line.code is OfferingCode.extended_term and not line.versions:
            missing.append("Name the product versions past end of life it covers.")
            line = PurchaseLine(line.code, line.start, line.months, line.extra_regions, ("the versions you name",))
        filled.append(line)
    return " ".join(missing), filled


def _line_name(line: PurchaseLine, catalog: Catalog, renewal: bool) -> str:
    name = catalog.offering(line.code).name
    if line.code is OfferingCode.multi_regional and line.extra_regions:
        name += f" ({', '.join(line.extra_regions)})"
    if line.code is OfferingCode.extended_term and line.versions:
        name += f" (versions {', '.join(line.versions)})"
    return name + (" (renewal)" if renewal else "")


def _term(line: PurchaseLine) -> str:
    return f"{line.months} months, {formats.day(line.start)} to {formats.day(line.end - timedelta(days=1))}"


def _list_price(code: OfferingCode, catalog: Catalog) -> str:
    o = catalog.offering(code)
    text = f"{formats.money(o.price_minor, o.currency)} per 12 months"
    return text + " per additional region" if code is OfferingCode.multi_regional else text


class _Context:
    """One organization's plan facts, read once per request."""

    def __init__(self, session, org_id: int, at: datetime) -> None:
        self.org = orgtree.require_org(session, org_id)
        found = store.profile(session, org_id)
        if found is None:
            raise InvalidInput(plans.NO_REGION)
        self.home = found[0]
        self.regions = store.regions(session)
        self.catalog = store.catalog(session)
        self.today = entitlement_day(self.regions[self.home], at)
        self.held = [store.entitlement_of(r) for r in store.entitlement_rows(session, org_id)]
        self.pending = plan_orders.pending_entitlements(session, org_id, self.home)
        self.existing = self.held + self.pending  # what ordering checks against (plan_orders.held_and_pending)
        self.plan = store.org_plan(session, org_id, at)
        self.other_regions = [c for c in self.regions if c != self.home]

    def last_day(self, codes: frozenset[OfferingCode], among: list[Entitlement]) -> date | None:
        """The last day of the latest of these offerings' terms, among held or ordered ones, still to come."""
        ends = [e.end for e in among if e.code in codes and e.region == self.home and e.end > self.today]
        return max(ends) - timedelta(days=1) if ends else None

    def card(self, target: str, choice: Choice) -> OfferView:
        probe, bundle = _requested(target, choice, self.catalog, self.today)
        codes = frozenset(line.code for line in probe)
        held_until, ordered_until = self.last_day(codes, self.held), self.last_day(codes, self.pending)
        default_start = self.today
        if held_until or ordered_until:  # a renewal, from the day after (ordered at most a year ahead)
            default_start = min(max(d for d in (held_until, ordered_until) if d) + timedelta(days=1),
                                self.today + timedelta(days=plans.MAX_START_AHEAD_DAYS))
        choice = replace(choice, start=choice.start or default_start)
        asked, _ = _requested(target, choice, self.catalog, choice.start)
        missing, lines = _missing(asked, self.other_regions)
        card = partial(OfferView, target, *self._names(bundle, codes), choice=choice, held_until=held_until,
                       ordered_until=ordered_until,
                       needs_regions=OfferingCode.multi_regional in codes,
                       needs_versions=OfferingCode.extended_term in codes)
        blocked = partial(card, state=OfferState.blocked.value, action=self._action(target, bundle, None, held_until))
        if problem := term_problem(choice.months):
            return blocked(reason=sentence(problem))
        found = offer(lines, home_region=self.home, known_regions=self.regions, existing=self.existing,
                      catalog=self.catalog)
        if not found.buyable:
            return blocked(reason=sentence(found.reason))
        if refusal := plan_orders.order_refusal(found.lines, today=self.today, home=self.home,
                                                regions=self.regions, catalog=self.catalog, existing=self.existing,
                                                currency=self.org.currency):
            return blocked(reason=refusal)
        renews = found.gold is not None and any(e.code is OfferingCode.gold and e.end == found.gold.start
                                                for e in self.existing)
        return card(state=found.state.value, reason=found.reason, missing=missing,
                    action=self._action(target, bundle, found, held_until, renews=renews),
                    priced=self._priced(found, ([found.gold] if found.gold else []) + asked, renews, missing))

    def _priced(self, found: Offer, named: list[PurchaseLine], renews: bool, missing: str) -> Priced:
        """``named``: the lines as asked (without the stand-ins for missing input), to name them."""
        q = found.quote
        views = [QuoteLineView(_line_name(shown, self.catalog, renews and line is found.gold), _term(line),
                               formats.money(price, q.currency))
                 for shown, (line, price) in zip(named, q.lines, strict=True)]
        drafts, _ = plan_orders.invoice_lines(found.lines, self.catalog, self.home)
        # Taxed by the tax rule, as the order's pre-service invoice will be: checkout charges exactly this.
        tot = invoice_rules.totals(drafts, invoice_rules.invoice_tax_rate(
            invoice_rules.InvoiceKind.pre_service, invoice_issuing.tax_settings(self.org)))
        items = () if missing else tuple(plan_orders.OrderItem(line.code.value, line.months, line.extra_regions,
                                                               line.versions, line.start) for line in found.lines)
        return Priced(views, formats.money(q.discount_minor, q.currency) if q.bundle else "",
                      f"Bundle discount ({formats.percent_bp(q.bundle.discount_bp)})" if q.bundle else "",
                      formats.money(tot.subtotal_minor, q.currency),
                      formats.money(tot.tax_minor, q.currency) if tot.tax_minor else "",
                      f"Tax ({formats.percent_bp(tot.tax_rate_bp)})", formats.money(tot.total_minor, q.currency),
                      tot.total_minor, items)

    def _names(self, bundle: Bundle | None, codes: frozenset[OfferingCode]) -> tuple[str, str, str, str, str]:
        """(kind, name, list price, price bought separately, saving): bundles' from the catalog's prices."""
        if bundle is None:
            code = next(iter(codes))
            return code.kind.value, self.catalog.offering(code).name, _list_price(code, self.catalog), "", ""
        price, saving = bundle_saving(bundle, self.today, TERM_INCREMENT_MONTHS, self.catalog)
        currency = self.catalog.currency
        per_region = " (with one additional region)" if OfferingCode.multi_regional in codes else ""
        return ("bundle", bundle.name, f"{formats.money(price, currency)} per 12 months{per_region}",
                formats.money(price + saving, currency),
                f"{formats.money(saving, currency)} ({formats.percent_bp(bundle.discount_bp)})")

    def _action(self, target: str, bundle: Bundle | None, found: Offer | None, held_until: date | None, *,
                renews: bool = False) -> str:
        what = "this bundle" if bundle is not None else self.catalog.offering(target).name
        if found is not None and found.state is OfferState.with_gold:
            return f"{'Renew' if renews else 'Buy'} Gold Support and add {what}"
        return f"{'Renew' if held_until and bundle is None else 'Buy'} {what}"  # what is paid for, not ordered

    def incidents(self, at: datetime) -> list[IncidentOptionView]:
        coverage = coverage_at(self.plan, self.regions, at, self.catalog)
        rows = []
        for kind in IncidentKind:
            code = kind.code
            found = incident_option(code, coverage=coverage, home_region=self.home, today=self.today,
                                    entitlements=self.plan.entitlements, catalog=self.catalog)
            o = self.catalog.find(code)
            rate = (rate_text(o) + (f" (at least {o.min_units})" if o.min_units > 1 else "")) if o else ""
            rows.append(IncidentOptionView(kind, o.name if o else code.label, rate, found.available, found.reason,
                                           found.remedy.value, formats.day(found.until) if found.until else ""))
        return rows


def _targets(catalog: Catalog) -> list[str]:
    order = {OfferingKind.base: 0, OfferingKind.addon: 1}
    codes = sorted((o for o in catalog.offerings if o.kind is not OfferingKind.incident),
                   key=lambda o: (order[o.kind], o.name))
    return [o.code.value for o in codes] + [b.code for b in catalog.bundles]


def offers(actor: Actor, org_id: int, choices: Mapping[str, Choice] | None = None, *,
           at: datetime | None = None) -> OffersView:
    """Every card of the plans page for the organization now, each with ``choices[target]`` applied."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    choices = choices or {}
    with unit_of_work(write=False) as session:
        if store.profile(session, org_id) is None:
            orgtree.require_org(session, org_id)
            return OffersView(org_id, at.date(), "", plans.may_buy(actor.role), may_request_incident(actor.role))
        ctx = _Context(session, org_id, at)
        cards = [ctx.card(t, choices.get(t, Choice())) for t in _targets(ctx.catalog)]
        return OffersView(org_id, ctx.today, ctx.home, plans.may_buy(actor.role),
                          may_request_incident(actor.role), cards, ctx.incidents(at), ctx.other_regions)


def incident_options(actor: Actor, org_id: int, *, at: datetime | None = None) -> list[IncidentOptionView]:
    """Whether each pay-per-incident option can be requested now, and if not why and what to do instead."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        if store.profile(session, org_id) is None:
            orgtree.require_org(session, org_id)
            raise InvalidInput(plans.NO_REGION)
        return _Context(session, org_id, at).incidents(at)


def order_offer(actor: Actor, org_id: int, target: str, choice: Choice, *, expected_total_minor: int | None = None,
                accepted_terms: int | None = None, at: datetime | None = None) -> plan_orders.OrderResult:
    """Order what the card for ``target`` offers (one order, one invoice, one checkout), or refuse with its reason.

    ``expected_total_minor``: the total the page showed; a different price now is refused rather than charged.
    ``accepted_terms``: the support terms version the buyer ticked (``plan_orders.order_plan`` checks it)."""
    require_view_organization(actor, org_id)
    if not plans.may_buy(actor.role):
        raise PermissionDenied(plans.BUYERS_ONLY)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        ctx = _Context(session, org_id, at)
        card = ctx.card(target, choice)
    if card.missing:
        raise InvalidInput(card.missing)
    if card.state == OfferState.blocked.value:
        raise InvalidInput(card.reason)
    if expected_total_minor is not None and expected_total_minor != card.total_minor:
        raise Conflict(PRICE_CHANGED.format(shown=formats.money(expected_total_minor, ctx.catalog.currency),
                                            now=card.priced.total))
    return plan_orders.order_plan(actor, org_id, list(card.priced.items), accepted_terms=accepted_terms, at=at)
