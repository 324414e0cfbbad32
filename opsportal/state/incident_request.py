"""Request pay-per-incident support: an emergency (only while nothing covers the organization) or a scheduled
after-hours window; its pre-service invoice is paid through Stripe Checkout before the work is scheduled."""

from __future__ import annotations

from datetime import date, datetime, time

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.incidents import IncidentKind
from opsportal.domain.invoices import InvoiceKind
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import wall_instant
from opsportal.domain.roles import may_request_incident
from opsportal.services import checkout_sessions, incidents, plan_offers, plans, support_terms
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect

REFUSED = "Pay-per-incident support is requested by the organization's owners and administrators."


def window_start_words(day: str, start_time: str, home_zone: str, reader_zone: str = "") -> str:
    """``Starts Sat 12 Dec, 21:30 GMT`` (and ``(16:30 EST your time)`` when the reader's zone differs)."""
    try:
        start = datetime.combine(date.fromisoformat(day), time.fromisoformat(start_time), formats.zone(home_zone))
    except ValueError:
        return "Choose a date and a start time."
    text = f"Starts {formats.weekday_clock(start, home_zone)}"
    if reader_zone and formats.zone_abbreviation(start, reader_zone) != formats.zone_abbreviation(start, home_zone):
        text += f" ({formats.weekday_clock(start, reader_zone)} your time)"
    return text


class IncidentRequestState(rx.State):
    kind: str = IncidentKind.scheduled.value
    emergency_offered: bool = False
    scheduled_offered: bool = False
    scheduled_until: str = ""  # the last day Gold Support covers a window
    unavailable: list[dict[str, str]] = []  # options not offered now: {"name", "reason", "remedy"}
    needs_gold: bool = False  # an option is missing only Gold Support: the page offers it
    coverage_headline: str = ""
    home_region: str = ""
    home_zone: str = ""
    reader_zone: str = ""  # the signed-in user's zone, to say when a window starts for them too
    offers: dict[str, dict[str, str]] = {}
    day: str = ""
    start_time: str = "20:00"
    units: str = "2"
    title: str = ""
    description: str = ""
    refused: str = ""
    error: str = ""
    submitting: bool = False
    loaded: bool = False
    invoice_href: str = ""  # the invoice of a request whose checkout could not be opened
    terms_version: int = 0  # the current support terms (0: none published); a request accepts them
    terms_accepted: bool = False  # the requester ticked "I accept the support terms (version N)"
    _currency: str = ""

    @rx.var
    def window_words(self) -> str:
        """The chosen start in the portal's own words (the native pickers write dates the browser's way)."""
        return window_start_words(self.day, self.start_time, self.home_zone, self.reader_zone)

    @rx.var
    def offer(self) -> dict[str, str]:
        return self.offers.get(self.kind, {})

    @rx.var
    def price(self) -> str:
        o = self.offers.get(self.kind)
        if not o:
            return ""
        units = int(self.units) if self.units.isdigit() and len(self.units) < 4 else 0
        if units < 1:
            return "Enter the number of time units you expect."
        currency = o["currency"]
        # Priced by the tax rule, as the request's invoice will be: checkout asks for exactly this total.
        p = invoice_rules.priced(InvoiceKind.pre_service, invoice_rules.TaxSettings(int(o["tax_rate_bp"])),
                                 units * int(o["unit_price_minor"]))
        text = (f"{units} × {formats.money(int(o['unit_price_minor']), currency)} per {o['unit']} = "
                f"{formats.money(p.subtotal_minor, currency)}")
        if p.tax_minor:
            text += (f" + {formats.percent_bp(p.tax_rate_bp)} tax {formats.money(p.tax_minor, currency)} = "
                     f"{formats.money(p.total_minor, currency)}")
        return text

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_PLANS)
        self.error = self.invoice_href = ""
        self.submitting, self.loaded = False, False
        if not may_request_incident(actor.role):
            self.refused = REFUSED
            return
        self.refused = ""
        try:
            coverage, overview, options, terms = await offload.run(_coverage_and_plan, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.coverage_headline = coverage.headline
        version = terms.version if terms is not None else 0
        if version != self.terms_version:
            self.terms_version, self.terms_accepted = version, False  # new terms: read and tick them again
        offers = {}
        for kind in IncidentKind:
            o = next((r for r in overview.offers if r.code == kind.code), None)
            if o is not None:
                offers[kind.value] = {"name": o.name, "rate": o.price, "unit_price_minor": str(o.unit_price_minor),
                                      "unit": o.unit, "min_units": str(o.min_units), "currency": o.currency,
                                      "tax_rate_bp": str(overview.tax_rate_bp)}
        available = {o.kind for o in options if o.available}
        self.offers = {kind: offer for kind, offer in offers.items() if kind in available}
        self.emergency_offered = IncidentKind.emergency in self.offers
        self.scheduled_offered = IncidentKind.scheduled in self.offers
        self.scheduled_until = next((o.until for o in options if o.kind == IncidentKind.scheduled), "")
        self.unavailable = [{"name": o.name, "reason": o.reason, "remedy": o.remedy}
                            for o in options if not o.available]
        self.needs_gold = any(o.remedy == "buy_gold" for o in options)
        wanted = self.router.url.query_parameters.get("kind", "")
        self.kind = (IncidentKind.emergency if (wanted == IncidentKind.emergency or not self.scheduled_offered)
                     and self.emergency_offered else IncidentKind.scheduled).value
        self.home_region = overview.home_region_name or overview.home_region
        region = overview.home_region_rules
        self.home_zone = region.time_zone if region else "UTC"
        self.reader_zone = actor.time_zone
        today = entitlement_day(region, clock.coverage_now())
        self.day = today.isoformat()
        self.units = self.offers.get(self.kind, {}).get("min_units", "1")
        self.loaded = True

    @rx.event
    def set_kind(self, value: str):
        if value in self.offers:
            self.kind = value
            self.units = max(self.units, self.offers.get(value, {}).get("min_units", "1"), key=_int)

    @rx.event
    def set_terms_accepted(self, checked: bool):
        self.terms_accepted = bool(checked)
        if self.error.startswith("Tick"):
            self.error = ""

    @rx.event
    def set_day(self, value: str):
        self.day = str(value).strip()[:10]

    @rx.event
    def set_start_time(self, value: str):
        self.start_time = str(value).strip()[:5]

    @rx.event
    def set_units(self, value: str):
        self.units = str(value).strip()[:3]

    @rx.event
    async def submit(self, form: dict):
        """Requests the incident, then opens Stripe Checkout for its invoice in this tab (once per click)."""
        if self.submitting:
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        kind = str(form.get("kind") or self.kind)
        units_text = str(form.get("units", self.units)).strip()
        self.title, self.description = str(form.get("title", "")), str(form.get("description", ""))
        self.day, self.start_time = str(form.get("day", self.day)), str(form.get("start_time", self.start_time))
        self.units = units_text[:3]
        self.error, self.invoice_href = "", ""
        if not units_text.isdigit():
            self.error = "Enter the expected time units as a whole number."
            return
        if not self.terms_accepted:
            self.error = (f"Tick “I accept the support terms (version {self.terms_version})” to request and pay."
                          if self.terms_version else "The support terms are not published yet; please contact us.")
            return
        window_start = None
        if kind == IncidentKind.scheduled:
            try:
                day, at = date.fromisoformat(self.day), time.fromisoformat(self.start_time)
            except ValueError:
                self.error = "Choose the date and the local start time of the window."
                return
            region = await offload.run(plans.home_region, actor, actor.organization_id)
            if region is None:
                self.error = plans.NO_REGION
                return
            window_start = wall_instant(region, day, at)
        self.submitting = True
        yield
        try:
            result = await offload.run(incidents.request_incident, actor, actor.organization_id, kind,
                                       window_start, int(units_text), self.title, self.description,
                                       accepted_terms=self.terms_version)
        except ServiceError as exc:
            self.submitting, self.error = False, str(exc)
            return
        origin = self.router.url.origin
        try:
            start = await offload.run(checkout_sessions.start_invoice_checkout, actor, result.invoice_id,
                                      return_base=origin if origin.startswith("http") else None)
        except ServiceError as exc:
            self.submitting = False
            self.error = (f"Your request is recorded as task #{result.ticket_id} with invoice {result.invoice_number}, "
                          f"but the payment page could not be opened: {exc} Pay the invoice from its page.")
            self.invoice_href = routes.invoice(result.invoice_id)
            return
        yield rx.redirect(start.url)


def _int(value: str) -> int:
    return int(value) if str(value).isdigit() else 0


def _coverage_and_plan(actor):
    """The organization's coverage now, its plan overview, which pay-per-incident options it may request now and the
    current support terms (in a worker thread)."""
    org_id = actor.organization_id
    return (plans.coverage_now(actor, org_id), plans.plan_overview(actor, org_id),
            plan_offers.incident_options(actor, org_id), support_terms.read_terms())

