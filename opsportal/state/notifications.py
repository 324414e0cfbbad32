"""Notifications page: the caller's own subscriptions and, for owners and administrators, who in the organization
receives what. Every handler asks who is calling again; the service decides what may change and when the last
subscriber must confirm."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.notifications import NotificationKind
from opsportal.domain.roles import ORG_MANAGER_ROLES, Role
from opsportal.services import low_balance, subscriptions
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

MEMBER_PAGE = 20
KINDS = tuple(NotificationKind)
# What the organization table shows in a cell: "on", "off", or "" (the role is not offered it).
ON, OFF = "on", "off"


def _threshold_note(minutes: int | None) -> str:
    if minutes is None:
        return "No alert threshold is set: owners and administrators set one on the Organization page."
    return f"The alert threshold is {formats.duration(minutes)} of available support hours."


class NotificationsState(PagedState, rx.State):
    loaded: bool = False
    denied: str = ""
    staff_note: bool = False
    error: str = ""
    message: str = ""
    org_name: str = ""
    mine: list[dict[str, str]] = []
    is_manager: bool = False
    members: list[dict[str, str]] = []
    total: int = 0
    # The last-subscriber confirmation: who (0: the caller) and which notification.
    confirm_open: bool = False
    confirm_title: str = ""
    confirm_text: str = ""
    confirm_kind: str = ""
    confirm_user_id: int = 0

    def _refresh_mine(self, actor: Actor) -> None:
        statuses = subscriptions.list_subscriptions(actor)
        threshold_note = ""
        if any(s.kind == NotificationKind.low_balance.value for s in statuses):
            threshold_note = _threshold_note(low_balance.low_balance_threshold(actor, actor.organization_id))
        self.mine = [
            {"kind": s.kind, "label": s.label, "description": s.description, "on": ON if s.subscribed else OFF,
             "note": " ".join(filter(None, [
                 threshold_note if s.kind == NotificationKind.low_balance.value else "",
                 "" if s.chosen or not s.subscribed else "You receive it because of your role until you choose.",
             ]))}
            for s in statuses
        ]

    def _refresh_members(self, actor: Actor, page: int) -> None:
        self.is_manager = actor.role in ORG_MANAGER_ROLES
        if not self.is_manager:
            self.members, self.total, self.page, self.pages = [], 0, 1, 1
            return
        listing = subscriptions.organization_subscriptions(actor, actor.organization_id, page=page,
                                                           page_size=MEMBER_PAGE)
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        rows = []
        for m in listing.items:
            row = {"user_id": str(m.user_id), "name": m.full_name or m.email, "email": m.email,
                   "role": Role(m.role).label, "me": "yes" if m.user_id == actor.user_id else ""}
            for kind in KINDS:
                row[kind.value] = "" if kind.value not in m.subscriptions else ON if m.subscriptions[kind.value] \
                    else OFF
            rows.append(row)
        self.members = rows

    def _refresh(self, actor: Actor, page: int | None = None) -> None:
        self.org_name = actor.organization_name or ""
        self._refresh_mine(actor)
        self._refresh_members(actor, page or self.page)

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(self._refresh_members, actor, page)
        except ServiceError as exc:
            self.error = str(exc)

    @rx.event
    async def load(self):
        self.error = self.message = self.denied = ""
        self.confirm_open = False
        self.loaded = self.staff_note = False
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff or actor.organization_id is None:
            self.staff_note = True
            self.mine, self.members = [], []
            return
        try:
            await offload.run(self._refresh, actor, 1)
        except ServiceError as exc:
            self.denied = str(exc)
            return
        self.loaded = True

    async def _change(self, kind: str, subscribed: bool, user_id: int | None, confirm: bool = False):
        self.error = self.message = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._set_subscription, actor, kind, subscribed, user_id, confirm)

    def _set_subscription(self, actor: Actor, kind: str, subscribed: bool, user_id: int | None, confirm: bool):
        try:
            result = subscriptions.set_subscription(actor, kind, subscribed, user_id=user_id, confirm=confirm)
            if result.needs_confirmation:
                self.confirm_kind, self.confirm_user_id = result.kind, user_id or 0
                self.confirm_title = f"Nobody in {actor.organization_name} will receive the {result.label.lower()}"
                self.confirm_text = result.message
                self.confirm_open = True
                return
            self.confirm_open = False
            self.message = result.message
            self._refresh(actor)
        except ServiceError as exc:
            self.confirm_open = False
            self.error = str(exc)

    @rx.event
    async def toggle(self, kind: str, subscribed: bool):
        """The caller's own switch."""
        return await self._change(str(kind), bool(subscribed), None)

    @rx.event
    async def toggle_member(self, user_id: str, kind: str, subscribed: bool):
        """A cell of the organization table (owners and administrators)."""
        if not str(user_id).isdigit():
            self.error = "That user was not found; reload the page."
            return
        return await self._change(str(kind), bool(subscribed), int(user_id))

    @rx.event
    async def confirm_unsubscribe(self):
        if not self.confirm_kind:
            self.confirm_open = False
            return
        return await self._change(self.confirm_kind, False, self.confirm_user_id or None, confirm=True)

    @rx.event
    def set_confirm_open(self, value: bool):
        self.confirm_open = bool(value)
