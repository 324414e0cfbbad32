"""Security headers on every response the portal's server gives: pages, assets, API routes, websocket handshakes.

A pure ASGI middleware (Starlette's ``BaseHTTPMiddleware`` would buffer streamed responses and does not see
websockets). It sets, replacing whatever the wrapped app set under the same names:

* ``Content-Security-Policy``: scripts only from the portal itself plus the inline scripts of the production
  build, allowed by their SHA-256 hashes (read from the built pages, again whenever the build changes); styles
  from the portal and inline (Radix and Emotion write style attributes and tags at run time); connections to
  the portal's own origins over http(s) and ws(s); images from the portal's origins too; no plugins, no
  framing, ``<base>`` and form targets only
  the portal.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, a ``Permissions-Policy`` that turns off what the
  portal never uses, ``X-Frame-Options: DENY``, ``Strict-Transport-Security`` in production only.
* ``Server``: a bare name instead of the ASGI server's banner (Granian and Uvicorn name themselves).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsportal.domain.origins import origin_of, websocket_origin

SERVER_NAME = b"opsportal"
HSTS = "max-age=63072000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources (``'sha256-…'``) of the inline scripts in one HTML document, in order of appearance."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


def built_pages_hashes(pages_dir: Path) -> tuple[str, ...]:
    """Every distinct inline-script hash of the built pages under ``pages_dir`` (sorted; empty if none)."""
    hashes: set[str] = set()
    for page in pages_dir.rglob("*.html"):
        try:
            hashes.update(inline_script_hashes(page.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return tuple(sorted(hashes))


@dataclass(frozen=True)
class HeaderPolicy:
    """What the headers depend on: production (HSTS) and the portal's own origins besides the page's own."""

    production: bool = False
    origins: tuple[str, ...] = ()

    def content_security_policy(self, script_hashes: Iterable[str] = ()) -> str:
        own = [o for o in dict.fromkeys(origin_of(o) for o in self.origins) if o]
        connect = ["'self'", *own, *(websocket_origin(o) for o in own)]
        directives = {
            "default-src": ["'self'"],
            "script-src": ["'self'", *script_hashes],
            "style-src": ["'self'", "'unsafe-inline'"],
            # The portal's own origins too: attachment previews come from the backend's route (api/files.py), which
            # is another origin when pages and backend listen on separate ports (development, the test harness).
            "img-src": ["'self'", *own, "data:", "blob:"],
            "font-src": ["'self'", "data:"],
            "connect-src": connect,
            "worker-src": ["'self'", "blob:"],
            "manifest-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'", *own],
            "frame-ancestors": ["'none'"],
        }
        return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())

    def headers(self, script_hashes: Iterable[str] = ()) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-security-policy", self.content_security_policy(script_hashes).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", REFERRER_POLICY.encode()),
            (b"permissions-policy", PERMISSIONS_POLICY.encode()),
            (b"x-frame-options", b"DENY"),
            (b"server", SERVER_NAME),
        ]
        if self.production:
            headers.append((b"strict-transport-security", HSTS.encode()))
        return headers


@dataclass
class _BuiltPages:
    """The inline-script hashes of the production build, read again when the build folder changes."""

    directory: Path | None
    _stamp: tuple[int, int] | None = None
    hashes: tuple[str, ...] = field(default_factory=tuple)

    def refresh(self) -> bool:
        """Reads the build again if it changed; True when the hashes changed."""
        if self.directory is None:
            return False
        try:
            stamp = (self.directory.stat().st_mtime_ns, (self.directory / "index.html").stat().st_mtime_ns)
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        hashes = built_pages_hashes(self.directory) if stamp is not None else ()
        changed = hashes != self.hashes
        self.hashes = hashes
        return changed


class SecurityHeaders:
    """Wraps an ASGI app so that every HTTP response and websocket handshake carries the portal's headers."""

    def __init__(self, app: ASGIApp, policy: HeaderPolicy, pages_dir: Path | None = None) -> None:
        self.app = app
        self.policy = policy
        self._pages = _BuiltPages(pages_dir)
        self._pages.refresh()
        # Only documents run scripts: other answers (assets, JSON) carry the policy without the hashes.
        self._page_headers = policy.headers(self._pages.hashes)
        self._other_headers = policy.headers()
        self._names = {name for name, _ in self._other_headers}

    def _merged(self, headers: Iterable[tuple[bytes, bytes]], *, html: bool = False) -> list[tuple[bytes, bytes]]:
        if html and self._pages.refresh():
            self._page_headers = self.policy.headers(self._pages.hashes)
        kept = [(name, value) for name, value in headers if name.lower() not in self._names]
        return kept + (self._page_headers if html else self._other_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        # A websocket the app refuses before accepting it (socket.io refusing an unknown Origin) is answered with
        # a 403 of ours when the server can send one, instead of the server's own bare answer.
        can_deny = "websocket.http.response" in scope.get("extensions", {})
        handshake = {"accepted": False, "denied": False}

        async def send_with_headers(message: Message) -> None:
            kind = message["type"]
            if handshake["denied"]:
                return
            if kind in ("http.response.start", "websocket.http.response.start"):
                headers = list(message.get("headers", []))
                # A page, or an answer without a body type: a 304 Not Modified updates the headers the browser
                # cached with the page, so it must carry the page's policy (with the hashes) too.
                types = [value for name, value in headers if name.lower() == b"content-type"]
                html = not types or types[0].startswith(b"text/html")
                message = {**message, "headers": self._merged(headers, html=html)}
            elif kind == "websocket.accept":
                handshake["accepted"] = True
                message = {**message, "headers": self._merged(message.get("headers", []))}
            elif kind == "websocket.close" and can_deny and not handshake["accepted"]:
                handshake["denied"] = True
                await send({"type": "websocket.http.response.start", "status": 403,
                            "headers": self._merged([(b"content-type", b"text/plain; charset=utf-8")])})
                await send({"type": "websocket.http.response.body", "body": b"Forbidden"})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
