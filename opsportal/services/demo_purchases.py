"""Demo purchases, made as a customer makes them, at past dates.

Hour blocks: the organization's buyer starts a card payment for a block on sale
(``checkout_sessions.open_hour_block_payment``, what Buy hours does before Stripe's checkout page); plan terms:
the buyer orders them (``plan_orders.order_plan``: the order and its pre-service invoice) and starts paying the
invoice (``checkout_sessions.open_invoice_payment``). Each payment is then confirmed by a ``checkout.session.completed``
event applied through ``stripe_events.apply_event``, as the verified webhook applies it: that grants the lot and
issues the paid receipt, or marks the invoice paid and activates the terms it bought.

No Stripe server is needed: the demo plays Stripe's part, with session and event ids of its own (``cs_demo_…``,
``evt_demo_…``) that no real checkout can have.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.models import HourBlock, Organization, User
from opsportal.services import checkout_sessions, plan_orders, stripe_events, support_terms
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound
from opsportal.services.orgtree import require_by_name

BUYER_ROLES = (Role.owner.value, Role.admin.value, Role.billing.value)
PAID_AFTER = timedelta(minutes=3)  # from opening the checkout to Stripe's confirmation


def buyer(org_name: str) -> Actor:
    """The organization's first owner, administrator or billing contact, who buys for it."""
    with unit_of_work(write=False) as session:
        org = require_by_name(session, org_name)
        user = session.exec(select(User).where(User.organization_id == org.id, User.is_active,
                                               User.role.in_(BUYER_ROLES)).order_by(User.id)).first()
        if user is None:
            raise NotFound(f"{org_name} has nobody who may buy hours: load the demo users first.")
        return Actor(user_id=user.id, role=Role(user.role), organization_id=org.id, session_id="demo",
                     email=user.email, full_name=user.full_name, organization_name=org.name)


def buy_hour_block(who: Actor, block_name: str, at: datetime) -> int:
    """``who`` buys the block of that name in the organization's currency, paid by card at ``at``; returns the
    payment's id (its lot and receipt are on it)."""
    with unit_of_work(write=False) as session:
        currency = session.get(Organization, who.organization_id).currency
        block_id = session.exec(select(HourBlock.id).where(HourBlock.name == block_name,
                                                           HourBlock.currency == currency,
                                                           HourBlock.active)).first()
    if block_id is None:
        raise NotFound(f"No {block_name} is on sale in {currency}: load the demo catalog first.")
    return _pay(checkout_sessions.open_hour_block_payment(who, block_id, at=at), at + PAID_AFTER)


def buy_plan(who: Actor, codes: Sequence[str], at: datetime) -> int:
    """``who`` orders 12-month terms of the offerings ``codes`` starting the day of ``at`` (the home region's) and
    pays the order's invoice by card; returns the invoice's id. The terms are active once it is paid."""
    order = plan_orders.order_plan(who, who.organization_id, [plan_orders.OrderItem(code) for code in codes],
                                   accepted_terms=support_terms.read_terms().version, at=at)  # the buyer ticks it
    _pay(checkout_sessions.open_invoice_payment(who, order.invoice_id, at=at), at + PAID_AFTER)
    return order.invoice_id


def _pay(pending: checkout_sessions.PendingPayment, at: datetime) -> int:
    outcome = stripe_events.apply_event(_checkout_completed(pending), at=at)
    if not outcome.startswith("applied"):
        raise RuntimeError(f"The demo's payment {pending.payment_id} was not applied: {outcome}")
    return pending.payment_id


def _checkout_completed(pending: checkout_sessions.PendingPayment) -> dict:
    """The event Stripe sends when the checkout of ``pending`` is paid (the fields the portal reads)."""
    ref = str(pending.payment_id)
    return {"id": f"evt_demo_{ref}", "type": "checkout.session.completed", "data": {"object": {
        "id": f"cs_demo_{ref}", "object": "checkout.session", "status": "complete", "payment_status": "paid",
        "amount_total": pending.amount_minor, "currency": pending.currency.lower(), "payment_intent": f"pi_demo_{ref}",
        "metadata": {"opsportal_payment_id": ref}}}}
