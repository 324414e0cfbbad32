"""CSV and PDF downloads, authenticated by the same session cookie as the pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth as auth_service
from opsportal.services import credit_views, invoices
from opsportal.services.errors import AuthenticationFailed, InvalidInput, NotFound, ServiceError
from opsportal.services.invoice_pdf import render_invoice_pdf

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


def credit_history_csv(request: Request):  # plain: Starlette runs it (and the body's batches) off the event loop
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


# --- invoices: the organization's list as CSV, one invoice as PDF ----------------------------------------

INVOICE_COLUMNS = ["number", "type", "period", "issue_date", "due_date", "currency", "total", "paid", "outstanding",
                   "status"]


def _decimal(minor: int) -> str:
    """Minor units as a plain decimal string: ``15800`` -> ``158.00`` (no floats, no thousands separators)."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


def _refusal(exc: ServiceError) -> PlainTextResponse:
    status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, InvalidInput) else 403
    return PlainTextResponse(str(exc), status_code=status)


def invoices_csv(request: Request):
    """``GET /api/invoices.csv?org=ID``: every invoice of the organization the caller may see (runs in a thread)."""
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    raw_org = request.query_params.get("org", "")
    org_id = int(raw_org) if raw_org.isdigit() and len(raw_org) < 12 else actor.organization_id
    if org_id is None:
        return PlainTextResponse("Give the organization: ?org=ID", status_code=400)
    try:
        rows = invoices.export_rows(actor, org_id)
    except ServiceError as exc:
        return _refusal(exc)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INVOICE_COLUMNS)
    for r in rows:
        writer.writerow([r.number, r.kind_label, r.period or "", r.issue_date.isoformat() if r.issue_date else "",
                         r.due_date.isoformat() if r.due_date else "", r.currency, _decimal(r.total_minor),
                         _decimal(r.amount_paid_minor), _decimal(r.outstanding_minor), r.status.value])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="invoices-{org_id}.csv"',
                             "Cache-Control": "private, no-store"})


def invoice_pdf(request: Request):
    """``GET /api/invoices/{invoice_id}.pdf``: one invoice the caller may see, as a PDF (runs in a thread)."""
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    try:
        detail = invoices.invoice_detail(actor, int(request.path_params["invoice_id"]))
    except ServiceError as exc:
        return _refusal(exc)
    body = render_invoice_pdf(detail, time_zone=actor.time_zone)
    filename = "".join(c for c in detail.row.number if c.isalnum() or c in "-_ ") or "invoice"
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"',
                             "Cache-Control": "private, no-store"})
