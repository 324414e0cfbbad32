"""The organization page's switch, for the organization's owners: require two-step verification of everyone."""

from __future__ import annotations

import reflex as rx

from opsportal.services import mfa
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def _requested_org(path: str) -> int | None:
    raw = str(path).rstrip("/").rsplit("/", 1)[-1]
    return int(raw) if raw.isdigit() else None


class OrgMfaState(rx.State):
    allowed: bool = False
    org_id: int = 0
    name: str = ""
    required: bool = False
    error: str = ""
    message: str = ""

    def _show(self, setting: mfa.OrgMfaRequirement) -> None:
        self.org_id, self.name, self.required = setting.organization_id, setting.name, setting.required
        self.allowed = setting.may_change

    @rx.event
    async def load(self):
        self.allowed, self.error, self.message = False, "", ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        org_id = _requested_org(self.router.url.path)
        if org_id is None:
            return
        try:
            setting = await offload.run(mfa.org_requirement, actor, org_id)
        except ServiceError:
            return  # the page itself says the organization was not found
        self._show(setting)

    @rx.event
    async def set_required(self, value: bool):
        self.error = self.message = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            setting = await offload.run(mfa.set_org_requirement, actor, self.org_id, bool(value))
        except ServiceError as exc:
            self.error = str(exc)
            return
        self._show(setting)
        self.message = (f"Everyone in {self.name} must now use two-step verification." if self.required else
                        f"Two-step verification is now optional in {self.name}.")
