"""The K2 Community pages' lists: the front page (/community: categories, recent threads, search), one category
(/community/[category]) and the ask form (/community/ask). One page of threads at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import forum, forum_moderation, forum_posts
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState


@dataclass
class Part:
    text: str = ""
    hit: bool = False


@dataclass
class ThreadRow:
    id: int = 0
    href: str = ""
    title: str = ""
    category: str = ""
    category_href: str = ""
    author: str = ""
    answers: str = ""
    votes: int = 0
    answered: bool = False
    locked: bool = False
    hidden: bool = False
    active: str = ""
    parts: list[Part] = field(default_factory=list)
    from_answer: bool = False  # the snippet is from an answer: the search matched the thread through it


@dataclass
class CategoryView:
    slug: str = ""
    href: str = ""
    name: str = ""
    description: str = ""
    questions: str = ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def thread_row(row: forum.QuestionRow, time_zone: str) -> ThreadRow:
    return ThreadRow(id=row.id, href=routes.community_question(row.id), title=row.title, category=row.category,
                     category_href=routes.community_category(row.category_slug), author=row.author,
                     answers=_count(row.answers, "answer", "answers"), votes=row.votes, answered=row.answered,
                     locked=row.locked, hidden=row.hidden, active=formats.instant(row.last_activity_at, time_zone),
                     parts=[Part(text=t, hit=h) for t, h in row.snippet], from_answer=row.snippet_from_answer)


class CommunityState(PagedState, rx.State):
    """The front page and a category's page: ``category`` is "" on the front page."""

    access: bool = True
    is_staff: bool = False
    category: str = ""
    category_name: str = ""
    category_description: str = ""
    categories: list[CategoryView] = []
    threads: list[ThreadRow] = []
    total: int = 0
    query: str = ""
    shown_query: str = ""
    error: str = ""
    # A subsidiary without Gold whose parent holds it (domain.gold_scope)
    gold_elsewhere: str = ""
    gold_buy_link: bool = False
    # Staff: a new category
    new_category_error: str = ""
    notice: str = ""

    def _category_from_url(self) -> str:
        path = str(self.router.url.path).rstrip("/")
        slug = path.rsplit("/", 1)[-1] if path.count("/") == 2 else ""
        return slug[:80]

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.category = self._category_from_url()
        self.query = str(self.router.url.query_parameters.get("q", ""))[:200]
        self.error = self.notice = self.new_category_error = ""
        self.is_staff = actor.is_staff
        return await offload.run(self._open, actor)

    def _open(self, actor: Actor) -> None:
        try:
            home = forum.community_home(actor)
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.access = home.access
        notice = home.gold_elsewhere
        self.gold_elsewhere, self.gold_buy_link = (notice.message, notice.buy_link) if notice else ("", False)
        self.categories = [CategoryView(c.slug, routes.community_category(c.slug), c.name, c.description,
                                        _count(c.questions, "question", "questions")) for c in home.categories]
        self.category_name = self.category_description = ""
        if self.category:
            found = next((c for c in home.categories if c.slug == self.category), None)
            if found is None:
                self.error, self.threads, self.total = forum.CATEGORY_NOT_FOUND, [], 0
                return
            self.category_name, self.category_description = found.name, found.description
        if self.access:
            self._read(actor, 1)
        else:
            self.threads, self.total = [], 0

    def _read(self, actor: Actor, page: int) -> None:
        try:
            result = forum.list_questions(actor, category=self.category, query=self.query, page=page)
        except PermissionDenied as exc:
            self.access, self.error = False, "" if "Gold" in str(exc) else str(exc)
            return
        except ServiceError as exc:
            self.error, self.threads = str(exc), []
            return
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.shown_query = self.query.strip()
        self.threads = [thread_row(r, actor.time_zone) for r in result.items]

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._read, actor, page)

    @rx.event
    async def search(self, form: dict):
        self.query = str(form.get("q", ""))[:200]
        return await self._load_page(1)

    @rx.event
    async def clear_search(self):
        self.query = ""
        return await self._load_page(1)

    @rx.event
    async def add_category(self, form: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.new_category_error = self.notice = ""
        try:
            await offload.run(forum_moderation.create_category, actor, name=str(form.get("name", "")),
                              description=str(form.get("description", "")), position=len(self.categories))
        except ServiceError as exc:
            self.new_category_error = str(exc)
            return
        self.notice = "Category added."
        return await offload.run(self._open, actor)


class CommunityAskState(rx.State):
    access: bool = True
    categories: list[CategoryView] = []
    chosen: str = ""
    problems: dict[str, str] = {}

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.problems = {}
        self.chosen = str(self.router.url.query_parameters.get("category", ""))[:80]
        home = await offload.run(forum.community_home, actor)
        self.access = home.access
        self.categories = [CategoryView(c.slug, "", c.name, c.description, "") for c in home.categories]

    @rx.event
    def choose(self, value: str):
        self.chosen = str(value)[:80]

    @rx.event
    async def submit(self, form: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.problems = {}
        try:
            question_id = await offload.run(forum_posts.ask, actor, category=str(form.get("category", "")),
                                            title=str(form.get("title", "")), body=str(form.get("body", "")))
        except forum_posts.InvalidQuestion as exc:
            self.problems = exc.problems
            return
        except ServiceError as exc:
            self.problems = {"form": str(exc)}
            return
        return rx.redirect(routes.community_question(question_id))
