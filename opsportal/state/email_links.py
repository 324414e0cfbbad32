"""The pages e-mail links open, signed in or not: one-click unsubscribe (with undo), forgot and reset password,
accepting an invitation. The link's token is the only credential; the services check it on every use."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain.identity import MIN_PASSWORD_LENGTH
from opsportal.domain.notifications import NotificationKind
from opsportal.services import account_links, subscriptions
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import AuthState, note_client_address

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters; no spaces at the start or end."
MISSING_LINK = "This link is incomplete. Open it again from the e-mail, or copy all of it into the address bar."
# ?notice= values the sign-in page explains.
LOGIN_NOTICES = {
    "password-reset": "Your password was changed and you were signed out everywhere. Sign in with the new password.",
    "invited": "Your account is ready. Sign in with your e-mail address and the password you chose.",
}


def _query_token(state: rx.State) -> str:
    return str(state.router.url.query_parameters.get("token", "") or "").strip()[:2000]


class UnsubscribeState(rx.State):
    # working | unsubscribed | subscribed | failed
    status: str = "working"
    headline: str = ""
    detail: str = ""
    warning: str = ""
    error: str = ""
    _token: str = ""

    def _show(self, result: subscriptions.LinkSubscriptionResult) -> None:
        what = result.label.lower()
        self.error = ""
        if result.subscribed:
            self.status, self.headline = "subscribed", "You are subscribed again"
            self.detail = f"You will receive the {what} for {result.organization} again ({result.email})."
            self.warning = ""
        else:
            self.status, self.headline = "unsubscribed", "You are unsubscribed"
            self.detail = f"You will no longer receive the {what} for {result.organization} ({result.email})."
            self.warning = (f"No one in {result.organization} receives the {what} any more. "
                            f"{NotificationKind(result.kind).loss_warning}") if result.nobody_left else ""

    def _fail(self, message: str) -> None:
        self.status, self.headline, self.detail, self.warning, self.error = "failed", "", "", "", message

    async def _apply(self, subscribe: bool):
        if not self._token:
            self._fail(MISSING_LINK)
            return
        use = subscriptions.resubscribe_by_token if subscribe else subscriptions.unsubscribe_by_token
        note_client_address(self)
        try:
            self._show(await offload.run(use, self._token))
        except ServiceError as exc:
            self._fail(str(exc))

    @rx.event
    async def load(self):
        self.status, self.headline, self.detail, self.warning, self.error = "working", "", "", "", ""
        self._token = _query_token(self)
        await self._apply(False)

    @rx.event
    async def undo(self):
        await self._apply(True)

    @rx.event
    async def unsubscribe_again(self):
        await self._apply(False)


class ForgotPasswordState(rx.State):
    answer: str = ""
    error: str = ""

    @rx.event
    def load(self):
        self.answer = self.error = ""

    @rx.event
    async def submit(self, form: dict):
        email = str(form.get("email", "")).strip()
        if not email:
            self.error, self.answer = "Enter the e-mail address you sign in with.", ""
            return
        self.error = ""
        # Sending the e-mail may wait on the SMTP server: not on the event loop.
        self.answer = await offload.run(account_links.request_password_reset, email[:320])


class _LinkFormState(rx.State, mixin=True):
    """A form opened from a one-time e-mail link: the token comes from the URL, problems with the link
    (missing, invalid, used, expired) are told apart from problems with what was typed."""

    error: str = ""
    link_problem: bool = False
    link_email: str = ""  # whose link it is, once checked
    link_organization: str = ""  # invitations: the organization and role offered
    link_role: str = ""
    _token: str = ""

    def _purpose(self) -> str:
        raise NotImplementedError

    @rx.event
    async def load(self):
        self._token = _query_token(self)
        self.link_email = self.link_organization = self.link_role = ""
        self.link_problem = not self._token
        self.error = MISSING_LINK if not self._token else ""
        if not self._token:
            return
        # Say at once that a link is used or expired, rather than after the form is filled in.
        try:
            found = await offload.run(account_links.check_link, self._token, self._purpose())
        except ServiceError as exc:
            self._refused(exc)
            return
        self.link_email, self.link_organization, self.link_role = found.email, found.organization, found.role_label

    def _passwords_differ(self, form: dict, field: str, message: str = "The two passwords do not match.") -> bool:
        if str(form.get(field, "")) != str(form.get("confirm_password", "")):
            self.error, self.link_problem = message, False
            return True
        return False

    @rx.event
    def edited(self, _value: str = ""):
        """A field was changed: the message about what was typed goes (one about the link stays)."""
        if not self.link_problem and self.error:
            self.error = ""

    def _refused(self, exc: ServiceError) -> None:
        self.error = str(exc)
        self.link_problem = self.error in (account_links.LINK_INVALID, account_links.LINK_USED,
                                           account_links.LINK_EXPIRED)


class ResetPasswordState(_LinkFormState, rx.State):
    def _purpose(self) -> str:
        return "reset"

    @rx.event
    async def submit(self, form: dict):
        password = str(form.get("new_password", ""))
        if self._passwords_differ(form, "new_password"):
            return
        note_client_address(self)
        try:
            await offload.run(account_links.reset_password, self._token, password)
        except ServiceError as exc:
            self._refused(exc)
            return
        self.error, self.link_problem = "", False
        # Every session of the account was revoked, this browser's included.
        # The cookie, if any, names a revoked session now: the login page finds nobody signed in.
        (await self.get_state(AuthState))._show(None)
        return rx.redirect(f"{routes.LOGIN}?notice=password-reset")


class InvitationState(_LinkFormState, rx.State):
    def _purpose(self) -> str:
        return "invite"

    @rx.event
    async def submit(self, form: dict):
        password = str(form.get("password", ""))
        if self._passwords_differ(form, "password", "Repeat the password does not match Password."):
            return
        note_client_address(self)
        try:
            await offload.run(account_links.accept_invitation, self._token,
                              full_name=str(form.get("full_name", ""))[:400], password=password)
        except ServiceError as exc:
            self._refused(exc)
            if self.error.startswith("Give your full name"):  # named by the field's label
                self.error = "Full name: enter your name (1 to 200 characters)."
            return
        self.error, self.link_problem = "", False
        # Signing in happens only through the sign-in route (the one place the HttpOnly cookie is set): the new
        # user signs in with the password just chosen.
        return rx.redirect(f"{routes.LOGIN}?notice=invited")


class LoginNoticeState(rx.State):
    """What the sign-in page says after a password reset or an accepted invitation."""

    notice: str = ""

    @rx.event
    def load(self):
        self.notice = LOGIN_NOTICES.get(str(self.router.url.query_parameters.get("notice", "")), "")
