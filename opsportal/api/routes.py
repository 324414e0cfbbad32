"""Plain HTTP routes served next to the Reflex app: health, the Stripe webhook, downloads, signing in and out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from opsportal import routes
from opsportal.api import files, session_routes, software_files
from opsportal.api.downloads import activity_csv, credit_history_csv, invoice_pdf, invoices_csv
from opsportal.api.inbound_mail import receive_mail
from opsportal.api.rollup_csv import rollup_tasks_csv
from opsportal.api.security_headers import HeaderPolicy, SecurityHeaders
from opsportal.api.stripe_webhook import stripe_webhook
from opsportal.api.unsubscribe import unsubscribe
from opsportal.db import get_engine
from opsportal.settings import get_settings


def health(_request: Request) -> JSONResponse:
    # A plain function: Starlette runs it in its thread pool, off the event loop.
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def header_policy(api_url: str | None = None) -> HeaderPolicy:
    """The security headers' policy for this configuration: the allowed origins plus where the pages' backend is."""
    settings = get_settings()
    origins = [*settings.cors_origins, *([api_url] if api_url else [])]
    return HeaderPolicy(production=settings.is_production, origins=tuple(origins))


def reflex_frontend() -> tuple[str | None, Path | None]:
    """Reflex's backend URL the built pages connect to, and the folder of the built pages (None, None without
    a Reflex configuration)."""
    try:
        from reflex.utils import prerequisites
        from reflex_base import constants
        from reflex_base.config import get_config

        config = get_config()
        pages = prerequisites.get_web_dir() / constants.Dirs.STATIC / config.frontend_path.strip("/")
        return config.api_url, pages
    except Exception:  # noqa: BLE001 - no rxconfig (a bare test app): headers without the build's script hashes
        return None, None


def create_api(reflex_app: ASGIApp) -> ASGIApp:
    """A fresh Starlette app per Reflex app: a shared instance breaks a second start in one process.

    Wrapped in the security headers (pages, assets, API routes and the websocket handshake all pass here).
    """
    api = Starlette(routes=[Route("/api/health", health), Route("/api/credits/history.csv", credit_history_csv),
                            Route("/api/invoices.csv", invoices_csv), Route("/api/activity.csv", activity_csv),
                            Route("/api/invoices/{invoice_id:int}.pdf", invoice_pdf),
                            Route(routes.ROLLUP_CSV, rollup_tasks_csv),
                            Route(files.PATH, files.download_file),
                            Route(software_files.PATH, software_files.download_release),
                            Route("/api/stripe/webhook", stripe_webhook, methods=["POST"]),
                            Route("/api/unsubscribe", unsubscribe, methods=["GET", "POST"]),
                            Route("/api/mail/inbound", receive_mail, methods=["POST"]),
                            Route(routes.SIGN_IN_ACTION, session_routes.sign_in, methods=["POST"]),
                            Route(routes.SIGN_OUT_ACTION, session_routes.sign_out, methods=["POST"]),
                            Route(routes.VERIFY_CODE_ACTION, session_routes.verify_code, methods=["POST"]),
                            Mount("/", app=reflex_app)])
    api_url, pages = reflex_frontend()
    return SecurityHeaders(api, header_policy(api_url), pages)
