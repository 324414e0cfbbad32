"""Buy hours and service credits: the hour blocks and credit packs on sale for the organization, paid through Stripe
Checkout, and recent buys. The services catalog links here with the packs that cover a shortfall picked
(``routes.buy_packs``)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.invoices import PaymentStatus, may_pay_invoices
from opsportal.services import checkout_sessions, hour_blocks, payment_history
from opsportal.services.errors import ServiceError
from opsportal.services.hour_blocks import BlockPublic
from opsportal.services.payment_history import PaymentRow
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect

REFUSED = "Hours and service credits are bought by owners, administrators and billing contacts."
PURCHASE_STATUS = {"open": ("Not paid yet", "blue"), "succeeded": ("Paid", "green"),
                   "expired": ("Not completed", "gray")}


def block_card(block: BlockPublic, picked: list[str] | None = None) -> dict[str, str]:
    def money(minor: int) -> str:
        return formats.money(minor, block.currency)

    amount = formats.count(block.credits if block.is_credits else block.hours)
    unit = "credits" if block.is_credits else "hours"
    times = (picked or []).count(str(block.id))
    return {"id": str(block.id), "name": block.name, "amount": amount, "unit": unit,
            "price": money(block.price_minor),
            "per_unit": f"{money(block.per_hour_minor)} per {'credit' if block.is_credits else 'hour'}",
            "save": f"Save {block.discount_percent}%" if block.discount_percent > 0 else "",
            "through": formats.day(block.expires_on),
            "tax": money(block.tax_minor) if block.tax_minor > 0 else "",
            "tax_label": f"Tax ({formats.percent_bp(block.tax_rate_bp)})",
            "total": money(block.price_minor + block.tax_minor),
            "buy": f"Buy {amount} {unit}",
            "picked": ("Covers what you are missing" if times == 1 else
                       f"Buy {formats.count(times)} of these to cover what you are missing") if times else ""}


def picked_packs(query: dict) -> tuple[list[str], int]:
    """The packs the services catalog picked (``?packs=3,3&need=80``) and the credits missing; junk reads as none."""
    ids = [i for i in str(query.get("packs", "")).split(",")[:50] if i.isdigit()]
    need = str(query.get("need", ""))
    return ids, int(need) if need.isdigit() and len(need) < 9 else 0


def purchase_row(p: PaymentRow, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    status, color = PURCHASE_STATUS.get(p.status, (formats.label(p.status), "gray"))
    receipt = routes.invoice(p.invoice_id) if p.invoice_id and p.status == PaymentStatus.succeeded else ""
    note = p.last_error if p.status != PaymentStatus.succeeded and p.last_error else ""
    return {"id": str(p.id), "when": formats.instant(p.completed_at or p.created_at, time_zone),
            "description": p.description, "amount": formats.money(p.amount_minor, p.currency), "status": status,
            "color": color, "receipt": receipt, "note": note}


class BuyHoursState(rx.State):
    blocks: list[dict[str, str]] = []
    packs: list[dict[str, str]] = []
    need: str = ""  # "You are 8 credits short…" when the services catalog sent the customer here
    purchases: list[dict[str, str]] = []
    cancelled: bool = False
    refused: str = ""
    error: str = ""
    buy_error: str = ""
    buying: str = ""  # the id of the block whose checkout is being opened
    loaded: bool = False

    def _refresh(self, actor) -> None:
        org_id = actor.organization_id or 0
        picked, need = picked_packs(self.router.url.query_parameters)
        on_sale = hour_blocks.catalog_for(actor, org_id)
        self.blocks = [block_card(b) for b in on_sale if not b.is_credits]
        self.packs = [block_card(b, picked) for b in on_sale if b.is_credits]
        shown = any(p["picked"] for p in self.packs)
        self.need = (f"You are {formats.credits(need)} short for the service you chose: the highlighted "
                     f"pack{'s cover' if len(picked) > 1 else ' covers'} them." if need and shown else "")
        self.purchases = [purchase_row(p, actor.time_zone) for p in payment_history.hour_block_purchases(actor, org_id)]

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_HOUR_BLOCKS)
        self.buying, self.buy_error, self.error, self.loaded = "", "", "", False
        self.cancelled = self.router.url.query_parameters.get("checkout", "") == "cancelled"
        if not may_pay_invoices(actor.role):
            self.refused, self.blocks, self.packs, self.purchases = REFUSED, [], [], []
            return
        self.refused = ""
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error, self.blocks, self.packs, self.purchases = str(exc), [], [], []
        self.loaded = True

    @rx.event
    async def buy(self, block_id: str):
        """Opens Stripe Checkout for one block or pack, in this tab. Clicks while one is opening do nothing."""
        if self.buying or not str(block_id).isdigit():
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        self.buying, self.buy_error, self.cancelled = str(block_id), "", False
        yield
        origin = self.router.url.origin
        try:
            start = await offload.run(checkout_sessions.start_hour_block_checkout, actor, int(block_id),
                                      return_base=origin if origin.startswith("http") else None)
        except ServiceError as exc:
            self.buying, self.buy_error = "", str(exc)
            return
        yield rx.redirect(start.url)
