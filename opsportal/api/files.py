"""``GET /api/files/{attachment_id}/{name}``: an attached file, only for someone who may see its ticket.

Authenticated by the HttpOnly session cookie like the other downloads; a missing file and another organization's
answer alike (404). Images (PNG, JPEG, GIF, WebP; never SVG) are shown inline so the conversation can preview them;
everything else is a download (``Content-Disposition: attachment``). The security headers middleware adds
``X-Content-Type-Options: nosniff`` to every response; it is set here too, so the route is safe on its own.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import attachments
from opsportal.services import auth as auth_service
from opsportal.services.errors import AuthenticationFailed, NotFound, ServiceError

PATH = "/api/files/{attachment_id:int}/{name}"


def file_url(attachment_id: int, name: str) -> str:
    """The route's path for one attachment (the name is for the reader and the browser's save dialog)."""
    return f"/api/files/{int(attachment_id)}/{quote(name, safe='')}"


def content_disposition(kind: str, name: str) -> str:
    """``inline``/``attachment`` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_file(request: Request):  # plain: Starlette runs it, and the body's chunks, off the event loop
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    try:
        row, chunks = attachments.open_attachment(actor, int(request.path_params["attachment_id"]))
    except NotFound as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except ServiceError as exc:
        return PlainTextResponse(str(exc), status_code=403)
    media_type = row.content_type + ("; charset=utf-8" if row.content_type.startswith("text/") else "")
    return StreamingResponse(chunks, media_type=media_type, headers={
        "Content-Disposition": content_disposition("inline" if row.is_image else "attachment", row.name),
        "Content-Length": str(row.size_bytes),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
    })
