"""``GET /api/software/releases/{release_id}/{name}``: a release file, for someone whose organization's cover includes
it today (``services.software.open_release`` asks again on every download and logs it).

Authenticated by the HttpOnly session cookie like the other downloads. A missing release and one of a product the
organization holds no licence of alike answer 404; a licensed release without the cover answers 403 saying what to
renew. Always a download (``Content-Disposition: attachment``), with its SHA-256 checksum in ``X-Checksum-SHA256``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from opsportal import routes
from opsportal.api.files import content_disposition
from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth as auth_service
from opsportal.services import software
from opsportal.services.errors import AuthenticationFailed, NotFound, ServiceError

PATH = "/api/software/releases/{release_id:int}/{name}"


release_url = routes.release_file


def download_release(request: Request):  # plain: Starlette runs it, and the body's chunks, off the event loop
    try:
        actor = auth_service.authenticate(request.cookies.get(SESSION_COOKIE))
    except AuthenticationFailed as exc:
        return PlainTextResponse(str(exc), status_code=401)
    try:
        release, chunks = software.open_release(actor, int(request.path_params["release_id"]))
    except NotFound as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except ServiceError as exc:
        return PlainTextResponse(str(exc), status_code=403)
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        "Content-Disposition": content_disposition("attachment", release.file_name),
        "Content-Length": str(release.size_bytes),
        "X-Checksum-SHA256": release.sha256,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
