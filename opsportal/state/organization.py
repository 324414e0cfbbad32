from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain.roles import Role
from opsportal.services import organizations, users
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 10


def subsidiary_links(overview: organizations.OrganizationOverview) -> list[dict[str, str]]:
    """Each subsidiary's name and, for a caller allowed to open it, its page ("" otherwise: shown as text)."""
    return [{"name": s.name, "href": routes.organization(s.id) if s.may_open else ""} for s in overview.subsidiaries]


class OrganizationState(PagedState, rx.State):
    """One organization's page; the id comes from the URL, so the service decides if the caller may see it."""

    shown_id: int = 0
    name: str = ""
    parent_name: str = ""
    children: list[dict[str, str]] = []  # subsidiary_links()
    members: list[dict[str, str]] = []
    total: int = 0
    error: str = ""

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        org_id = self._requested_id()
        self.name = ""
        self.members = []
        if org_id is None:
            self.error = "That organization was not found or you do not have access to it."
            return
        return await offload.run(self._show, actor, org_id, page)

    def _show(self, actor: Actor, org_id: int, page: int) -> None:
        try:
            overview = organizations.get_overview(actor, org_id)
            listing = users.list_members(actor, org_id, page=page, page_size=PAGE_SIZE)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.shown_id = org_id
        self.name = overview.organization.name
        self.parent_name = overview.organization.parent_name or ""
        self.children = subsidiary_links(overview)
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.members = [
            {"name": u.full_name or "—", "email": u.email, "role": Role(u.role).label} for u in listing.items
        ]

    @rx.event
    async def load(self):
        return await self._load_page(1)

