"""``POST /api/mail/inbound``: a message received at the support address, handed over by the mail server.

The body is the raw message (RFC 5322 bytes, as the MTA received it); the SMTP envelope comes in the
``X-Envelope-From`` and ``X-Envelope-To`` headers (recipients comma-separated). The caller authenticates with
``Authorization: Bearer <OPSPORTAL_INBOUND_MAIL_TOKEN>`` (compared in constant time). What becomes of the message is
``services.inbound_mail.receive``'s answer, logged there: 200 with the outcome, also for a refused message (the
mail server must not retry or bounce it); 401 without the token; 500 (the database down) asks the server to retry.
"""

from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from opsportal.services import inbound_mail
from opsportal.settings import get_settings

ENVELOPE_FROM = "X-Envelope-From"
ENVELOPE_TO = "X-Envelope-To"


def _authorized(request: Request) -> bool:
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(),
                                                              get_settings().inbound_token.encode())


async def _bounded_body(request: Request, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to know a message is too large without holding all of it."""
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk[: limit + 1 - size])
        size += len(chunks[-1])
        if size > limit:
            break
    return b"".join(chunks)


async def receive_mail(request: Request) -> JSONResponse:
    if not _authorized(request):
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    raw = await _bounded_body(request, get_settings().inbound_mail_max_bytes)
    recipients = [r.strip() for r in request.headers.get(ENVELOPE_TO, "").split(",") if r.strip()]
    result = await run_in_threadpool(inbound_mail.receive, raw, envelope_from=request.headers.get(ENVELOPE_FROM, ""),
                                     rcpt_tos=recipients)
    return JSONResponse({"outcome": result.outcome, "reason": result.reason, "ticket_id": result.ticket_id,
                         "comment_id": result.comment_id})
