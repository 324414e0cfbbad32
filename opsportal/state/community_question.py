"""/community/questions/[question_id]: one thread with a page of its answers; new answers, votes and moderation
appear while it is open (the thread's change-feed topic), without a reload."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import forum, forum_edits, forum_moderation, forum_posts
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.community import CategoryView
from opsportal.state.paging import PagedState

View = tuple[int, int]  # (question id, page of answers)


@dataclass
class AnswerRow:
    id: int = 0
    author: str = ""
    from_staff: bool = False
    staff_pick: bool = False
    accepted: bool = False
    body: str = ""
    votes: int = 0
    voted: bool = False
    own: bool = False
    hidden: bool = False
    hidden_reason: str = ""
    at: str = ""
    edited: str = ""  # "edited 4 Dec 2026, 10:05 CET" in the reader's zone; "" when never edited
    may_edit: bool = False
    source: str = ""  # as typed, for the author's edit form


def edited_text(edited_at, time_zone: str) -> str:
    return "edited " + formats.instant(edited_at, time_zone) if edited_at else ""


class CommunityQuestionState(PagedState, rx.State):
    """``page``/``pages`` (PagedState) page the answers."""

    access: bool = True
    found: bool = False
    error: str = ""
    notice: str = ""
    question_id: int = 0
    title: str = ""
    body: str = ""
    category: str = ""
    category_href: str = ""
    author: str = ""
    asked_at: str = ""
    votes: int = 0
    voted: bool = False
    own: bool = False
    locked: bool = False
    hidden: bool = False
    hidden_reason: str = ""
    ticket_href: str = ""
    ticket_label: str = ""
    following: bool = False
    may_accept: bool = False
    may_moderate: bool = False
    answers: list[AnswerRow] = []
    answer_total: int = 0
    answer_error: str = ""
    action_error: str = ""
    categories: list[CategoryView] = []
    # Authors editing and deleting their own posts
    edited: str = ""
    may_edit: bool = False
    source_title: str = ""
    source_body: str = ""
    editing_question: bool = False
    editing_answer: int = 0  # the answer whose edit form is open
    confirm_delete: str = ""  # "question" or "answer-<id>": the post whose deletion awaits confirmation
    edit_error: str = ""
    _cursor: int = 0
    _watch_id: str = ""
    _view: View = (0, 1)
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _clear(self, error: str) -> None:
        self.found, self.error, self.answers, self.title, self.body = False, error, [], "", ""

    def _apply(self, d: forum.QuestionDetail) -> None:
        tz = self._time_zone
        self.found, self.error, self.access = True, "", True
        self.question_id, self.title, self.body = d.id, d.title, d.body_md
        self.category, self.category_href = d.category, routes.community_category(d.category_slug)
        self.author, self.asked_at = d.author, formats.instant(d.created_at, tz)
        self.votes, self.voted, self.own = d.votes, d.voted, d.own
        self.locked, self.hidden, self.hidden_reason = d.locked, d.hidden, d.hidden_reason
        self.ticket_href = routes.task(d.ticket_id) if d.ticket_id else ""
        self.ticket_label = f"Support ticket #{d.ticket_id}" if d.ticket_id else ""
        self.following, self.may_accept, self.may_moderate = d.following, d.may_accept, d.may_moderate
        self.answers = [AnswerRow(a.id, a.author, a.from_staff, a.staff_pick, a.accepted, a.body_md, a.votes,
                                  a.voted, a.own, a.hidden, a.hidden_reason, formats.instant(a.created_at, tz),
                                  edited_text(a.edited_at, tz), a.may_edit, a.source_md)
                        for a in d.answers.items]
        self.edited, self.may_edit = edited_text(d.edited_at, tz), d.may_edit
        self.source_title, self.source_body = d.source_title, d.source_body
        self.answer_total, self.page, self.pages = d.answers.total, d.answers.page, d.answers.pages

    def _refresh_failed(self, message: str) -> None:
        self._clear(message)

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.notice = self.answer_error = self.action_error = self.edit_error = self.confirm_delete = ""
        self.editing_question, self.editing_answer = False, 0
        self._watch_id = ""
        question_id = self._requested_id()
        if question_id is None:
            self._clear(forum.QUESTION_NOT_FOUND)
            return
        return await self._show(actor, (question_id, 1))

    async def _show(self, actor: Actor, view: View):
        self._cursor = live.start_position()
        self._time_zone = actor.time_zone
        return await offload.run(self._read_and_show, actor, view)

    def _read_and_show(self, actor: Actor, view: View):
        try:
            detail = read_view(actor, view)
        except PermissionDenied as exc:
            self.access = "Gold" not in str(exc)
            self._clear("" if not self.access else str(exc))
            return
        except ServiceError as exc:
            self._clear(str(exc))
            return
        self._apply(detail)
        if actor.is_staff and not self.categories:
            self.categories = [CategoryView(c.slug, "", c.name, "", "") for c in forum.community_home(actor).categories]
        self._view = (detail.id, detail.answers.page)
        return CommunityQuestionState.watch

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await self._show(actor, (self._view[0], page))

    async def _act(self, fn, *args, notice: str = "", **kwargs):
        """Runs one use case on this thread, then shows the thread again (or why it was refused)."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.action_error = self.notice = ""
        try:
            await offload.run(fn, actor, *args, **kwargs)
        except ServiceError as exc:
            self.action_error = str(exc)
            return
        self.notice = notice
        return await self._show(actor, self._view)

    @rx.event
    async def post_answer(self, form: dict):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.answer_error = ""
        try:
            await offload.run(forum_posts.answer, actor, self.question_id, str(form.get("body", "")))
        except ServiceError as exc:
            self.answer_error = str(exc)
            return
        last = max(1, -(-(self.answer_total + 1) // forum.ANSWER_PAGE_SIZE))
        self.notice = "Your answer is posted."
        return [rx.set_value("answer-body", ""), await self._show(actor, (self.question_id, last))]

    @rx.event
    async def accept(self, answer_id: int):
        return await self._act(forum_posts.accept, self.question_id, int(answer_id), notice="Answer accepted.")

    @rx.event
    async def unaccept(self):
        return await self._act(forum_posts.accept, self.question_id, None, notice="Acceptance taken back.")

    @rx.event
    async def vote_question(self):
        return await self._act(forum_posts.vote, "question", self.question_id, up=not self.voted)

    @rx.event
    async def vote_answer(self, answer_id: int, voted: bool):
        return await self._act(forum_posts.vote, "answer", int(answer_id), up=not voted)

    @rx.event
    async def toggle_follow(self):
        return await self._act(forum_posts.set_following, self.question_id, not self.following,
                               notice="You no longer follow this question." if self.following else
                               "You follow this question: new answers are e-mailed to you.")

    @rx.event
    async def make_ticket(self):
        return await self._act(forum_posts.to_ticket, self.question_id,
                               notice="Your question is now a support ticket; the support team answers there.")

    # --- authors editing and deleting their own posts ---

    @rx.event
    def start_edit_question(self):
        self.editing_question, self.editing_answer, self.edit_error, self.confirm_delete = True, 0, "", ""

    @rx.event
    def start_edit_answer(self, answer_id: int):
        self.editing_question, self.editing_answer, self.edit_error, self.confirm_delete = False, int(answer_id), "", ""

    @rx.event
    def cancel_edit(self):
        self.editing_question, self.editing_answer, self.edit_error, self.confirm_delete = False, 0, "", ""

    @rx.event
    def ask_delete(self, target: str):
        self.confirm_delete, self.action_error = str(target)[:40], ""

    async def _edit(self, fn, *args, **kwargs):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.edit_error = self.notice = self.action_error = ""
        try:
            changed = await offload.run(fn, actor, *args, **kwargs)
        except forum_posts.InvalidQuestion as exc:
            self.edit_error = " ".join(exc.problems.values())
            return
        except ServiceError as exc:
            self.edit_error = str(exc)
            return
        self.editing_question, self.editing_answer = False, 0
        self.notice = "Your edit is saved." if changed else "Nothing changed."
        return await self._show(actor, self._view)

    @rx.event
    async def save_question(self, form: dict):
        return await self._edit(forum_edits.edit_question, self.question_id, title=str(form.get("title", "")),
                                body=str(form.get("body", "")))

    @rx.event
    async def save_answer(self, form: dict):
        return await self._edit(forum_edits.edit_answer, self.editing_answer, str(form.get("body", "")))

    @rx.event
    async def delete_answer(self, answer_id: int):
        self.confirm_delete = ""
        return await self._act(forum_edits.delete_answer, int(answer_id), notice="Your answer is deleted.")

    @rx.event
    async def delete_question(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.confirm_delete = self.action_error = ""
        try:
            await offload.run(forum_edits.delete_question, actor, self.question_id)
        except ServiceError as exc:
            self.action_error = str(exc)
            return
        return rx.redirect(routes.COMMUNITY)

    # --- staff moderation ---

    @rx.event
    async def hide_post(self, form: dict):
        kind, post_id = str(form.get("kind", "")), int(str(form.get("post_id", "0")) or 0)
        return await self._act(forum_moderation.hide, kind, post_id, str(form.get("reason", "")),
                               notice="Hidden from customers.")

    @rx.event
    async def unhide_post(self, kind: str, post_id: int):
        return await self._act(forum_moderation.unhide, kind, int(post_id), notice="Shown to customers again.")

    @rx.event
    async def toggle_lock(self):
        return await self._act(forum_moderation.set_locked, self.question_id, not self.locked,
                               notice="Thread unlocked." if self.locked else "Thread locked.")

    @rx.event
    async def move_to(self, form: dict):
        return await self._act(forum_moderation.move, self.question_id, str(form.get("category", "")),
                               notice="Thread moved.")

    @rx.event
    async def toggle_pick(self, answer_id: int, picked: bool):
        return await self._act(forum_moderation.set_staff_pick, int(answer_id), not picked)

    @rx.event(background=True)
    async def watch(self):
        """New answers, votes and moderation appear within seconds while the thread is open."""
        async for event in live.follow(self, key="_view", topics=view_topics, read=read_view):
            yield event


def read_view(actor: Actor, view: View) -> forum.QuestionDetail:
    return forum.get_question(actor, view[0], page=view[1])


def view_topics(actor: Actor, view: View) -> list[str]:
    return forum.change_topics(actor, view[0])
