"""The login page's state: what the page says (the route's ?error= code in words) and where it sends a signed-in
user. The credentials never pass through here: the form POSTs to ``routes.SIGN_IN_ACTION`` (api/session_routes.py)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.api.session_routes import error_message
from opsportal.services.authz import Actor
from opsportal.state.auth import AuthState


def _landing(actor: Actor, next_param: str) -> str:
    """Where a signed-in user goes from the login page: ``?next=`` if safe, else their home."""
    return routes.landing(actor.is_staff, next_param)


class LoginState(rx.State):
    """Both steps' pages (routes.LOGIN and routes.LOGIN_CODE) say what their route's ?error= code means, and send a
    user who is already signed in where they were going."""

    error: str = ""

    @rx.event
    async def redirect_if_signed_in(self):
        query = self.router.url.query_parameters
        next_param = str(query.get("next", "") or "")
        code = str(query.get("error", "") or "")
        self.error = error_message(code, str(query.get("seconds", "") or query.get("minutes", "") or ""))
        auth = await self.get_state(AuthState)
        actor = await auth.current_actor()
        if actor is not None:
            # Honour ?next= here too: a signed-in user who opens the login page goes where they were going.
            return rx.redirect(_landing(actor, next_param))

