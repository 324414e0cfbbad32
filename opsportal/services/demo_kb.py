"""Demo knowledge base: a dozen published articles customers actually need, and one draft.

Idempotent: an article whose address already exists is left as it is.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from importlib import resources
from typing import NamedTuple

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.identity import email_key
from opsportal.domain.kb import article_problems
from opsportal.models import KbArticle, User
from opsportal.services.authz import Actor, require_staff_admin

DEMO_AUTHOR = "sam.taylor@opsportal.example"


class DemoArticle(NamedTuple):
    slug: str
    title: str
    category: str
    published: bool
    body: str  # Markdown


def _load_articles() -> tuple[DemoArticle, ...]:
    text = resources.files("opsportal.demo_content").joinpath("kb_articles.toml").read_text(encoding="utf-8")
    return tuple(DemoArticle(**article) for article in tomllib.loads(text)["article"])


ARTICLES = _load_articles()


def load_demo_kb(actor: Actor) -> int:
    """Adds the demo articles that are missing; returns how many it added."""
    require_staff_admin(actor)
    now = clock.now()
    created = 0
    with unit_of_work() as session:
        existing = set(session.exec(select(KbArticle.slug).where(KbArticle.slug.in_([a[0] for a in ARTICLES]))).all())
        author = session.exec(select(User.id).where(User.email_key == email_key(DEMO_AUTHOR))).first()
        for age, (slug, title, category, published, body) in enumerate(ARTICLES):
            if slug in existing:
                continue
            problems = article_problems(title=title, slug=slug, category=category, body_md=body)
            assert not problems, f"demo article {slug}: {problems}"
            # Spread over past weeks so "most recent" lists them in a stable, meaningful order.
            at = now - timedelta(days=3 * age, hours=age)
            session.add(KbArticle(slug=slug, title=title, category=category, body_md=body.strip(),
                                  published=published, author_user_id=author or actor.user_id or None,
                                  created_at=at, updated_at=at))
            created += 1
    return created
