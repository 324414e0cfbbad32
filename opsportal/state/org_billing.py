"""Staff administrators set an organization's pay-as-you-go rate, invoice tax rate and payment terms, and add
managed-service subscriptions."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.ledger.quantities import parse_quantity
from opsportal.domain.money import parse_minor_units
from opsportal.domain.periods import PeriodLength
from opsportal.domain.roles import Role
from opsportal.services import invoice_terms, prepaid
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError, sentence
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def _requested_org(path: str) -> int | None:
    raw = str(path).rstrip("/").rsplit("/", 1)[-1]
    return int(raw) if raw.isdigit() else None


class OrgBillingState(rx.State):
    allowed: bool = False
    org_id: int = 0
    rate_label: str = ""
    rate_input: str = ""
    currency: str = ""
    subscriptions: list[dict[str, str]] = []
    rate_error: str = ""
    rate_message: str = ""
    sub_error: str = ""
    sub_message: str = ""
    tax_input: str = ""
    terms_days_input: str = ""
    terms_label: str = ""
    terms_error: str = ""
    terms_message: str = ""

    def _refresh(self, actor: Actor) -> None:
        terms = prepaid.billing_terms(actor, self.org_id)
        self.rate_input = formats.amount_input(terms.hourly_rate_minor)
        self.currency = terms.currency
        self.rate_label = (f"{formats.money(terms.hourly_rate_minor, terms.currency)} per hour"
                           if terms.hourly_rate_minor else "Not set: pay-as-you-go time is not charged")
        self.subscriptions = [
            {"id": str(s.id), "name": s.name, "hours": formats.duration(s.minutes_per_period),
             "period": formats.label(s.period), "rolls_over": "Once" if s.rolls_over_once else "No",
             "starts": formats.day(s.starts_on), "ends": formats.day(s.ends_on),
             "active": "Active" if s.active else "Ended"}
            for s in terms.subscriptions
        ]
        terms_now = invoice_terms.invoice_terms(actor, self.org_id)
        self.tax_input = terms_now.tax_rate.rstrip("%")
        self.terms_days_input = str(terms_now.payment_terms_days)
        self.terms_label = (f"tax {formats.percent_bp(terms_now.tax_rate_bp)}, "
                            f"due {terms_now.payment_terms_days} "
                            f"day{'' if terms_now.payment_terms_days == 1 else 's'} after issue")

    async def _staff_admin(self):
        """(actor, None) for a staff administrator on an organization's page, else (None, what to return)."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return None, redirect
        self.allowed = actor.role is Role.staff_admin
        return (actor, None) if self.allowed else (None, None)

    @rx.event
    async def load(self):
        self.rate_error = self.rate_message = self.sub_error = self.sub_message = ""
        self.terms_error = self.terms_message = ""
        self.subscriptions = []
        actor, early = await self._staff_admin()
        if actor is None:
            return early
        org_id = _requested_org(self.router.url.path)
        if org_id is None:
            self.allowed = False
            return
        self.org_id = org_id
        try:
            await offload.run(self._refresh, actor)
        except ServiceError:
            self.allowed = False  # the organization page itself says the organization was not found

    @rx.event
    async def save_rate(self, form: dict):
        self.rate_error = self.rate_message = ""
        actor, early = await self._staff_admin()
        if actor is None:
            return early
        try:
            minor = parse_minor_units(str(form.get("rate", "")))
        except ValueError as exc:
            self.rate_error = f"Hourly rate: {sentence(str(exc))}"
            return

        def save():
            prepaid.set_hourly_rate(actor, self.org_id, hourly_rate_minor=minor, currency=str(form.get("currency", "")))
            self._refresh(actor)

        try:
            await offload.run(save)
        except ServiceError as exc:
            self.rate_error = str(exc)
            return
        self.rate_message = f"Pay-as-you-go rate set to {self.rate_label}."

    @rx.event
    async def save_terms(self, form: dict):
        self.terms_error = self.terms_message = ""
        actor, early = await self._staff_admin()
        if actor is None:
            return early
        days = str(form.get("payment_terms_days", "")).strip()
        if not days.isdigit():
            self.terms_error = "Payment terms: enter a whole number of days, e.g. 30 (0 means due on issue)."
            return

        def save():
            invoice_terms.set_invoice_terms(actor, self.org_id, tax_rate=str(form.get("tax_rate", "")),
                                            payment_terms_days=int(days))
            self._refresh(actor)

        try:
            await offload.run(save)
        except ServiceError as exc:
            self.terms_error = str(exc)
            return
        self.terms_message = f"Invoice terms set: {self.terms_label}. Invoices already issued keep theirs."

    @rx.event
    async def add_subscription(self, form: dict):
        self.sub_error = self.sub_message = ""
        actor, early = await self._staff_admin()
        if actor is None:
            return early
        try:
            minutes = parse_quantity(str(form.get("hours", "")), "minute")
        except ValueError as exc:
            self.sub_error = f"Hours per period: {sentence(str(exc))}"
            return
        try:
            starts_on = date.fromisoformat(str(form.get("starts_on", "")).strip())
        except ValueError:
            self.sub_error = "Enter the first day of the subscription as a date (YYYY-MM-DD)."
            return
        period = str(form.get("period", ""))

        def add():
            sub = prepaid.create_subscription(
                actor, organization_id=self.org_id, name=str(form.get("name", "")), minutes_per_period=minutes,
                period=period, rolls_over_once=form.get("rolls_over_once") in ("on", True, "true"),
                starts_on=starts_on)
            self._refresh(actor)
            return sub

        try:
            sub = await offload.run(add)
        except ServiceError as exc:
            self.sub_error = str(exc)
            return
        self.sub_message = (f"Added {sub.name}: {formats.duration(sub.minutes_per_period)} "
                            f"{PeriodLength(sub.period).value} from {formats.day(sub.starts_on)}. "
                            "The period job grants each period's hours.")
        return rx.set_value("sub-name", "")
