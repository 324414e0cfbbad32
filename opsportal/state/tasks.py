"""The customer's task list: open and closed tabs, search, filters, sort, one page of rows at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

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
from opsportal.state.task_filtering import TaskFilterMixin

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


@dataclass(frozen=True)
class TaskFilters:
    """What the list shows; kept in the page's address (``?tab=closed&q=vpn&page=2``) so reload, back and a shared
    link show the same list."""

    tab: str = "open"
    search: str = ""
    status: str = ""
    category: str = ""
    sort: str = "updated"
    page: int = 1


_QUERY_NAMES = {"tab": "tab", "search": "q", "status": "status", "category": "category", "sort": "sort",
                "page": "page"}
_DEFAULTS = TaskFilters()


def filters_from_query(query: Mapping[str, str]) -> TaskFilters:
    """The filters an address asks for; anything unknown falls back to its default."""
    tab = query.get("tab", "") if query.get("tab", "") in TABS else "open"
    status = query.get("status", "")
    raw_page = str(query.get("page", ""))
    return TaskFilters(
        tab=tab,
        search=str(query.get("q", ""))[:100],
        status=status if any(o["value"] == status for o in STATUS_OPTIONS[tab]) else "",
        category=query.get("category", "") if query.get("category", "") in CATEGORIES else "",
        sort=query.get("sort", "") if query.get("sort", "") in tasks.SORTS else "updated",
        page=int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 and int(raw_page) > 0 else 1,
    )


def tasks_url(filters: TaskFilters) -> str:
    """The list's address for ``filters``: only what differs from the defaults."""
    values = asdict(filters)
    query = {_QUERY_NAMES[k]: v for k, v in values.items() if v != getattr(_DEFAULTS, k)}
    return routes.TASKS + ("?" + urlencode(query) if query else "")


class TasksState(TaskFilterMixin, PagedState, rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    error: str = ""
    # What the address bar should say after each load (components/address.py writes it without a navigation).
    address: str = ""
    address_version: int = 0

    def _status_choices(self) -> dict[str, list[dict[str, str]]]:
        return STATUS_OPTIONS

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
        await offload.run(self._list, actor, page)
        self._keep_in_address()
        return None

    def _keep_in_address(self) -> None:
        """Writes the filters into the address bar without a navigation (the router keeps its own history state),
        unless the tab has moved on to another page while the list was read (the page's AddressKeeper)."""
        self.address = tasks_url(TaskFilters(tab=self.tab, search=self.search, status=self.status,
                                             category=self.category, sort=self.sort, page=self.page))
        self.address_version += 1

    def _list(self, actor: Actor, page: int) -> None:
        def read(page: int):
            return org_read(actor, actor.organization_id or 0, tasks.list_tasks, tab=self.tab, search=self.search,
                            status=self.status, category=self.category, sort=self.sort, page=page,
                            page_size=PAGE_SIZE)

        try:
            listing = read(page)
            if listing.page > listing.pages:  # an old or edited address: its last page instead of an empty one
                listing = read(listing.pages)
        except ServiceError as exc:
            self.error, self.rows, self.total = str(exc), [], 0
            return
        self.error = ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [task_views.task_row(r, actor.time_zone) for r in listing.items]

    @rx.event
    async def load(self):
        wanted = filters_from_query(self.router.url.query_parameters)
        self.tab, self.search, self.status = wanted.tab, wanted.search, wanted.status
        self.category, self.sort = wanted.category, wanted.sort
        return await self._load_page(wanted.page)


