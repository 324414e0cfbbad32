"""CSV downloads, authenticated by the same session cookie as the pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth as auth_service
from opsportal.services import credit_views
from opsportal.services.errors import AuthenticationFailed, ServiceError

HISTORY_COLUMNS = ["entry_id", "at", "kind", "product", "quantity", "lot_id", "lot_holder", "organization",
                   "ticket_id", "category", "reason"]


def _rows(batches) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HISTORY_COLUMNS)
    for batch in batches:
        for e in batch:
            writer.writerow([e.id, e.at.isoformat(), e.kind, e.product, e.quantity, e.lot_id, e.holder,
                             e.organization, e.ticket_id or "", e.category or "", e.reason])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


async def credit_history_csv(request: Request):
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    raw_org = request.query_params.get("org", "")
    org_id = int(raw_org) if raw_org.isdigit() else actor.organization_id
    if org_id is None:
        return PlainTextResponse("Give the organization: ?org=ID", status_code=400)
    product = request.query_params.get("product") or None
    try:
        batches = credit_views.history_batches(actor, org_id, product=product)
        first = next(batches, None)  # authorization runs before any byte is sent
    except ServiceError as exc:
        return PlainTextResponse(str(exc), status_code=403)

    def all_batches():
        if first is not None:
            yield first
            yield from batches

    filename = f"credit-history-{org_id}.csv"
    return StreamingResponse(_rows(all_batches()), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
