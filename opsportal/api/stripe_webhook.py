"""``POST /api/stripe/webhook``: Stripe's events, verified against the raw body before anything happens."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from opsportal.services import stripe_events
from opsportal.services.errors import InvalidInput
from opsportal.services.stripe_gateway import InvalidWebhook

log = logging.getLogger(__name__)
MAX_BODY = 512 * 1024


async def stripe_webhook(request: Request) -> JSONResponse:
    body = await request.body()  # the exact bytes Stripe signed: never re-serialized
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "body too large"}, status_code=413)
    try:
        outcome = await run_in_threadpool(stripe_events.handle_webhook, body, request.headers.get("stripe-signature"))
    except (InvalidWebhook, InvalidInput) as exc:
        log.warning("refused a Stripe webhook: %s", exc)
        return JSONResponse({"error": str(exc)}, status_code=400)
    # Anything else (the database down) is a 500: Stripe delivers the event again later.
    return JSONResponse({"received": True, "outcome": outcome})
