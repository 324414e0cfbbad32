"""The K2 Community forum, read side: who may enter, the categories, a page of threads (recent, by category, or
found by full-text search) and one thread with a page of its answers.

The forum is shared by every organization with active Gold (``domain.forum``); staff always enter. A customer
without Gold is refused every read and write here with ``NO_ACCESS``; ``community_home`` tells them what the
community is instead. Hidden posts exist for staff only: to anyone else a hidden question reads exactly like one
that does not exist, and a hidden answer is left out. Authors are named by first name and organization only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.domain.gold_scope import GoldElsewhere
from opsportal.domain.kb import parse_query
from opsportal.models import ForumAnswer, ForumCategory, ForumFollower, ForumQuestion, ForumVote, Organization, User
from opsportal.services import forum_search
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.gold_scope import gold_elsewhere_notice, has_gold
from opsportal.services.pagination import Page, clamp

QUESTION_NOT_FOUND = "That question was not found. It may have been removed."
CATEGORY_NOT_FOUND = "That category was not found."
PAGE_SIZE = 20
ANSWER_PAGE_SIZE = 30


def question_topic(question_id: int) -> str:
    """The change-feed topic of one thread: its open pages follow it."""
    return f"forum:{question_id}"


def reader(session: Session, actor: Actor, at: datetime | None = None) -> rules.Reader:
    gold = False if actor.is_staff else has_gold(session, actor.organization_id, at)
    return rules.Reader(user_id=actor.user_id, is_staff=actor.is_staff, has_gold=gold)


def enter(session: Session, actor: Actor, at: datetime | None = None) -> rules.Reader:
    """The reader, or ``PermissionDenied`` when they may not enter the community."""
    who = reader(session, actor, at)
    if not rules.may_enter(who):
        raise PermissionDenied(rules.NO_ACCESS)
    return who


def load_question(session: Session, who: rules.Reader, question_id: int, *, lock: bool = False) -> ForumQuestion:
    stmt = select(ForumQuestion).where(ForumQuestion.id == question_id)
    question = session.exec(stmt.with_for_update() if lock else stmt).first()
    if question is None or (question.hidden and not rules.may_see_hidden(who)):
        raise NotFound(QUESTION_NOT_FOUND)
    return question


def authors(session: Session, posts) -> dict[int, str]:
    """Post author user id -> how the community names them."""
    user_ids = {p.author_user_id for p in posts if p.author_user_id}
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.full_name, Organization.name)
                        .join(Organization, Organization.id == User.organization_id, isouter=True)
                        .where(User.id.in_(user_ids))).all()
    staff = {p.author_user_id for p in posts if p.from_staff}
    return {uid: rules.author_label(name, org, from_staff=uid in staff) for uid, name, org in rows}


def _author(names: dict[int, str], post) -> str:
    return names.get(post.author_user_id or 0) or ("K2 Support" if post.from_staff else "A former member")


# --- categories and the community's front page --------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    id: int
    slug: str
    name: str
    description: str
    questions: int


@dataclass(frozen=True)
class QuestionRow:
    id: int
    title: str
    category: str
    category_slug: str
    author: str
    answers: int
    votes: int
    answered: bool  # an answer is accepted
    locked: bool
    hidden: bool
    last_activity_at: datetime
    snippet: tuple[tuple[str, bool], ...] = ()
    snippet_from_answer: bool = False  # the search matched it through one of its answers


@dataclass(frozen=True)
class CommunityHome:
    access: bool  # False: a customer without Gold, who is told what the community is and how to join
    categories: list[CategoryRow]
    # Without access while an ancestor organization holds Gold: Gold is per organization, and who can buy it.
    gold_elsewhere: GoldElsewhere | None = None


def _categories(session: Session, who: rules.Reader) -> list[CategoryRow]:
    filters = [] if rules.may_see_hidden(who) else [ForumQuestion.hidden.is_(False)]
    counts = dict(session.exec(select(ForumQuestion.category_id, func.count()).where(*filters)
                               .group_by(ForumQuestion.category_id)).all())
    rows = session.exec(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.name)).all()
    return [CategoryRow(c.id, c.slug, c.name, c.description, int(counts.get(c.id, 0))) for c in rows]


def community_home(actor: Actor, *, at: datetime | None = None) -> CommunityHome:
    """The categories; a customer without Gold gets them too (names and descriptions), marked without access."""
    with unit_of_work(write=False) as session:
        who = reader(session, actor, at)
        access = rules.may_enter(who)
        elsewhere = None if access else gold_elsewhere_notice(session, actor, actor.organization_id, at)
        return CommunityHome(access=access, categories=_categories(session, who), gold_elsewhere=elsewhere)


def get_category(actor: Actor, slug: str) -> CategoryRow:
    with unit_of_work(write=False) as session:
        who = enter(session, actor)
        for row in _categories(session, who):
            if row.slug == (slug or "").strip().lower():
                return row
    raise NotFound(CATEGORY_NOT_FOUND)


def _rows(session: Session, questions: list[ForumQuestion], found: dict[int, forum_search.Found] | None = None
          ) -> list[QuestionRow]:
    cats = {c.id: c for c in session.exec(select(ForumCategory)).all()}
    names = authors(session, questions)
    return [QuestionRow(q.id, q.title, cats[q.category_id].name, cats[q.category_id].slug, _author(names, q),
                        q.answer_count, q.votes, q.accepted_answer_id is not None, q.locked, q.hidden,
                        q.last_activity_at, *_snippet((found or {}).get(q.id))) for q in questions]


def _snippet(found: forum_search.Found | None) -> tuple[tuple, bool]:
    return (found.snippet, found.answer_id is not None) if found else ((), False)


def list_questions(actor: Actor, *, category: str = "", query: str = "", page: int = 1,
                   page_size: int = PAGE_SIZE) -> Page[QuestionRow]:
    """Threads most recently active first, or with ``query`` the best matches first; in one category or all."""
    page, page_size = clamp(page, page_size)
    offset = (page - 1) * page_size
    parsed = parse_query(query)
    with unit_of_work(write=False) as session:
        who = enter(session, actor)
        category_id = None
        if category:
            category_id = session.exec(select(ForumCategory.id).where(
                ForumCategory.slug == category.strip().lower())).first()
            if category_id is None:
                raise NotFound(CATEGORY_NOT_FOUND)
        hidden_too = rules.may_see_hidden(who)
        if not parsed.empty:
            total, found = forum_search.find(session, parsed, hidden_too=hidden_too, category_id=category_id,
                                             limit=page_size, offset=offset)
            if total == 0 and len(parsed.terms) > 1:
                total, found = forum_search.find(session, parsed, hidden_too=hidden_too, category_id=category_id,
                                                 limit=page_size, offset=offset, any_term=True)
            by_id = {q.id: q for q in session.exec(select(ForumQuestion).where(
                ForumQuestion.id.in_([f.id for f in found]))).all()}
            questions = [by_id[f.id] for f in found if f.id in by_id]
            return Page(_rows(session, questions, {f.id: f for f in found}), page, page_size, total)
        filters = [] if hidden_too else [ForumQuestion.hidden.is_(False)]
        if category_id is not None:
            filters.append(ForumQuestion.category_id == category_id)
        total = session.exec(select(func.count()).select_from(ForumQuestion).where(*filters)).one()
        questions = list(session.exec(select(ForumQuestion).where(*filters)
                                      .order_by(ForumQuestion.last_activity_at.desc(), ForumQuestion.id.desc())
                                      .offset(offset).limit(page_size)).all())
        return Page(_rows(session, questions), page, page_size, int(total))


# --- one thread -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    id: int
    author: str
    from_staff: bool  # "Answered by support"
    staff_pick: bool
    accepted: bool
    body_md: str  # made safe to render (domain.forum.safe_markdown)
    votes: int
    voted: bool  # the reader's up-vote is on it
    own: bool
    hidden: bool
    hidden_reason: str
    created_at: datetime
    edited_at: datetime | None = None  # shown "edited" with the time
    may_edit: bool = False  # the reader wrote it and the thread is not locked (``domain.forum.edit_problem``)
    source_md: str = ""  # as its author typed it, for their edit form (empty unless ``may_edit``)


@dataclass(frozen=True)
class QuestionDetail:
    id: int
    title: str
    body_md: str
    category: str
    category_slug: str
    author: str
    from_staff: bool
    votes: int
    voted: bool
    own: bool  # the reader asked it
    locked: bool
    hidden: bool
    hidden_reason: str
    accepted_answer_id: int | None
    ticket_id: int | None  # the support ticket it became (shown to its author and staff only)
    following: bool
    may_accept: bool
    may_moderate: bool
    created_at: datetime
    answers: Page[AnswerView]
    edited_at: datetime | None = None
    may_edit: bool = False
    source_title: str = ""  # as typed, for the edit form (the reader's own question only)
    source_body: str = ""


def _voted(session: Session, user_id: int, kind: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.exec(select(ForumVote.post_id).where(ForumVote.user_id == user_id, ForumVote.post_kind == kind,
                                                            ForumVote.post_id.in_(ids))).all())


def _answer_view(a: ForumAnswer, q: ForumQuestion, who: rules.Reader, names: dict[int, str], voted: set[int]
                 ) -> AnswerView:
    may_edit = rules.may_edit(who, author_user_id=a.author_user_id, locked=q.locked)
    return AnswerView(a.id, _author(names, a), a.from_staff, a.staff_mark == rules.STAFF_PICK,
                      a.id == q.accepted_answer_id, rules.safe_markdown(a.body_md), a.votes, a.id in voted,
                      a.author_user_id is not None and a.author_user_id == who.user_id, a.hidden,
                      a.hidden_reason if who.is_staff else "", a.created_at, a.edited_at, may_edit,
                      a.body_md if may_edit else "")


def get_question(actor: Actor, question_id: int, *, page: int = 1, page_size: int = ANSWER_PAGE_SIZE
                 ) -> QuestionDetail:
    """One thread and a page of its answers, oldest first (the accepted one is marked where it stands)."""
    page, page_size = clamp(page, page_size)
    with unit_of_work(write=False) as session:
        who = enter(session, actor)
        q = load_question(session, who, question_id)
        filters = [ForumAnswer.question_id == q.id]
        if not rules.may_see_hidden(who):
            filters.append(ForumAnswer.hidden.is_(False))
        total = session.exec(select(func.count()).select_from(ForumAnswer).where(*filters)).one()
        answers = list(session.exec(select(ForumAnswer).where(*filters).order_by(ForumAnswer.id)
                                    .offset((page - 1) * page_size).limit(page_size)).all())
        names = authors(session, [q, *answers])
        voted = _voted(session, actor.user_id, "answer", [a.id for a in answers])
        category = session.get(ForumCategory, q.category_id)
        following = session.exec(select(ForumFollower.id).where(ForumFollower.question_id == q.id,
                                                                ForumFollower.user_id == actor.user_id)).first()
        own = q.author_user_id is not None and q.author_user_id == actor.user_id
        views = [_answer_view(a, q, who, names, voted) for a in answers]
        may_edit = rules.may_edit(who, author_user_id=q.author_user_id, locked=q.locked)
        return QuestionDetail(
            id=q.id, title=q.title, body_md=rules.safe_markdown(q.body_md), category=category.name,
            category_slug=category.slug, author=_author(names, q), from_staff=q.from_staff, votes=q.votes,
            voted=bool(_voted(session, actor.user_id, "question", [q.id])), own=own, locked=q.locked,
            hidden=q.hidden, hidden_reason=q.hidden_reason if who.is_staff else "",
            accepted_answer_id=q.accepted_answer_id, ticket_id=q.ticket_id if (own or who.is_staff) else None,
            following=following is not None, may_accept=rules.may_accept(who, asker_user_id=q.author_user_id),
            may_moderate=rules.may_moderate(who), created_at=q.created_at,
            answers=Page(views, page, page_size, int(total)), edited_at=q.edited_at, may_edit=may_edit,
            source_title=q.title if may_edit else "", source_body=q.body_md if may_edit else "")


def change_topics(actor: Actor, question_id: int) -> list[str]:
    """What an open thread page follows on the change feed (refused like the thread itself)."""
    with unit_of_work(write=False) as session:
        return [question_topic(load_question(session, enter(session, actor), question_id).id)]
