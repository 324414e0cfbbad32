"""``GET /api/rollup/tasks.csv``: the parent-company roll-up's filtered task list as CSV (same address query as the
page: ``org``, ``sub``, ``tab``, ``q``, ``status``, ``category``, ``sort``), for the owners and administrators the
roll-up allows; written a page at a time (runs in a thread)."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from opsportal.api.csv_export import SafeCsvWriter
from opsportal.auth.security import SESSION_COOKIE
from opsportal.domain import formats
from opsportal.services import auth as auth_service
from opsportal.services import rollup
from opsportal.services.errors import AuthenticationFailed, InvalidInput, NotFound, ServiceError
from opsportal.state.rollup_views import filters_from_query, task_criteria


def columns(time_zone: str) -> list[str]:
    return ["Task", "Title", "Organization", "Status", "Category", "Priority", "Agent", "Time logged",
            "Minutes logged", formats.zone_header("Last update", time_zone)]


def rows(batches, time_zone: str) -> Iterator[str]:
    writer = SafeCsvWriter()  # customers write the titles: formula cells are neutralised
    writer.writerow(columns(time_zone))
    for batch in batches:
        for t in batch:
            writer.writerow([t.id, t.title, t.organization, t.status_label, t.category, formats.label(t.priority),
                             t.agent or "", formats.duration(t.minutes_logged), t.minutes_logged,
                             formats.sheet_instant(t.updated_at, time_zone)])
        yield writer.take()
    yield writer.take()


def rollup_tasks_csv(request: Request):
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    filters = filters_from_query(dict(request.query_params))
    try:
        batches = rollup.export_batches(actor, filters.org_id, **task_criteria(filters))  # authorized here
    except ServiceError as exc:
        status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, InvalidInput) else 403
        return PlainTextResponse(str(exc), status_code=status)
    return StreamingResponse(rows(batches, actor.time_zone), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="subsidiaries-tasks.csv"',
                                      "Cache-Control": "private, no-store"})
