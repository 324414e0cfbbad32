from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import organizations
from opsportal.services.authz import Actor
from opsportal.state.paging import StaffListMixin

PAGE_SIZE = 20


class StaffState(StaffListMixin, rx.State):
    search: str = ""

    def _read(self, actor: Actor, page: int):
        return organizations.list_organizations(actor, search=self.search, page=page, page_size=PAGE_SIZE)

    def _row(self, item, time_zone: str) -> dict[str, str]:
        return {"id": str(item.id), "name": item.name, "parent": item.parent_name or "—",
                "members": formats.count(item.member_count), "href": routes.organization(item.id)}

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        return await self._load_page(1)
