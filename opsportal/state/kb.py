"""The knowledge base pages: search and browse (/kb), read and edit one article (/kb/[slug])."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.kb import KB_CATEGORIES
from opsportal.services import kb
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 10


@dataclass
class SnippetPart:
    text: str = ""
    hit: bool = False


@dataclass
class HitView:
    slug: str = ""
    href: str = ""
    title: str = ""
    category: str = ""
    draft: bool = False
    updated: str = ""
    parts: list[SnippetPart] = field(default_factory=list)


def _date(value: datetime, time_zone: str = formats.DEFAULT_TIME_ZONE) -> str:
    """The reader's day an article was last changed (a day is enough; the zone decides which day)."""
    return formats.day(value, time_zone=time_zone)


class KbState(PagedState, rx.State):
    query: str = ""
    shown_query: str = ""
    category: str = ""
    categories: list[dict[str, str]] = []
    hits: list[HitView] = []
    total: int = 0
    broadened: bool = False
    can_write: bool = False
    error: str = ""
    # The staff's "new article" form
    form_open: bool = False
    problems: dict[str, str] = {}

    def _search(self, actor: Actor, page: int) -> None:
        self.error = ""
        try:
            result = kb.search(actor, self.query, category=self.category, page=page, page_size=PAGE_SIZE)
        except ServiceError as exc:
            self.error, self.hits = str(exc), []
            return
        self.page, self.pages, self.total, self.broadened = result.page, result.pages, result.total, result.broadened
        self.shown_query = self.query.strip()
        self.hits = [
            HitView(slug=h.slug, href=routes.kb_article(h.slug), title=h.title, category=h.category,
                    draft=not h.published, updated=_date(h.updated_at, actor.time_zone),
                    parts=[SnippetPart(text=t, hit=is_hit) for t, is_hit in h.snippet])
            for h in result.items
        ]

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.can_write = actor.is_staff
        return await offload.run(self._search, actor, page)

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.query = str(params.get("q", ""))[:200]
        category = str(params.get("category", ""))
        self.category = category if category in KB_CATEGORIES else ""
        self.form_open, self.problems = False, {}
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.can_write = actor.is_staff
        return await offload.run(self._open, actor)

    def _open(self, actor: Actor) -> None:
        self.categories = [{"name": c.name, "label": f"{c.name} ({c.articles})"} for c in kb.categories(actor)]
        self._search(actor, 1)

    @rx.event
    async def submit_search(self, form: dict):
        self.query = str(form.get("q", ""))[:200]
        return await self._load_page(1)

    @rx.event
    async def type_query(self, value: str):
        """Results follow the search box as the user types (the box debounces its changes)."""
        self.query = str(value)[:200]
        return await self._load_page(1)

    @rx.event
    async def choose_category(self, value: str):
        self.category = value if value in KB_CATEGORIES else ""
        return await self._load_page(1)

    @rx.event
    async def clear(self):
        self.query, self.category = "", ""
        return await self._load_page(1)


    @rx.event
    def set_form_open(self, value: bool):
        self.form_open, self.problems = bool(value), {}

    @rx.event
    async def create(self, form: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.problems = {}
        try:
            article = await offload.run(
                kb.create_article, actor, title=str(form.get("title", "")), slug=str(form.get("slug", "")),
                category=str(form.get("category", "")), body_md=str(form.get("body", "")),
                published=form.get("published") in ("on", True, "true"))
        except kb.InvalidArticle as exc:
            self.problems = exc.problems
            return
        except ServiceError as exc:
            self.problems = {"form": str(exc)}
            return
        self.form_open = False
        return rx.redirect(routes.kb_article(article.slug))


class KbArticleState(rx.State):
    found: bool = False
    article_id: int = 0
    slug: str = ""
    title: str = ""
    category: str = ""
    body: str = ""
    published: bool = False
    author: str = ""
    updated: str = ""
    version: str = ""  # updated_at of what the editor opened: a concurrent edit is refused, not overwritten
    can_edit: bool = False
    editing: bool = False
    problems: dict[str, str] = {}
    notice: str = ""
    error: str = ""

    def _requested_slug(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    _time_zone: str = formats.DEFAULT_TIME_ZONE

    def _show(self, article: kb.ArticleDetail) -> None:
        self.found = True
        self.article_id, self.slug, self.title = article.id, article.slug, article.title
        self.category, self.body, self.published = article.category, article.body_md, article.published
        self.author = article.author or ""
        self.updated = formats.instant(article.updated_at, self._time_zone)
        self.version = article.updated_at.isoformat()

    @rx.event
    async def load(self):
        self.found, self.editing, self.problems, self.notice, self.error = False, False, {}, "", ""
        self.title = self.body = ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.can_edit = actor.is_staff
        self._time_zone = actor.time_zone
        try:
            self._show(await offload.run(kb.get_article, actor, self._requested_slug()))
        except ServiceError as exc:
            self.error = str(exc)

    @rx.event
    def set_editing(self, value: bool):
        self.editing, self.problems, self.notice = bool(value), {}, ""

    @rx.event
    async def save(self, form: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.problems, self.notice = {}, ""
        old_slug = self.slug
        try:
            article = await offload.run(
                kb.update_article, actor, self.article_id, title=str(form.get("title", "")),
                slug=str(form.get("slug", "")), category=str(form.get("category", "")),
                body_md=str(form.get("body", "")), expected_updated_at=datetime.fromisoformat(self.version))
        except kb.InvalidArticle as exc:
            self.problems = exc.problems
            return
        except ServiceError as exc:
            self.problems = {"form": str(exc)}
            return
        self._show(article)
        self.editing = False
        if article.slug != old_slug:
            return rx.redirect(routes.kb_article(article.slug))
        self.notice = "Article saved."

    @rx.event
    async def toggle_published(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.notice = self.error = ""
        try:
            self._show(await offload.run(kb.set_published, actor, self.article_id, not self.published))
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.notice = "Published: customers can now find this article." if self.published else \
            "Unpublished: customers no longer see this article."
