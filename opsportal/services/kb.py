"""The knowledge base: every signed-in user searches and reads; staff write.

Customers see published articles only; staff see drafts too. A draft's address answers a
customer exactly like an address that does not exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.kb import KB_CATEGORIES, SLUG_PATTERN, article_problems, clean_text, parse_query, slugify
from opsportal.models import KbArticle, User
from opsportal.services import kb_search
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp

log = logging.getLogger(__name__)
ARTICLE_NOT_FOUND = "That article was not found. It may have been moved or unpublished."
SUGGEST_MAX = 10
# A suggestion scoring under this share of the best one matched only a side word: leave it out.
SUGGEST_RELATIVE_SCORE = 0.3


class InvalidArticle(InvalidInput):
    """An article form with problems; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class ArticleHit:
    slug: str
    title: str
    category: str
    published: bool
    updated_at: datetime
    snippet: tuple[tuple[str, bool], ...]  # (text, is a matched word)


@dataclass(frozen=True)
class SearchPage(Page[ArticleHit]):
    # True when no article held every word and the page lists articles holding some of them.
    broadened: bool = False


@dataclass(frozen=True)
class Suggestion:
    slug: str
    title: str
    category: str


@dataclass(frozen=True)
class ArticleDetail:
    id: int
    slug: str
    title: str
    category: str
    body_md: str
    published: bool
    author: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CategoryCount:
    name: str
    articles: int


def _customer_view(actor: Actor) -> bool:
    return not actor.is_staff


def _hit(found: kb_search.Found) -> ArticleHit:
    return ArticleHit(slug=found.slug, title=found.title, category=found.category, published=found.published,
                      updated_at=found.updated_at, snippet=found.snippet)


def _check_category(category: str) -> str:
    category = (category or "").strip()
    if category and category not in KB_CATEGORIES:
        raise InvalidInput("Choose a category from the list.")
    return category


def search(actor: Actor, query: str, *, category: str = "", page: int = 1, page_size: int = 10) -> SearchPage:
    """Articles matching ``query`` best first, each with a snippet; an empty query lists the newest.

    Every word must match; when no article holds them all, articles holding any of them are
    listed instead (``broadened``).
    """
    category = _check_category(category)
    page, page_size = clamp(page, page_size)
    offset = (page - 1) * page_size
    parsed = parse_query(query)
    published_only = _customer_view(actor)
    broadened = False
    with unit_of_work(write=False) as session:
        if parsed.empty:
            total, found = kb_search.recent(session, published_only=published_only, category=category,
                                            limit=page_size, offset=offset)
        else:
            total, found = kb_search.find(session, parsed, any_term=False, published_only=published_only,
                                          category=category, limit=page_size, offset=offset)
            if total == 0 and len(parsed.terms) > 1:
                total, found = kb_search.find(session, parsed, any_term=True, published_only=published_only,
                                              category=category, limit=page_size, offset=offset)
                broadened = total > 0
    return SearchPage(items=[_hit(f) for f in found], page=page, page_size=page_size, total=total,
                      broadened=broadened)


def suggest(actor: Actor, text: str, limit: int = 3) -> list[Suggestion]:
    """The articles that best match what a customer is typing into a ticket; never fails on the text."""
    limit = min(SUGGEST_MAX, max(1, int(limit)))
    parsed = parse_query(text, as_typed=True)
    if parsed.empty:
        return []
    try:
        with unit_of_work(write=False) as session:
            _total, found = kb_search.find(session, parsed, any_term=True, published_only=_customer_view(actor),
                                           category="", limit=limit, offset=0, with_total=False)
    except SQLAlchemyError:
        # Suggestions are a courtesy: the ticket form must keep working whatever was typed.
        log.exception("knowledge-base suggestions failed for %d words", len(parsed.words))
        return []
    floor = found[0].score * SUGGEST_RELATIVE_SCORE if found else 0.0
    return [Suggestion(slug=f.slug, title=f.title, category=f.category) for f in found if f.score >= floor]


def _detail(session: Session, article: KbArticle) -> ArticleDetail:
    author = session.exec(select(User.full_name).where(User.id == article.author_user_id)).first() \
        if article.author_user_id else None
    return ArticleDetail(id=article.id, slug=article.slug, title=article.title, category=article.category,
                         body_md=article.body_md, published=article.published, author=author or None,
                         created_at=article.created_at, updated_at=article.updated_at)


def get_article(actor: Actor, slug: str) -> ArticleDetail:
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise NotFound(ARTICLE_NOT_FOUND)
    with unit_of_work(write=False) as session:
        article = session.exec(select(KbArticle).where(KbArticle.slug == slug)).first()
        if article is None or (_customer_view(actor) and not article.published):
            raise NotFound(ARTICLE_NOT_FOUND)
        return _detail(session, article)


def categories(actor: Actor) -> list[CategoryCount]:
    """The categories that hold articles the actor may read, in the knowledge base's order."""
    filters = [KbArticle.published.is_(True)] if _customer_view(actor) else []
    with unit_of_work(write=False) as session:
        counts = dict(session.exec(select(KbArticle.category, func.count()).where(*filters)
                                   .group_by(KbArticle.category)).all())
    return [CategoryCount(name=c, articles=int(counts[c])) for c in KB_CATEGORIES if counts.get(c)]


def _cleaned(title: str, slug: str, category: str, body_md: str) -> dict[str, str]:
    title = " ".join(clean_text(title).split())
    fields = {
        "title": title,
        "slug": clean_text(slug).strip().lower() or slugify(title),
        "category": (category or "").strip(),
        "body_md": "\n".join(line.rstrip() for line in clean_text(body_md).strip().split("\n")),
    }
    problems = article_problems(**fields)
    if not slug.strip() and "title" in problems:
        problems.pop("slug", None)  # the address comes from the title: one message is enough
    if problems:
        raise InvalidArticle(problems)
    return fields


def _slug_taken(slug: str) -> InvalidArticle:
    return InvalidArticle({"slug": f"Another article already uses the address “{slug}”. Choose another."})


def _require_slug_free(session: Session, slug: str, except_id: int | None = None) -> None:
    other = session.exec(select(KbArticle.id).where(KbArticle.slug == slug)).first()
    if other is not None and other != except_id:
        raise _slug_taken(slug)


def create_article(actor: Actor, *, title: str, category: str, body_md: str, slug: str = "",
                   published: bool = False) -> ArticleDetail:
    """Staff write a new article (a draft unless ``published``); the address comes from the title if blank."""
    require_staff(actor)
    fields = _cleaned(title, slug, category, body_md)
    now = clock.now()
    try:
        with unit_of_work() as session:
            _require_slug_free(session, fields["slug"])
            article = KbArticle(**fields, published=bool(published), author_user_id=actor.user_id or None,
                                created_at=now, updated_at=now)
            session.add(article)
            session.flush()
            return _detail(session, article)
    except IntegrityError:  # another writer took the address between the check and the insert
        raise _slug_taken(fields["slug"]) from None


def _load_for_edit(session: Session, article_id: int, expected_updated_at: datetime | None) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    if expected_updated_at is not None and article.updated_at != expected_updated_at:
        raise Conflict("Someone else changed this article after you opened it. Reload it to see their changes.")
    return article


def update_article(actor: Actor, article_id: int, *, title: str, slug: str, category: str, body_md: str,
                   expected_updated_at: datetime | None = None) -> ArticleDetail:
    """Staff change an article; with ``expected_updated_at`` a concurrent edit is refused, not overwritten."""
    require_staff(actor)
    fields = _cleaned(title, slug, category, body_md)
    try:
        with unit_of_work() as session:
            article = _load_for_edit(session, article_id, expected_updated_at)
            _require_slug_free(session, fields["slug"], except_id=article.id)
            for name, value in fields.items():
                setattr(article, name, value)
            article.updated_at = clock.now()
            session.add(article)
            session.flush()
            return _detail(session, article)
    except IntegrityError:
        raise _slug_taken(fields["slug"]) from None


def set_published(actor: Actor, article_id: int, published: bool) -> ArticleDetail:
    """Staff publish an article (customers can find it) or take it back to draft."""
    require_staff(actor)
    with unit_of_work() as session:
        article = _load_for_edit(session, article_id, None)
        if article.published != bool(published):
            article.published = bool(published)
            article.updated_at = clock.now()
            session.add(article)
            session.flush()
        return _detail(session, article)
