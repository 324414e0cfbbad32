"""The prepaid-block catalog: blocks of support hours and packs of service credits. Customers see the blocks on sale
in their currency; staff admins edit it. A paid block's hours or credits are granted here (``grant_purchase``, when
its receipt is paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import hour_blocks as rules
from opsportal.domain import invoices as invoice_rules
from opsportal.domain.invoices import InvoiceKind
from opsportal.domain.ledger.lots import LotKind, Origin, end_of_day
from opsportal.models import HourBlock, Payment
from opsportal.services import credits, orgtree
from opsportal.services.authz import Actor, require_staff, require_staff_admin, require_view_organization
from opsportal.services.errors import InvalidInput, NotFound, sentence
from opsportal.services.invoice_issuing import tax_settings

MAX_BLOCKS = 40
# Staff read the catalog at list price: tax depends on the organization that buys.
LIST_PRICES = invoice_rules.TaxSettings(0)


@dataclass(frozen=True)
class BlockPublic:
    id: int
    name: str
    hours: int  # support hours sold (0 for a credit pack)
    price_minor: int
    tax_minor: int
    currency: str
    validity_days: int
    active: bool
    per_hour_minor: int
    discount_percent: int
    expires_on: date  # if bought today
    tax_rate_bp: int = 0  # the tax rule's rate for the organization (0 in the staff's list-price views)
    product: str = rules.SUPPORT_HOURS
    credits: int = 0  # service credits sold (0 for a block of hours)

    @property
    def is_credits(self) -> bool:
        return self.product == rules.SERVICE_CREDITS

    @property
    def amount_text(self) -> str:
        """What it sells: ``10 h`` of support or ``50 credits``."""
        return formats.credits(self.credits) if self.is_credits else formats.duration(self.hours * 60)

    @property
    def price(self) -> str:
        return formats.money(self.price_minor, self.currency)

    @property
    def total(self) -> str:
        return formats.money(self.price_minor + self.tax_minor, self.currency)

    @property
    def per_hour(self) -> str:
        return formats.money(self.per_hour_minor, self.currency)


def _terms(b: HourBlock) -> rules.BlockTerms:
    return rules.BlockTerms(b.quantity, b.price_minor, b.validity_days, b.product_code)


def _public(rows: list[HourBlock], tax: invoice_rules.TaxSettings, today: date) -> list[BlockPublic]:
    smallest: dict[tuple[str, str], HourBlock] = {}
    for b in rows:  # the reference for the volume discount: the smallest active block of the currency and product
        key = (b.currency, b.product_code)
        if b.active and (key not in smallest or b.quantity < smallest[key].quantity):
            smallest[key] = b
    out = []
    for b in rows:
        ref = smallest.get((b.currency, b.product_code))
        price = invoice_rules.priced(InvoiceKind.hour_block, tax, b.price_minor)
        is_credits = b.product_code == rules.SERVICE_CREDITS
        out.append(BlockPublic(
            id=b.id, name=b.name, hours=0 if is_credits else b.quantity // 60, price_minor=b.price_minor,
            tax_minor=price.tax_minor, tax_rate_bp=price.tax_rate_bp, currency=b.currency,
            validity_days=b.validity_days, active=b.active, per_hour_minor=rules.per_unit_minor(_terms(b)),
            discount_percent=rules.discount_percent(_terms(b), _terms(ref)) if ref else 0,
            expires_on=rules.expiry_of_purchase(today, b.validity_days), product=b.product_code,
            credits=b.quantity if is_credits else 0))
    return out


def catalog_for(actor: Actor, organization_id: int, *, product: str | None = None,
                today: date | None = None) -> list[BlockPublic]:
    """The blocks on sale in the organization's currency (of one product, or hours then credits), smallest first,
    with the tax their checkout charges."""
    require_view_organization(actor, organization_id)
    today = today or clock.now().date()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        query = select(HourBlock).where(HourBlock.active, HourBlock.currency == org.currency)
        if product is not None:
            query = query.where(HourBlock.product_code == product)
        rows = session.exec(query.order_by(HourBlock.product_code.desc(), HourBlock.quantity, HourBlock.id)).all()
        return _public(list(rows), tax_settings(org), today)


def all_blocks(actor: Actor, *, today: date | None = None) -> list[BlockPublic]:
    """The whole catalog, every currency, on sale or not (staff)."""
    require_staff(actor)
    today = today or clock.now().date()
    with unit_of_work(write=False) as session:
        rows = session.exec(select(HourBlock).order_by(HourBlock.product_code.desc(), HourBlock.currency,
                                                       HourBlock.quantity, HourBlock.id)).all()
        return _public(list(rows), LIST_PRICES, today)


def _checked(name: str, terms: rules.BlockTerms, currency: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 80:
        raise InvalidInput("Give the block a name of 1 to 80 characters.")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        raise InvalidInput("The currency is a three-letter ISO code, e.g. USD.")
    for value, what in ((terms.quantity, "quantity"), (terms.price_minor, "price"), (terms.validity_days, "validity")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"The {what} must be a whole number.")
    problem = rules.block_problem(terms)
    if problem:
        raise InvalidInput(sentence(problem))
    return name, currency


def save_block(actor: Actor, *, block_id: int | None, name: str, price_minor: int, currency: str,
               validity_days: int, hours: int | None = None, credits: int | None = None, active: bool = True,
               at: datetime | None = None) -> BlockPublic:
    """Create (``block_id`` None) or change a block of ``hours`` of support, or a pack of service ``credits`` (give
    one of them). Checkouts already started keep the terms they showed."""
    require_staff_admin(actor)
    at = at or clock.now()
    if (hours is None) == (credits is None):
        raise InvalidInput("A block sells either hours of support or service credits.")
    product = rules.SUPPORT_HOURS if credits is None else rules.SERVICE_CREDITS
    quantity = credits if credits is not None else hours * 60 if type(hours) is int else hours
    terms = rules.BlockTerms(quantity, price_minor, validity_days, product)
    name, currency = _checked(name, terms, currency)
    with unit_of_work() as session:
        if block_id is None:
            if len(session.exec(select(HourBlock.id)).all()) >= MAX_BLOCKS:
                raise InvalidInput(f"The catalog holds at most {MAX_BLOCKS} blocks; retire one first.")
            row = HourBlock(name=name, product_code=product, quantity=quantity, price_minor=price_minor,
                            currency=currency, validity_days=validity_days, active=active, updated_at=at)
        else:
            row = session.get(HourBlock, block_id)
            if row is None:
                raise NotFound("That hour block was not found.")
            row.name, row.product_code, row.quantity = name, product, quantity
            row.price_minor, row.currency = price_minor, currency
            row.validity_days, row.active, row.updated_at = validity_days, active, at
        session.add(row)
        session.flush()
        return _public([row], LIST_PRICES, at.date())[0]


# The demo catalog per currency: name, hours, price in minor units, validity in days. Every block costs less per
# hour than the demo organizations' pay-as-you-go rates in its currency (USD 110.00 and 120.00, EUR 95.00; see
# ``demo_tasks.ORGANIZATIONS``), and a larger block less than a smaller one.
DEMO_CATALOG = {
    "USD": (
        ("Starter block", 5, 52_500, 180),  # USD 105.00 an hour
        ("Standard block", 10, 100_000, 365),  # USD 100.00 an hour
        ("Growth block", 20, 190_000, 365),  # USD 95.00 an hour
        ("Enterprise block", 40, 360_000, 365),  # USD 90.00 an hour
    ),
    "EUR": (
        ("Starter block", 5, 42_500, 180),  # EUR 85.00 an hour
        ("Standard block", 10, 80_000, 365),  # EUR 80.00 an hour
        ("Growth block", 20, 152_000, 365),  # EUR 76.00 an hour
        ("Enterprise block", 40, 288_000, 365),  # EUR 72.00 an hour
    ),
}


# Service-credit packs per currency: name, credits, price in minor units, validity in days (a bigger pack costs
# less per credit).
DEMO_PACKS = {
    "USD": (("Credit pack 25", 25, 250_000, 365), ("Credit pack 50", 50, 475_000, 365),
            ("Credit pack 100", 100, 900_000, 365)),
    "EUR": (("Credit pack 25", 25, 212_500, 365), ("Credit pack 50", 50, 400_000, 365),
            ("Credit pack 100", 100, 760_000, 365)),
}


def ensure_demo_catalog(actor: Actor, currencies: tuple[str, ...] = tuple(DEMO_CATALOG)) -> int:
    """Put the demo catalog on sale in each currency with no blocks of a product yet (idempotent); returns blocks
    added."""
    require_staff_admin(actor)
    added = 0
    with unit_of_work(write=False) as session:
        present = set(session.exec(select(HourBlock.currency, HourBlock.product_code).distinct()).all())
    for currency in currencies:
        if (currency, rules.SUPPORT_HOURS) not in present:
            for name, hours, price, validity in DEMO_CATALOG[currency]:
                save_block(actor, block_id=None, name=name, hours=hours, price_minor=price, currency=currency,
                           validity_days=validity)
                added += 1
        if (currency, rules.SERVICE_CREDITS) not in present:
            for name, count, price, validity in DEMO_PACKS.get(currency, ()):
                save_block(actor, block_id=None, name=name, credits=count, price_minor=price, currency=currency,
                           validity_days=validity)
                added += 1
    return added


def grant_purchase(session: Session, payment_id: int, at: datetime) -> None:
    """Grant the hours or credits a confirmed block payment bought (once: the payment then names its lot)."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.purpose != "hour_block" or payment.lot_id is not None:
        return
    expires = rules.expiry_of_purchase(at.date(), payment.block_validity_days)
    lot = credits.grant_in_session(
        session, org_id=payment.organization_id, product=payment.block_product or rules.SUPPORT_HOURS,
        quantity=payment.block_quantity, kind=LotKind.purchased, expires_at=end_of_day(expires), shared=False,
        origin=str(Origin.hour_block), note=f"{payment.description}, payment {payment.id}", at=at,
        user_id=payment.created_by_user_id)
    payment.lot_id = lot.id
    session.add(payment)
