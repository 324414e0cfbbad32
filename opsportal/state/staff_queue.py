"""The support team's queue: every organization's tasks, filtered, searched, sorted, one page at a time.

The service-level words follow the clock while the queue is open ("Response due in 40 min", a minute later "39
min"; "Resolution overdue by …"): each row keeps its target's ``domain.sla_live.LiveTarget`` and the page's tick
rewords them without reading the database (``live.follow`` with no topics, only the tick).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.sla_live import words
from opsportal.domain.tasks import CATEGORIES, CLOSED_STATUSES, OPEN_STATUSES, TaskStatus
from opsportal.services import agent_work, organizations, sla
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState
from opsportal.state.task_sla import TICK_SECONDS, now_for_tick

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


def sla_words(text: str, tone: str) -> dict[str, str]:
    badge, color = SLA_BADGES.get(tone, ("", "gray"))
    return {"sla": text, "sla_tone": tone, "sla_badge": badge, "sla_color": color}


def reworded(rows: list[dict[str, str]], targets: dict[str, Any], now: datetime) -> list[dict[str, str]]:
    """The rows with each running target's words as they read at ``now``."""
    out = []
    for row in rows:
        target = targets.get(row["id"])
        said = words(target, now) if target is not None else None
        out.append(row | sla_words(*said) if said is not None else row)
    return out


def _no_topics(_actor: Actor, _value) -> list[str]:
    return []


def _nothing(_actor: Actor, _value) -> None:
    return None


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
    # The rows' running service-level targets by row id (domain.sla_live), and the tick loop's bookkeeping.
    _sla_live: dict[str, Any] = {}
    _cursor: int = 0
    _watch_id: str = ""
    _ticking: int = 1  # what the tick loop follows: the queue page itself, whatever its filters

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
            row.update(sla_words(mark.text if mark else "", mark.tone if mark else ""))
        self._sla_live = {str(i): m.live for i, m in marks.items() if m.live is not None}
        self.rows = rows

    def _apply(self, _data) -> None:  # the loop follows no topics: only the tick calls in
        return None

    def _apply_tick(self, now) -> None:
        rows = reworded(self.rows, self._sla_live, now)
        if rows != self.rows:
            self.rows = rows

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    @rx.event(background=True)
    async def watch(self):
        """Keeps the service-level words true to the clock while the queue is open."""
        async for event in live.follow(self, key="_ticking", topics=_no_topics, read=_nothing,
                                       tick=live.Tick(TICK_SECONDS, now_for_tick)):
            yield event

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
        self._watch_id = ""  # a loop of a page shown before stops
        redirect = await self._load_page(1, with_orgs=True)
        return redirect if redirect is not None else (QueueState.watch if self.allowed else None)

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

