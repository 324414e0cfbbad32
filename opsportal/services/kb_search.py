"""Full-text search over articles, one query per database (no authorization: callers check first).

SQLite ranks with FTS5's bm25 and cuts snippets with ``snippet()``; PostgreSQL ranks with
``ts_rank`` and cuts them with ``ts_headline``. Both get the query from ``domain.kb`` rendered in
their own syntax from words that hold only letters and digits. Hits are marked in snippets
with two control characters that ``domain.kb.clean_text`` removes from every stored article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from opsportal.domain.kb import Query, fts5_match, plain_excerpt, tsquery
from opsportal.models import KbArticle
from opsportal.models.types import UTCDateTime

HIT_START, HIT_END = "\x02", "\x03"
EXCERPT_CHARS = 220
# The generated column of migration 0005 (GIN-indexed), outside SQLModel.metadata.
PG_DOCUMENT = "a.search_vector"
PG_HEADLINE = (f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, ShortWord=2, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")


@dataclass(frozen=True)
class Found:
    id: int
    slug: str
    title: str
    category: str
    published: bool
    updated_at: datetime
    snippet: tuple[tuple[str, bool], ...]
    score: float = 0.0  # relevance, higher is better; comparable only within one query's results


def snippet_parts(raw: str) -> tuple[tuple[str, bool], ...]:
    """A marked snippet as (text, is a hit) parts, Markdown removed."""
    cleaned = plain_excerpt(raw)
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(cleaned.split(HIT_START)):
        hit, _, rest = chunk.partition(HIT_END) if i else ("", "", chunk)
        if hit:
            parts.append((hit, True))
        if rest:
            parts.append((rest, False))
    return tuple(parts)


def excerpt(body_start: str) -> tuple[tuple[str, bool], ...]:
    plain = plain_excerpt(body_start)
    if len(plain) > EXCERPT_CHARS:
        plain = plain[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    return ((plain, False),) if plain else ()


def _filters(published_only: bool, category: str) -> tuple[str, dict]:
    sql, params = "", {}
    if published_only:
        sql += " AND a.published = :published"
        params["published"] = True
    if category:
        sql += " AND a.category = :category"
        params["category"] = category
    return sql, params


def find(session: Session, query: Query, *, any_term: bool, published_only: bool, category: str, limit: int,
         offset: int, with_total: bool = True) -> tuple[int, list[Found]]:
    """(number of matches, one page of them best first) for a non-empty query."""
    where, params = _filters(published_only, category)
    params.update(limit=limit, offset=offset)
    if session.get_bind().dialect.name == "sqlite":
        params["match"] = fts5_match(query, any_term=any_term)
        source = "kb_article_fts JOIN kb_article a ON a.id = kb_article_fts.rowid WHERE kb_article_fts MATCH :match"
        rows_sql = (f"SELECT a.id, a.slug, a.title, a.category, a.published, a.updated_at, "
                    f"snippet(kb_article_fts, 2, char(2), char(3), '…', 24) AS snippet, "
                    f"-bm25(kb_article_fts, 10.0, 3.0, 1.0) AS score FROM {source}{where} "
                    f"ORDER BY score DESC, a.id LIMIT :limit OFFSET :offset")
    else:
        params.update(match=tsquery(query, any_term=any_term), headline=PG_HEADLINE)
        source = f"kb_article a WHERE {PG_DOCUMENT} @@ to_tsquery('english', :match)"
        rows_sql = (f"SELECT a.id, a.slug, a.title, a.category, a.published, a.updated_at, "
                    f"ts_headline('english', a.body_md, to_tsquery('english', :match), :headline) AS snippet, "
                    # Normalization 1 divides by the log of the length: long articles do not win by size.
                    f"ts_rank({PG_DOCUMENT}, to_tsquery('english', :match), 1) AS score "
                    f"FROM {source}{where} ORDER BY score DESC, a.id LIMIT :limit OFFSET :offset")
    statement = text(rows_sql).columns(updated_at=UTCDateTime())
    rows = session.connection().execute(statement, params).all()
    total = len(rows) + offset
    if with_total and (len(rows) == limit or (offset and not rows)):
        total = session.connection().execute(text(f"SELECT count(*) FROM {source}{where}"), params).scalar_one()
    return int(total), [Found(id=r.id, slug=r.slug, title=r.title, category=r.category, published=bool(r.published),
                              updated_at=r.updated_at, snippet=snippet_parts(r.snippet or ""), score=float(r.score))
                        for r in rows]


def recent(session: Session, *, published_only: bool, category: str, limit: int,
           offset: int) -> tuple[int, list[Found]]:
    """(number of visible articles, one page of them, most recently updated first)."""
    filters = []
    if published_only:
        filters.append(KbArticle.published.is_(True))
    if category:
        filters.append(KbArticle.category == category)
    total = session.exec(select(func.count()).select_from(KbArticle).where(*filters)).one()
    rows = session.exec(
        select(KbArticle.id, KbArticle.slug, KbArticle.title, KbArticle.category, KbArticle.published,
               KbArticle.updated_at, func.substr(KbArticle.body_md, 1, 600))
        .where(*filters).order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).offset(offset).limit(limit)
    ).all()
    return int(total), [
        Found(id=i, slug=s, title=t, category=c, published=bool(p), updated_at=u, snippet=excerpt(b or ""))
        for i, s, t, c, p, u, b in rows
    ]
