"""CSV and PDF downloads, authenticated by the same session cookie as the pages.

CSV is written for a person with a spreadsheet: column headers and statuses in words (``Used``, ``Pending``, never
``consume`` or ``pending``), instants in the requesting user's zone with the zone named once in the column header
(``At (America/New_York)``, values ``2026-12-03 09:05``), days as ISO dates, amounts as plain decimals next to their
currency, quantities as the pages write them (``1 h 30 min``, ``5 credits``) beside the plain number. Every value goes
through domain.formats, and every cell through ``api.csv_export`` (no cell a spreadsheet would run as a formula).
"""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from opsportal.api.csv_export import SafeCsvWriter, csv_text
from opsportal.auth.security import SESSION_COOKIE
from opsportal.domain import formats
from opsportal.services import audit, credit_history, credit_views, invoice_views
from opsportal.services import auth as auth_service
from opsportal.services.errors import AuthenticationFailed, InvalidInput, NotFound, ServiceError
from opsportal.services.invoice_pdf import render_invoice_pdf
from opsportal.services.invoice_timesheet import invoice_timesheet


def history_columns(time_zone: str) -> list[str]:
    return ["Entry", formats.zone_header("At", time_zone), "Kind", "Product", "Quantity", "Minutes or credits", "Lot",
            "Lot holder", "Organization", "Ticket", "Category", "Reason"]


def history_rows(batches, time_zone: str, products: dict[str, tuple[str, str]]) -> Iterator[str]:
    """The credit history CSV, a batch of entries at a time; ``products``: code -> (name, unit)."""
    writer = SafeCsvWriter()
    writer.writerow(history_columns(time_zone))
    for batch in batches:
        for e in batch:
            name, unit = products.get(e.product, (e.product, "minute" if e.product == "support_hours" else "credit"))
            writer.writerow([e.id, formats.sheet_instant(e.at, time_zone), formats.label(e.kind), name,
                             formats.quantity(e.quantity, unit), e.quantity, e.lot_id, e.holder, e.organization,
                             e.ticket_id or "", e.category or "", e.reason])
        yield writer.take()
    yield writer.take()


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
        batches = credit_history.history_batches(actor, org_id, product=product)
        first = next(batches, None)  # authorization runs before any byte is sent
        products = {p.code: (p.name, p.unit) for p in credit_views.products(actor)}
    except ServiceError as exc:
        return PlainTextResponse(str(exc), status_code=403)

    def all_batches():
        if first is not None:
            yield first
            yield from batches

    filename = f"credit-history-{org_id}.csv"
    return StreamingResponse(history_rows(all_batches(), actor.time_zone, products), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- invoices: the organization's list as CSV, one invoice as PDF ----------------------------------------

INVOICE_COLUMNS = ["Number", "Type", "Period", "Issue date", "Due date", "Currency", "Total", "Paid", "Outstanding",
                   "Status"]


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
        rows = invoice_views.export_rows(actor, org_id)
    except ServiceError as exc:
        return _refusal(exc)
    body = csv_text(INVOICE_COLUMNS, (
        [r.number, r.kind_label, r.period or "", formats.sheet_day(r.issue_date), formats.sheet_day(r.due_date),
         r.currency, *(formats.decimal_amount(m, r.currency) for m in (r.total_minor, r.amount_paid_minor,
                                                                        r.outstanding_minor)),
         r.status.label] for r in rows))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="invoices-{org_id}.csv"',
                             "Cache-Control": "private, no-store"})


def invoice_pdf(request: Request):
    """``GET /api/invoices/{invoice_id}.pdf``: one invoice the caller may see, as a PDF (runs in a thread)."""
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    try:
        detail = invoice_views.invoice_detail(actor, int(request.path_params["invoice_id"]))
        timesheet = invoice_timesheet(actor, detail.row.id)
    except ServiceError as exc:
        return _refusal(exc)
    body = render_invoice_pdf(detail, time_zone=actor.time_zone, timesheet=timesheet)
    filename = "".join(c for c in detail.row.number if c.isalnum() or c in "-_ ") or "invoice"
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"',
                             "Cache-Control": "private, no-store"})


# --- the activity log (audit events) as CSV ---------------------------------------------------------------------


def activity_columns(time_zone: str) -> list[str]:
    return [formats.zone_header("When", time_zone), "Who", "What", "Details", "From", "Organization"]


def activity_rows(batches, time_zone: str) -> Iterator[str]:
    writer = SafeCsvWriter()  # invitees choose their own names: formula cells are neutralised
    writer.writerow(activity_columns(time_zone))
    for batch in batches:
        for e in batch:
            writer.writerow([formats.sheet_instant(e.occurred_at, time_zone), e.actor_name, e.action_label,
                             e.target, e.client_address, e.organization])
        yield writer.take()
    yield writer.take()


def activity_csv(request: Request):
    """``GET /api/activity.csv?org=ID&action=CODE&person=USER_ID``: the organization's activity for its owners and
    administrators; staff may leave out ``org`` for every organization's (runs in a thread)."""
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    params = request.query_params
    raw_org, raw_person = params.get("org", ""), params.get("person", "")
    org_id = int(raw_org) if raw_org.isdigit() and len(raw_org) < 12 else None
    if org_id is None and not actor.is_staff:
        org_id = actor.organization_id
    filters = audit.AuditFilters(action=params.get("action", "")[:60],
                                 person_id=int(raw_person) if raw_person.isdigit() and len(raw_person) < 12 else None)
    try:
        batches = audit.export_rows(actor, org_id, filters)
    except ServiceError as exc:
        return _refusal(exc)
    filename = f"activity-{org_id}.csv" if org_id is not None else "activity.csv"
    return StreamingResponse(activity_rows(batches, actor.time_zone), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                      "Cache-Control": "private, no-store"})
