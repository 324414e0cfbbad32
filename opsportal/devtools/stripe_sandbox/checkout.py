"""Checkout Sessions (mode=payment with price_data line items, what the app creates), the PaymentIntents that pay
them, and paying a session with a test card: the session completes, or the intent records Stripe's decline."""

from __future__ import annotations

import asyncio
import copy
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from opsportal.devtools.stripe_sandbox.cards import TestCard
from opsportal.devtools.stripe_sandbox.protocol import (
    Json,
    StripeError,
    format_amount,
    invalid,
    now,
    random_id,
    string_map,
    whole_number,
)

SESSION_LIFETIME_SECONDS = 24 * 3600
MAX_AMOUNT = 99_999_999  # Stripe's limit: eight digits in the smallest unit
# Stripe's minimum charge amounts, in the smallest unit (the ones we know; others are not checked).
MINIMUM_AMOUNTS = {"usd": 50, "eur": 50, "chf": 50, "cad": 50, "aud": 50, "gbp": 30, "jpy": 50,
                   "sek": 300, "nok": 300, "dkk": 250, "pln": 200}
SESSION_PARAMS = frozenset({"mode", "line_items", "success_url", "cancel_url", "client_reference_id",
                            "customer_email", "metadata", "payment_intent_data", "expires_at", "expand"})
# Real Stripe parameters the sandbox accepts and does not model.
IGNORED_SESSION_PARAMS = frozenset({"payment_method_types", "locale", "submit_type", "billing_address_collection",
                                    "customer_creation", "allow_promotion_codes", "phone_number_collection",
                                    "ui_mode", "automatic_tax"})
KNOWN = {"payment_intent_data": frozenset({"metadata", "description"}),
         "line_item": frozenset({"price_data", "quantity"}),
         "price_data": frozenset({"currency", "unit_amount", "product_data", "tax_behavior"}),
         "product_data": frozenset({"name", "description", "images", "metadata"})}


@dataclass(frozen=True)
class LineItem:
    name: str
    description: str | None
    unit_amount: int
    quantity: int
    currency: str

    @property
    def amount(self) -> int:
        return self.unit_amount * self.quantity


@dataclass
class CheckoutSession:
    """A session as Stripe shows it (``data``) plus what only the sandbox needs."""

    data: Json
    line_items: list[LineItem]
    intent_metadata: dict[str, str]
    intent_description: str | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def status(self) -> str:
        return self.data["status"]

    def snapshot(self) -> Json:
        return copy.deepcopy(self.data)

    def success_redirect(self) -> str | None:
        url = self.data["success_url"]
        return url.replace("{CHECKOUT_SESSION_ID}", self.id) if url else None


def _check_known(params: Mapping[str, Any], known: frozenset[str], prefix: str = "",
                 ignored: frozenset[str] = frozenset()) -> None:
    for name in params:
        if name not in known and name not in ignored:
            param = f"{prefix}[{name}]" if prefix else name
            raise invalid(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def _required(params: Mapping[str, Any], name: str, param: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
    return value


def _object(value: Any, param: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(f"Invalid object: {param}", param=param)
    return value


def _positive(params: Mapping[str, Any], name: str, param: str) -> int:
    value = whole_number(_required(params, name, param), param)
    if value <= 0:
        raise invalid(f"Invalid {param}: must be a positive whole number (got {value}); amounts are in the "
                      "currency's smallest unit, e.g. 1000 for 10.00.", param=param)
    return value


def parse_line_items(raw: Any) -> list[LineItem]:
    if raw in (None, "", []):
        raise invalid("Missing required param: line_items. A payment-mode Checkout Session needs at least one "
                      "line item.", param="line_items", code="parameter_missing")
    if not isinstance(raw, list):
        raise invalid("Invalid array: line_items must be a list of line items.", param="line_items")
    items = [_line_item(entry, f"line_items[{index}]") for index, entry in enumerate(raw)]
    for index, item in enumerate(items):
        if item.currency != items[0].currency:
            raise invalid(f"All line items must use the same currency: line_items[{index}] is in "
                          f"{item.currency}, line_items[0] is in {items[0].currency}.",
                          param=f"line_items[{index}][price_data][currency]")
    return items


def _line_item(entry: Any, prefix: str) -> LineItem:
    entry = _object(entry, prefix)
    if "price" in entry:
        raise invalid(f"The sandbox has no Prices: pass {prefix}[price_data] instead of {prefix}[price].",
                      param=f"{prefix}[price]")
    _check_known(entry, KNOWN["line_item"], prefix)
    price_param = f"{prefix}[price_data]"
    price = _object(_required(entry, "price_data", price_param), price_param)
    _check_known(price, KNOWN["price_data"], price_param)
    currency = str(_required(price, "currency", f"{price_param}[currency]")).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise invalid(f"Invalid currency: {currency}. Use a three-letter ISO code such as eur.",
                      param=f"{price_param}[currency]")
    unit_amount = _positive(price, "unit_amount", f"{price_param}[unit_amount]")
    quantity = _positive(entry, "quantity", f"{prefix}[quantity]")
    product_param = f"{price_param}[product_data]"
    product = _object(_required(price, "product_data", product_param), product_param)
    _check_known(product, KNOWN["product_data"], product_param)
    return LineItem(name=_required(product, "name", f"{product_param}[name]"),
                    description=product.get("description") or None, unit_amount=unit_amount, quantity=quantity,
                    currency=currency)


def _check_total(total: int, currency: str) -> None:
    minimum = MINIMUM_AMOUNTS.get(currency)
    if minimum and total < minimum:
        raise invalid(f"The Checkout Session's total amount due must add up to at least "
                      f"{format_amount(minimum, currency)} {currency}.", param="line_items", code="amount_too_small")
    if total > MAX_AMOUNT:
        raise invalid(f"The Checkout Session's total amount due must be no more than "
                      f"{format_amount(MAX_AMOUNT, currency)} {currency}.", param="line_items", code="amount_too_large")


def _optional_url(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name) or None
    if value is not None and urlsplit(value).scheme not in ("http", "https"):
        raise invalid(f"Not a valid URL: {name} must be an http(s) URL.", param=name, code="url_invalid")
    return value


def _expires_at(params: Mapping[str, Any], created: int) -> int:
    if params.get("expires_at") in (None, ""):
        return created + SESSION_LIFETIME_SECONDS
    expires_at = whole_number(params["expires_at"], "expires_at")
    # Stripe also wants at least 30 minutes; the sandbox allows shorter so tests can watch sessions expire.
    if expires_at <= created:
        raise invalid("The `expires_at` timestamp must be in the future.", param="expires_at")
    if expires_at > created + SESSION_LIFETIME_SECONDS:
        raise invalid("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                      param="expires_at")
    return expires_at


def new_checkout_session(params: Json, public_url: str) -> CheckoutSession:
    """Validate create parameters the way Stripe does and build an open, unpaid session."""
    _check_known(params, SESSION_PARAMS, ignored=IGNORED_SESSION_PARAMS)
    mode = _required(params, "mode", "mode")
    if mode != "payment":
        raise invalid(f"The sandbox supports only mode=payment, not mode={mode}.", param="mode")
    items = parse_line_items(params.get("line_items"))
    currency, total = items[0].currency, sum(item.amount for item in items)
    _check_total(total, currency)
    intent_data = _object(params.get("payment_intent_data") or {}, "payment_intent_data")
    _check_known(intent_data, KNOWN["payment_intent_data"], "payment_intent_data")
    created, session_id = now(), f"cs_test_{random_id(58)}"
    data: Json = {
        "id": session_id, "object": "checkout.session", "amount_subtotal": total, "amount_total": total,
        "cancel_url": _optional_url(params, "cancel_url"),
        "client_reference_id": params.get("client_reference_id") or None, "created": created, "currency": currency,
        "customer": None, "customer_details": None, "customer_email": params.get("customer_email") or None,
        "expires_at": _expires_at(params, created), "livemode": False,
        "metadata": string_map(params.get("metadata"), "metadata"), "mode": "payment", "payment_intent": None,
        "payment_method_types": ["card"], "payment_status": "unpaid", "status": "open",
        "success_url": _optional_url(params, "success_url"), "url": f"{public_url.rstrip('/')}/pay/{session_id}",
    }
    return CheckoutSession(data=data, line_items=items,
                           intent_metadata=string_map(intent_data.get("metadata"), "payment_intent_data[metadata]"),
                           intent_description=intent_data.get("description") or None)


def payment_intent(session: CheckoutSession, card: TestCard) -> Json:
    """The PaymentIntent of one attempt to pay ``session`` with ``card``: succeeded, or declined with Stripe's error."""
    intent_id = f"pi_{random_id(24)}"
    intent: Json = {
        "id": intent_id, "object": "payment_intent", "amount": session.data["amount_total"],
        "amount_received": 0, "currency": session.data["currency"], "created": now(),
        "description": session.intent_description, "livemode": False, "last_payment_error": None,
        "latest_charge": f"ch_{random_id(24)}", "payment_method": f"pm_{random_id(24)}",
        "payment_method_types": ["card"], "client_secret": f"{intent_id}_secret_{random_id(24)}",
        "metadata": {**session.intent_metadata, "checkout_session": session.id}, "status": "succeeded",
    }
    if card.declines:
        intent.update(status="requires_payment_method", last_payment_error={
            "type": "card_error", "code": "card_declined", "decline_code": card.decline_code,
            "message": card.message, "charge": intent["latest_charge"],
            "doc_url": "https://stripe.com/docs/error-codes/card-declined"})
    else:
        intent["amount_received"] = intent["amount"]
    return intent


class SessionNotOpen(Exception):
    def __init__(self, session: CheckoutSession):
        super().__init__(f"This Checkout Session is {session.status}; only open sessions can be paid.")
        self.session = session


@dataclass(frozen=True)
class PaymentOutcome:
    outcome: str  # "succeeded" | "declined"
    message: str
    session: Json
    event_id: str
    payment_intent: str

    def to_json(self) -> Json:
        return {"outcome": self.outcome, "message": self.message, "session": self.session,
                "event_id": self.event_id, "payment_intent": self.payment_intent}


Publish = Callable[..., str]  # publish(event_type, object, deliver=...) -> the event's id


class Checkout:
    """The sessions and intents (newest last), expiring and paying sessions; events go to ``publish``."""

    def __init__(self, publish: Publish):
        self.sessions: OrderedDict[str, CheckoutSession] = OrderedDict()
        self.intents: dict[str, Json] = {}
        self.publish = publish

    def add(self, session: CheckoutSession) -> None:
        self.sessions[session.id] = session

    def require(self, session_id: str) -> CheckoutSession:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeError(404, f"No such checkout.session: '{session_id}'", code="resource_missing",
                              param="session")
        return session

    def require_intent(self, intent_id: str) -> Json:
        intent = self.intents.get(intent_id)
        if intent is None:
            raise StripeError(404, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="intent")
        return copy.deepcopy(intent)

    def expire_due(self) -> None:
        for session in [s for s in self.sessions.values() if s.status == "open" and s.data["expires_at"] <= now()]:
            self.expire(session)

    def expire(self, session: CheckoutSession) -> None:
        session.data.update(status="expired", url=None)
        self.publish("checkout.session.expired", session.snapshot())

    async def pay(self, session: CheckoutSession, card: TestCard, *, email: str | None, name: str | None,
                  deliver: bool) -> PaymentOutcome:
        async with session.lock:
            self.expire_due()
            if session.status != "open":
                raise SessionNotOpen(session)
            intent = payment_intent(session, card)
            self.intents[intent["id"]] = intent
            if card.declines:
                event_id = self.publish("payment_intent.payment_failed", intent, deliver=deliver)
                return PaymentOutcome("declined", card.message or "Your card was declined.", session.snapshot(),
                                      event_id, intent["id"])
            session.data.update(
                status="complete", payment_status="paid", payment_intent=intent["id"], url=None,
                customer_details={"email": email or session.data["customer_email"], "name": name or None,
                                  "address": None, "phone": None, "tax_exempt": "none", "tax_ids": []})
            event_id = self.publish("checkout.session.completed", session.snapshot(), deliver=deliver)
            return PaymentOutcome("succeeded", "Payment succeeded.", session.snapshot(), event_id, intent["id"])
