"""``/api/unsubscribe?token=``: the List-Unsubscribe URL of every notice.

- ``POST`` is RFC 8058 one-click: mail clients send ``List-Unsubscribe=One-Click`` without cookies or a page;
  200 when the user is unsubscribed (again: the link is idempotent), 400 for a malformed, forged or expired link.
- ``GET`` (someone opened the URL in a browser) redirects to the unsubscribe page, which unsubscribes and offers
  to undo.
The signed token is the only credential (services.subscriptions checks it).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from opsportal.services import subscriptions
from opsportal.services.errors import InvalidInput

NO_STORE = {"Cache-Control": "no-store"}
MAX_TOKEN = 2000


def _token(request: Request) -> str:
    return (request.query_params.get("token") or "").strip()[:MAX_TOKEN]


async def unsubscribe(request: Request) -> Response:
    token = _token(request)
    if request.method == "GET":
        if not token:
            return PlainTextResponse(subscriptions.UNSUBSCRIBE_INVALID, status_code=400, headers=NO_STORE)
        return RedirectResponse(subscriptions.unsubscribe_page_url(token), status_code=303, headers=NO_STORE)
    if not token:
        return PlainTextResponse(subscriptions.UNSUBSCRIBE_INVALID, status_code=400, headers=NO_STORE)
    try:
        result = await run_in_threadpool(subscriptions.unsubscribe_by_token, token)
    except InvalidInput as exc:
        return PlainTextResponse(str(exc), status_code=400, headers=NO_STORE)
    return PlainTextResponse(result.message, headers=NO_STORE)
