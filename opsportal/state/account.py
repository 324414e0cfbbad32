from __future__ import annotations

import reflex as rx

from opsportal.services import auth as auth_service
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import AuthState, actor_or_redirect


class AccountState(rx.State):
    error: str = ""
    message: str = ""

    @rx.event
    async def change_password(self, form_data: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        new = str(form_data.get("new_password", ""))
        if new != str(form_data.get("confirm_password", "")):
            self.error, self.message = "The new passwords do not match.", ""
            return
        try:
            result = await offload.run(
                auth_service.change_password, actor, current=str(form_data.get("current_password", "")), new=new,
                user_agent=self.router.headers.user_agent or "",
            )
        except ServiceError as exc:
            self.error, self.message = str(exc), ""
            return
        auth = await self.get_state(AuthState)
        auth.token = result.token
        self.error = ""
        self.message = "Password changed. You were signed out everywhere else."
        return rx.set_value("current_password", "")

    @rx.event
    async def load(self):
        self.error = self.message = ""
        _actor, redirect = await actor_or_redirect(self)
        return redirect
