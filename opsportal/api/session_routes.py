"""Signing in and out over plain HTTP: the only places the HttpOnly session cookie is set and cleared.

The login page is a plain HTML form that POSTs here, so the password never enters Reflex state and no page script
ever holds the session token. A sign-in answers 303 to the landing page (a full page load: the Reflex socket
reconnects and its handshake carries the new cookie) or 303 back to the login page with an error code the page
turns into words (``error_message``). A request whose ``Origin`` is not the portal's own is refused (login CSRF).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from opsportal import routes
from opsportal.auth.security import SESSION_COOKIE
from opsportal.domain.login_throttle import Verdict
from opsportal.services import auth as auth_service
from opsportal.services import mfa_sign_in
from opsportal.services.errors import AuthenticationFailed, SignInThrottled
from opsportal.settings import get_settings

MAX_FORM_BYTES = 16 * 1024
MISSING_FIELDS = "Enter your e-mail address and password."
FOREIGN_ORIGIN = "Sign in from the portal's own sign-in page."
# The codes the login page reads from ?error= (with ?seconds= or ?minutes= for the throttle).
ERROR_MISSING, ERROR_CREDENTIALS, ERROR_WAIT, ERROR_LOCKED = "missing", "credentials", "wait", "locked"
# The second step's own codes (the code page, routes.LOGIN_CODE), and "ended" for the login page.
ERROR_NO_CODE, ERROR_WRONG_CODE, ERROR_ENDED = "nocode", "code", "ended"
NO_CODE = "Enter the 6-digit code your authenticator app shows, or one of your recovery codes."
# Carries "the password was right" from the first step to the second: HttpOnly, only sent to the verify route.
CHALLENGE_COOKIE = "opsportal_mfa_challenge"


def error_message(code: str, amount: str = "") -> str:
    """The sentence the login page shows for ``?error=code`` (today's texts of services.auth and the throttle)."""
    number = int(amount) if amount.isdigit() and 0 < int(amount) < 100_000 else 1
    if code == ERROR_MISSING:
        return MISSING_FIELDS
    if code == ERROR_CREDENTIALS:
        return auth_service.BAD_CREDENTIALS
    if code == ERROR_WAIT:
        return Verdict(allowed=False, retry_after_seconds=number).message
    if code == ERROR_LOCKED:
        return Verdict(allowed=False, retry_after_seconds=number * 60, locked=True).message
    if code == ERROR_NO_CODE:
        return NO_CODE
    if code == ERROR_WRONG_CODE:
        return mfa_sign_in.WRONG_CODE
    if code == ERROR_ENDED:
        return mfa_sign_in.CHALLENGE_ENDED
    return ""


def _error_query(exc: AuthenticationFailed) -> dict[str, str]:
    if isinstance(exc, SignInThrottled):
        if "locked" in str(exc):
            return {"error": ERROR_LOCKED, "minutes": str(max(1, -(-exc.retry_after_seconds // 60)))}
        return {"error": ERROR_WAIT, "seconds": str(max(1, exc.retry_after_seconds))}
    return {"error": ERROR_CREDENTIALS}


def client_address(request: Request) -> str:
    """The browser's address: the socket peer, or X-Forwarded-For's entry ``trusted_proxy_hops`` from the end."""
    address = request.client.host if request.client else ""
    hops = get_settings().trusted_proxy_hops
    if hops:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address[:64]


def _origin_of(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins(request: Request) -> set[str]:
    """The portal's own origins: the configured ones, the public URL, the page origin Reflex serves, this host."""
    from reflex_base.config import get_config

    settings = get_settings()
    found = {_origin_of(o) for o in settings.origins}
    found |= {_origin_of(settings.public_url), _origin_of(get_config().deploy_url or "")}
    host = request.headers.get("host", "")
    if host:
        found.add(f"{request.url.scheme}://{host}".lower())
    return found - {""}


def _page_origin(request: Request) -> str | None:
    """Where the form was sent from: "" when the browser did not say (same-origin), None when it is foreign."""
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin on every POST form; Sec-Fetch-Site covers an old one that did not.
        return None if request.headers.get("sec-fetch-site", "") == "cross-site" else ""
    origin = origin.strip().lower()
    return origin if origin in allowed_origins(request) else None


def _redirect(origin: str, path: str) -> RedirectResponse:
    # Under the development harness the pages and these routes answer on different ports: go back to the page's.
    response = RedirectResponse(origin + path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_ttl_minutes * 60, path="/", httponly=True,
                        samesite="strict", secure=settings.is_production)


def _clear_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=get_settings().is_production)


def _referer_next(request: Request) -> str:
    """?next= of the login page that sent the form, when the form's own field was empty (sent before hydration)."""
    referer = request.headers.get("referer", "")
    return parse_qs(urlsplit(referer).query).get("next", [""])[0] if referer else ""


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


def _to_page(origin: str, page: str, next_param: str, query: dict[str, str]) -> RedirectResponse:
    """303 to a sign-in step's page (the login or the code page), carrying where the user was going and ``query``
    (what went wrong, as a code the page turns into words)."""
    target = routes.safe_next(next_param)
    if target != routes.DASHBOARD:
        query = {"next": target, **query}
    return _redirect(origin, page + (f"?{urlencode(query)}" if query else ""))


async def sign_in(request: Request) -> Response:
    """POST /auth/sign-in (email, password, next): 303 to the landing page with the cookie, or back to the form."""
    origin = _page_origin(request)
    if origin is None:
        return PlainTextResponse(FOREIGN_ORIGIN, status_code=403)
    form = await _form(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_param = form.get("next", "") or _referer_next(request)
    if not email or not password:
        return _to_page(origin, routes.LOGIN, next_param, {"error": ERROR_MISSING})
    try:
        signed_in = await run_in_threadpool(
            auth_service.sign_in, email=email[:320], password=password[:1024],
            user_agent=request.headers.get("user-agent", ""), client_address=client_address(request))
    except AuthenticationFailed as exc:
        return _to_page(origin, routes.LOGIN, next_param, _error_query(exc))
    if isinstance(signed_in, auth_service.SecondStep):
        response = _to_page(origin, routes.LOGIN_CODE, next_param, {})
        response.set_cookie(CHALLENGE_COOKIE, signed_in.challenge, max_age=mfa_sign_in.CHALLENGE_MINUTES * 60,
                            path=routes.VERIFY_CODE_ACTION, httponly=True, samesite="strict",
                            secure=get_settings().is_production)
        return response
    return _signed_in(origin, signed_in, next_param)


def _signed_in(origin: str, signed_in: auth_service.SignedIn, next_param: str) -> RedirectResponse:
    """303 to where the user goes with the session cookie; one whom policy asks to set up two-step verification
    goes to Account first."""
    target = (routes.ACCOUNT if signed_in.actor.mfa_setup_due
              else routes.landing(signed_in.actor.is_staff, next_param))
    response = _redirect(origin, target)
    _set_cookie(response, signed_in.token)
    return response


def _clear_challenge(response: Response) -> None:
    response.delete_cookie(CHALLENGE_COOKIE, path=routes.VERIFY_CODE_ACTION, httponly=True, samesite="strict",
                           secure=get_settings().is_production)


async def verify_code(request: Request) -> Response:
    """POST /auth/verify-code (code, next) with the challenge cookie of the password step: 303 to the landing page
    with the session cookie, back to the code page with what was wrong, or to the login page when the challenge
    ended (five minutes, or never given)."""
    origin = _page_origin(request)
    if origin is None:
        return PlainTextResponse(FOREIGN_ORIGIN, status_code=403)
    form = await _form(request)
    code, next_param = form.get("code", "").strip(), form.get("next", "") or _referer_next(request)
    challenge = request.cookies.get(CHALLENGE_COOKIE, "")
    if not challenge:
        return _to_page(origin, routes.LOGIN, next_param, {"error": ERROR_ENDED})
    if not code:
        return _to_page(origin, routes.LOGIN_CODE, next_param, {"error": ERROR_NO_CODE})
    try:
        signed_in = await run_in_threadpool(
            mfa_sign_in.complete, challenge, code[:64], user_agent=request.headers.get("user-agent", ""),
            client_address=client_address(request))
    except SignInThrottled as exc:
        return _to_page(origin, routes.LOGIN_CODE, next_param, _error_query(exc))
    except AuthenticationFailed as exc:
        if str(exc) == mfa_sign_in.CHALLENGE_ENDED:
            response = _to_page(origin, routes.LOGIN, next_param, {"error": ERROR_ENDED})
            _clear_challenge(response)
            return response
        return _to_page(origin, routes.LOGIN_CODE, next_param, {"error": ERROR_WRONG_CODE})
    response = _signed_in(origin, signed_in, next_param)
    _clear_challenge(response)
    return response


async def sign_out(request: Request) -> Response:
    """POST /auth/sign-out: revokes the session behind the cookie, clears the cookie, 303 to the login page."""
    origin = _page_origin(request)
    if origin is None:
        return PlainTextResponse("Sign out from the portal's own pages.", status_code=403)
    await run_in_threadpool(auth_service.sign_out, request.cookies.get(SESSION_COOKIE))
    response = _redirect(origin, routes.LOGIN)
    _clear_cookie(response)
    return response
