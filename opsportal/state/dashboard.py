"""The customer's dashboard: organization, balances, prepaid hours of the period, pay-as-you-go time
of the month, recent tasks. Refreshes itself while open (see ``state.live``): the figures when the organization
(or an ancestor sharing credits) changes, support coverage once a minute."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.roles import Role
from opsportal.services import credit_views, organizations, plans, prepaid, tasks
from opsportal.services.authz import Actor
from opsportal.services.credit_views import ProductSummary
from opsportal.services.errors import ServiceError
from opsportal.services.pagination import Page
from opsportal.services.plans import CoverageView
from opsportal.services.prepaid import HoursOverview, PaygView
from opsportal.services.tasks import TaskRow
from opsportal.state import live, offload, task_views
from opsportal.state.auth import actor_or_redirect
from opsportal.state.coverage_view import EMPTY_COVERAGE, coverage_dict, region_rows
from opsportal.state.organization import subsidiary_links
from opsportal.state.shared import org_read

RECENT_TASKS = 5
COVERAGE_SECONDS = 60.0
FIGURES_SECONDS = 60.0
PAYG_ROWS = 10


@dataclass(frozen=True)
class Figures:
    """What changes while the dashboard is open, read in one go."""

    summary: list[ProductSummary]
    hours: HoursOverview
    payg: PaygView
    recent: Page[TaskRow]
    coverage: CoverageView | None = None


def followed_topics(actor: Actor, org_id: int) -> list[str]:
    return org_read(actor, org_id, organizations.change_topics)


def read_figures(actor: Actor, org_id: int) -> Figures:
    """The figures, shared by every tab of the organization (and role) in this process until something they show
    changes (or a minute passes: the period, the month and expiry windows follow the clock)."""
    return org_read(actor, org_id, _read_figures, ttl=FIGURES_SECONDS)


def _read_figures(actor: Actor, org_id: int) -> Figures:
    return Figures(summary=credit_views.summary(actor, org_id), hours=prepaid.hours_overview(actor, org_id),
                   payg=prepaid.payg_view(actor, org_id),
                   recent=tasks.list_tasks(actor, org_id, tab="open", sort="updated", page_size=RECENT_TASKS),
                   coverage=plans.coverage_now(actor, org_id))


def coverage_tick(actor: Actor, org_id: int) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Support coverage "right now" follows the clock, not the data: a shared read, so however many tabs show an
    organization it is read about once per half minute in this process."""
    view = org_read(actor, org_id, plans.coverage_now, ttl=COVERAGE_SECONDS / 2)
    return coverage_dict(view), region_rows(view)


def _period(start, end) -> str:
    return f"{formats.day(start)} – {formats.day(end)}"


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return formats.label(role)


class DashboardState(rx.State):
    org_id: int = 0
    org_name: str = ""
    parent_name: str = ""
    customer_since: str = ""
    children: list[dict[str, str]] = []  # state.organization.subsidiary_links()
    member_count: int = 0
    role_counts: list[dict[str, str]] = []
    balances: list[dict[str, str]] = []
    remaining: str = ""
    used_period: str = ""
    period: str = ""
    plan: str = ""
    forecast: str = ""
    payg_rows: list[dict[str, str]] = []
    payg_more: int = 0
    payg_time: str = ""
    payg_value: str = ""
    payg_rate: str = ""
    payg_period: str = ""
    recent: list[dict[str, str]] = []
    open_tasks: int = 0
    coverage: dict[str, str] = EMPTY_COVERAGE
    coverage_regions: list[dict[str, str]] = []
    error: str = ""
    _cursor: int = 0
    _watch_id: str = ""
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    def _apply(self, f: Figures) -> None:
        self.balances = [
            {"label": f"{s.name} available", "value": formats.quantity(s.available, s.unit),
             "hint": f"{formats.quantity(s.expiring_30d, s.unit)} expire within 30 days"}
            for s in f.summary if s.product in ("support_hours", "service_credits")
        ]
        h = f.hours
        self.remaining = task_views.hours(h.remaining_minutes)
        self.used_period = task_views.hours(h.used_this_period)
        self.period = _period(h.period_start, h.period_end)
        self.plan = (f"{h.plan}: {task_views.hours(h.minutes_per_period or 0)} per period" if h.plan
                     else "Hours from purchased blocks and grants")
        self.forecast = h.forecast.message
        p = f.payg
        self.payg_rows = [{"id": str(t.ticket_id), "href": routes.task(t.ticket_id), "title": t.title,
                           "time": task_views.hours(t.minutes), "value": formats.money(t.amount_minor, p.currency)}
                          for t in p.tasks[:PAYG_ROWS]]
        self.payg_more = max(0, len(p.tasks) - PAYG_ROWS)
        self.payg_time = task_views.hours(p.total_minutes)
        self.payg_value = formats.money(p.total_minor, p.currency)
        self.payg_rate = formats.money(p.hourly_rate_minor, p.currency) if p.hourly_rate_minor else "not agreed yet"
        self.payg_period = _period(p.period_start, p.period_end)
        self.recent = [task_views.task_row(r, self._time_zone) for r in f.recent.items]
        self.open_tasks = f.recent.total
        if f.coverage is not None:
            self.coverage, self.coverage_regions = coverage_dict(f.coverage), region_rows(f.coverage)

    def _apply_tick(self, coverage: tuple[dict[str, str], list[dict[str, str]]]) -> None:
        self.coverage, self.coverage_regions = coverage

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF)
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change committed meanwhile wakes the page
        self._time_zone = actor.time_zone
        return await offload.run(self._load, actor)

    def _load(self, actor: Actor):
        try:
            overview = org_read(actor, actor.organization_id, organizations.get_overview)
            figures = read_figures(actor, actor.organization_id)
        except ServiceError as exc:
            self.error = str(exc)
            return
        org = overview.organization
        self.error = ""
        self.org_id = org.id
        self.org_name = org.name
        self.parent_name = org.parent_name or ""
        self.customer_since = formats.long_day(formats.local_date(org.created_at, actor.time_zone))
        self.children = subsidiary_links(overview)
        self.member_count = overview.member_count
        self.role_counts = [
            {"role": _role_label(role), "count": formats.count(n)} for role, n in overview.members_by_role.items()
        ]
        self._apply(figures)
        return DashboardState.watch

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    @rx.event(background=True)
    async def watch(self):
        """Hours, pay-as-you-go time and tasks follow what agents log, within a few seconds."""
        async for event in live.follow(self, key="org_id", topics=followed_topics, read=read_figures,
                                       tick=live.Tick(COVERAGE_SECONDS, coverage_tick)):
            yield event
