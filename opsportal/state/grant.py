"""Staff administrators grant credit lots from an organization's page."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.ledger.quantities import parse_quantity
from opsportal.domain.roles import Role
from opsportal.services import credit_views, credits
from opsportal.services.errors import ServiceError, sentence
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.organization import OrganizationState


class GrantState(rx.State):
    allowed: bool = False
    products: list[dict[str, str]] = []
    error: str = ""
    message: str = ""

    @rx.event
    async def load(self):
        self.error = self.message = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.allowed = actor.role is Role.staff_admin
        products = await offload.run(credit_views.products, actor) if self.allowed else []
        self.products = [{"code": p.code, "label": f"{p.name} ({'hours' if p.unit == 'minute' else 'credits'})"}
                         for p in products]

    @rx.event
    async def submit(self, form: dict):
        self.error = self.message = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        org = await self.get_state(OrganizationState)
        units = {p.code: p.unit for p in await offload.run(credit_views.products, actor)}
        code = str(form.get("product", ""))
        if code not in units:
            self.error = "Choose a product."
            return
        try:
            quantity = parse_quantity(str(form.get("quantity", "")), units[code])
        except ValueError as exc:
            self.error = sentence(str(exc))
            return
        raw_expiry = str(form.get("expires", "")).strip()
        try:
            expires = date.fromisoformat(raw_expiry) if raw_expiry else None
        except ValueError:
            self.error = "Enter the last usable day as a date (YYYY-MM-DD)."
            return
        try:
            lot = await offload.run(credits.grant, actor, org_id=org.shown_id, product=code, quantity=quantity,
                                    kind=str(form.get("kind", "")), expires=expires,
                                    shared=form.get("shared") in ("on", True, "true"))
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.message = (f"Granted lot {lot.id}: {formats.quantity(lot.quantity, lot.unit)} of {lot.product_name}, "
                        f"{formats.label(lot.kind).lower()}, allocated to {lot.allocated_to}"
                        # The day the picker chose, as pages show days: expiry is a UTC day (DESIGN.md).
                        + (f", usable through {formats.day(expires)} (to the end of that day, UTC)." if expires
                           else ", with no expiry."))
        return rx.set_value("grant-quantity", "")
