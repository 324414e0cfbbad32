"""The Account page: the caller's own password and the time zone every time in the portal is shown in."""

from __future__ import annotations

import threading
from datetime import datetime

import reflex as rx

from opsportal import clock
from opsportal.domain import formats
from opsportal.services import auth as auth_service
from opsportal.services import users
from opsportal.services.errors import ServiceError
from opsportal.services.users import TimeZoneSetting
from opsportal.state import offload
from opsportal.state.account_sessions import AccountSessionsState
from opsportal.state.auth import AuthState, actor_or_redirect

# The select's value for "no zone of my own": the organization's default applies.
ORGANIZATION_DEFAULT = ""
PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")

_choices_lock = threading.Lock()
_choices: tuple[datetime | None, list[dict[str, str]]] = (None, [])


def zone_choices(now: datetime | None = None) -> list[dict[str, str]]:
    """Every zone a user may pick as "Area/City (abbreviation now)"; worked out once an hour (daylight saving)."""
    global _choices
    now = now or clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)  # the cache key
    with _choices_lock:
        if _choices[0] != hour:
            _choices = (hour, [{"value": name, "label": formats.zone_label(name, now)}
                               for name in formats.selectable_time_zones()])
        return _choices[1]


class AccountState(rx.State):
    error: str = ""
    message: str = ""
    # Which password field each problem belongs to: it clears as soon as that field changes.
    password_problems: dict[str, str] = {}
    zone_options: list[dict[str, str]] = []
    zone_value: str = ORGANIZATION_DEFAULT
    zone_default_label: str = ""
    zone_current: str = ""
    zone_error: str = ""
    zone_message: str = ""

    def _show_zone(self, setting: TimeZoneSetting) -> None:
        self.zone_value = setting.chosen or ORGANIZATION_DEFAULT
        self.zone_default_label = f"Organization default: {formats.zone_label(setting.organization_default)}"
        self.zone_current = formats.zone_label(setting.effective)

    @rx.event
    async def change_password(self, form_data: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.message = ""
        new = str(form_data.get("new_password", ""))
        if new != str(form_data.get("confirm_password", "")):
            self._password_refused("confirm_password", "Repeat new password does not match New password.")
            return
        try:
            # This browser's session stays; every other session of the user ends.
            await offload.run(auth_service.change_password, actor,
                              current=str(form_data.get("current_password", "")), new=new)
        except ServiceError as exc:
            self._password_refused(*password_problem(str(exc)))
            return
        self.error, self.password_problems = "", {}
        self.message = "Password changed. You were signed out everywhere else."
        return [*(rx.set_value(name, "") for name in PASSWORD_FIELDS), AccountSessionsState.load_sessions]

    def _password_refused(self, name: str, message: str) -> None:
        self.error, self.password_problems = message, {name: message}

    @rx.event
    def password_edited(self, name: str):
        """A password field changed: its problem (and the message naming it) goes away."""
        if name in self.password_problems:
            self.password_problems = {k: v for k, v in self.password_problems.items() if k != name}
            if not self.password_problems:
                self.error = ""

    @rx.event
    def choose_zone(self, value: str):
        self.zone_value = str(value)
        self.zone_error = self.zone_message = ""

    @rx.event
    async def save_zone(self, form_data: dict | None = None):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        value = str((form_data or {}).get("time_zone", self.zone_value))
        self.zone_error = self.zone_message = ""
        try:
            setting = await offload.run(users.set_time_zone, actor,
                                        None if value == ORGANIZATION_DEFAULT else value)
        except ServiceError as exc:
            self.zone_error = str(exc)
            return
        self._show_zone(setting)
        await (await self.get_state(AuthState)).current_actor()  # the footer names the new zone
        self.zone_message = f"Saved. Times are now shown in {self.zone_current}."

    @rx.event
    async def load(self):
        self.error = self.message = self.zone_error = self.zone_message = ""
        self.password_problems = {}
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            setting, self.zone_options = await offload.run(lambda: (users.time_zone_setting(actor), zone_choices()))
        except ServiceError as exc:
            self.zone_error = str(exc)
            return
        self._show_zone(setting)


def password_problem(message: str) -> tuple[str, str]:
    """(field, message) for a refusal of the password change, the field named by its label on the form."""
    text = message.strip()
    lowered = text.lower()
    if "current password" in lowered:
        return "current_password", "Current password is not correct."
    if lowered.startswith("the new password must differ"):
        return "new_password", "New password must differ from Current password."
    if lowered.startswith("password "):
        return "new_password", "New password " + text[len("password "):]
    return "new_password", text
