"""The Account page's two-step verification: its status, setting it up with an authenticator app, the recovery
codes (shown once), regenerating them and turning it off (both ask for the password)."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.services import mfa
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import AuthState, actor_or_redirect

CODES_FILE = "opsportal-recovery-codes.txt"
# Which password form is open under the status: none, regenerating the codes, or turning it off.
NO_FORM, REGENERATE, TURN_OFF = "", "regenerate", "off"


def codes_text(codes: list[str]) -> str:
    return ("OpsPortal recovery codes. Each works once, in place of a code from your authenticator app.\n\n"
            + "\n".join(codes) + "\n")


class AccountMfaState(rx.State):
    loaded: bool = False
    enabled: bool = False
    required: bool = False
    since: str = ""
    codes_left: int = 0
    setting_up: bool = False
    qr: str = ""
    secret_grouped: str = ""
    codes: list[str] = []
    codes_text: str = ""
    form: str = NO_FORM
    error: str = ""
    message: str = ""

    def _show(self, status: mfa.MfaStatus, time_zone: str) -> None:
        self.enabled, self.required, self.codes_left = status.enabled, status.required, status.recovery_codes_left
        self.since = formats.instant(status.enabled_at, time_zone) if status.enabled_at else ""
        self.loaded = True

    def _codes(self, codes: list[str]) -> None:
        self.codes, self.codes_text = codes, codes_text(codes) if codes else ""

    async def _run(self, work):
        """``work(actor)`` in a worker thread, then the status again; (result, True) or (None, False) on a refusal
        (its message in ``error``) or a signed-out caller (redirected)."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect, False

        def run():
            result = work(actor)
            return result, mfa.status(actor)

        try:
            result, status = await offload.run(run)
        except ServiceError as exc:
            self.error = str(exc)
            return None, False
        self._show(status, actor.time_zone)
        return result, True

    @rx.event
    async def load(self):
        self.error = self.message = self.qr = self.secret_grouped = ""
        self.setting_up, self.form = False, NO_FORM
        self._codes([])
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            status = await offload.run(mfa.status, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self._show(status, actor.time_zone)

    @rx.event
    async def begin(self):
        self.error = self.message = ""
        self._codes([])
        enrolment, ok = await self._run(mfa.begin_enrolment)
        if not ok:
            return enrolment
        self.qr, self.secret_grouped, self.setting_up = enrolment.qr_data_uri, enrolment.grouped_secret, True

    @rx.event
    def cancel(self):
        self.setting_up, self.qr, self.secret_grouped, self.error = False, "", "", ""

    @rx.event
    async def confirm(self, form_data: dict):
        self.error = self.message = ""
        code = str(form_data.get("code", ""))[:64]
        codes, ok = await self._run(lambda actor: mfa.confirm_enrolment(actor, code))
        if not ok:
            return codes
        self.setting_up, self.qr, self.secret_grouped = False, "", ""
        self._codes(codes)
        self.message = "Two-step verification is on. Save your recovery codes now."
        await (await self.get_state(AuthState)).current_actor()  # no longer sent here by the pages

    @rx.event
    def open_form(self, which: str):
        self.error = self.message = ""
        self.form = which if which in (REGENERATE, TURN_OFF) else NO_FORM

    @rx.event
    async def regenerate(self, form_data: dict):
        self.error = self.message = ""
        password = str(form_data.get("password", ""))
        codes, ok = await self._run(lambda actor: mfa.regenerate_recovery_codes(actor, password))
        if not ok:
            return codes
        self.form = NO_FORM
        self._codes(codes)
        self.message = "New recovery codes made: the earlier ones no longer work."

    @rx.event
    async def turn_off(self, form_data: dict):
        self.error = self.message = ""
        password = str(form_data.get("password", ""))
        result, ok = await self._run(lambda actor: mfa.disable(actor, password))
        if not ok:
            return result
        self.form = NO_FORM
        self._codes([])
        self.message = "Two-step verification is off. Signing in needs only your password."

    @rx.event
    def codes_saved(self):
        self._codes([])
        self.message = ""

    @rx.event
    def download_codes(self):
        return rx.download(data=self.codes_text, filename=CODES_FILE)

    @rx.event
    def copy_codes(self):
        self.message = "Recovery codes copied."
        return rx.set_clipboard(self.codes_text)
