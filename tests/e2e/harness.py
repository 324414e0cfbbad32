"""Reflex's production test harness, with the portal's security headers on the pages it serves.

``AppHarnessProd`` serves the built pages from a Starlette app of its own on a second port (the backend runs on
another one). The portal serves both on one port, through ``opsportal.api.routes.create_api``, which wraps them in
``SecurityHeaders``; here the page server gets the same wrapper, so every end-to-end test runs under the
Content-Security-Policy the portal sends. Its port is chosen before the app starts, so the allowed origins (CORS
and the websocket's origin check) can name it.
"""

from __future__ import annotations

import socket

from reflex.testing import AppHarnessProd, chdir

from opsportal.api.routes import header_policy, reflex_frontend
from opsportal.api.security_headers import SecurityHeaders


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortalHarness(AppHarnessProd):
    """Pages on ``frontend_port`` (set before ``start``) with the portal's security headers."""

    frontend_port: int = 0

    def _run_frontend(self):
        import uvicorn
        from reflex.utils import exec as reflex_exec

        with chdir(self.app_path):
            pages_app = reflex_exec._frontend_prod_app()
            _api_url, pages = reflex_frontend()
        backend_port = self.backend.servers[0].sockets[0].getsockname()[1]
        app = SecurityHeaders(pages_app, header_policy(f"http://127.0.0.1:{backend_port}"), pages)
        self.frontend_server = uvicorn.Server(uvicorn.Config(app=app, host="127.0.0.1", port=self.frontend_port,
                                                             server_header=False))
        self.frontend_server.run()
