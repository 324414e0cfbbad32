"""Absolute links into the portal, as e-mails carry them: the public URL (``OPSPORTAL_PUBLIC_URL``) and a route."""

from __future__ import annotations

from urllib.parse import quote

from opsportal.settings import get_settings


def portal_url(path: str, *, token: str | None = None) -> str:
    """``https://portal.example.com/credits``; with ``token``, the e-mail link's ``?token=`` (quoted whole)."""
    url = f"{get_settings().public_url.rstrip('/')}{path}"
    return url if token is None else f"{url}?token={quote(token, safe='')}"
