"""Who is signed in. Every protected handler asks ``current_actor`` again: a page guard is not enough.

The session token travels only in the HttpOnly cookie (set by api/session_routes.py): the backend reads it from
the socket handshake's ``Cookie`` header (``router.headers.cookie``, kept server-side by Reflex). It is never a
state var, so no page script and no state snapshot holds it.

Asking is cheap: a session this worker confirmed within ``session_recheck_seconds`` is answered from memory
(``services.auth.recent_actor``); otherwise the database is asked in a worker thread, never on the event loop.
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from opsportal import routes
from opsportal.auth.security import session_token_from_cookie_header
from opsportal.domain import formats
from opsportal.services import audit
from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.errors import AuthenticationFailed, ServiceError
from opsportal.state import offload


def session_token(state: rx.State) -> str:
    """The session token in the cookie this browser's socket was opened with ("" when signed out)."""
    return session_token_from_cookie_header(state.router.headers.cookie)


class AuthState(rx.State):
    # The login session the client's stored state was built for (state/session_guard.py resets the whole state
    # when the cookie's session differs). Backend-only: never sent to the browser.
    _session_id: str = ""
    user_name: str = ""
    user_email: str = ""
    role: str = ""
    role_label: str = ""
    organization_id: int = 0
    organization_name: str = ""
    is_staff: bool = False
    signed_in: bool = False
    # The zone every time on the pages is shown in, named in the page footer ("Europe/London (GMT)").
    time_zone: str = ""
    time_zone_label: str = ""
    # Policy requires two-step verification and the user has not set it up: every page but Account sends them there.
    mfa_setup_due: bool = False
    has_subsidiaries: bool = False  # the navigation offers owners and administrators the parent-company roll-up

    def _zone_label(self, actor: Actor | None) -> str:
        if actor is None:
            return ""
        if actor.time_zone == self.time_zone and self.time_zone_label:
            return self.time_zone_label  # this runs on every event: worked out again only when the zone changes
        return formats.zone_label(actor.time_zone)

    def _show(self, actor: Actor | None) -> None:
        shown = {
            "signed_in": actor is not None,
            "user_name": (actor.full_name or actor.email) if actor else "",
            "user_email": actor.email if actor else "",
            "role": actor.role.value if actor else "",
            "role_label": actor.role.label if actor else "",
            "organization_id": (actor.organization_id or 0) if actor else 0,
            "organization_name": (actor.organization_name or "OpsPortal support team") if actor else "",
            "is_staff": bool(actor and actor.is_staff),
            "time_zone": actor.time_zone if actor else "",
            "time_zone_label": self._zone_label(actor),
            "mfa_setup_due": bool(actor and actor.mfa_setup_due),
            "has_subsidiaries": bool(actor and actor.has_subsidiaries),
        }
        for name, value in shown.items():
            if getattr(self, name) != value:  # an unchanged var stays out of the event's delta
                setattr(self, name, value)

    async def current_actor(self) -> Actor | None:
        """The live actor behind the cookie, or None (and the view forgets the user)."""
        note_client_address(self)
        token = session_token(self)
        actor = auth_service.recent_actor(token)
        if actor is None:
            try:
                actor = await offload.run(auth_service.authenticate, token)
            except AuthenticationFailed:
                self._show(None)
                return None
        self._show(actor)
        return actor

    def _to_login(self):
        path = self.router.url.path or routes.DASHBOARD
        target = routes.LOGIN if path in ("", "/", routes.LOGIN) else f"{routes.LOGIN}?next={quote(path)}"
        return rx.redirect(target)

    def _gate(self, actor: Actor | None):
        """Where a page's caller must go instead: the login page when signed out, Account while two-step
        verification that policy requires is not set up; None when they may stay."""
        if actor is None:
            return self._to_login()
        if actor.mfa_setup_due and (self.router.url.path or "/").rstrip("/") != routes.ACCOUNT:
            return rx.redirect(routes.ACCOUNT)
        return None

    @rx.event
    async def require_login(self):
        return self._gate(await self.current_actor())


def note_client_address(state: rx.State) -> None:
    """What this event's handler changes is recorded as coming from the browser's address (the audit log); Reflex
    reads it behind ``trusted_proxy_hops`` proxies from X-Forwarded-For."""
    audit.set_client_address(state.router.session.client_ip)


async def actor_or_redirect(state: rx.State):
    """(actor, None) for a signed-in caller, else (None, redirect to the login page)."""
    auth = await state.get_state(AuthState)
    actor = await auth.current_actor()
    redirect = auth._gate(actor)
    return (None, redirect) if redirect is not None else (actor, None)


async def run_as_actor(state: rx.State, work, *, on_error: str = "error"):
    """Re-authenticate, run ``work(actor)``, then ``state._refresh(actor)``, both in a worker thread.

    A service's refusal (``ServiceError``) becomes the text of the state's ``on_error`` field
    and nothing is refreshed; a signed-out caller is sent to the login page.
    """
    actor, redirect = await actor_or_redirect(state)
    if actor is None:
        return redirect

    def work_then_refresh():
        result = work(actor)
        state._refresh(actor)
        return result

    try:
        return await offload.run(work_then_refresh)
    except ServiceError as exc:
        setattr(state, on_error, str(exc))
        return None
