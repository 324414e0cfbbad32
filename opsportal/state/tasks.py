"""The customer's task list: open and closed tabs, search, filters, sort, one page of rows at a time."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain.tasks import CATEGORIES, CLOSED_STATUSES, OPEN_STATUSES, TaskStatus
from opsportal.services import tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState
from opsportal.state.shared import org_read

PAGE_SIZE = 20
TABS = ("open", "closed")
SORT_OPTIONS = [
    {"value": "updated", "label": "Recently updated"},
    {"value": "created", "label": "Newest first"},
    {"value": "oldest", "label": "Oldest first"},
    {"value": "time", "label": "Most time logged"},
    {"value": "title", "label": "Title (A–Z)"},
]
CATEGORY_OPTIONS = [{"value": c, "label": c} for c in CATEGORIES]
_ORDER = list(TaskStatus)


def _status_options(statuses) -> list[dict[str, str]]:
    return [{"value": s.value, "label": s.label} for s in sorted(statuses, key=_ORDER.index)]


STATUS_OPTIONS = {"open": _status_options(OPEN_STATUSES), "closed": _status_options(CLOSED_STATUSES)}


class TasksState(PagedState, rx.State):
    tab: str = "open"
    search: str = ""
    status: str = ""
    category: str = ""
    sort: str = "updated"
    rows: list[dict[str, str]] = []
    total: int = 0
    error: str = ""

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return STATUS_OPTIONS.get(self.tab, [])

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search.strip() or self.status or self.category)

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_QUEUE)
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = org_read(actor, actor.organization_id or 0, tasks.list_tasks, tab=self.tab, search=self.search,
                               status=self.status, category=self.category, sort=self.sort, page=page,
                               page_size=PAGE_SIZE)
        except ServiceError as exc:
            self.error, self.rows, self.total = str(exc), [], 0
            return
        self.error = ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [task_views.task_row(r, actor.time_zone) for r in listing.items]

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def set_tab(self, value: str):
        if value in TABS and value != self.tab:
            self.tab, self.status = value, ""
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        return await self._load_page(1)

    @rx.event
    async def set_status(self, value: str):
        self.status = value if any(o["value"] == value for o in STATUS_OPTIONS.get(self.tab, [])) else ""
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
        return await self._load_page(1)

