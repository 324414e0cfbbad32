"""The K2 Community forum, what members do: ask, answer, accept an answer, up-vote, follow a thread, and turn their
own question into a support ticket. One transaction each; ``forum.enter`` refuses customers without Gold.

A new answer marks the thread's change-feed topic (its open pages show it within seconds) and queues an e-mail to
every follower but its author (``forum_mail``); the asker follows from the start.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from opsportal import clock, routes
from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.domain.tasks import DESCRIPTION_MAX
from opsportal.models import ForumAnswer, ForumCategory, ForumFollower, ForumQuestion, ForumVote, Ticket
from opsportal.services import changes, forum, forum_mail, tasks
from opsportal.services.authz import Actor
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.portal_urls import portal_url

TICKET_CATEGORY = "Other"


class InvalidQuestion(InvalidInput):
    """A question form with problems; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def _touch(session: Session, question: ForumQuestion, at: datetime) -> None:
    question.last_activity_at = at
    session.add(question)
    changes.mark(session, forum.question_topic(question.id))


def _follow(session: Session, question_id: int, user_id: int, at: datetime) -> None:
    exists = session.exec(select(ForumFollower.id).where(ForumFollower.question_id == question_id,
                                                         ForumFollower.user_id == user_id)).first()
    if exists is None:
        session.add(ForumFollower(question_id=question_id, user_id=user_id, created_at=at))


def ask(actor: Actor, *, category: str, title: str, body: str, at: datetime | None = None) -> int:
    """A member (or staff) asks a question in a category; the asker follows it. Returns the question's id."""
    title, body = rules.tidy_title(title), rules.tidy_body(body)
    problems = rules.question_problems(title, body)
    now = at or clock.now()
    with unit_of_work() as session:
        forum.enter(session, actor, at)
        category_id = session.exec(select(ForumCategory.id).where(
            ForumCategory.slug == (category or "").strip().lower())).first()
        if category_id is None:
            problems["category"] = "Choose a category."
        if problems:
            raise InvalidQuestion(problems)
        question = ForumQuestion(category_id=category_id, author_user_id=actor.user_id or None,
                                 organization_id=actor.organization_id, from_staff=actor.is_staff, title=title,
                                 body_md=body, created_at=now, last_activity_at=now)
        session.add(question)
        session.flush()
        _follow(session, question.id, actor.user_id, now)
        changes.mark(session, forum.question_topic(question.id))
        return question.id


def answer(actor: Actor, question_id: int, body: str, *, at: datetime | None = None) -> int:
    """Anyone in the community answers an open thread; its followers (but the author) are e-mailed."""
    body = rules.tidy_body(body)
    problem = rules.answer_body_problem(body)
    now = at or clock.now()
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        question = forum.load_question(session, who, question_id, lock=True)
        refusal = rules.answer_problem(locked=question.locked, question_hidden=question.hidden)
        if refusal == rules.LOCKED:
            raise Conflict(refusal)
        if problem:
            raise InvalidInput(problem)
        row = ForumAnswer(question_id=question.id, author_user_id=actor.user_id or None,
                          organization_id=actor.organization_id, from_staff=actor.is_staff, body_md=body,
                          created_at=now)
        session.add(row)
        question.answer_count += 1
        _touch(session, question, now)
        session.flush()
        followers = session.exec(select(ForumFollower.user_id).where(ForumFollower.question_id == question.id,
                                                                     ForumFollower.user_id != actor.user_id)).all()
        forum_mail.enqueue(session, question, row, list(followers), at=now)
        return row.id


def accept(actor: Actor, question_id: int, answer_id: int | None, *, at: datetime | None = None) -> None:
    """The asker (or staff) accepts an answer of the thread; ``None`` takes the acceptance back."""
    now = at or clock.now()
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        question = forum.load_question(session, who, question_id, lock=True)
        if not rules.may_accept(who, asker_user_id=question.author_user_id):
            raise PermissionDenied(rules.ONLY_ASKER_ACCEPTS)
        if answer_id is not None:
            row = session.get(ForumAnswer, answer_id)
            if row is None or row.question_id != question.id or (row.hidden and not who.is_staff):
                raise NotFound("That answer was not found in this thread.")
            if row.hidden:
                raise Conflict("A hidden answer cannot be accepted.")
        question.accepted_answer_id = answer_id
        _touch(session, question, now)


def _post(session: Session, who: rules.Reader, kind: str, post_id: int) -> tuple[ForumQuestion, object]:
    if kind == "question":
        question = forum.load_question(session, who, post_id, lock=True)
        return question, question
    if kind != "answer":
        raise InvalidInput("Vote on a question or an answer.")
    row = session.exec(select(ForumAnswer).where(ForumAnswer.id == post_id).with_for_update()).first()
    if row is None or (row.hidden and not who.is_staff):
        raise NotFound("That answer was not found.")
    return forum.load_question(session, who, row.question_id), row


def vote(actor: Actor, kind: str, post_id: int, *, up: bool = True, at: datetime | None = None) -> int:
    """Up-votes a post (``up=False`` takes the vote back); one vote per user and post, never on one's own post.
    Returns the post's votes."""
    now = at or clock.now()
    with unit_of_work() as session:
        who = forum.enter(session, actor, at)
        question, post = _post(session, who, kind, post_id)
        problem = rules.vote_problem(who, author_user_id=post.author_user_id, hidden=post.hidden)
        if problem:
            raise Conflict(problem)
        mine = session.exec(select(ForumVote).where(ForumVote.user_id == actor.user_id, ForumVote.post_kind == kind,
                                                    ForumVote.post_id == post.id)).first()
        if up and mine is None:
            session.add(ForumVote(user_id=actor.user_id, post_kind=kind, post_id=post.id, created_at=now))
        elif not up and mine is not None:
            session.delete(mine)
        try:
            session.flush()
        except IntegrityError:  # the same user's second tab voted first: the vote stands once
            raise Conflict("Your vote was already counted.") from None
        post.votes = session.exec(select(func.count()).select_from(ForumVote).where(
            ForumVote.post_kind == kind, ForumVote.post_id == post.id)).one()
        session.add(post)
        changes.mark(session, forum.question_topic(question.id))
        return int(post.votes)


def set_following(actor: Actor, question_id: int, following: bool, *, at: datetime | None = None) -> None:
    """Follow a thread (an e-mail on each new answer) or stop following it."""
    now = at or clock.now()
    with unit_of_work() as session:
        question = forum.load_question(session, forum.enter(session, actor, at), question_id)
        if following:
            _follow(session, question.id, actor.user_id, now)
            return
        mine = session.exec(select(ForumFollower).where(ForumFollower.question_id == question.id,
                                                        ForumFollower.user_id == actor.user_id)).first()
        if mine is not None:
            session.delete(mine)


def to_ticket(actor: Actor, question_id: int, *, priority: str = "normal", at: datetime | None = None) -> int:
    """The asker turns their question into a support ticket of their organization (once); the ticket and the thread
    link to each other. Returns the ticket's id."""
    now = at or clock.now()
    with unit_of_work(write=False) as session:
        question = forum.load_question(session, forum.enter(session, actor, at), question_id)
        if actor.is_staff or question.author_user_id != actor.user_id:
            raise PermissionDenied("Only the person who asked can turn a question into a support ticket.")
        if question.ticket_id is not None:
            raise Conflict(f"This question is already support ticket #{question.ticket_id}.")
        title, body = question.title, question.body_md
    intro = f"From the K2 Community question {portal_url(routes.community_question(question_id))}\n\n"
    description = (intro + body)[:DESCRIPTION_MAX]

    def link(session: Session, ticket: Ticket, _comment) -> None:
        row = session.exec(select(ForumQuestion).where(ForumQuestion.id == question_id).with_for_update()).one()
        if row.ticket_id is not None:
            raise Conflict(f"This question is already support ticket #{row.ticket_id}.")
        row.ticket_id = ticket.id
        _touch(session, row, now)

    return tasks.create_ticket(actor, subject=title, category=TICKET_CATEGORY, priority=priority,
                               description=description, at=now, attach=link).id
