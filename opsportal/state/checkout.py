"""Back from Stripe Checkout: says what was paid once Stripe has confirmed it.

Stripe sends the customer back before or after its webhook reaches us; while the payment is
still open the page asks again every 2 seconds for about half a minute, then says the payment
will show up once Stripe confirms it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.invoices import PaymentStatus
from opsportal.services import payment_reconciliation
from opsportal.services.errors import ServiceError
from opsportal.services.payment_reconciliation import HoursAdded, ReturnStatus
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect, session_token

RECHECKS = 15  # every live.POLL_SECONDS: about 30 seconds


def read_return(actor, session_id: str) -> tuple[ReturnStatus, HoursAdded | None]:
    """Where the payment stands (asking Stripe if need be) and, for hours or credits bought, what they added."""
    status = payment_reconciliation.confirm_return(actor, session_id)
    added = None
    if status.status == PaymentStatus.succeeded and status.purpose == "hour_block":
        added = payment_reconciliation.hours_added(actor, status.payment_id)
    return status, added


class CheckoutState(rx.State):
    # checking (first answer pending) | confirming (Stripe has not confirmed yet) | paid | waiting (gave up
    # asking) | expired | error
    phase: str = "checking"
    purpose: str = ""
    description: str = ""
    amount: str = ""
    invoice_href: str = ""
    invoice_number: str = ""
    hours_text: str = ""
    last_error: str = ""
    error: str = ""
    _session_id: str = ""
    _payment_id: int = 0
    _watch_id: str = ""

    @rx.var
    def is_hours(self) -> bool:
        return self.purpose == "hour_block"

    def _show(self, status: ReturnStatus, added: HoursAdded | None) -> None:
        self.error = ""
        self._payment_id = status.payment_id
        self.purpose, self.description, self.amount = status.purpose, status.description, status.amount
        self.invoice_number = status.invoice_number or ""
        self.invoice_href = routes.invoice(status.invoice_id) if status.invoice_id else ""
        self.last_error = status.last_error
        if status.status == PaymentStatus.succeeded:
            self.phase = "paid"
            self.hours_text = ""
            if added is not None:
                through = f" — usable through {formats.day(added.usable_through)}" if added.usable_through else ""
                what = formats.credits(added.credits) if added.credits else f"{formats.count(added.hours)} hours"
                self.hours_text = f"{what} added{through}"
        elif status.status == PaymentStatus.expired:
            self.phase = "expired"
        elif self.phase not in ("confirming", "waiting"):
            self.phase = "confirming"

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self._watch_id = ""
        self.phase, self.error, self.hours_text, self.invoice_href = "checking", "", "", ""
        self._session_id = self.router.url.query_parameters.get("session_id", "")[:255]
        try:
            self._show(*await offload.run(read_return, actor, self._session_id))
        except ServiceError as exc:
            self.phase, self.error = "error", str(exc)
            return
        if self.phase == "confirming":
            return CheckoutState.recheck

    @rx.event(background=True)
    async def recheck(self):
        async with self:
            lease = live.claim(self)
            session_id = self._session_id
        live.register(lease)
        try:
            for _ in range(RECHECKS):
                await asyncio.sleep(live.POLL_SECONDS)
                async with self:
                    if not live.holds(self, lease) or self.phase != "confirming":
                        return
                    token = session_token(self)
                actor = await live.sign_in_again(token)
                if actor is None:
                    async with self:
                        _nobody, redirect = await actor_or_redirect(self)
                    if redirect is not None:
                        yield redirect
                    return
                try:
                    status, added = await offload.run(read_return, actor, session_id)
                    async with self:
                        if not live.holds(self, lease):
                            return
                        self._show(status, added)
                except ServiceError as exc:
                    async with self:
                        if live.holds(self, lease):
                            self.phase, self.error = "error", str(exc)
                    return
                if status.status != PaymentStatus.open:
                    return
            async with self:
                if live.holds(self, lease) and self.phase == "confirming":
                    self.phase = "waiting"
        finally:
            live.unregister(lease)
