"""The customer's support plan: coverage now, Gold and add-ons with their terms, orders waiting for payment,
and the cards of what can be bought now (``services.plan_offers`` decides them: buyable as it is, together with
the Gold renewal it needs in one order, or not at all and why). Ordering a card opens one Stripe Checkout for
its invoice; the terms are activated only once the payment is confirmed."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.plan_purchase import OrderStatus
from opsportal.services import checkout_sessions, plan_offers, plans, support_terms
from opsportal.services.errors import ServiceError
from opsportal.services.plan_offers import OffersView
from opsportal.services.plans import EntitlementRow
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.coverage_view import EMPTY_COVERAGE, coverage_dict, region_rows

TERMS = ("12", "24", "36")
ORDER_STATUS = {OrderStatus.pending: ("Awaiting payment", "amber"), OrderStatus.active: ("Active", "green"),
                OrderStatus.cancelled: ("Cancelled", "gray")}
KIND_LABELS = {"base": "Base plan", "addon": "Add-on", "bundle": "Bundle"}


def entitlement_dict(r: EntitlementRow) -> dict[str, str]:
    scope = r.region
    if r.extra_regions:
        scope = ", ".join(r.extra_regions)
    details = f"versions {', '.join(r.versions)}" if r.versions else ""
    return {"id": str(r.id), "name": r.name, "kind": KIND_LABELS.get(r.kind, r.kind),
            "scope": scope, "details": details, "start": formats.day(r.start), "last_day": formats.day(r.last_day),
            "renews_on": formats.day(r.renews_on), "note": r.note}


def offer_dicts(view: OffersView) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The cards, and their order lines (each naming its card: Reflex renders flat lists best)."""
    cards, lines = [], []
    for o in view.offers:
        p, choice = o.priced, o.choice
        cards.append({
            "target": o.target, "kind": KIND_LABELS.get(o.kind, o.kind), "bundle": "yes" if o.kind == "bundle" else "",
            "name": o.name, "list_price": o.list_price, "separately": o.separately, "saving": o.saving,
            "state": o.state, "reason": o.reason, "missing": o.missing, "action": o.action,
            "held": " ".join(filter(None, [
                f"You hold it through {formats.day(o.held_until)}." if o.held_until else "",
                f"An order waiting for payment (under Orders) runs through {formats.day(o.ordered_until)}."
                if o.ordered_until else ""])),
            "months": str(choice.months), "start": formats.date_input(choice.start),
            "needs_regions": "yes" if o.needs_regions else "", "needs_versions": "yes" if o.needs_versions else "",
            "regions": "," + ",".join(choice.extra_regions) + ",", "versions": ", ".join(choice.versions),
            "orderable": "yes" if o.orderable else "",
            "discount": p.discount if p else "", "discount_label": p.discount_label if p else "",
            "subtotal": p.subtotal if p else "", "tax": p.tax if p else "", "tax_label": p.tax_label if p else "",
            "total": p.total if p else "", "total_minor": str(o.total_minor),
        })
        lines += [{"target": o.target, "name": line.name, "term": line.term, "price": line.price}
                  for line in (p.lines if p else [])]
    return cards, lines


def incident_dicts(view: OffersView) -> list[dict[str, str]]:
    return [{"kind": i.kind, "name": i.name, "rate": i.rate, "available": "yes" if i.available else "",
             "reason": i.reason, "remedy": i.remedy, "until": i.until} for i in view.incidents]


class PlansState(rx.State):
    organization: str = ""
    home_region: str = ""
    extra_regions: str = ""
    region_choices: list[str] = []
    today: str = ""
    coverage: dict[str, str] = EMPTY_COVERAGE
    coverage_regions: list[dict[str, str]] = []
    gold: str = ""  # "Gold Support, last day 21 Nov 2027" or ""
    current: list[dict[str, str]] = []
    upcoming: list[dict[str, str]] = []
    ended: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    incidents: list[dict[str, str]] = []
    incident_options: list[dict[str, str]] = []
    offers: list[dict[str, str]] = []
    offer_lines: list[dict[str, str]] = []
    gold_offer: dict[str, str] = {}  # the Gold card, offered where pay-per-incident needs Gold
    incident_available: bool = False  # some pay-per-incident option can be requested now
    incident_needs_gold: bool = False  # some option is missing only Gold Support
    has_bundles: bool = False
    may_buy: bool = False
    may_request_incident: bool = False
    error: str = ""
    order_error: str = ""
    order_error_for: str = ""  # the card whose action the message answers
    ordering: str = ""  # the card whose checkout is being opened
    cancelled: bool = False
    loaded: bool = False
    terms_version: int = 0  # the current support terms (0: none published); buying accepts them
    terms_accepted: bool = False  # the buyer ticked "I accept the support terms (version N)"
    # What the customer picked on each card: {target: {"months": 24, "start": "2026-03-12", "regions": [...],
    # "versions": [...]}}; a card without an entry shows its defaults.
    _choices: dict[str, dict] = {}

    def _refresh(self, actor) -> None:
        org_id = actor.organization_id
        o = plans.plan_overview(actor, org_id)
        cov = plans.coverage_now(actor, org_id)
        self.coverage, self.coverage_regions = coverage_dict(cov), region_rows(cov)
        self.organization = o.organization
        self.home_region = f"{o.home_region_name} ({o.home_region})" if o.home_region else "Not set yet"
        self.extra_regions = ", ".join(o.extra_regions)
        self.region_choices = o.other_regions
        self.today = formats.day(o.today)
        self.gold = f"{o.gold.name}, last day {formats.day(o.gold.last_day)}" if o.gold else ""
        self.current = [entitlement_dict(r) for r in o.current]
        self.upcoming = [entitlement_dict(r) for r in o.upcoming]
        self.ended = [entitlement_dict(r) for r in o.ended]
        self.orders = []
        for r in o.orders:
            label, color = ORDER_STATUS.get(r.status, (formats.label(r.status), "gray"))
            self.orders.append({"id": str(r.id), "summary": r.summary, "total": r.total, "status": label,
                                "color": color, "invoice": r.invoice_number, "href": routes.invoice(r.invoice_id),
                                "pay": "yes" if r.status == "pending" else "", "problem": r.problem,
                                "created": formats.day(r.created_at, time_zone=actor.time_zone)})
        self.incidents = [{"id": str(i.id), "kind": i.kind_label, "status": i.status_label,
                           "task": f"#{i.ticket_id} {i.ticket_title}", "task_href": routes.task(i.ticket_id),
                           "invoice": i.invoice_number, "invoice_href": routes.invoice(i.invoice_id), "total": i.total,
                           "when": formats.instant(i.window_start, actor.time_zone)} for i in o.incidents]
        self.may_buy, self.may_request_incident = o.may_buy, o.may_request_incident
        terms = support_terms.read_terms()
        version = terms.version if terms is not None else 0
        if version != self.terms_version:
            self.terms_version, self.terms_accepted = version, False  # new terms: read and tick them again
        self._refresh_offers(actor)

    def _refresh_offers(self, actor) -> None:
        choices = {target: _choice(c) for target, c in self._choices.items()}
        view = plan_offers.offers(actor, actor.organization_id, choices)
        self.offers, self.offer_lines = offer_dicts(view)
        self.incident_options = incident_dicts(view)
        self.gold_offer = next((c for c in self.offers if c["target"] == "gold"), {})
        self.incident_available = any(i["available"] for i in self.incident_options)
        self.incident_needs_gold = any(i["remedy"] == "buy_gold" for i in self.incident_options)
        self.has_bundles = any(c["bundle"] for c in self.offers)

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_PLANS)
        self.error = self.order_error = self.order_error_for = self.ordering = ""
        self._choices = {}
        self.cancelled = self.router.url.query_parameters.get("checkout", "") == "cancelled"
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.loaded = True

    async def _choose(self, target: str, **change):
        """Applies a change to a card's choice and re-asks the service what that card offers now."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        choice = dict(self._choices.get(target, {}))
        choice.update(change)
        self._choices = {**self._choices, target: choice}
        if self.order_error_for == target:
            self.order_error = self.order_error_for = ""
        try:
            await offload.run(self._refresh_offers, actor)
        except ServiceError as exc:
            self.order_error, self.order_error_for = str(exc), target
        return None

    @rx.event
    async def set_months(self, target: str, value: str):
        if value in TERMS:
            return await self._choose(target, months=int(value))
        return None

    @rx.event
    async def set_start(self, target: str, value: str):
        try:
            date.fromisoformat(value)
        except ValueError:
            return None  # a half-typed date: the card keeps its last one
        return await self._choose(target, start=value)

    @rx.event
    async def toggle_region(self, target: str, code: str, checked: bool):
        regions = [r for r in self._choices.get(target, {}).get("regions", []) if r != code]
        if checked and code in self.region_choices:
            regions.append(code)
        return await self._choose(target, regions=sorted(regions))

    @rx.event
    async def set_versions(self, target: str, value: str):
        versions = list(dict.fromkeys(v.strip() for v in str(value).split(",") if v.strip()))[:10]
        return await self._choose(target, versions=versions)

    @rx.event
    async def order(self, target: str, where: str = ""):
        """Orders what the card shows (one order, one invoice), then opens Stripe Checkout for it (once per click).

        ``where``: the place of the button (its message appears there), the card itself by default."""
        if self.ordering:
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        card = next((c for c in self.offers if c["target"] == target), None)
        self.order_error, self.order_error_for, self.cancelled = "", where or target, False
        if card is None or not card["orderable"]:
            self.order_error = (card or {}).get("missing") or (card or {}).get("reason") or "That is not on sale."
            return
        if not self.terms_accepted:
            self.order_error = (f"Tick “I accept the support terms (version {self.terms_version})” to buy."
                                if self.terms_version else "The support terms are not published yet; please "
                                                           "contact us to order.")
            return
        self.ordering = where or target
        yield
        try:
            result = await offload.run(self._order, actor, target, int(card["total_minor"]))
        except ServiceError as exc:
            self.ordering, self.order_error = "", str(exc)
            try:
                await offload.run(self._refresh, actor)
            except ServiceError:
                pass
            return
        origin = self.router.url.origin
        try:
            checkout = await offload.run(checkout_sessions.start_invoice_checkout, actor, result.invoice_id,
                                         return_base=origin if origin.startswith("http") else None)
        except ServiceError as exc:
            self.ordering = ""
            self.order_error = (f"Invoice {result.invoice_number} is issued, but the payment page could not be "
                                f"opened: {exc} Pay it from the invoice page (listed under Orders).")
            try:
                await offload.run(self._refresh, actor)
            except ServiceError:
                pass
            return
        yield rx.redirect(checkout.url)

    @rx.event
    def set_terms_accepted(self, checked: bool):
        self.terms_accepted = bool(checked)
        if self.order_error.startswith("Tick"):
            self.order_error = self.order_error_for = ""

    def _order(self, actor, target: str, expected_total_minor: int):
        return plan_offers.order_offer(actor, actor.organization_id, target, _choice(self._choices.get(target, {})),
                                       expected_total_minor=expected_total_minor,
                                       accepted_terms=self.terms_version if self.terms_accepted else None)


def _choice(c: dict) -> plan_offers.Choice:
    """A card's choice as the service takes it (built in the worker thread, with the service call)."""
    return plan_offers.Choice(months=int(c.get("months", 12)),
                              start=date.fromisoformat(c["start"]) if c.get("start") else None,
                              extra_regions=tuple(c.get("regions", ())), versions=tuple(c.get("versions", ())))
