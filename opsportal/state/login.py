from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.errors import AuthenticationFailed
from opsportal.state import offload
from opsportal.state.auth import AuthState, note_client_address


def _safe_next(target: str) -> str:
    # Only same-site paths: an attacker's ?next=https://evil.example must not redirect away.
    if target.startswith("/") and not target.startswith("//") and not target.startswith(routes.LOGIN):
        return target
    return routes.DASHBOARD


def _landing(actor: Actor, next_param: str) -> str:
    """Where a signed-in user goes from the login page: ``?next=`` if safe, else their home."""
    target = _safe_next(next_param)
    if actor.is_staff and target == routes.DASHBOARD:
        return routes.STAFF
    return target


class LoginState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def redirect_if_signed_in(self):
        self.error = ""
        auth = await self.get_state(AuthState)
        actor = await auth.current_actor()
        if actor is not None:
            # Honour ?next= here too: the page's load event can run after a quick sign-in,
            # and must then send the user where they were going, not to the dashboard.
            return rx.redirect(_landing(actor, self.router.url.query_parameters.get("next", "")))

    @rx.event
    async def submit(self, form_data: dict):
        email = str(form_data.get("email", "")).strip()
        password = str(form_data.get("password", ""))
        if not email or not password:
            self.error = "Enter your e-mail address and password."
            return
        note_client_address(self)
        try:
            result = await offload.run(
                auth_service.sign_in, email=email, password=password, user_agent=self.router.headers.user_agent or ""
            )
        except AuthenticationFailed as exc:
            self.error = str(exc)
            return
        self.error = ""
        auth = await self.get_state(AuthState)
        auth.token = result.token
        auth._show(result.actor)
        return rx.redirect(_landing(result.actor, self.router.url.query_parameters.get("next", "")))
