"""The K2 Community forum, authors changing their own posts: edit a question (title and body) or an answer, delete
one. The rules (author only, locked threads frozen, a question with answers and an accepted answer stay) are in
``domain.forum``; one transaction each.

An edit is stored as typed (rendered as safe Markdown like any post), marks the post "edited" with the time,
re-indexes search (FTS5 triggers on SQLite, generated columns on PostgreSQL) and marks the thread's change-feed
topic so its open pages show the new text. Edits do not bump the thread's activity (editing is not a way to push a
thread to the top) and send no e-mail. Deleting removes the post, its votes and (for a question) its followers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.models import ForumAnswer, ForumFollower, ForumQuestion, ForumVote
from opsportal.services import changes, forum
from opsportal.services.authz import Actor
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.forum_posts import InvalidQuestion

ANSWER_NOT_FOUND = "That answer was not found. It may have been removed."


def _refuse(problem: str | None) -> None:
    """Not the author: PermissionDenied; anything else (locked, has answers, accepted): Conflict."""
    if problem in (rules.NOT_AUTHOR, rules.NOT_AUTHOR_STAFF):
        raise PermissionDenied(problem)
    if problem:
        raise Conflict(problem)


def _answer(session: Session, who: rules.Reader, answer_id: int) -> tuple[ForumAnswer, ForumQuestion]:
    row = session.exec(select(ForumAnswer).where(ForumAnswer.id == answer_id).with_for_update()).first()
    if row is None or (row.hidden and not rules.may_see_hidden(who)):
        raise NotFound(ANSWER_NOT_FOUND)
    return row, forum.load_question(session, who, row.question_id, lock=True)


def edit_question(actor: Actor, question_id: int, *, title: str, body: str, at: datetime | None = None) -> bool:
    """The asker edits their question's title and body. Returns False when nothing changed (nothing is marked)."""
    title, body = rules.tidy_title(title), rules.tidy_body(body)
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        question = forum.load_question(session, who, question_id, lock=True)
        _refuse(rules.edit_problem(who, author_user_id=question.author_user_id, locked=question.locked))
        problems = rules.question_problems(title, body)
        if problems:
            raise InvalidQuestion(problems)
        if (question.title, question.body_md) == (title, body):
            return False
        question.title, question.body_md, question.edited_at = title, body, at or clock.now()
        session.add(question)
        changes.mark(session, forum.question_topic(question.id))
        return True


def edit_answer(actor: Actor, answer_id: int, body: str, *, at: datetime | None = None) -> bool:
    """The author edits their answer. Returns False when nothing changed (nothing is marked)."""
    body = rules.tidy_body(body)
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        row, question = _answer(session, who, answer_id)
        _refuse(rules.edit_problem(who, author_user_id=row.author_user_id, locked=question.locked))
        problem = rules.answer_body_problem(body)
        if problem:
            raise InvalidInput(problem)
        if row.body_md == body:
            return False
        row.body_md, row.edited_at = body, at or clock.now()
        session.add(row)
        changes.mark(session, forum.question_topic(question.id))
        return True


def _drop_votes(session: Session, kind: str, ids: list[int]) -> None:
    if ids:
        session.execute(delete(ForumVote).where(ForumVote.post_kind == kind, ForumVote.post_id.in_(ids)))


def delete_answer(actor: Actor, answer_id: int, *, at: datetime | None = None) -> int:
    """The author deletes their answer (not an accepted one, not in a locked thread). Returns its question's id."""
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        row, question = _answer(session, who, answer_id)
        _refuse(rules.answer_delete_problem(who, author_user_id=row.author_user_id, locked=question.locked,
                                            accepted=question.accepted_answer_id == row.id))
        _drop_votes(session, "answer", [row.id])
        if not row.hidden:
            question.answer_count = max(0, question.answer_count - 1)
        session.add(question)
        session.delete(row)
        changes.mark(session, forum.question_topic(question.id))
        return question.id


def delete_question(actor: Actor, question_id: int, *, at: datetime | None = None) -> None:
    """The asker deletes their question while it has no answer they can see and is no support ticket."""
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        question = forum.load_question(session, who, question_id, lock=True)
        _refuse(rules.question_delete_problem(who, author_user_id=question.author_user_id, locked=question.locked,
                                              answers=question.answer_count, ticket_id=question.ticket_id))
        hidden_answers = list(session.exec(select(ForumAnswer.id).where(ForumAnswer.question_id == question.id)).all())
        _drop_votes(session, "answer", hidden_answers)
        _drop_votes(session, "question", [question.id])
        session.execute(delete(ForumAnswer).where(ForumAnswer.question_id == question.id))
        session.execute(delete(ForumFollower).where(ForumFollower.question_id == question.id))
        session.delete(question)
        changes.mark(session, forum.question_topic(question.id))
