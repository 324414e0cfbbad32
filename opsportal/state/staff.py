from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import organizations
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20


class StaffState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    search: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = organizations.list_organizations(actor, search=self.search, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        self.allowed, self.denied = True, ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [
            {"id": str(r.id), "name": r.name, "parent": r.parent_name or "—", "members": formats.count(r.member_count),
             "href": routes.organization(r.id)}
            for r in listing.items
        ]

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        return await self._load_page(1)

