"""Full-text search over community questions and their answers, one query per database, as ``kb_search`` does for
articles.

A thread matches through its question (title and body) or through any of its answers; it is listed once, ranked by
its best match, with a snippet of the question when the question matches and of its best-matching answer
otherwise (``Found.answer_id`` says which). SQLite ranks with FTS5's bm25 over ``forum_question_fts`` and
``forum_answer_fts``; PostgreSQL with ``ts_rank`` over the generated ``search_vector`` columns (migrations 0028 and
0034), an answer's words weighing less than the question's own. Hidden questions and hidden answers match only
for staff. The query comes from ``domain.kb.parse_query`` rendered in each database's syntax from words holding
only letters and digits; snippets are cut and marked as for articles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from opsportal.domain.kb import Query, fts5_match, tsquery
from opsportal.services.kb_search import HIT_END, HIT_START, snippet_parts

PG_HEADLINE = (f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, ShortWord=2, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")
# One row per thread: the question's own match first, else its best answer's; the thread ranks by its best match.
_RANKED = """, ranked AS (
    SELECT qid, aid, {snippet}MAX(score) OVER (PARTITION BY qid) AS best,
           ROW_NUMBER() OVER (PARTITION BY qid ORDER BY CASE WHEN aid = 0 THEN 0 ELSE 1 END, score DESC, aid) AS rn
    FROM hits
)"""


@dataclass(frozen=True)
class Found:
    id: int  # the question
    snippet: tuple[tuple[str, bool], ...]
    answer_id: int | None = None  # the answer the snippet is from; None: from the question itself


def _hits_sqlite(question_where: str, answer_where: str) -> str:
    return ("WITH hits AS ("
            "SELECT q.id AS qid, 0 AS aid, snippet(forum_question_fts, 1, char(2), char(3), '…', 24) AS snippet, "
            "-bm25(forum_question_fts, 10.0, 1.0) AS score "
            "FROM forum_question_fts JOIN forum_question q ON q.id = forum_question_fts.rowid "
            f"WHERE forum_question_fts MATCH :match{question_where} "
            "UNION ALL "
            "SELECT q.id, a.id, snippet(forum_answer_fts, 0, char(2), char(3), '…', 24), "
            "-0.5 * bm25(forum_answer_fts) "
            "FROM forum_answer_fts JOIN forum_answer a ON a.id = forum_answer_fts.rowid "
            "JOIN forum_question q ON q.id = a.question_id "
            f"WHERE forum_answer_fts MATCH :match{question_where}{answer_where})")


def _hits_postgres(question_where: str, answer_where: str) -> str:
    return ("WITH hits AS ("
            "SELECT q.id AS qid, 0 AS aid, ts_rank(q.search_vector, to_tsquery('english', :match), 1) AS score "
            f"FROM forum_question q WHERE q.search_vector @@ to_tsquery('english', :match){question_where} "
            "UNION ALL "
            "SELECT q.id, a.id, ts_rank(a.search_vector, to_tsquery('english', :match), 1) "
            "FROM forum_answer a JOIN forum_question q ON q.id = a.question_id "
            f"WHERE a.search_vector @@ to_tsquery('english', :match){question_where}{answer_where})")


def find(session: Session, query: Query, *, hidden_too: bool, category_id: int | None, limit: int, offset: int,
         any_term: bool = False) -> tuple[int, list[Found]]:
    """(number of matching threads, one page of them best first) for a non-empty query."""
    question_where, answer_where, params = "", "", {"limit": limit, "offset": offset}
    if not hidden_too:
        question_where += " AND q.hidden = :hidden"
        answer_where += " AND a.hidden = :hidden"
        params["hidden"] = False
    if category_id is not None:
        question_where += " AND q.category_id = :category_id"
        params["category_id"] = category_id
    if session.get_bind().dialect.name == "sqlite":
        params["match"] = fts5_match(query, any_term=any_term)
        hits = _hits_sqlite(question_where, answer_where)
        rows_sql = (hits + _RANKED.format(snippet="snippet, ") +
                    " SELECT qid AS id, aid, snippet FROM ranked WHERE rn = 1 "
                    "ORDER BY best DESC, qid DESC LIMIT :limit OFFSET :offset")
    else:
        params.update(match=tsquery(query, any_term=any_term), headline=PG_HEADLINE)
        hits = _hits_postgres(question_where, answer_where)
        # Headlines are cut for the page's rows only: ts_headline re-reads the whole text.
        rows_sql = (hits + _RANKED.format(snippet="") +
                    ", page AS (SELECT qid, aid, best FROM ranked WHERE rn = 1 "
                    "ORDER BY best DESC, qid DESC LIMIT :limit OFFSET :offset) "
                    "SELECT p.qid AS id, p.aid, ts_headline('english', COALESCE(a.body_md, q.body_md), "
                    "to_tsquery('english', :match), :headline) AS snippet "
                    "FROM page p JOIN forum_question q ON q.id = p.qid LEFT JOIN forum_answer a ON a.id = p.aid "
                    "ORDER BY p.best DESC, p.qid DESC")
    rows = session.connection().execute(text(rows_sql), params).all()
    total = len(rows) + offset
    if len(rows) == limit or (offset and not rows):
        total = session.connection().execute(text(hits + " SELECT count(DISTINCT qid) FROM hits"),
                                             params).scalar_one()
    return int(total), [Found(r.id, snippet_parts(r.snippet or ""), r.aid or None) for r in rows]
