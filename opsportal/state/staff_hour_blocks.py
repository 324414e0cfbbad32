"""The prepaid-block catalog for staff: blocks of support hours and packs of service credits in every currency;
staff administrators add, change and take them off sale. Every handler asks who is calling again; the services
decide what is allowed."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain import hour_blocks as rules
from opsportal.domain.money import parse_minor_units
from opsportal.domain.roles import Role
from opsportal.services import hour_blocks
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError, sentence
from opsportal.services.hour_blocks import BlockPublic
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.catalog_editor import CatalogEditorMixin

PRODUCTS = [{"value": rules.SUPPORT_HOURS, "label": "Support hours"},
            {"value": rules.SERVICE_CREDITS, "label": "Service credits"}]


def _whole(text: str, what: str, low: int, high: int) -> tuple[int, str]:
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        return 0, f"Enter the {what} as a whole number from {formats.count(low)} to {formats.count(high)}."
    return int(cleaned), ""


def read_block(form: dict) -> tuple[dict, dict[str, str]]:
    """The dialog's fields as save_block's arguments, and what is wrong with them by field."""
    problems: dict[str, str] = {}
    name = " ".join(str(form.get("name", "")).split())
    if not 1 <= len(name) <= 80:
        problems["name"] = "Give the block a name of 1 to 80 characters."
    product = str(form.get("product", "") or rules.SUPPORT_HOURS)
    if product not in rules.BLOCK_PRODUCTS:
        problems["product"] = "Choose support hours or service credits."
    if product == rules.SERVICE_CREDITS:
        amount, problem = _whole(str(form.get("amount", "")), "credits", 1, rules.MAX_PACK_CREDITS)
    else:
        amount, problem = _whole(str(form.get("amount", "")), "hours", 1, rules.MAX_BLOCK_MINUTES // 60)
    if problem:
        problems["amount"] = problem
    price = 0
    try:
        price = parse_minor_units(str(form.get("price", "")))
    except ValueError as exc:
        problems["price"] = sentence(str(exc))
    else:
        if price <= 0:
            problems["price"] = "The price must be more than zero."
    currency = str(form.get("currency", "")).strip().upper()
    if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        problems["currency"] = "Enter a three-letter ISO code, e.g. USD or EUR."
    validity, problem = _whole(str(form.get("validity", "")), "validity in days", rules.MIN_VALIDITY_DAYS,
                               rules.MAX_VALIDITY_DAYS)
    if problem:
        problems["validity"] = problem
    values = {"name": name, "price_minor": price, "currency": currency, "validity_days": validity,
              "active": form.get("active") in ("on", True, "true"),
              ("credits" if product == rules.SERVICE_CREDITS else "hours"): amount}
    return values, problems


def _amount(b: BlockPublic) -> dict:
    """The block's size as save_block takes it again."""
    return {"credits": b.credits} if b.is_credits else {"hours": b.hours}


def _per_unit(b: BlockPublic) -> str:
    return formats.money(b.per_hour_minor, b.currency) + (" a credit" if b.is_credits else " an hour")


class StaffHourBlocksState(CatalogEditorMixin, rx.State):
    allowed: bool = False
    denied: str = ""
    is_admin: bool = False
    rows: list[dict[str, str]] = []
    products: list[dict[str, str]] = PRODUCTS

    def _refresh(self, actor: Actor) -> None:
        self.is_admin = actor.role is Role.staff_admin
        self.rows = [
            {"id": str(b.id), "name": b.name, "product": b.product,
             "sells": "Service credits" if b.is_credits else "Support hours",
             "amount_input": str(b.credits if b.is_credits else b.hours), "amount": b.amount_text,
             "price": formats.money(b.price_minor, b.currency), "per_unit": _per_unit(b),
             "discount": formats.percent_bp(b.discount_percent * 100) if b.discount_percent else "—",
             "validity": f"{formats.count(b.validity_days)} days", "currency": b.currency,
             "active": "yes" if b.active else "", "on_sale": "On sale" if b.active else "Not on sale",
             "price_input": formats.amount_input(b.price_minor), "validity_days": str(b.validity_days)}
            for b in hour_blocks.all_blocks(actor)
        ]

    def _blank(self) -> dict[str, str]:
        return {"id": "", "name": "", "product": rules.SUPPORT_HOURS, "amount": "", "price": "", "currency": "USD",
                "validity": "365", "title": "Add a block or credit pack"}

    def _from_row(self, row: dict[str, str]) -> dict[str, str]:
        return {"id": row["id"], "name": row["name"], "product": row["product"], "amount": row["amount_input"],
                "price": row["price_input"], "currency": row["currency"], "validity": row["validity_days"],
                "title": f"Change {row['name']} ({row['currency']})"}

    def _missing(self) -> str:
        return "That block was not found; reload the page."

    @rx.event
    async def load(self):
        self.error = self.notice = self.denied = ""
        self.edit_open = False
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(self._refresh, actor)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        self.allowed = True

    @rx.event
    async def save(self, form: dict):
        self.edit_error = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        values, problems = read_block({**form, "active": self.edit_active})
        self.problems = problems
        if problems:
            return
        block_id = self._edit_id()

        def work():
            block = hour_blocks.save_block(actor, block_id=block_id, **values)
            self._refresh(actor)
            return block

        try:
            block = await offload.run(work)
        except ServiceError as exc:
            self.edit_error = str(exc)
            return
        self.edit_open = False
        verb = "Added" if block_id is None else "Saved"
        price = formats.money(block.price_minor, block.currency)
        self.notice = (f"{verb} {block.name}: {block.amount_text} for {price} ({_per_unit(block)}), "
                       f"{'on sale' if block.active else 'not on sale'}.")

    @rx.event
    async def toggle_on_sale(self, block_id: str):
        self.error = self.notice = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect

        def toggle():
            # The block as it is now (another administrator may have changed it since the page was loaded).
            current = next((b for b in hour_blocks.all_blocks(actor) if str(b.id) == str(block_id)), None)
            if current is None:
                return None
            block = hour_blocks.save_block(
                actor, block_id=current.id, name=current.name, price_minor=current.price_minor,
                currency=current.currency, validity_days=current.validity_days, active=not current.active,
                **_amount(current))
            self._refresh(actor)
            return block

        try:
            block = await offload.run(toggle)
        except ServiceError as exc:
            self.error = str(exc)
            return
        if block is None:
            self.error = self._missing()
            return
        self.notice = (f"{block.name} ({formats.money(block.price_minor, block.currency)}) is "
                       f"{'on sale again' if block.active else 'no longer on sale; checkouts already started keep it'}"
                       ".")
