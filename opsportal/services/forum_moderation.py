"""The K2 Community forum, what staff do: hide a post with a reason (and show it again), lock a thread, move it to
another category, mark an answer "Staff pick", and manage the categories. Staff only, one transaction each; every
change marks the thread's topic so its open pages follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.domain.kb import slugify
from opsportal.models import ForumAnswer, ForumCategory, ForumQuestion
from opsportal.services import changes, forum
from opsportal.services.authz import Actor
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied

RESERVED_SLUGS = frozenset({"ask", "questions"})  # the forum's own pages under /community/


def _staff(session: Session, actor: Actor, at: datetime | None) -> rules.Reader:
    who = forum.enter(session, actor, at)
    if not rules.may_moderate(who):
        raise PermissionDenied(rules.STAFF_ONLY)
    return who


def _question(session: Session, who: rules.Reader, question_id: int) -> ForumQuestion:
    return forum.load_question(session, who, question_id, lock=True)


def _answer(session: Session, answer_id: int) -> ForumAnswer:
    row = session.exec(select(ForumAnswer).where(ForumAnswer.id == answer_id).with_for_update()).first()
    if row is None:
        raise NotFound("That answer was not found.")
    return row


def _reason(reason: str) -> str:
    reason = rules.tidy_title(reason)
    problem = rules.reason_problem(reason)
    if problem:
        raise InvalidInput(problem)
    return reason


def _mark(session: Session, question_id: int) -> None:
    changes.mark(session, forum.question_topic(question_id))


def hide(actor: Actor, kind: str, post_id: int, reason: str, *, at: datetime | None = None) -> None:
    """Hides a question (the whole thread) or an answer from customers, with the reason staff read."""
    with unit_of_work() as session:
        who = _staff(session, actor, at)
        reason = _reason(reason)
        post = _question(session, who, post_id) if kind == "question" else _answer(session, post_id)
        post.hidden, post.hidden_reason, post.hidden_by_user_id = True, reason, actor.user_id
        session.add(post)
        if kind == "answer":
            question = session.get(ForumQuestion, post.question_id)
            if question.accepted_answer_id == post.id:
                question.accepted_answer_id = None  # customers cannot see it: it answers nothing for them
            question.answer_count = max(0, question.answer_count - 1)
            session.add(question)
        _mark(session, post.id if kind == "question" else post.question_id)


def unhide(actor: Actor, kind: str, post_id: int, *, at: datetime | None = None) -> None:
    with unit_of_work() as session:
        who = _staff(session, actor, at)
        post = _question(session, who, post_id) if kind == "question" else _answer(session, post_id)
        if not post.hidden:
            return
        post.hidden, post.hidden_reason, post.hidden_by_user_id = False, "", None
        session.add(post)
        if kind == "answer":
            question = session.get(ForumQuestion, post.question_id)
            question.answer_count += 1
            session.add(question)
        _mark(session, post.id if kind == "question" else post.question_id)


def set_locked(actor: Actor, question_id: int, locked: bool, *, at: datetime | None = None) -> None:
    """A locked thread stays readable and takes no new answers."""
    with unit_of_work() as session:
        question = _question(session, _staff(session, actor, at), question_id)
        question.locked = bool(locked)
        session.add(question)
        _mark(session, question.id)


def move(actor: Actor, question_id: int, category: str, *, at: datetime | None = None) -> None:
    with unit_of_work() as session:
        question = _question(session, _staff(session, actor, at), question_id)
        category_id = session.exec(select(ForumCategory.id).where(
            ForumCategory.slug == (category or "").strip().lower())).first()
        if category_id is None:
            raise InvalidInput("Choose the category to move the thread to.")
        question.category_id = category_id
        session.add(question)
        _mark(session, question.id)


def set_staff_pick(actor: Actor, answer_id: int, picked: bool, *, at: datetime | None = None) -> None:
    """Marks an answer "Staff pick" (or takes the mark off)."""
    with unit_of_work() as session:
        _staff(session, actor, at)
        row = _answer(session, answer_id)
        row.staff_mark = rules.STAFF_PICK if picked else ""
        session.add(row)
        _mark(session, row.question_id)


def create_category(actor: Actor, *, name: str, description: str = "", position: int = 0,
                    at: datetime | None = None) -> str:
    """Staff add a category; returns its address (slug, from the name)."""
    name, description = rules.tidy_title(name), rules.tidy_title(description)
    problems = rules.category_problems(name, description)
    slug = slugify(name)[:60]
    if not problems and (not slug or slug in RESERVED_SLUGS):
        problems["name"] = "Choose another name: its address is taken by the community's own pages."
    if problems:
        raise InvalidInput(" ".join(problems.values()))
    try:
        with unit_of_work() as session:
            _staff(session, actor, at)
            if session.exec(select(ForumCategory.id).where(ForumCategory.slug == slug)).first() is not None:
                raise InvalidInput(f"A category named “{name}” exists already.")
            session.add(ForumCategory(slug=slug, name=name, description=description, position=int(position),
                                      created_at=at or clock.now()))
    except IntegrityError:
        raise InvalidInput(f"A category named “{name}” exists already.") from None
    return slug
