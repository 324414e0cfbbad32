"""The support team's queue: every organization's tasks, filtered, searched, sorted, one page at a time."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.tasks import CATEGORIES, CLOSED_STATUSES, OPEN_STATUSES, TaskStatus
from opsportal.services import agent_work, organizations, sla
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25
ORG_OPTIONS = 50
TABS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, "all": frozenset(TaskStatus)}
SORTS = {"updated": "Last updated", "created": "Newest", "oldest": "Oldest", "time": "Most time logged",
         "title": "Title (A–Z)", "breach": "Time to breach"}
# The queue's service-level badges (the words say it; the colour repeats it).
SLA_BADGES = {"breached": ("Breached", "red"), "near": ("Due soon", "amber")}


def staff_label(status: str) -> str:
    """A status as the support team reads it: the customer's "Waiting on you" is "Waiting on customer" here."""
    return formats.label(status, staff=True)


def status_options(tab: str) -> list[dict[str, str]]:
    return [{"value": s.value, "label": staff_label(s.value)} for s in TaskStatus if s in TABS[tab]]


class QueueState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    tab: str = "open"
    status: str = ""
    statuses: list[dict[str, str]] = status_options("open")
    categories: list[str] = list(CATEGORIES)
    category: str = ""
    org_id: str = ""
    org_query: str = ""
    org_options: list[dict[str, str]] = []
    mine: bool = False
    unassigned: bool = False
    search: str = ""
    sort: str = "updated"
    sorts: list[dict[str, str]] = [{"value": k, "label": v} for k, v in SORTS.items()]
    rows: list[dict[str, str]] = []
    total: int = 0
    total_label: str = ""

    async def _load_page(self, page: int, *, with_orgs: bool = False):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page, with_orgs)

    def _list(self, actor: Actor, page: int, with_orgs: bool) -> None:
        try:
            if with_orgs:
                self._load_orgs(actor)
            listing = agent_work.queue(
                actor, tab=self.tab, search=self.search, status=self.status, category=self.category,
                organization_id=int(self.org_id) if self.org_id else None, mine=self.mine,
                unassigned=self.unassigned, sort=self.sort, page=page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows, self.org_options = False, str(exc), [], []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.total_label = f"{formats.count(listing.total)} task" + ("" if listing.total == 1 else "s")
        rows = [
            {"id": str(r.id), "title": r.title, "organization": r.organization, "status": staff_label(r.status),
             "category": r.category, "priority": formats.label(r.priority), "agent": r.agent or "Unassigned",
             "time": formats.duration(r.minutes_logged), "updated": formats.instant(r.updated_at, actor.time_zone),
             "href": routes.staff_task(r.id)}
            for r in listing.items
        ]
        marks = sla.queue_marks(actor, [r.id for r in listing.items])
        for row in rows:
            mark = marks.get(int(row["id"]))
            badge, color = SLA_BADGES.get(mark.tone if mark else "", ("", "gray"))
            row.update(sla=mark.text if mark else "", sla_tone=mark.tone if mark else "", sla_badge=badge,
                       sla_color=color)
        self.rows = rows

    def _load_orgs(self, actor) -> None:
        listing = organizations.list_organizations(actor, search=self.org_query, page_size=ORG_OPTIONS)
        options = [{"id": str(o.id), "name": o.name} for o in listing.items]
        chosen = next((o for o in self.org_options if o["id"] == self.org_id), None)
        if chosen and chosen not in options:
            options.insert(0, chosen)  # keep the chosen organization selectable while searching for another
        self.org_options = options

    @rx.event
    async def load(self):
        self.error = ""
        self.search = self.org_query = ""
        raw_org = self.router.url.query_parameters.get("org", "")
        self.org_id = raw_org if raw_org.isdigit() else ""
        return await self._load_page(1, with_orgs=True)

    @rx.event
    async def set_tab(self, value: str | list[str]):
        value = value if isinstance(value, str) else ""
        if value not in TABS:
            return
        self.tab, self.status, self.statuses = value, "", status_options(value)
        return await self._load_page(1)

    @rx.event
    async def set_status(self, value: str):
        self.status = value if value in {s["value"] for s in self.statuses} else ""
        return await self._load_page(1)

    @rx.event
    async def set_category(self, value: str):
        self.category = value if value in CATEGORIES else ""
        return await self._load_page(1)

    @rx.event
    async def set_org(self, value: str):
        self.org_id = value if value.isdigit() else ""
        return await self._load_page(1)

    @rx.event
    async def set_org_query(self, value: str):
        self.org_query = value[:100]
        return await self._load_page(1, with_orgs=True)

    @rx.event
    async def set_mine(self, value: bool):
        self.mine = bool(value)
        if self.mine:
            self.unassigned = False
        return await self._load_page(1)

    @rx.event
    async def set_unassigned(self, value: bool):
        self.unassigned = bool(value)
        if self.unassigned:
            self.mine = False
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        return await self._load_page(1)

    @rx.event
    async def set_sort(self, value: str):
        self.sort = value if value in SORTS else "updated"
        return await self._load_page(1)

