"""The hour-block catalog: customers see the blocks on sale in their currency; staff admins edit it. A paid
block's hours are granted here (``grant_purchase``, when its receipt is paid)."""

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
    hours: int
    price_minor: int
    tax_minor: int
    currency: str
    validity_days: int
    active: bool
    per_hour_minor: int
    discount_percent: int
    expires_on: date  # if bought today
    tax_rate_bp: int = 0  # the tax rule's rate for the organization (0 in the staff's list-price views)

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
    return rules.BlockTerms(b.minutes, b.price_minor, b.validity_days)


def _public(rows: list[HourBlock], tax: invoice_rules.TaxSettings, today: date) -> list[BlockPublic]:
    by_currency: dict[str, HourBlock] = {}
    for b in rows:  # the reference for the volume discount: the smallest active block of the currency
        if b.active and (b.currency not in by_currency or b.minutes < by_currency[b.currency].minutes):
            by_currency[b.currency] = b
    out = []
    for b in rows:
        ref = by_currency.get(b.currency)
        price = invoice_rules.priced(InvoiceKind.hour_block, tax, b.price_minor)
        out.append(BlockPublic(
            id=b.id, name=b.name, hours=b.minutes // 60, price_minor=b.price_minor, tax_minor=price.tax_minor,
            tax_rate_bp=price.tax_rate_bp, currency=b.currency,
            validity_days=b.validity_days, active=b.active, per_hour_minor=rules.per_hour_minor(_terms(b)),
            discount_percent=rules.discount_percent(_terms(b), _terms(ref)) if ref else 0,
            expires_on=rules.expiry_of_purchase(today, b.validity_days)))
    return out


def catalog_for(actor: Actor, organization_id: int, *, today: date | None = None) -> list[BlockPublic]:
    """The blocks on sale in the organization's currency, smallest first, with the tax their checkout charges."""
    require_view_organization(actor, organization_id)
    today = today or clock.now().date()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        rows = session.exec(select(HourBlock).where(HourBlock.active, HourBlock.currency == org.currency)
                            .order_by(HourBlock.minutes, HourBlock.id)).all()
        return _public(list(rows), tax_settings(org), today)


def all_blocks(actor: Actor, *, today: date | None = None) -> list[BlockPublic]:
    """The whole catalog, every currency, on sale or not (staff)."""
    require_staff(actor)
    today = today or clock.now().date()
    with unit_of_work(write=False) as session:
        rows = session.exec(select(HourBlock).order_by(HourBlock.currency, HourBlock.minutes, HourBlock.id)).all()
        return _public(list(rows), LIST_PRICES, today)


def _checked(name: str, hours: int, price_minor: int, currency: str, validity_days: int) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 80:
        raise InvalidInput("Give the block a name of 1 to 80 characters.")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        raise InvalidInput("The currency is a three-letter ISO code, e.g. USD.")
    for value, what in ((hours, "hours"), (price_minor, "price"), (validity_days, "validity")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"The {what} must be a whole number.")
    problem = rules.block_problem(rules.BlockTerms(hours * 60, price_minor, validity_days))
    if problem:
        raise InvalidInput(sentence(problem))
    return name, currency


def save_block(actor: Actor, *, block_id: int | None, name: str, hours: int, price_minor: int, currency: str,
               validity_days: int, active: bool = True, at: datetime | None = None) -> BlockPublic:
    """Create (``block_id`` None) or change a block. Checkouts already started keep the terms they showed."""
    require_staff_admin(actor)
    at = at or clock.now()
    name, currency = _checked(name, hours, price_minor, currency, validity_days)
    with unit_of_work() as session:
        if block_id is None:
            if len(session.exec(select(HourBlock.id)).all()) >= MAX_BLOCKS:
                raise InvalidInput(f"The catalog holds at most {MAX_BLOCKS} blocks; retire one first.")
            row = HourBlock(name=name, minutes=hours * 60, price_minor=price_minor, currency=currency,
                            validity_days=validity_days, active=active, updated_at=at)
        else:
            row = session.get(HourBlock, block_id)
            if row is None:
                raise NotFound("That hour block was not found.")
            row.name, row.minutes, row.price_minor, row.currency = name, hours * 60, price_minor, currency
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


def ensure_demo_catalog(actor: Actor, currencies: tuple[str, ...] = tuple(DEMO_CATALOG)) -> int:
    """Put the demo catalog on sale in each currency that has no blocks yet (idempotent); returns blocks added."""
    require_staff_admin(actor)
    added = 0
    with unit_of_work(write=False) as session:
        present = set(session.exec(select(HourBlock.currency).distinct()).all())
    for currency in currencies:
        if currency in present:
            continue
        for name, hours, price, validity in DEMO_CATALOG[currency]:
            save_block(actor, block_id=None, name=name, hours=hours, price_minor=price, currency=currency,
                       validity_days=validity)
            added += 1
    return added


def grant_purchase(session: Session, payment_id: int, at: datetime) -> None:
    """Grant the hours a confirmed hour-block payment bought (once: the payment then names its lot)."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.purpose != "hour_block" or payment.lot_id is not None:
        return
    expires = rules.expiry_of_purchase(at.date(), payment.block_validity_days)
    lot = credits.grant_in_session(
        session, org_id=payment.organization_id, product="support_hours", quantity=payment.block_minutes,
        kind=LotKind.purchased, expires_at=end_of_day(expires), shared=False, origin=str(Origin.hour_block),
        note=f"{payment.description}, payment {payment.id}", at=at, user_id=payment.created_by_user_id)
    payment.lot_id = lot.id
    session.add(payment)
