"""The token between the two steps of signing in: "this user gave the right password a moment ago".

A JWT (HS256, the app's secret) with an audience of its own (``<audience>:mfa-challenge``), so it never passes
for a session token or an e-mail link, nor they for it. Expiry is checked against the caller's ``now`` (the
service's clock), not the library's.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from jose import JWTError, jwt

from opsportal.auth.links import ExpiredLink, InvalidLink
from opsportal.auth.security import ALGORITHM

CHALLENGE_PURPOSE = "mfa-challenge"


def _audience(base: str) -> str:
    return f"{base}:{CHALLENGE_PURPOSE}"


def issue_challenge_token(*, user_id: int, issued_at: datetime, expires_at: datetime, secret: str,
                          audience: str) -> str:
    claims = {"sub": str(user_id), "iat": int(issued_at.timestamp()), "exp": int(expires_at.timestamp()),
              "aud": _audience(audience), "jti": secrets.token_urlsafe(16)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_challenge_token(token: str, *, secret: str, audience: str, now: datetime) -> int:
    """The user id of a genuine challenge still valid at ``now``; ExpiredLink or InvalidLink otherwise."""
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise InvalidLink("unexpected algorithm")
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=_audience(audience),
                            options={"verify_exp": False, "require_sub": True,  # exp: checked below, against now
                                     "require_aud": True})
        expires_at, user_id = int(claims["exp"]), int(claims["sub"])
    except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidLink(str(exc)) from None
    if now.timestamp() >= expires_at:
        raise ExpiredLink("the sign-in challenge has expired")
    return user_id
