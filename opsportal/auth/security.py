"""Password hashes (argon2id) and session tokens (JWT, HS256 only)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from http.cookies import CookieError, SimpleCookie

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from opsportal import clock

ALGORITHM = "HS256"
# The browser cookie that carries the session token (pages, the socket handshake and downloads alike). HttpOnly:
# set and cleared only by the sign-in and sign-out routes (api/session_routes.py), never readable by page scripts.
SESSION_COOKIE = "opsportal_session"
_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class InvalidToken(Exception):
    """The token is malformed, forged, expired or meant for another audience."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str
    expires_at: int


def issue_token(
    *, user_id: int, session_id: str, issued_at: datetime, expires_at: datetime, secret: str, audience: str
) -> str:
    claims = {
        "sub": str(user_id),
        "jti": session_id,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "aud": audience,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, audience: str, now: datetime | None = None) -> TokenClaims:
    """The claims of a token valid at ``now`` (the portal's clock by default); InvalidToken for anything else
    (``alg: none`` included). Expiry is checked against ``now``, not the machine's time, like every other rule."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"verify_exp": False, "require_sub": True, "require_jti": True,
                     "require_aud": True},  # exp: required and checked below, against now
        )
        found = TokenClaims(user_id=int(claims["sub"]), session_id=str(claims["jti"]), expires_at=int(claims["exp"]))
    except (JWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from None
    if (now or clock.now()).timestamp() >= found.expires_at:
        raise InvalidToken("the token has expired")
    return found


def session_token_from_cookie_header(header: str | None) -> str:
    """The session token in a ``Cookie:`` header (the socket handshake's), or "" when absent."""
    if not header:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        pass
    morsel = jar.get(SESSION_COOKIE)
    if morsel is not None:
        return morsel.value
    # SimpleCookie stops at the first cookie it cannot read (another site part's): read the pairs one by one.
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip().strip('"')
    return ""
