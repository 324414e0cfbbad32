"""The only module that talks to Stripe, through the official SDK.

Production talks to Stripe itself; development, the demo and the tests talk to the local sandbox
(``opsportal sandbox stripe``). The code is the same; only the base URL and the keys differ.
Every create carries an idempotency key, so a retry after a timeout never makes a second session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import stripe

from opsportal import clock
from opsportal.services.errors import InvalidInput, Unavailable
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

WEBHOOK_TOLERANCE = 300  # seconds a webhook signature may be from now, in the past or in the future
UNAVAILABLE = "The payment service is not answering right now. Nothing was charged; please try again in a minute."


class InvalidWebhook(Exception):
    """The request is not a genuine, fresh Stripe event (bad, missing or stale signature, or not JSON)."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str  # open | complete | expired
    payment_status: str  # unpaid | paid | no_payment_required
    amount_total: int | None
    currency: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    payment_intent: str | None = None

    @property
    def paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"

    @classmethod
    def from_stripe(cls, obj: Any) -> CheckoutSession:
        """From an SDK object or the plain dict inside a webhook event."""
        if not isinstance(obj, dict) and hasattr(obj, "to_dict"):
            obj = obj.to_dict()  # SDK 16's StripeObject is no mapping: dict(obj.metadata) raises TypeError
        get = obj.get if isinstance(obj, dict) else (lambda key, default=None: getattr(obj, key, default))
        metadata = get("metadata") or {}
        intent = get("payment_intent")
        if intent is not None and not isinstance(intent, str):
            intent = intent.get("id") if isinstance(intent, dict) else getattr(intent, "id", None)
        return cls(id=get("id"), url=get("url"), status=get("status") or "", payment_status=get("payment_status") or "",
                   amount_total=get("amount_total"), currency=get("currency"),
                   metadata={str(k): str(v) for k, v in dict(metadata).items()}, payment_intent=intent)


@lru_cache(maxsize=4)
def _client(api_key: str, base: str | None, timeout: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
        # Without allow_sync_methods the SDK's httpx client only serves async calls; the services call synchronously.
        http_client=stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True),
    )


def client() -> stripe.StripeClient:
    settings = get_settings()
    return _client(settings.stripe_secret_key, settings.stripe_base, settings.stripe_timeout_seconds)


def _call(what: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.InvalidRequestError as exc:
        # Our request was wrong (e.g. a session id Stripe does not know): not worth a retry.
        log.warning("Stripe refused %s: %s", what, exc.user_message or exc)
        raise InvalidInput(f"The payment service refused the request: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        # Network errors, 5xx, rate limits, authentication problems: nothing happened on our side.
        log.warning("Stripe did not answer %s: %s", what, exc)
        raise Unavailable(UNAVAILABLE) from exc


def create_checkout_session(*, amount_minor: int, currency: str, description: str, success_url: str,
                            cancel_url: str, metadata: dict[str, str], idempotency_key: str,
                            customer_email: str | None = None) -> CheckoutSession:
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {"currency": currency.lower(), "unit_amount": amount_minor,
                           "product_data": {"name": description}},
        }],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": metadata.get("opsportal_payment_id"),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }
    if customer_email:
        params["customer_email"] = customer_email
    session = _call("creating a checkout session", client().v1.checkout.sessions.create, params,
                    {"idempotency_key": idempotency_key})
    return CheckoutSession.from_stripe(session)


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    return CheckoutSession.from_stripe(
        _call("reading a checkout session", client().v1.checkout.sessions.retrieve, session_id))


def expire_checkout_session(session_id: str) -> CheckoutSession:
    """Close an open session so nobody can pay it any more (e.g. its invoice was voided)."""
    return CheckoutSession.from_stripe(
        _call("expiring a checkout session", client().v1.checkout.sessions.expire, session_id))


def _signed_at(signature: str) -> int:
    """The ``t=`` of a Stripe-Signature header the SDK has verified (the first, as the SDK reads it)."""
    return int(next(item.split("=", 1)[1] for item in signature.split(",") if item.split("=", 1)[0] == "t"))


def verify_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event as a plain dict, if ``signature`` proves Stripe sent ``payload`` within ``WEBHOOK_TOLERANCE``
    seconds of now, either way: the SDK refuses a signature older than that, we refuse one dated later than that
    ahead of ``clock.now()`` (the SDK does not look at the future)."""
    if not signature:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, get_settings().stripe_webhook_secret,
                                               tolerance=WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"bad signature: {exc.user_message or exc}") from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidWebhook("the body is not a JSON event") from exc
    ahead = _signed_at(signature) - clock.now().timestamp()
    if ahead > WEBHOOK_TOLERANCE:
        raise InvalidWebhook(f"the signature is dated {int(ahead)} seconds in the future "
                             f"(more than {WEBHOOK_TOLERANCE} ahead of our clock)")
    data = event.to_dict() if hasattr(event, "to_dict") else event
    if not isinstance(data, dict):
        raise InvalidWebhook("the body is not a JSON event")
    return data
