"""E-mail to the followers of a K2 Community thread when it gets a new answer, sent after the answer commits.

As ``ticket_mail``: ``enqueue`` runs in the answer's transaction and writes one pending ``notification_delivery``
per subscribed follower (``forum-<question>-answer-<answer>``, kind ``community_answers``: an opt-out each user
manages under Notifications, with the signed one-click unsubscribe link in every e-mail); once it commits this
process's sender thread delivers them (``notice_delivery.deliver`` claims each first: at most once per user). A
failed send is retried by the thread and by the scheduler's tick. An answer hidden, or a follower who left or
whose organization lost Gold, before the send: that e-mail is dropped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, event
from sqlmodel import Session, select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain import forum as forum_rules
from opsportal.domain import notifications as rules
from opsportal.domain.notifications import NotificationKind
from opsportal.models import (
    ForumAnswer,
    ForumQuestion,
    NotificationDelivery,
    NotificationSubscription,
    Organization,
    User,
)
from opsportal.services import mailer
from opsportal.services.gold_scope import has_gold
from opsportal.services.mail_sender import PendingMailSender
from opsportal.services.notice_delivery import JobReport, deliver, run_instant
from opsportal.services.notice_mail import Recipient, home_zones
from opsportal.services.portal_urls import portal_url
from opsportal.services.subscriptions import (
    notifications_page_url,
    one_click_unsubscribe_url,
    unsubscribe_page_url,
    unsubscribe_token,
)

log = logging.getLogger(__name__)

KIND = NotificationKind.community_answers
BATCH = 200
RETRY_SECONDS = 120


def key(question_id: int, answer_id: int) -> str:
    return f"forum-{question_id}-answer-{answer_id}"


def _answer_id(period_key: str) -> int | None:
    try:
        return int(period_key.rsplit("-answer-", 1)[1])
    except (IndexError, ValueError):
        return None


def subject(title: str) -> str:
    return f"[K2 Community] {' '.join(title.split())}"[:300]


def _subscribed(session: Session, users: list[User]) -> list[User]:
    if not users:
        return []
    choices = dict(session.exec(select(NotificationSubscription.user_id, NotificationSubscription.subscribed)
                                .where(NotificationSubscription.kind == KIND.value,
                                       NotificationSubscription.user_id.in_([u.id for u in users]))).all())
    return [u for u in users if u.is_active and rules.is_subscribed(KIND, u.role, choices.get(u.id))]


def enqueue(session: Session, question: ForumQuestion, answer: ForumAnswer, user_ids: list[int], *,
            at: datetime) -> None:
    """Queues the answer's e-mail to each subscribed follower, in the caller's transaction."""
    if not user_ids:
        return
    users = _subscribed(session, list(session.exec(select(User).where(User.id.in_(user_ids))).all()))
    for user in users:
        session.add(NotificationDelivery(user_id=user.id, organization_id=user.organization_id, kind=KIND.value,
                                         period_key=key(question.id, answer.id), status="pending", attempts=0,
                                         to_address=user.email[:320], subject=subject(question.title),
                                         created_at=at))
    if users and not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit, once=True)


def _after_commit(_session: Session) -> None:
    wake()


def compose(question: ForumQuestion, answer: ForumAnswer, author: str, r: Recipient) -> mailer.Mail:
    token = unsubscribe_token(r.id, KIND)
    footer = {"label": KIND.label, "organization": "the K2 Community", "unsubscribe_url": unsubscribe_page_url(token),
              "manage_url": notifications_page_url()}
    title = subject(question.title)
    intro = f"{author} answered \u201c{question.title}\u201d on {r.instant(answer.created_at)}:"
    text, html = mailer.render("community_answer", subject=title, heading="New answer in the K2 Community",
                               preheader=intro, recipient_name=r.display_name, footer=footer, intro=intro,
                               body=answer.body_md, question_url=portal_url(routes.community_question(question.id)))
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=title, text=text, html=html,
                       unsubscribe_url=one_click_unsubscribe_url(token), kind=KIND.value,
                       organization_id=r.organization_id,
                       headers={"X-OpsPortal-Notification": KIND.value})


def _due() -> dict[str, list[NotificationDelivery]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(NotificationDelivery)
                            .where(NotificationDelivery.kind == KIND.value,
                                   NotificationDelivery.status.in_(("pending", "failed")),
                                   NotificationDelivery.attempts < rules.MAX_ATTEMPTS)
                            .order_by(NotificationDelivery.id).limit(BATCH)).all()
    by_key: dict[str, list[NotificationDelivery]] = defaultdict(list)
    for row in rows:
        by_key[row.period_key].append(row)
    return by_key


def _recipients(session: Session, rows: list[NotificationDelivery]) -> tuple[list[Recipient], list[int]]:
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_([d.user_id for d in rows]))).all()}
    keep = {u.id for u in _subscribed(session, list(users.values())) if has_gold(session, u.organization_id)}
    zones = home_zones(session, [u.organization_id for u in users.values() if u.organization_id])
    recipients = [Recipient(u.id, u.email, u.full_name, u.role, u.organization_id,
                            u.time_zone or zones.get(u.organization_id) or "UTC")
                  for d in rows if (u := users.get(d.user_id)) is not None and u.id in keep]
    return recipients, [d.id for d in rows if d.user_id not in keep]


def send_pending(actor=None, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Delivers every community e-mail that is due (new, or failed and not given up); the scheduler's job too."""
    report = JobReport(kind=KIND.value, at=run_instant(at), dry_run=dry_run)
    for period_key, rows in _due().items():
        with unit_of_work() as session:
            answer = session.get(ForumAnswer, _answer_id(period_key) or 0)
            question = session.get(ForumQuestion, answer.question_id) if answer is not None else None
            if answer is None or question is None or answer.hidden or question.hidden:
                recipients, drop = [], [d.id for d in rows]
            else:
                recipients, drop = _recipients(session, rows)
            if drop and not dry_run:
                session.execute(delete(NotificationDelivery).where(NotificationDelivery.id.in_(drop),
                                                                   NotificationDelivery.status == "pending"))
            author = ""
            if recipients:
                user = session.get(User, answer.author_user_id) if answer.author_user_id else None
                org = session.get(Organization, user.organization_id) if user and user.organization_id else None
                author = forum_rules.author_label(user.full_name if user else "", org.name if org else "",
                                                  from_staff=answer.from_staff)
        if not recipients:
            continue
        deliver(report, KIND, period_key, "K2 Community", recipients,
                lambda r, q=question, a=answer, name=author: compose(q, a, name, r))
    return report


_sender = PendingMailSender("opsportal-community-mail", "community e-mails", lambda: send_pending())


def wake() -> None:
    """Ask this process's sender to look for pending e-mails now (nothing happens if it is not running)."""
    _sender.wake()


def start_sender(*, interval_seconds: float = RETRY_SECONDS) -> bool:
    """Starts the sender thread (False if it runs already); sends what is pending at once."""
    return _sender.start(interval_seconds)


def stop_sender(timeout: float = 30) -> None:
    _sender.stop(timeout)
