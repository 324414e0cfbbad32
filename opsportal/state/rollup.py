"""The parent-company roll-up page: totals per subsidiary for a period, then the filtered list of their tasks.

The page follows every organization of the tree on the change feed (``state.live``): time an agent logs on a
subsidiary's task shows in the totals and the list within seconds, without a reload.
"""

from __future__ import annotations

from dataclasses import asdict, replace

import reflex as rx

from opsportal.domain import formats
from opsportal.services import rollup
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState
from opsportal.state.rollup_views import (
    STATUS_OPTIONS,
    Reading,
    RollupFilters,
    csv_url,
    filters_from_query,
    period_words,
    read,
    rollup_url,
    task_row,
    totals_row,
)
from opsportal.state.task_filtering import TaskFilterMixin


def followed_topics(actor: Actor, address: str) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    return rollup.change_topics(actor, filters_from_query(dict(parse_qsl(urlsplit(address).query))).org_id)


def read_address(actor: Actor, address: str) -> Reading:
    from urllib.parse import parse_qsl, urlsplit

    return read(actor, filters_from_query(dict(parse_qsl(urlsplit(address).query))))


class RollupState(TaskFilterMixin, PagedState, rx.State):
    org: str = ""
    sub: str = ""
    period: str = "this_month"
    start: str = ""
    end: str = ""
    root_name: str = ""
    period_label: str = ""
    totals: list[dict[str, str]] = []
    total_row: dict[str, str] = {}
    subsidiaries: list[dict[str, str]] = []  # {"value": id, "label": name} of every organization of the tree
    rows: list[dict[str, str]] = []
    total: int = 0
    error: str = ""
    # What the address bar should say after each load (components/address.py writes it without a navigation); the
    # live loop is keyed by it, so a new filter starts a new loop for the new list.
    address: str = ""
    address_version: int = 0
    _cursor: int = 0
    _watch_id: str = ""
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    def _status_choices(self) -> dict[str, list[dict[str, str]]]:
        return STATUS_OPTIONS

    def _clear_more(self) -> None:
        self.sub = ""

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return STATUS_OPTIONS.get(self.tab, [])

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search.strip() or self.status or self.category or self.sub)

    @rx.var
    def csv_href(self) -> str:
        return csv_url(self._filters())

    def _filters(self, page: int | None = None) -> RollupFilters:
        return RollupFilters(org=self.org, sub=self.sub, period=self.period, start=self.start, end=self.end,
                             tab=self.tab, search=self.search, status=self.status, category=self.category,
                             sort=self.sort, page=self.page if page is None else page)

    def _apply(self, reading: Reading) -> None:
        t, listing = reading.totals, reading.tasks
        filters = self._filters()
        self.error = ""
        self.root_name = t.tree.root.name
        self.period_label = period_words(t.period, self._time_zone)
        self.totals = [totals_row(r, filters) for r in t.rows]
        self.total_row = totals_row(t.total)
        self.subsidiaries = [{"value": str(o.id), "label": ("\u2003" * o.depth) + o.name} for o in t.tree.orgs]
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [task_row(r, self._time_zone) for r in listing.items]

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self._time_zone = actor.time_zone
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change committed meanwhile wakes the page
        filters = self._filters(page)
        try:
            reading = await offload.run(read, actor, filters)
        except ServiceError as exc:
            self.error, self.rows, self.totals, self.total, self.total_row = str(exc), [], [], 0, {}
            return None
        self._apply(reading)
        self.address = rollup_url(replace(filters, page=self.page))
        self.address_version += 1
        return RollupState.watch

    @rx.event(background=True)
    async def watch(self):
        """Totals and the list follow what agents log and change on the tree's tasks, within a few seconds."""
        async for event in live.follow(self, key="address", topics=followed_topics, read=read_address):
            yield event

    @rx.event
    async def load(self):
        wanted = filters_from_query(self.router.url.query_parameters)
        for name, value in asdict(wanted).items():
            if name != "page":
                setattr(self, name, value)
        return await self._load_page(wanted.page)

    @rx.event
    async def set_period(self, value: str):
        self.period = value if value in ("this_month", "last_month", "custom") else "this_month"
        if self.period != "custom":
            self.start, self.end = "", ""
            return await self._load_page(1)
        return None  # a custom range is read when its days are applied

    @rx.event
    async def apply_range(self, form: dict):
        self.period = "custom"
        self.start, self.end = str(form.get("start", ""))[:10], str(form.get("end", ""))[:10]
        return await self._load_page(1)

    @rx.event
    async def set_subsidiary(self, value: str):
        self.sub = value if any(s["value"] == value for s in self.subsidiaries) else ""
        return await self._load_page(1)

