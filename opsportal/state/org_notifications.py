"""The organization page's part for its owners and administrators (and staff administrators): inviting users by
e-mail, the pending invitations, and the low support-hours alert threshold."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.ledger.quantities import parse_quantity
from opsportal.domain.roles import Role
from opsportal.services import account_links, authz, low_balance
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError, sentence
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect

INVITABLE = (Role.member, Role.billing, Role.admin, Role.owner)
THRESHOLD_LABEL = "Alert below"


def _requested_org(path: str) -> int | None:
    raw = str(path).rstrip("/").rsplit("/", 1)[-1]
    return int(raw) if raw.isdigit() else None


def _may_manage(actor: Actor, org_id: int) -> bool:
    return authz.may_manage(actor, org_id)


class OrgNotificationsState(rx.State):
    allowed: bool = False
    org_id: int = 0
    error: str = ""
    notice: str = ""
    invitations: list[dict[str, str]] = []
    roles: list[dict[str, str]] = []
    invite_open: bool = False
    invite_key: int = 0
    invite_error: str = ""
    threshold_label: str = ""
    threshold_input: str = ""
    threshold_set: bool = False
    threshold_error: str = ""
    threshold_message: str = ""
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    def _refresh(self, actor: Actor) -> None:
        self.invitations = [
            {"id": str(i.id), "email": i.email, "role": Role(i.role).label,
             "expires": formats.instant(i.expires_at, self._time_zone)}
            for i in account_links.pending_invitations(actor, self.org_id)
        ]
        minutes = low_balance.low_balance_threshold(actor, self.org_id)
        self.threshold_set = minutes is not None
        if minutes is None:
            self.threshold_label, self.threshold_input = "No alert is set.", ""
        else:
            hours, rest = divmod(minutes, 60)
            self.threshold_label = f"Alert below {formats.duration(minutes)} of available support hours."
            self.threshold_input = f"{hours}:{rest:02d}"

    async def _actor(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is not None:
            self._time_zone = actor.time_zone
        return actor, redirect

    @rx.event
    async def load(self):
        self.error = self.notice = self.invite_error = self.threshold_error = self.threshold_message = ""
        self.invite_open, self.allowed, self.invitations = False, False, []
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        org_id = _requested_org(self.router.url.path)
        if org_id is None or not _may_manage(actor, org_id):
            return
        self.org_id = org_id
        owner_like = actor.role in (Role.owner, Role.staff_admin)
        self.roles = [{"value": r.value, "label": r.label} for r in INVITABLE if owner_like or r is not Role.owner]
        try:
            await offload.run(self._refresh, actor)
        except ServiceError:
            return
        self.allowed = True

    @rx.event
    def open_invite(self):
        self.invite_error = self.notice = self.error = ""
        self.invite_key += 1
        self.invite_open = True

    @rx.event
    def set_invite_open(self, value: bool):
        self.invite_open = bool(value)

    @rx.event
    async def invite(self, form: dict):
        self.invite_error = ""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        email = str(form.get("email", "")).strip()[:320]
        role = str(form.get("role", "")).strip()[:40]
        if not email:
            self.invite_error = "E-mail address: enter the address to invite."
            return

        def invite():
            # Sending the e-mail may wait on the SMTP server: not on the event loop.
            invitation = account_links.invite_user(actor, email=email, role=role, organization_id=self.org_id)
            self._refresh(actor)
            return invitation

        try:
            invitation = await offload.run(invite)
        except ServiceError as exc:
            self.invite_error = str(exc)
            return
        self.invite_open = False
        self.notice = (f"Invitation e-mailed to {invitation.email} as {Role(invitation.role).label.lower()}. "
                       f"The link works until {formats.instant(invitation.expires_at, self._time_zone)}.")

    @rx.event
    async def revoke(self, invitation_id: str):
        self.error = self.notice = ""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        row = next((i for i in self.invitations if i["id"] == str(invitation_id)), None)
        if row is None:
            self.error = "That invitation was not found; reload the page."
            return

        def revoke():
            account_links.revoke_invitation(actor, int(row["id"]))
            self._refresh(actor)

        try:
            await offload.run(revoke)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.notice = f"The invitation to {row['email']} was revoked; its link no longer works."

    async def _save_threshold(self, minutes: int | None):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect

        def save():
            low_balance.set_low_balance_threshold(actor, self.org_id, minutes)
            self._refresh(actor)

        try:
            await offload.run(save)
        except ServiceError as exc:
            self.threshold_error = str(exc)
            return
        self.threshold_message = ("The alert is off." if minutes is None else
                                  f"Saved. Subscribers are e-mailed once when available support hours fall below "
                                  f"{formats.duration(minutes)}.")

    @rx.event
    async def save_threshold(self, form: dict):
        self.threshold_error = self.threshold_message = ""
        try:
            minutes = parse_quantity(str(form.get("threshold", ""))[:40], "minute")
        except ValueError as exc:
            problem = sentence(str(exc))
            self.threshold_error = f"{THRESHOLD_LABEL}: {problem[:1].lower()}{problem[1:]}"
            return
        return await self._save_threshold(minutes)

    @rx.event
    def invite_edited(self, _value: str = ""):
        """The invitation's message answers the fields as they were sent: it goes once one is changed."""
        self.invite_error = ""

    @rx.event
    def threshold_edited(self, _value: str = ""):
        self.threshold_error = ""

    @rx.event
    async def remove_threshold(self):
        self.threshold_error = self.threshold_message = ""
        return await self._save_threshold(None)
