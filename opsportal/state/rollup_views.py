"""How the parent-company roll-up reads (pure: no Reflex): its filters in the address, its rows in words.

The filters live in the page's address (``?sub=12&period=last_month&tab=all&q=vpn&page=2``), so reload, back, a
shared link and the CSV download show the same list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.rollup import PeriodChoice
from opsportal.domain.tasks import CATEGORIES, TaskStatus
from opsportal.services import rollup, tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import InvalidInput
from opsportal.services.pagination import Page
from opsportal.state import task_views

PAGE_SIZE = 20
TABS = ("open", "closed", "all")
TAB_OPTIONS = [{"value": "open", "label": "Open tasks"}, {"value": "closed", "label": "Closed tasks"},
               {"value": "all", "label": "All tasks"}]
PERIOD_OPTIONS = [{"value": c.value, "label": c.label} for c in PeriodChoice]
_ORDER = list(TaskStatus)
STATUS_OPTIONS = {
    "open": [{"value": s.value, "label": s.label} for s in _ORDER if s.is_open],
    "closed": [{"value": s.value, "label": s.label} for s in _ORDER if not s.is_open],
    "all": [{"value": s.value, "label": s.label} for s in _ORDER],
}


@dataclass(frozen=True)
class RollupFilters:
    org: str = ""  # the organization the roll-up is read for ("": the caller's own)
    sub: str = ""  # one organization of the tree ("": all of them)
    period: str = PeriodChoice.this_month.value
    start: str = ""  # ISO days of a custom period
    end: str = ""
    tab: str = "open"
    search: str = ""
    status: str = ""
    category: str = ""
    sort: str = "updated"
    page: int = 1

    @property
    def org_id(self) -> int | None:
        return int(self.org) if self.org else None

    @property
    def sub_id(self) -> int | None:
        return int(self.sub) if self.sub else None


_QUERY_NAMES = {"org": "org", "sub": "sub", "period": "period", "start": "from", "end": "to", "tab": "tab",
                "search": "q", "status": "status", "category": "category", "sort": "sort", "page": "page"}
_DEFAULTS = RollupFilters()


def _id(raw: object) -> str:
    text = str(raw or "")
    return text if text.isascii() and text.isdigit() and len(text) < 10 and int(text) > 0 else ""


def _day(raw: object) -> str:
    try:
        return date.fromisoformat(str(raw or "")[:10]).isoformat()
    except ValueError:
        return ""


def filters_from_query(query: Mapping[str, str]) -> RollupFilters:
    """The filters an address asks for; anything unknown falls back to its default."""
    tab = query.get("tab", "") if query.get("tab", "") in TABS else "open"
    status = query.get("status", "")
    period = query.get("period", "") if query.get("period", "") in {c.value for c in PeriodChoice} else "this_month"
    raw_page = str(query.get("page", ""))
    return RollupFilters(
        org=_id(query.get("org")), sub=_id(query.get("sub")), period=period,
        start=_day(query.get("from")) if period == "custom" else "",
        end=_day(query.get("to")) if period == "custom" else "",
        tab=tab, search=str(query.get("q", ""))[:100],
        status=status if any(o["value"] == status for o in STATUS_OPTIONS[tab]) else "",
        category=query.get("category", "") if query.get("category", "") in CATEGORIES else "",
        sort=query.get("sort", "") if query.get("sort", "") in tasks.SORTS else "updated",
        page=int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 and int(raw_page) > 0 else 1,
    )


def query_of(filters: RollupFilters, *, page: bool = True) -> dict[str, str]:
    return {_QUERY_NAMES[k]: str(v) for k, v in asdict(filters).items()
            if v != getattr(_DEFAULTS, k) and (page or k != "page")}


def rollup_url(filters: RollupFilters) -> str:
    query = query_of(filters)
    return routes.ROLLUP + ("?" + urlencode(query) if query else "")


def csv_url(filters: RollupFilters) -> str:
    query = query_of(filters, page=False)
    return routes.ROLLUP_CSV + ("?" + urlencode(query) if query else "")


def task_criteria(f: RollupFilters) -> dict:
    return {"subsidiary_id": f.sub_id, "tab": f.tab, "search": f.search, "status": f.status, "category": f.category,
            "sort": f.sort}


@dataclass(frozen=True)
class Reading:
    totals: rollup.Rollup
    tasks: Page[tasks.TaskRow]


def read(actor: Actor, filters: RollupFilters) -> Reading:
    """The roll-up's totals and one page of its tasks (the page clamped to the last one)."""
    try:
        first = date.fromisoformat(filters.start) if filters.start else None
        last = date.fromisoformat(filters.end) if filters.end else None
    except ValueError:
        raise InvalidInput("Give the days as dates.") from None
    totals = rollup.totals(actor, filters.org_id, choice=filters.period, first=first, last=last)
    listing = rollup.list_tasks(actor, filters.org_id, page=filters.page, page_size=PAGE_SIZE,
                                **task_criteria(filters))
    if listing.page > listing.pages:
        listing = rollup.list_tasks(actor, filters.org_id, page=listing.pages, page_size=PAGE_SIZE,
                                    **task_criteria(filters))
    return Reading(totals=totals, tasks=listing)


def _amounts(amounts: tuple[tuple[str, int], ...]) -> str:
    return " + ".join(formats.money(v, c) for c, v in amounts) or "—"


def totals_row(t: rollup.OrgTotals, filters: RollupFilters | None = None) -> dict[str, str]:
    href = ""
    if filters is not None and t.organization_id is not None:
        href = rollup_url(RollupFilters(**{**asdict(filters), "sub": str(t.organization_id), "page": 1}))
    return {"id": str(t.organization_id or ""), "name": t.name, "indent": f"{t.depth * 1.25}rem", "href": href,
            "open": formats.count(t.open_tasks), "closed": formats.count(t.closed_in_period),
            "time": formats.duration(t.minutes), "prepaid": formats.duration(t.prepaid_minutes),
            "payg": formats.duration(t.payg_minutes), "payg_value": _amounts(t.payg_amount_by_currency),
            "available": formats.duration(t.available_minutes)}


def task_row(row: tasks.TaskRow, time_zone: str) -> dict[str, str]:
    return {**task_views.task_row(row, time_zone), "href": routes.rollup_task(row.id),
            "organization": row.organization}


def period_words(span, time_zone: str) -> str:
    """``1 Dec 2026 – 3 Dec 2026 (Europe/London)``."""
    return f"{formats.day(span.first)} – {formats.day(span.last)} ({time_zone})"
