"""A local Stripe sandbox for development, the demo and tests, on a machine without internet.

The app talks to it with the official SDK exactly as it talks to Stripe; only the base URL
and the keys differ::

    stripe.StripeClient("sk_test_...", base_addresses={"api": "http://127.0.0.1:12111"})

What the sandbox does itself (localstripe has none of it):

- Checkout Sessions (``/v1/checkout/sessions``: create, retrieve, list, expire, line items)
  and a hosted test-card page (``/pay/<id>``) that pays them through localstripe;
- idempotency keys on every POST, proxied ones included (same key and parameters: the
  first response again; other parameters: 400 ``idempotency_error``);
- events (``checkout.session.completed``, ``checkout.session.expired``,
  ``payment_intent.payment_failed``) sent to one webhook endpoint, signed as Stripe signs
  them, retried on failure;
- control endpoints for tests under ``/_sandbox/`` (webhook endpoint, pay without a
  browser, injected faults, the event log, resending an event).

Every other ``/v1/...`` call is forwarded to localstripe (customers, PaymentIntents,
refunds...), which runs as a separate process (it is GPL-3.0: never import it).
All state is in memory and lost on restart.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from opsportal.devtools import LOCALSTRIPE_PORT, STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET
from opsportal.devtools.stripe_sandbox_page import PageItem, PageView, render_page

DEFAULT_PORT = STRIPE_SANDBOX_PORT
DEFAULT_LOCALSTRIPE_PORT = LOCALSTRIPE_PORT
DEFAULT_WEBHOOK_SECRET = STRIPE_SANDBOX_WEBHOOK_SECRET
# The key the sandbox itself uses towards localstripe for the hosted page (no caller key there).
INTERNAL_API_KEY = "sk_test_opsportal_sandbox_internal"
SESSION_LIFETIME_SECONDS = 24 * 3600
WEBHOOK_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # 5 attempts in all
IDEMPOTENCY_CAPACITY = 10_000
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
MAX_AMOUNT = 99_999_999  # Stripe's limit: eight digits in the smallest unit

Json = dict[str, Any]


# --------------------------------------------------------------------------- errors


class StripeError(Exception):
    """An error answered in Stripe's shape, with the status code that picks the SDK's exception class."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.body: Json = {"type": type, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param
        self.body.update(extra)

    def response(self) -> JSONResponse:
        return stripe_json({"error": self.body}, self.status)


def invalid(message: str, *, param: str | None = None, code: str | None = None, status: int = 400) -> StripeError:
    return StripeError(status, message, param=param, code=code)


def unknown_parameter(name: str) -> StripeError:
    return invalid(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")


def stripe_json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    response = JSONResponse(body, status_code=status, headers=dict(headers or {}))
    response.headers.setdefault("Request-Id", f"req_{random_id(14)}")
    return response


# --------------------------------------------------------------------------- small helpers


def random_id(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def now() -> int:
    return int(time.time())


def parse_stripe_params(pairs: Iterable[tuple[str, str]]) -> Json:
    """Form pairs with Stripe's bracket keys (``line_items[0][quantity]=2``) as nested dicts and lists."""
    root: Json = {}
    for key, value in pairs:
        parts = _key_parts(key)
        node = root
        for depth, part in enumerate(parts):
            if part == "":  # "expand[]=x" appends
                part = str(len(node))
            if depth == len(parts) - 1:
                node[part] = value
                break
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise invalid(f"Invalid parameter: {key} (conflicts with a plain value)", param=key)
            node = child
    return _lists_from_indexed_dicts(root)


def _key_parts(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    return [head, *re.findall(r"\[([^\[\]]*)\]", bracket + rest)]


def _lists_from_indexed_dicts(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_indexed_dicts(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def encode_stripe_params(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The inverse of :func:`parse_stripe_params`, for calls to localstripe."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs += encode_stripe_params(value, name)
        elif isinstance(value, (list, tuple)):
            pairs += encode_stripe_params({str(i): v for i, v in enumerate(value)}, name)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


def whole_number(value: Any, param: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise invalid(f"Invalid integer: {value}", param=param)


def string_map(value: Any, param: str) -> dict[str, str]:
    """A Stripe ``metadata``-style hash of strings (empty values are dropped, as Stripe unsets them)."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(f"Invalid hash: {param} must be a set of key-value pairs", param=param)
    return {k: v for k, v in value.items() if v != ""}


def sign_webhook_payload(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header: ``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>" keyed by the secret>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# --------------------------------------------------------------------------- money


ZERO_DECIMAL_CURRENCIES = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                                     "ugx", "vnd", "vuv", "xaf", "xof", "xpf"})
CURRENCY_SYMBOLS = {"eur": "€", "usd": "$", "gbp": "£", "jpy": "¥", "chf": "CHF\u00a0", "cad": "CA$",
                    "aud": "A$", "sek": "SEK\u00a0", "nok": "NOK\u00a0", "dkk": "DKK\u00a0", "pln": "PLN\u00a0"}
# Stripe's minimum charge amounts, in the smallest unit (the ones we know; others are not checked).
MINIMUM_AMOUNTS = {"usd": 50, "eur": 50, "chf": 50, "cad": 50, "aud": 50, "gbp": 30, "jpy": 50,
                   "sek": 300, "nok": 300, "dkk": 250, "pln": 200}


def format_amount(amount: int, currency: str) -> str:
    """``1234, "eur"`` → ``€12.34``; zero-decimal currencies are shown as they are."""
    currency = currency.lower()
    if currency in ZERO_DECIMAL_CURRENCIES:
        number = f"{amount:,}"
    else:
        number = f"{amount // 100:,}.{amount % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number}\u00a0{currency.upper()}"


# --------------------------------------------------------------------------- test cards


@dataclass(frozen=True)
class TestCard:
    """How a test card number behaves; declines carry Stripe's decline code and message."""

    __test__ = False  # not a pytest class

    payment_method: str  # localstripe's test payment method
    decline_code: str | None = None
    message: str | None = None

    @property
    def declines(self) -> bool:
        return self.decline_code is not None


TEST_CARDS = {
    "4242424242424242": TestCard("pm_card_visa"),
    "4000000000000002": TestCard("pm_card_chargeCustomerFail", "generic_decline", "Your card was declined."),
    # localstripe cannot tell an insufficient-funds decline apart; it declines, we word it as Stripe does.
    "4000000000009995": TestCard("pm_card_chargeCustomerFail", "insufficient_funds",
                                 "Your card has insufficient funds."),
}
UNSUPPORTED_CARD_MESSAGE = ("That is not one of the sandbox's test cards. Use 4242 4242 4242 4242 (succeeds), "
                            "4000 0000 0000 0002 (declined) or 4000 0000 0000 9995 (insufficient funds).")


def card_digits(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number_problem(number: str) -> str | None:
    """Why a card number cannot be used here, or None (Stripe's wording where Stripe has one)."""
    digits = card_digits(number)
    if not digits:
        return "Enter your card number."
    if not digits.isdigit():
        return "Your card number is invalid."
    if len(digits) < 13:
        return "Your card number is incomplete."
    if len(digits) > 19 or not luhn_valid(digits):
        return "Your card number is invalid."
    if digits not in TEST_CARDS:
        return UNSUPPORTED_CARD_MESSAGE
    return None


def expiry_problem(expiry: str, today: time.struct_time) -> str | None:
    """``MM / YY`` (or ``MM/YYYY``) in the future, else a message."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", expiry or "")
    if not expiry or not expiry.strip():
        return "Enter your card's expiration date."
    if not match:
        return "Your card's expiration date is incomplete."
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return "Your card's expiration date is invalid."
    if (year, month) < (today.tm_year, today.tm_mon):
        return "Your card's expiration date is in the past."
    return None


def cvc_problem(cvc: str) -> str | None:
    cvc = (cvc or "").strip()
    if not cvc:
        return "Enter your card's security code."
    if not re.fullmatch(r"\d{3,4}", cvc):
        return "Your card's security code is incomplete."
    return None


EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class CardForm:
    """What the hosted page posts."""

    email: str = ""
    card_number: str = ""
    expiry: str = ""
    cvc: str = ""
    name: str = ""

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> CardForm:
        values = dict(pairs)
        return cls(**{name: values.get(name, "").strip() for name in cls.__dataclass_fields__})

    def problems(self, *, needs_email: bool) -> dict[str, str]:
        """Field name → message for each field that is not usable, in the page's order."""
        problems: dict[str, str] = {}
        if needs_email and not EMAIL_PATTERN.fullmatch(self.email):
            problems["email"] = "Enter a valid e-mail address." if self.email else "Enter your e-mail address."
        checks = {
            "card_number": card_number_problem(self.card_number),
            "expiry": expiry_problem(self.expiry, time.localtime()),
            "cvc": cvc_problem(self.cvc),
            "name": None if self.name else "Enter the name on your card.",
        }
        problems.update({name: message for name, message in checks.items() if message})
        return problems


# --------------------------------------------------------------------------- checkout sessions


SESSION_PARAMS = frozenset({"mode", "line_items", "success_url", "cancel_url", "client_reference_id",
                            "customer_email", "metadata", "payment_intent_data", "expires_at", "expand"})
# Real Stripe parameters the sandbox accepts and does not model.
IGNORED_SESSION_PARAMS = frozenset({"payment_method_types", "locale", "submit_type", "billing_address_collection",
                                    "customer_creation", "allow_promotion_codes", "phone_number_collection",
                                    "ui_mode", "automatic_tax"})
PAYMENT_INTENT_DATA_PARAMS = frozenset({"metadata", "description"})
LINE_ITEM_PARAMS = frozenset({"price_data", "quantity"})
PRICE_DATA_PARAMS = frozenset({"currency", "unit_amount", "product_data", "tax_behavior"})
PRODUCT_DATA_PARAMS = frozenset({"name", "description", "images", "metadata"})


@dataclass
class LineItem:
    name: str
    description: str | None
    unit_amount: int
    quantity: int
    currency: str

    @property
    def amount(self) -> int:
        return self.unit_amount * self.quantity

    def to_stripe(self, index: int, session_id: str) -> Json:
        return {
            "id": f"li_{hashlib.sha1(f'{session_id}:{index}'.encode()).hexdigest()[:24]}",
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": self.amount,
            "amount_tax": 0,
            "amount_total": self.amount,
            "currency": self.currency,
            "description": self.name,
            "price": {"object": "price", "currency": self.currency, "unit_amount": self.unit_amount,
                      "type": "one_time", "livemode": False,
                      "product_data": {"name": self.name, "description": self.description}},
            "quantity": self.quantity,
        }


@dataclass
class CheckoutSession:
    """A session as Stripe shows it (``data``) plus what only the sandbox needs."""

    data: Json
    line_items: list[LineItem]
    payment_intent_metadata: dict[str, str]
    payment_intent_description: str | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def status(self) -> str:
        return self.data["status"]

    def snapshot(self) -> Json:
        return copy.deepcopy(self.data)


def _check_known(params: Mapping[str, Any], known: frozenset[str], prefix: str = "",
                 ignored: frozenset[str] = frozenset()) -> None:
    for name in params:
        if name not in known and name not in ignored:
            raise unknown_parameter(f"{prefix}[{name}]" if prefix else name)


def _required(params: Mapping[str, Any], name: str, param: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
    return value


def parse_line_items(raw: Any) -> list[LineItem]:
    if raw in (None, "", []):
        raise invalid("Missing required param: line_items. A payment-mode Checkout Session needs at least one "
                      "line item.", param="line_items", code="parameter_missing")
    if not isinstance(raw, list):
        raise invalid("Invalid array: line_items must be a list of line items.", param="line_items")
    items = [_parse_line_item(entry, f"line_items[{index}]") for index, entry in enumerate(raw)]
    first = items[0].currency
    for index, item in enumerate(items):
        if item.currency != first:
            raise invalid(f"All line items must use the same currency: line_items[{index}] is in "
                          f"{item.currency}, line_items[0] is in {first}.",
                          param=f"line_items[{index}][price_data][currency]")
    return items


def _parse_line_item(entry: Any, prefix: str) -> LineItem:
    if not isinstance(entry, dict):
        raise invalid(f"Invalid object: {prefix} must be a line item.", param=prefix)
    if "price" in entry:
        raise invalid(f"The sandbox has no Prices: pass {prefix}[price_data] instead of {prefix}[price].",
                      param=f"{prefix}[price]")
    _check_known(entry, LINE_ITEM_PARAMS, prefix)
    price = _required(entry, "price_data", f"{prefix}[price_data]")
    if not isinstance(price, dict):
        raise invalid(f"Invalid object: {prefix}[price_data]", param=f"{prefix}[price_data]")
    _check_known(price, PRICE_DATA_PARAMS, f"{prefix}[price_data]")
    currency = str(_required(price, "currency", f"{prefix}[price_data][currency]")).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise invalid(f"Invalid currency: {currency}. Use a three-letter ISO code such as eur.",
                      param=f"{prefix}[price_data][currency]")
    unit_amount = _positive(price, "unit_amount", f"{prefix}[price_data][unit_amount]")
    quantity = _positive(entry, "quantity", f"{prefix}[quantity]")
    product_param = f"{prefix}[price_data][product_data]"
    product = _required(price, "product_data", product_param)
    if not isinstance(product, dict):
        raise invalid(f"Invalid object: {product_param}", param=product_param)
    _check_known(product, PRODUCT_DATA_PARAMS, product_param)
    name = _required(product, "name", f"{product_param}[name]")
    return LineItem(name=name, description=product.get("description") or None, unit_amount=unit_amount,
                    quantity=quantity, currency=currency)


def _positive(params: Mapping[str, Any], name: str, param: str) -> int:
    value = whole_number(_required(params, name, param), param)
    if value <= 0:
        raise invalid(f"Invalid {param}: must be a positive whole number (got {value}); amounts are in the "
                      "currency's smallest unit, e.g. 1000 for 10.00.", param=param)
    return value


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
    currency = items[0].currency
    total = sum(item.amount for item in items)
    _check_total(total, currency)
    intent_data = params.get("payment_intent_data") or {}
    if not isinstance(intent_data, dict):
        raise invalid("Invalid object: payment_intent_data", param="payment_intent_data")
    _check_known(intent_data, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data")
    created = now()
    session_id = f"cs_test_{random_id(58)}"
    data: Json = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": total,
        "amount_total": total,
        "cancel_url": _optional_url(params, "cancel_url"),
        "client_reference_id": params.get("client_reference_id") or None,
        "created": created,
        "currency": currency,
        "customer": None,
        "customer_details": None,
        "customer_email": params.get("customer_email") or None,
        "expires_at": _expires_at(params, created),
        "livemode": False,
        "metadata": string_map(params.get("metadata"), "metadata"),
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "success_url": _optional_url(params, "success_url"),
        "url": f"{public_url.rstrip('/')}/pay/{session_id}",
    }
    return CheckoutSession(data=data, line_items=items,
                           payment_intent_metadata=string_map(intent_data.get("metadata"),
                                                              "payment_intent_data[metadata]"),
                           payment_intent_description=intent_data.get("description") or None)


def success_redirect(session: CheckoutSession) -> str | None:
    url = session.data["success_url"]
    return url.replace("{CHECKOUT_SESSION_ID}", session.id) if url else None


class SessionStore:
    """The Checkout Sessions, newest last."""

    def __init__(self) -> None:
        self._sessions: OrderedDict[str, CheckoutSession] = OrderedDict()

    def add(self, session: CheckoutSession) -> None:
        self._sessions[session.id] = session

    def get(self, session_id: str) -> CheckoutSession | None:
        return self._sessions.get(session_id)

    def require(self, session_id: str) -> CheckoutSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise StripeError(404, f"No such checkout.session: '{session_id}'", code="resource_missing",
                              param="session")
        return session

    def newest_first(self) -> list[CheckoutSession]:
        return list(reversed(self._sessions.values()))

    def due_to_expire(self, at: int) -> list[CheckoutSession]:
        return [s for s in self._sessions.values() if s.status == "open" and s.data["expires_at"] <= at]


# --------------------------------------------------------------------------- idempotency


@dataclass(frozen=True)
class StoredResponse:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes
    media_type: str
    request_id: str
    stored_at: float


class IdempotencyStore:
    """Responses by (API key, Idempotency-Key), as Stripe keeps them: bounded and for 24 hours."""

    def __init__(self, capacity: int = IDEMPOTENCY_CAPACITY, ttl: float = IDEMPOTENCY_TTL_SECONDS):
        self._capacity = capacity
        self._ttl = ttl
        self._responses: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, scope: tuple[str, str]) -> asyncio.Lock:
        """One request at a time per key: a concurrent retry waits and then replays."""
        lock = self._locks.get(scope)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[scope] = lock
        return lock

    def get(self, scope: tuple[str, str]) -> StoredResponse | None:
        stored = self._responses.get(scope)
        if stored and time.monotonic() - stored.stored_at > self._ttl:
            del self._responses[scope]
            return None
        return stored

    def put(self, scope: tuple[str, str], stored: StoredResponse) -> None:
        self._responses[scope] = stored
        self._responses.move_to_end(scope)
        while len(self._responses) > self._capacity:
            self._responses.popitem(last=False)


def request_fingerprint(body: bytes) -> str:
    pairs = sorted(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()


def worth_storing(status: int) -> bool:
    """Stripe saves a result only once the endpoint ran: successes and card declines, not
    validation errors or server errors, so a retry with the same key runs again."""
    return status < 400 or status == 402


# --------------------------------------------------------------------------- faults


@dataclass
class FaultInjector:
    """The next ``remaining`` API calls fail with ``status`` and do nothing."""

    remaining: int = 0
    status: int = 500

    def arm(self, count: int, status: int) -> None:
        self.remaining, self.status = count, status

    def take(self) -> int | None:
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        return self.status


def injected_fault(status: int) -> StripeError:
    return StripeError(status, "An error occurred with our connection to Stripe. (Fault injected by the sandbox.)",
                       type="api_error")


# --------------------------------------------------------------------------- events and webhooks


@dataclass
class WebhookEndpoint:
    url: str | None
    secret: str


@dataclass
class EventRecord:
    """An event and its deliveries: ``pending`` (being sent or retried), ``delivered``, ``failed``
    (every attempt failed), ``held`` (created with deliver=false) or ``no_endpoint``."""

    event: Json
    status: str = "pending"
    attempts: list[Json] = field(default_factory=list)

    def to_json(self) -> Json:
        return {"id": self.event["id"], "type": self.event["type"], "created": self.event["created"],
                "delivery_status": self.status, "attempts": list(self.attempts), "event": self.event}


def new_event(event_type: str, obj: Json) -> Json:
    return {
        "id": f"evt_{random_id(24)}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": now(),
        "data": {"object": copy.deepcopy(obj)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


class WebhookSender:
    """Keeps the event log and delivers events in the background, retrying with backoff."""

    def __init__(self, endpoint: WebhookEndpoint, retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS):
        self.endpoint = endpoint
        self.retry_delays = retry_delays
        self.events: OrderedDict[str, EventRecord] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client:
            await self._client.aclose()

    def publish(self, event_type: str, obj: Json, *, deliver: bool = True) -> EventRecord:
        record = EventRecord(new_event(event_type, obj))
        self.events[record.event["id"]] = record
        if deliver:
            self._schedule(record)
        else:
            record.status = "held"
        return record

    def resend(self, event_id: str) -> EventRecord:
        record = self.events.get(event_id)
        if record is None:
            raise StripeError(404, f"No such event: '{event_id}'", code="resource_missing", param="id")
        self._schedule(record)
        return record

    def _schedule(self, record: EventRecord) -> None:
        endpoint = replace(self.endpoint)
        if not endpoint.url:
            record.status = "no_endpoint"
            return
        record.status = "pending"
        task = asyncio.get_running_loop().create_task(self._deliver(record, endpoint))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, record: EventRecord, endpoint: WebhookEndpoint) -> None:
        payload = json.dumps(record.event, indent=2)
        for delay in (*self.retry_delays, None):
            if await self._attempt(record, endpoint, payload):
                record.status = "delivered"
                return
            if delay is not None:
                await asyncio.sleep(delay)
        record.status = "failed"

    async def _attempt(self, record: EventRecord, endpoint: WebhookEndpoint, payload: str) -> bool:
        assert self._client is not None and endpoint.url
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+sandbox)",
                   "Stripe-Signature": sign_webhook_payload(payload, endpoint.secret, now())}
        attempt: Json = {"at": time.time(), "url": endpoint.url}
        try:
            response = await self._client.post(endpoint.url, content=payload.encode(), headers=headers)
            attempt["status_code"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            attempt["error"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            ok = False
        record.attempts.append(attempt)
        return ok


# --------------------------------------------------------------------------- localstripe


class LocalstripeError(Exception):
    """localstripe could not be reached or answered something the sandbox cannot use."""


class Localstripe:
    """The HTTP client for the localstripe process."""

    FORWARDED_HEADERS = ("authorization", "content-type", "accept", "stripe-version", "stripe-account")

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(30.0, connect=3.0))

    async def close(self) -> None:
        await self._client.aclose()

    async def ping(self) -> bool:
        try:
            response = await self._client.get("/v1/customers", params={"limit": 1},
                                              headers=self._auth(INTERNAL_API_KEY), timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def forward(self, request: Request, body: bytes) -> Response:
        """The request as it came (method, path, query, body, key), and localstripe's answer as it is."""
        headers = {k: v for k, v in request.headers.items() if k.lower() in self.FORWARDED_HEADERS}
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            upstream = await self._client.request(request.method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        media_type = upstream.headers.get("content-type", "application/json")
        if upstream.status_code >= 400 and "json" not in media_type:
            # localstripe answers unknown URLs with a plain-text 404; Stripe answers JSON.
            raise StripeError(upstream.status_code,
                              f"Unrecognized request URL ({request.method}: {request.url.path}). The sandbox and "
                              "localstripe do not implement this endpoint.")
        return Response(upstream.content, status_code=upstream.status_code, media_type=media_type)

    async def call(self, method: str, path: str, api_key: str, params: Mapping[str, Any] | None = None
                   ) -> tuple[int, Json]:
        try:
            response = await self._client.request(method, path, data=dict(encode_stripe_params(params or {})),
                                                  headers=self._auth(api_key))
            return response.status_code, response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise self._unreachable(exc) from exc

    def _auth(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    def _unreachable(self, exc: Exception) -> StripeError:
        return StripeError(502, f"The sandbox could not reach localstripe at {self.base_url}: {exc}",
                           type="api_error")


# --------------------------------------------------------------------------- payments


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


class SessionNotOpen(Exception):
    def __init__(self, session: CheckoutSession):
        super().__init__(f"This Checkout Session is {session.status}; only open sessions can be paid.")
        self.session = session


class Payments:
    """Paying a session: one PaymentIntent per attempt on localstripe, then the event."""

    def __init__(self, sessions: SessionStore, localstripe: Localstripe, webhooks: WebhookSender):
        self.sessions = sessions
        self.localstripe = localstripe
        self.webhooks = webhooks

    def expire_due(self) -> None:
        for session in self.sessions.due_to_expire(now()):
            self.expire(session)

    def expire(self, session: CheckoutSession) -> None:
        session.data.update(status="expired", url=None)
        self.webhooks.publish("checkout.session.expired", session.snapshot())

    async def pay(self, session: CheckoutSession, card: TestCard, *, email: str | None, name: str | None,
                  deliver: bool, api_key: str = INTERNAL_API_KEY) -> PaymentOutcome:
        async with session.lock:
            self.expire_due()
            if session.status != "open":
                raise SessionNotOpen(session)
            intent = await self._create_intent(session, card, api_key)
            status, confirmed = await self.localstripe.call("POST", f"/v1/payment_intents/{intent['id']}/confirm",
                                                            api_key)
            if status == 200 and confirmed.get("status") == "succeeded" and not card.declines:
                return self._succeeded(session, confirmed, email, name, deliver)
            if status == 402 and card.declines:
                return await self._declined(session, intent["id"], card, confirmed.get("error") or {}, deliver,
                                            api_key)
            raise StripeError(502, f"localstripe answered {status} to confirming {intent['id']}: "
                                   f"{json.dumps(confirmed)[:300]}", type="api_error")

    async def _create_intent(self, session: CheckoutSession, card: TestCard, api_key: str) -> Json:
        params = {"amount": session.data["amount_total"], "currency": session.data["currency"],
                  "payment_method": card.payment_method, "description": session.payment_intent_description,
                  "metadata": {**session.payment_intent_metadata, "checkout_session": session.id}}
        status, intent = await self.localstripe.call("POST", "/v1/payment_intents", api_key, params)
        if status != 200:
            raise StripeError(502, f"localstripe refused to create a PaymentIntent ({status}): "
                                   f"{json.dumps(intent)[:300]}", type="api_error")
        return intent

    def _succeeded(self, session: CheckoutSession, intent: Json, email: str | None, name: str | None,
                   deliver: bool) -> PaymentOutcome:
        session.data.update(
            status="complete", payment_status="paid", payment_intent=intent["id"], url=None,
            customer_details={"email": email or session.data["customer_email"], "name": name or None,
                              "address": None, "phone": None, "tax_exempt": "none", "tax_ids": []},
        )
        record = self.webhooks.publish("checkout.session.completed", session.snapshot(), deliver=deliver)
        return PaymentOutcome("succeeded", "Payment succeeded.", session.snapshot(), record.event["id"],
                              intent["id"])

    async def _declined(self, session: CheckoutSession, intent_id: str, card: TestCard, upstream_error: Json,
                        deliver: bool, api_key: str) -> PaymentOutcome:
        status, intent = await self.localstripe.call("GET", f"/v1/payment_intents/{intent_id}", api_key)
        if status != 200:
            raise StripeError(502, f"localstripe lost PaymentIntent {intent_id} ({status})", type="api_error")
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "card_error", "code": "card_declined", "decline_code": card.decline_code,
            "message": card.message, "charge": upstream_error.get("charge"),
            "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        }
        record = self.webhooks.publish("payment_intent.payment_failed", intent, deliver=deliver)
        return PaymentOutcome("declined", card.message or "Your card was declined.", session.snapshot(),
                              record.event["id"], intent_id)


# --------------------------------------------------------------------------- the application


@dataclass(frozen=True)
class SandboxConfig:
    """Where localstripe is, the sandbox's own public URL, and the webhook endpoint to start with."""

    localstripe_url: str = f"http://127.0.0.1:{DEFAULT_LOCALSTRIPE_PORT}"
    public_url: str = f"http://127.0.0.1:{DEFAULT_PORT}"
    webhook_url: str | None = None
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    merchant_name: str = "OpsPortal"
    retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS
    expiry_sweep_seconds: float = 1.0


def api_key_of(request: Request) -> str:
    """The caller's secret test key (Bearer or Basic auth, as the SDKs send it)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    key = credentials.strip()
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(key).decode().split(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if not key:
        raise StripeError(401, "You did not provide an API key. You need to provide your API key in the "
                               "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                               "YOUR_SECRET_KEY').")
    if not key.startswith("sk_test_") or len(key) <= len("sk_test_"):
        shown = key[:8] + "*" * 4 + key[-4:] if len(key) > 12 else "*" * len(key)
        raise StripeError(401, f"Invalid API Key provided: {shown}. The Stripe sandbox accepts only test "
                               "secret keys (sk_test_...).", code="api_key_invalid")
    return key


@dataclass
class ApiCall:
    """One /v1 request after authentication."""

    request: Request
    api_key: str
    body: bytes
    path_params: dict[str, str]

    @property
    def params(self) -> Json:
        if self.request.method == "GET":
            return parse_stripe_params(parse_qsl(self.request.url.query, keep_blank_values=True))
        return parse_stripe_params(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


ApiHandler = Callable[[ApiCall], Awaitable[Json]]


class StripeSandbox:
    """The sandbox's state and its HTTP endpoints."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.sessions = SessionStore()
        self.idempotency = IdempotencyStore()
        self.faults = FaultInjector()
        self.webhooks = WebhookSender(WebhookEndpoint(config.webhook_url, config.webhook_secret),
                                      config.retry_delays)
        self.localstripe = Localstripe(config.localstripe_url)
        self.payments = Payments(self.sessions, self.localstripe, self.webhooks)
        self._sweeper: asyncio.Task | None = None
        self._api_routes: list[tuple[str, re.Pattern[str], ApiHandler]] = [
            ("POST", re.compile(r"/v1/checkout/sessions"), self.create_session),
            ("GET", re.compile(r"/v1/checkout/sessions"), self.list_sessions),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)"), self.retrieve_session),
            ("POST", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)/expire"), self.expire_session),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)/line_items"), self.session_line_items),
        ]

    # ---- lifecycle

    @asynccontextmanager
    async def lifespan(self, app: Starlette):
        await self.webhooks.start()
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_expired())
        try:
            yield
        finally:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            await self.webhooks.stop()
            await self.localstripe.close()

    async def _sweep_expired(self) -> None:
        while True:
            await asyncio.sleep(self.config.expiry_sweep_seconds)
            self.payments.expire_due()

    def routes(self) -> list[Route]:
        every_method = ["GET", "POST", "DELETE", "PUT", "PATCH"]
        return [
            Route("/v1/{path:path}", self.api, methods=every_method),
            Route("/pay/{session_id}", self.payment_page, methods=["GET"]),
            Route("/pay/{session_id}", self.submit_payment_page, methods=["POST"]),
            Route("/_sandbox/health", self.health, methods=["GET"]),
            Route("/_sandbox/webhooks", self.configure_webhook, methods=["POST"]),
            Route("/_sandbox/sessions/{session_id}/pay", self.control_pay, methods=["POST"]),
            Route("/_sandbox/faults", self.arm_faults, methods=["POST"]),
            Route("/_sandbox/events", self.list_events, methods=["GET"]),
            Route("/_sandbox/events/{event_id}/resend", self.resend_event, methods=["POST"]),
        ]

    # ---- /v1: faults, authentication, idempotency, then our endpoints or localstripe

    async def api(self, request: Request) -> Response:
        try:
            fault = self.faults.take()
            if fault is not None:
                raise injected_fault(fault)
            api_key = api_key_of(request)
            body = await request.body()
            idempotency_key = request.headers.get("idempotency-key")
            if request.method == "POST" and idempotency_key:
                return await self._idempotent(request, api_key, idempotency_key, body)
            return await self._dispatch(request, api_key, body)
        except StripeError as exc:
            return exc.response()

    async def _idempotent(self, request: Request, api_key: str, key: str, body: bytes) -> Response:
        scope = (api_key, key)
        fingerprint = request_fingerprint(body)
        path = request.url.path
        async with self.idempotency.lock(scope):
            stored = self.idempotency.get(scope)
            if stored is not None:
                return self._replay(stored, key, path, fingerprint)
            try:
                response = await self._dispatch(request, api_key, body)
            except StripeError as exc:
                response = exc.response()
            if worth_storing(response.status_code):
                self.idempotency.put(scope, StoredResponse(
                    method=request.method, path=path, fingerprint=fingerprint, status=response.status_code,
                    body=bytes(response.body), media_type=response.media_type or "application/json",
                    request_id=response.headers.get("request-id", ""), stored_at=time.monotonic()))
            return response

    def _replay(self, stored: StoredResponse, key: str, path: str, fingerprint: str) -> Response:
        if stored.path != path:
            raise StripeError(400, f"Keys for idempotent requests can only be used for the same endpoint they were "
                                   f"first used for ('{stored.path}' vs '{path}'). Try using a key other than "
                                   f"'{key}' if you meant to execute a different request.",
                              type="idempotency_error")
        if stored.fingerprint != fingerprint:
            raise StripeError(400, "Keys for idempotent requests can only be used with the same parameters they "
                                   f"were first used with. Try using a key other than '{key}' if you meant to "
                                   "execute a different request.", type="idempotency_error")
        return Response(stored.body, status_code=stored.status, media_type=stored.media_type,
                        headers={"Idempotent-Replayed": "true", "Original-Request": stored.request_id,
                                 "Request-Id": f"req_{random_id(14)}"})

    async def _dispatch(self, request: Request, api_key: str, body: bytes) -> Response:
        for method, pattern, handler in self._api_routes:
            match = pattern.fullmatch(request.url.path)
            if match and method == request.method:
                self.payments.expire_due()
                return stripe_json(await handler(ApiCall(request, api_key, body, match.groupdict())))
        return await self.localstripe.forward(request, body)

    async def create_session(self, call: ApiCall) -> Json:
        session = new_checkout_session(call.params, self.config.public_url)
        self.sessions.add(session)
        return session.snapshot()

    async def retrieve_session(self, call: ApiCall) -> Json:
        session = self.sessions.require(call.path_params["id"])
        data = session.snapshot()
        expand = call.params.get("expand") or []
        if "payment_intent" in expand and data["payment_intent"]:
            status, intent = await self.localstripe.call("GET", f"/v1/payment_intents/{data['payment_intent']}",
                                                         call.api_key)
            if status == 200:
                data["payment_intent"] = intent
        return data

    async def list_sessions(self, call: ApiCall) -> Json:
        params = call.params
        limit = min(max(whole_number(params.get("limit", 10), "limit"), 1), 100)
        sessions = [s.snapshot() for s in self.sessions.newest_first()
                    if params.get("payment_intent") in (None, s.data["payment_intent"])]
        return {"object": "list", "data": sessions[:limit], "has_more": len(sessions) > limit,
                "url": "/v1/checkout/sessions"}

    async def expire_session(self, call: ApiCall) -> Json:
        session = self.sessions.require(call.path_params["id"])
        async with session.lock:
            if session.status != "open":
                raise invalid(f"Only Checkout Sessions with a status of open can be expired; this one is "
                              f"{session.status}.", code="checkout_session_not_open")
            self.payments.expire(session)
        return session.snapshot()

    async def session_line_items(self, call: ApiCall) -> Json:
        session = self.sessions.require(call.path_params["id"])
        items = [item.to_stripe(i, session.id) for i, item in enumerate(session.line_items)]
        return {"object": "list", "data": items, "has_more": False,
                "url": f"/v1/checkout/sessions/{session.id}/line_items"}

    # ---- the hosted payment page

    async def payment_page(self, request: Request) -> Response:
        self.payments.expire_due()
        session = self.sessions.get(request.path_params["session_id"])
        return self._render(session, CardForm(email=(session.data["customer_email"] or "") if session else ""))

    async def submit_payment_page(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["session_id"])
        if session is None:
            return self._render(None, CardForm())
        form = CardForm.from_pairs(parse_qsl((await request.body()).decode("utf-8", "replace"),
                                             keep_blank_values=True))
        if session.data["customer_email"]:
            form = replace(form, email=session.data["customer_email"])
        problems = form.problems(needs_email=not session.data["customer_email"])
        if problems:
            return self._render(session, form, problems=problems, status=422)
        try:
            outcome = await self.payments.pay(session, TEST_CARDS[card_digits(form.card_number)],
                                              email=form.email, name=form.name, deliver=True)
        except SessionNotOpen:
            return self._render(session, form)
        except StripeError as exc:
            return self._render(session, form, alert=f"The payment could not be attempted: {exc}", status=502)
        if outcome.outcome == "declined":
            return self._render(session, replace(form, cvc=""), alert=outcome.message, status=402)
        return RedirectResponse(success_redirect(session) or f"/pay/{session.id}", status_code=303)

    def _render(self, session: CheckoutSession | None, form: CardForm, *, problems: Mapping[str, str] | None = None,
                alert: str | None = None, status: int = 200) -> HTMLResponse:
        problems = dict(problems or {})
        if problems and not alert:
            alert = "Check the highlighted fields: " + " ".join(problems.values())
        view = PageView(merchant=self.config.merchant_name, session=session.data if session else None,
                        values=dataclasses.asdict(form), problems=problems, alert=alert)
        if session is not None:
            currency = session.data["currency"]
            view = replace(view, total=format_amount(session.data["amount_total"], currency),
                           success_url=success_redirect(session),
                           items=[PageItem(item.name, item.description, item.quantity,
                                           format_amount(item.unit_amount, currency),
                                           format_amount(item.amount, currency)) for item in session.line_items])
        return HTMLResponse(render_page(view), status_code=404 if session is None else status)

    # ---- control endpoints for tests and development

    async def health(self, request: Request) -> Response:
        reachable = await self.localstripe.ping()
        return JSONResponse({"status": "ok" if reachable else "degraded",
                             "localstripe": "ok" if reachable else "unreachable",
                             "webhook_url": self.webhooks.endpoint.url},
                            status_code=200 if reachable else 503)

    async def configure_webhook(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            url, secret = body.get("url") or None, body.get("secret") or self.webhooks.endpoint.secret
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise invalid("url must be an http(s) URL, or null to stop sending events.", param="url")
            if not isinstance(secret, str) or not secret.startswith("whsec_"):
                raise invalid("secret must be a webhook signing secret (whsec_...).", param="secret")
        except StripeError as exc:
            return exc.response()
        self.webhooks.endpoint = WebhookEndpoint(url, secret)
        return JSONResponse({"url": url, "secret": secret})

    async def control_pay(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            session = self.sessions.require(request.path_params["session_id"])
            problem = card_number_problem(str(body.get("card", "")))
            if problem:
                raise invalid(problem, param="card")
            outcome = await self.payments.pay(session, TEST_CARDS[card_digits(body["card"])],
                                              email=body.get("email"), name=body.get("name"),
                                              deliver=bool(body.get("deliver", True)))
        except SessionNotOpen as exc:
            return StripeError(400, str(exc), code="checkout_session_not_open").response()
        except StripeError as exc:
            return exc.response()
        return JSONResponse(outcome.to_json())

    async def arm_faults(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            count = whole_number(body.get("count", 1), "count")
            status = whole_number(body.get("status", 500), "status")
            if count < 0 or not 400 <= status <= 599:
                raise invalid("count must be 0 or more and status an HTTP error status (400-599).")
        except StripeError as exc:
            return exc.response()
        self.faults.arm(count, status)
        return JSONResponse({"count": count, "status": status})

    async def list_events(self, request: Request) -> Response:
        records = [record.to_json() for record in reversed(self.webhooks.events.values())]
        return JSONResponse({"object": "list", "data": records})

    async def resend_event(self, request: Request) -> Response:
        try:
            record = self.webhooks.resend(request.path_params["event_id"])
        except StripeError as exc:
            return exc.response()
        return JSONResponse(record.to_json())


async def _json_object(request: Request) -> Json:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.")
    return body


def create_app(config: SandboxConfig) -> Starlette:
    """A new sandbox application (fresh state) for the given configuration."""
    sandbox = StripeSandbox(config)
    app = Starlette(routes=sandbox.routes(), lifespan=sandbox.lifespan)
    app.state.sandbox = sandbox
    return app


# --------------------------------------------------------------------------- running it (with localstripe)


class SandboxStartError(Exception):
    """The sandbox cannot start; the message is one line for the operator."""


@dataclass(frozen=True)
class RunOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    localstripe_port: int = DEFAULT_LOCALSTRIPE_PORT
    webhook_url: str | None = None
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    public_url: str | None = None
    localstripe_bin: Path | None = None
    startup_timeout: float = 30.0

    @property
    def sandbox_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


def localstripe_binary() -> Path:
    """``$OPSPORTAL_LOCALSTRIPE_BIN``, else ``.venv-localstripe/bin/localstripe`` in the project."""
    from opsportal.settings import PROJECT_ROOT

    configured = os.environ.get("OPSPORTAL_LOCALSTRIPE_BIN")
    return Path(configured) if configured else PROJECT_ROOT / ".venv-localstripe" / "bin" / "localstripe"


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as servers bind: with SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _localstripe_port_is_free(port: int) -> bool:
    """localstripe listens on every interface, IPv4 and IPv6 ("::")."""
    return port_is_free("::", port) if socket.has_ipv6 else port_is_free("0.0.0.0", port)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the sandbox dies without cleaning up (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_localstripe(binary: Path, port: int, log_path: Path) -> subprocess.Popen:
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise SandboxStartError(f"localstripe is not installed ({binary} not found); run scripts/setup-localstripe.sh "
                                "or set OPSPORTAL_LOCALSTRIPE_BIN")
    if not _localstripe_port_is_free(port):
        raise SandboxStartError(f"port {port} for localstripe is already in use; pick another with --localstripe-port")
    with open(log_path, "wb") as log:  # one run per log
        return subprocess.Popen([str(binary), "--port", str(port), "--from-scratch"], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)


def wait_for_localstripe(process: subprocess.Popen, port: int, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/v1/customers?limit=1"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SandboxStartError(f"localstripe exited with status {process.returncode} while starting: "
                                    f"{_last_line(log_path)} (log: {log_path})")
        try:
            if httpx.get(url, headers={"Authorization": f"Bearer {INTERNAL_API_KEY}"}, timeout=1.0).status_code:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SandboxStartError(f"localstripe did not answer on port {port} within {timeout:.0f} s (log: {log_path})")


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    return lines[-1].strip() if lines else "(no output)"


def stop_process(process: subprocess.Popen, grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Terminated(Exception):
    pass


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated()


def run_sandbox(options: RunOptions) -> None:
    """Start localstripe, serve the sandbox in the foreground until SIGINT/SIGTERM, then stop localstripe.

    Raises :class:`SandboxStartError` when it cannot start (localstripe missing, a port taken).
    """
    import uvicorn

    if not port_is_free(options.host, options.port):
        raise SandboxStartError(f"port {options.port} on {options.host} is already in use; pick another with --port")
    log_path = Path(tempfile.gettempdir()) / f"opsportal-localstripe-{options.localstripe_port}.log"
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    process: subprocess.Popen | None = None
    try:
        process = start_localstripe(options.localstripe_bin or localstripe_binary(), options.localstripe_port,
                                    log_path)
        wait_for_localstripe(process, options.localstripe_port, log_path, options.startup_timeout)
        config = SandboxConfig(localstripe_url=f"http://127.0.0.1:{options.localstripe_port}",
                               public_url=options.sandbox_url, webhook_url=options.webhook_url,
                               webhook_secret=options.webhook_secret)
        _announce(options, log_path)
        uvicorn.run(create_app(config), host=options.host, port=options.port, log_level="warning",
                    lifespan="on", timeout_graceful_shutdown=3)
    except (_Terminated, KeyboardInterrupt):
        pass
    finally:
        if process is not None:
            stop_process(process)
        signal.signal(signal.SIGTERM, previous)


def _announce(options: RunOptions, log_path: Path) -> None:
    webhook = options.webhook_url or "none yet (POST /_sandbox/webhooks to set one)"
    print(f"Stripe sandbox on {options.sandbox_url} (API base for stripe.StripeClient); any sk_test_ key works.\n"
          f"  localstripe on port {options.localstripe_port}, log {log_path}\n"
          f"  webhooks to {webhook}, signed with {options.webhook_secret}\n"
          f"  test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined. Ctrl+C stops.",
          flush=True)
