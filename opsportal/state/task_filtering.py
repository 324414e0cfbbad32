"""The filter controls a list of tasks shares (the customer's task list, the parent company's roll-up): tab, search,
status, category and sort, each answered by reading the list's first page again."""

from __future__ import annotations

import reflex as rx

from opsportal.domain.tasks import CATEGORIES
from opsportal.services import tasks


class TaskFilterMixin(rx.State, mixin=True):
    tab: str = "open"
    search: str = ""
    status: str = ""
    category: str = ""
    sort: str = "updated"

    def _status_choices(self) -> dict[str, list[dict[str, str]]]:
        """The status options of each tab (its keys are the tabs the list has)."""
        raise NotImplementedError

    def _clear_more(self) -> None:
        """Clears a list's own filters beyond the shared ones (``clear_filters``)."""

    async def _load_page(self, page: int):
        raise NotImplementedError

    def _status_allowed(self, value: str) -> bool:
        return any(o["value"] == value for o in self._status_choices().get(self.tab, []))

    @rx.event
    async def set_tab(self, value: str):
        if value in self._status_choices() and value != self.tab:
            self.tab = value
            if not self._status_allowed(self.status):
                self.status = ""
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        return await self._load_page(1)

    @rx.event
    async def set_status(self, value: str):
        self.status = value if self._status_allowed(value) else ""
        return await self._load_page(1)

    @rx.event
    async def set_category(self, value: str):
        self.category = value if value in CATEGORIES else ""
        return await self._load_page(1)

    @rx.event
    async def set_sort(self, value: str):
        self.sort = value if value in tasks.SORTS else "updated"
        return await self._load_page(1)

    @rx.event
    async def clear_filters(self):
        self.search, self.status, self.category = "", "", ""
        self._clear_more()
        return await self._load_page(1)
