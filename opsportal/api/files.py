"""``GET /api/files/{attachment_id}/{name}``: an attached file, only for someone who may see its ticket.

Authenticated by the HttpOnly session cookie like the other downloads; a missing file and another organization's
answer alike (404). Images (PNG, JPEG, GIF, WebP; never SVG) are shown inline so the conversation can preview them;
everything else is a download (``Content-Disposition: attachment``). The security headers middleware adds
``X-Content-Type-Options: nosniff`` to every response; it is set here too, so the route is safe on its own.

``?thumb=1`` on an image answers its preview instead (``services.thumbnails``: at most 480 x 320, PNG or JPEG), asked
exactly like the file; an image with no safe preview answers 415 and the page shows its name.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import attachments, thumbnails
from opsportal.services import auth as auth_service
from opsportal.services.errors import AuthenticationFailed, NotFound, ServiceError

PATH = "/api/files/{attachment_id:int}/{name}"


def file_url(attachment_id: int, name: str) -> str:
    """The route's path for one attachment (the name is for the reader and the browser's save dialog)."""
    return f"/api/files/{int(attachment_id)}/{quote(name, safe='')}"


def thumbnail_url(attachment_id: int, name: str) -> str:
    """The preview of an attached image."""
    return file_url(attachment_id, name) + "?thumb=1"


def _thumbnail(actor, attachment_id: int):
    try:
        row, thumb = attachments.open_thumbnail(actor, attachment_id)
    except thumbnails.NoPreview as exc:
        return PlainTextResponse(str(exc), status_code=415)
    return Response(thumb.data, media_type=thumb.content_type, headers={
        "Content-Disposition": content_disposition("inline", "preview-" + row.name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    })


def content_disposition(kind: str, name: str) -> str:
    """``inline``/``attachment`` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_file(request: Request):  # plain: Starlette runs it, and the body's chunks, off the event loop
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    attachment_id = int(request.path_params["attachment_id"])
    try:
        if request.query_params.get("thumb") == "1":
            return _thumbnail(actor, attachment_id)
        row, chunks = attachments.open_attachment(actor, attachment_id)
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
