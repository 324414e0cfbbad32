from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.services import organizations
from opsportal.services.errors import PermissionDenied
from opsportal.state.auth import actor_or_redirect

PAGE_SIZE = 20


class StaffState(rx.State):
    allowed: bool = False
    denied: str = ""
    search: str = ""
    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    async def _fetch(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            listing = organizations.list_organizations(actor, search=self.search, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        self.allowed, self.denied = True, ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [
            {"id": str(r.id), "name": r.name, "parent": r.parent_name or "—", "members": str(r.member_count),
             "href": routes.organization(r.id)}
            for r in listing.items
        ]

    @rx.event
    async def load(self):
        return await self._fetch(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        return await self._fetch(1)

    @rx.event
    async def next_page(self):
        if self.page < self.pages:
            return await self._fetch(self.page + 1)

    @rx.event
    async def previous_page(self):
        if self.page > 1:
            return await self._fetch(self.page - 1)
