"""How the Stripe API speaks, as far as the sandbox needs it: errors in Stripe's shape, form parameters with
bracket keys, API keys, webhook signatures, amounts for the page, idempotency keys and injected faults."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import string
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

Json = dict[str, Any]
IDEMPOTENCY_CAPACITY = 10_000
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


class StripeError(Exception):
    """An error answered in Stripe's shape, with the status code that picks the SDK's exception class."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status = status
        self.body: Json = {"type": type, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param

    def response(self) -> JSONResponse:
        return stripe_json({"error": self.body}, self.status)


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> StripeError:
    return StripeError(400, message, param=param, code=code)


def stripe_json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Request-Id": f"req_{random_id(14)}"})


def random_id(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def now() -> int:
    return int(time.time())


def parse_stripe_params(pairs: Iterable[tuple[str, str]]) -> Json:
    """Form pairs with Stripe's bracket keys (``line_items[0][quantity]=2``) as nested dicts and lists."""
    root: Json = {}
    for key, value in pairs:
        head, bracket, rest = key.partition("[")
        parts = [head, *re.findall(r"\[([^\[\]]*)\]", bracket + rest)] if bracket else [key]
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


def _lists_from_indexed_dicts(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_indexed_dicts(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


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


def api_key_of(request: Request) -> str:
    """The caller's secret test key (Bearer or Basic auth, as the SDKs send it)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
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


def sign_webhook_payload(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header: ``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>" keyed by the secret>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# --- money, for the page and Stripe's limits

ZERO_DECIMAL_CURRENCIES = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                                     "ugx", "vnd", "vuv", "xaf", "xof", "xpf"})
CURRENCY_SYMBOLS = {"eur": "€", "usd": "$", "gbp": "£", "jpy": "¥", "chf": "CHF\u00a0", "cad": "CA$",
                    "aud": "A$", "sek": "SEK\u00a0", "nok": "NOK\u00a0", "dkk": "DKK\u00a0", "pln": "PLN\u00a0"}


def format_amount(amount: int, currency: str) -> str:
    """``1234, "eur"`` → ``€12.34``; zero-decimal currencies are shown as they are."""
    currency = currency.lower()
    number = f"{amount:,}" if currency in ZERO_DECIMAL_CURRENCIES else f"{amount // 100:,}.{amount % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number}\u00a0{currency.upper()}"


# --- idempotency keys and injected faults


@dataclass(frozen=True)
class StoredResponse:
    path: str
    fingerprint: str
    status: int
    body: bytes
    request_id: str
    stored_at: float


class IdempotencyStore:
    """Responses by (API key, Idempotency-Key), as Stripe keeps them: bounded and for 24 hours."""

    def __init__(self, capacity: int = IDEMPOTENCY_CAPACITY, ttl: float = IDEMPOTENCY_TTL_SECONDS):
        self._capacity, self._ttl = capacity, ttl
        self._responses: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, scope: tuple[str, str]) -> asyncio.Lock:
        """One request at a time per key: a concurrent retry waits and then replays."""
        lock = self._locks.get(scope)
        if lock is None:
            lock = self._locks[scope] = asyncio.Lock()
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
    """Stripe saves a result only once the endpoint ran: successes and card declines, not validation errors or
    server errors, so a retry with the same key runs again."""
    return status < 400 or status == 402


@dataclass
class FaultInjector:
    """The next ``remaining`` API calls fail with ``status`` and do nothing."""

    remaining: int = 0
    status: int = 500

    def arm(self, count: int, status: int) -> None:
        self.remaining, self.status = count, status

    def take(self) -> StripeError | None:
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        return StripeError(self.status, "An error occurred with our connection to Stripe. (Fault injected by the "
                                        "sandbox.)", type="api_error")
