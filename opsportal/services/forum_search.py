"""Full-text search over community questions, one query per database, as ``kb_search`` does for articles.

SQLite ranks with FTS5's bm25 over ``forum_question_fts``; PostgreSQL with ``ts_rank`` over the generated
``search_vector`` column (migration 0028). The query comes from ``domain.kb.parse_query`` rendered in each
database's syntax from words holding only letters and digits; snippets are cut and marked as for articles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from opsportal.domain.kb import Query, fts5_match, tsquery
from opsportal.services.kb_search import HIT_END, HIT_START, snippet_parts

PG_HEADLINE = (f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, ShortWord=2, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")


@dataclass(frozen=True)
class Found:
    id: int
    snippet: tuple[tuple[str, bool], ...]


def find(session: Session, query: Query, *, hidden_too: bool, category_id: int | None, limit: int, offset: int,
         any_term: bool = False) -> tuple[int, list[Found]]:
    """(number of matching questions, one page of them best first) for a non-empty query."""
    where, params = "", {"limit": limit, "offset": offset}
    if not hidden_too:
        where += " AND q.hidden = :hidden"
        params["hidden"] = False
    if category_id is not None:
        where += " AND q.category_id = :category_id"
        params["category_id"] = category_id
    if session.get_bind().dialect.name == "sqlite":
        params["match"] = fts5_match(query, any_term=any_term)
        source = ("forum_question_fts JOIN forum_question q ON q.id = forum_question_fts.rowid "
                  "WHERE forum_question_fts MATCH :match")
        rows_sql = (f"SELECT q.id, snippet(forum_question_fts, 1, char(2), char(3), '…', 24) AS snippet, "
                    f"-bm25(forum_question_fts, 10.0, 1.0) AS score FROM {source}{where} "
                    f"ORDER BY score DESC, q.id DESC LIMIT :limit OFFSET :offset")
    else:
        params.update(match=tsquery(query, any_term=any_term), headline=PG_HEADLINE)
        source = "forum_question q WHERE q.search_vector @@ to_tsquery('english', :match)"
        rows_sql = (f"SELECT q.id, ts_headline('english', q.body_md, to_tsquery('english', :match), :headline) "
                    f"AS snippet, ts_rank(q.search_vector, to_tsquery('english', :match), 1) AS score "
                    f"FROM {source}{where} ORDER BY score DESC, q.id DESC LIMIT :limit OFFSET :offset")
    rows = session.connection().execute(text(rows_sql), params).all()
    total = len(rows) + offset
    if len(rows) == limit or (offset and not rows):
        total = session.connection().execute(text(f"SELECT count(*) FROM {source}{where}"), params).scalar_one()
    return int(total), [Found(r.id, snippet_parts(r.snippet or "")) for r in rows]
