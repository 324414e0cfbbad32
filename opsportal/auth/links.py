"""Tokens carried by links in e-mails.

- Signed links (JWT, HS256, the app's secret): say who and what, expire, need no database row;
  used for one-click unsubscribing. Their audience differs from session tokens', so neither can
  pass for the other.
- One-time secrets (password reset, invitation): random, only their SHA-256 is stored, so a
  database leak does not leak working links; the row records expiry and use.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from jose import JWTError, jwt
from jose.exceptions import ExpiredSignatureError

from opsportal.auth.security import ALGORITHM

UNSUBSCRIBE_PURPOSE = "unsubscribe"


class InvalidLink(Exception):
    """The link's token is malformed, forged or meant for something else."""


class ExpiredLink(InvalidLink):
    """The link was genuine but is past its expiry."""


@dataclass(frozen=True)
class UnsubscribeClaims:
    user_id: int
    kind: str
    expires_at: int


def _audience(base: str, purpose: str) -> str:
    return f"{base}:{purpose}"


def issue_unsubscribe_token(*, user_id: int, kind: str, issued_at: datetime, expires_at: datetime, secret: str,
                            audience: str) -> str:
    claims = {"sub": str(user_id), "kind": kind, "iat": int(issued_at.timestamp()),
              "exp": int(expires_at.timestamp()), "aud": _audience(audience, UNSUBSCRIBE_PURPOSE)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_unsubscribe_token(token: str, *, secret: str, audience: str) -> UnsubscribeClaims:
    """The claims of a genuine unexpired link; ExpiredLink or InvalidLink otherwise (``alg: none`` included)."""
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise InvalidLink("unexpected algorithm")
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=_audience(audience, UNSUBSCRIBE_PURPOSE),
                            options={"require_exp": True, "require_sub": True, "require_aud": True})
        return UnsubscribeClaims(user_id=int(claims["sub"]), kind=str(claims["kind"]), expires_at=int(claims["exp"]))
    except ExpiredSignatureError:
        raise ExpiredLink("the link has expired") from None
    except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidLink(str(exc)) from None


def new_secret() -> str:
    """A one-time link's secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_hash(token: str) -> str:
    """What is stored and looked up: SHA-256 is enough for 256-bit random secrets (no guessing to slow down)."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()
