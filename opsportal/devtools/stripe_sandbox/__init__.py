"""A local Stripe sandbox for development, the demo and tests, on a machine without internet.

The app talks to it with the official SDK exactly as it talks to Stripe; only the base URL and the keys differ::

    stripe.StripeClient("sk_test_...", base_addresses={"api": "http://127.0.0.1:12111"})

It serves what OpsPortal uses and nothing more (every other ``/v1`` URL answers Stripe's 404):

- Checkout Sessions (``/v1/checkout/sessions``: create, retrieve, list, expire), with idempotency keys;
- a hosted test-card page (``/pay/<id>``): 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined,
  4000 0000 0000 9995 is declined for insufficient funds; each attempt makes a PaymentIntent
  (``GET /v1/payment_intents/<id>`` reads it);
- events (``checkout.session.completed``, ``checkout.session.expired``, ``payment_intent.payment_failed``) sent to
  one webhook endpoint, signed as Stripe signs them, retried on failure;
- control endpoints for tests under ``/_sandbox/`` (webhook endpoint, pay without a browser, injected faults, the
  event log, resending an event).

All state is in memory and lost on restart. Modules: ``protocol`` (errors, parameters, keys, signatures,
idempotency, faults), ``cards``, ``checkout`` (sessions, intents, paying), ``webhooks``, ``page`` (the hosted
page's HTML), ``app`` (the HTTP endpoints), ``run`` (the command).
"""

from opsportal.devtools.stripe_sandbox.app import SandboxConfig, StripeSandbox, create_app
from opsportal.devtools.stripe_sandbox.run import RunOptions, SandboxStartError, run_sandbox

__all__ = ["RunOptions", "SandboxConfig", "SandboxStartError", "StripeSandbox", "create_app", "run_sandbox"]
