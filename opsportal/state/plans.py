"""The customer's support plan: coverage now, Gold and add-ons with their terms, orders waiting for payment,
and buying or renewing a plan term or a bundle (a pre-service invoice paid through Stripe Checkout; the term is
activated only once the payment is confirmed)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import routes
from opsportal.domain.plans import OfferingCode
from opsportal.services import payments, plans
from opsportal.services.errors import ServiceError
from opsportal.services.plans import EntitlementRow, OrderItem, PlanOverview
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.coverage_view import EMPTY_COVERAGE, coverage_dict, region_rows

TERMS = ("12", "24", "36")
ORDER_STATUS = {"pending": ("Awaiting payment", "amber"), "active": ("Active", "green"),
                "cancelled": ("Cancelled", "gray")}


def _day(d: date) -> str:
    return f"{d:%d %b %Y}"


def entitlement_dict(r: EntitlementRow) -> dict[str, str]:
    scope = r.region
    if r.extra_regions:
        scope = ", ".join(r.extra_regions)
    details = f"versions {', '.join(r.versions)}" if r.versions else ""
    return {"id": str(r.id), "name": r.name, "kind": {"base": "Base plan", "addon": "Add-on"}.get(r.kind, r.kind),
            "scope": scope, "details": details, "start": _day(r.start), "last_day": _day(r.last_day),
            "renews_on": _day(r.renews_on), "note": r.note}


def offer_cards(o: PlanOverview) -> list[dict[str, str]]:
    """One card per subscription offering: buy it, or renew it from the day the current term ends."""
    held = o.current + o.upcoming
    cards = []
    for offer in o.offers:
        if offer.kind == "incident":
            continue
        mine = [r for r in held if r.code == offer.code]
        start = max((r.renews_on for r in mine), default=o.today)
        cards.append({"code": offer.code, "name": offer.name, "kind": "Base plan" if offer.kind == "base" else "Add-on",
                      "price": offer.price, "with_tax": offer.with_tax,
                      "action": "Renew" if mine else "Buy", "start": start.isoformat(),
                      "start_text": _day(start),
                      "needs": {OfferingCode.multi_regional.value: "regions",
                                OfferingCode.extended_term.value: "versions"}.get(offer.code, "")})
    return cards


class PlansState(rx.State):
    organization: str = ""
    home_region: str = ""
    extra_regions: str = ""
    region_choices: list[str] = []
    today: str = ""
    coverage: dict[str, str] = EMPTY_COVERAGE
    coverage_regions: list[dict[str, str]] = []
    gold: str = ""  # "Gold Support until 21 Nov 2027" or ""
    current: list[dict[str, str]] = []
    upcoming: list[dict[str, str]] = []
    ended: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    incidents: list[dict[str, str]] = []
    offers: list[dict[str, str]] = []
    bundles: list[dict[str, str]] = []
    may_buy: bool = False
    may_request_incident: bool = False
    error: str = ""
    order_error: str = ""
    order_error_for: str = ""  # the offer or bundle code whose form the message belongs to
    ordering: str = ""  # the offer or bundle code whose checkout is being opened
    cancelled: bool = False
    loaded: bool = False

    def _refresh(self, actor) -> None:
        org_id = actor.organization_id
        o = plans.plan_overview(actor, org_id)
        cov = plans.coverage_now(actor, org_id)
        self.coverage, self.coverage_regions = coverage_dict(cov), region_rows(cov)
        self.organization = o.organization
        self.home_region = f"{o.home_region_name} ({o.home_region})" if o.home_region else "Not set yet"
        self.extra_regions = ", ".join(o.extra_regions)
        self.region_choices = o.other_regions
        self.today = _day(o.today)
        self.gold = f"{o.gold.name}, last day {_day(o.gold.last_day)}" if o.gold else ""
        self.current = [entitlement_dict(r) for r in o.current]
        self.upcoming = [entitlement_dict(r) for r in o.upcoming]
        self.ended = [entitlement_dict(r) for r in o.ended]
        self.orders = []
        for r in o.orders:
            label, color = ORDER_STATUS.get(r.status, (r.status.capitalize(), "gray"))
            self.orders.append({"id": str(r.id), "summary": r.summary, "total": r.total, "status": label,
                                "color": color, "invoice": r.invoice_number, "href": routes.invoice(r.invoice_id),
                                "pay": "yes" if r.status == "pending" else "", "problem": r.problem,
                                "created": _day(r.created_at.date())})
        self.incidents = [{"id": str(i.id), "kind": i.kind_label, "status": i.status_label,
                           "task": f"#{i.ticket_id} {i.ticket_title}", "task_href": routes.task(i.ticket_id),
                           "invoice": i.invoice_number, "invoice_href": routes.invoice(i.invoice_id), "total": i.total,
                           "when": f"{i.window_start:%d %b %Y %H:%M} UTC"} for i in o.incidents]
        self.offers = offer_cards(o)
        names = {x.code: x.name for x in o.offers}
        self.bundles = [{"code": b.code, "name": b.name, "addons": " + ".join(names.get(a, a) for a in b.addons),
                         "codes": ",".join(b.addons), "discount": b.discount, "start": o.today.isoformat(),
                         "needs_regions": "yes" if OfferingCode.multi_regional.value in b.addons else "",
                         "needs_versions": "yes" if OfferingCode.extended_term.value in b.addons else ""}
                        for b in o.bundles]
        self.may_buy, self.may_request_incident = o.may_buy, o.may_request_incident

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_PLANS)
        self.error = self.order_error = self.order_error_for = self.ordering = ""
        self.cancelled = self.router.url.query_parameters.get("checkout", "") == "cancelled"
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.loaded = True

    @rx.event
    async def order(self, form: dict):
        """Orders one offering or a bundle, then opens Stripe Checkout for its invoice (once per click)."""
        if self.ordering:
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        target = str(form.get("bundle") or form.get("code") or "")
        self.order_error, self.order_error_for, self.cancelled = "", target, False
        try:
            months = int(str(form.get("months", "12")))
            start = date.fromisoformat(str(form.get("start", "")))
        except ValueError:
            self.order_error = "Choose the term and the first day."
            return
        regions = tuple(code for code in self.region_choices if form.get(f"region_{code}"))
        versions = tuple(v.strip() for v in str(form.get("versions", "")).split(",") if v.strip())
        if form.get("bundle"):
            bundle = next((b for b in self.bundles if b["code"] == target), None)
            if bundle is None:
                self.order_error = "That bundle is no longer on sale."
                return
            codes = bundle["codes"].split(",")
            items = [OrderItem(c, months, regions if c == OfferingCode.multi_regional.value else (),
                               versions if c == OfferingCode.extended_term.value else ()) for c in codes]
        else:
            items = [OrderItem(target, months, regions, versions)]
        self.ordering = target
        yield
        try:
            result = await offload.run(plans.order_plan, actor, actor.organization_id, items, start)
        except ServiceError as exc:
            self.ordering, self.order_error = "", str(exc)
            return
        origin = self.router.url.origin
        try:
            checkout = await offload.run(payments.start_invoice_checkout, actor, result.invoice_id,
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
