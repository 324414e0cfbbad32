"""Staff: customers' satisfaction ratings per agent and month (``services.ticket_ratings``), a page of groups and
a page of the latest comments at a time, for every month or one."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.ticket_actions import Satisfaction
from opsportal.services import ticket_ratings
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.ticket_ratings import AgentMonthRow, RatingComment
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
COMMENT_PAGE_SIZE = 10


def month_label(key: str) -> str:
    """``2026-12`` -> ``December 2026``."""
    return formats.month(date(int(key[:4]), int(key[5:7]), 1))


def agent_row(r: AgentMonthRow) -> dict[str, str]:
    return {"month": month_label(r.month), "agent": r.agent, "ratings": formats.count(r.ratings),
            "good": formats.count(r.good), "bad": formats.count(r.bad),
            "share": formats.percent_bp(r.satisfied_bp)}


def comment_row(c: RatingComment, time_zone: str) -> dict[str, str]:
    return {"ticket": f"#{c.ticket_id} {c.ticket_title}", "href": routes.staff_task(c.ticket_id),
            "organization": c.organization, "score": Satisfaction(c.score).label,
            "color": "green" if c.score == Satisfaction.good.value else "red", "comment": c.comment,
            "agent": c.agent, "when": formats.instant(c.rated_at, time_zone)}


class StaffRatingsState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    month: str = ""
    months: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total: int = 0
    comments: list[dict[str, str]] = []
    comment_page: int = 1
    comment_pages: int = 1
    comment_total: int = 0

    async def _load_page(self, page: int):
        return await self._read(page, self.comment_page)

    async def _read(self, page: int, comment_page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page, comment_page)

    def _list(self, actor: Actor, page: int, comment_page: int) -> None:
        try:
            months = ticket_ratings.rated_months(actor)
            groups = ticket_ratings.ratings_by_agent(actor, month=self.month, page=page, page_size=PAGE_SIZE)
            comments = ticket_ratings.latest_comments(actor, month=self.month, page=comment_page,
                                                      page_size=COMMENT_PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows, self.comments = False, str(exc), [], []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.months = [{"value": m, "label": month_label(m)} for m in months]
        self.page, self.pages, self.total = groups.page, groups.pages, groups.total
        self.rows = [agent_row(r) for r in groups.items]
        self.comment_page, self.comment_pages, self.comment_total = comments.page, comments.pages, comments.total
        self.comments = [comment_row(c, actor.time_zone) for c in comments.items]

    @rx.event
    async def load(self):
        self.error = ""
        return await self._read(1, 1)

    @rx.event
    async def choose_month(self, value: str):
        self.month = value if len(value) == 7 and value[:4].isdigit() and value[5:].isdigit() else ""
        return await self._read(1, 1)

    @rx.event
    async def next_comments(self):
        if self.comment_page < self.comment_pages:
            return await self._read(self.page, self.comment_page + 1)

    @rx.event
    async def previous_comments(self):
        if self.comment_page > 1:
            return await self._read(self.page, self.comment_page - 1)
