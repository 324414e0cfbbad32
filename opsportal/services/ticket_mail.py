"""E-mail about ticket updates to the people on a ticket (see ticket_updates), sent after the update commits.

``enqueue`` runs inside the use case's transaction and sends nothing: it writes what the e-mail says (a
``ticket_mail_update`` row) and one pending ``notification_delivery`` per subscribed recipient
(``ticket-<ticket>-update-<update>``), so an update that rolls back mails no one and one that commits is
certain to be mailed. Once the transaction commits it wakes this process's sender thread (``start_sender``, run
while the backend serves), which delivers the pending rows at once through ``notice_delivery.deliver`` (claimed
first, so at most once per user however many workers or hosts send). A failed send is retried by the sender every
few minutes and by the scheduler's tick, up to ``MAX_ATTEMPTS``; staff see failures under Notices.

Each e-mail's Reply-To is the ticket's signed reply address (``domain.reply_address``), its Message-ID is stable
and refers to the ticket's thread root, so mail clients keep a ticket's e-mails in one conversation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, event
from sqlmodel import Session, select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain import notifications as rules
from opsportal.domain import reply_address
from opsportal.domain.mail_replies import REPLY_MARKER
from opsportal.domain.notifications import NotificationKind
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.models import NotificationDelivery, NotificationSubscription, Organization, Ticket, TicketComment, User
from opsportal.models.ticket_mail import TicketMailUpdate
from opsportal.services import mailer
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
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

KIND = NotificationKind.ticket_updates
BATCH = 200  # deliveries one pass reads; the next pass takes the rest
RETRY_SECONDS = 120  # the sender thread looks for failed sends this often even when nothing wakes it


def support_address() -> reply_address.SupportAddress:
    return reply_address.SupportAddress.parse(get_settings().support_address)


def subject(ticket_id: int, title: str) -> str:
    """The same for every e-mail of a ticket, so clients that thread by subject keep them together too."""
    return f"[Task #{ticket_id}] {' '.join(title.split())}"[:300]


# --- in the use case's transaction ---------------------------------------------------------------------------


def _subscribed(session: Session, users: list[User]) -> list[User]:
    choices = dict(session.exec(select(NotificationSubscription.user_id, NotificationSubscription.subscribed)
                                .where(NotificationSubscription.kind == KIND.value,
                                       NotificationSubscription.user_id.in_([u.id for u in users]))).all())
    return [u for u in users if rules.is_subscribed(KIND, u.role, choices.get(u.id))]


def enqueue(session: Session, update, users: list[User]) -> None:
    """Queues one e-mail per subscribed user for ``update`` (a ``ticket_updates.TicketUpdate``), in the caller's
    transaction; the sender delivers them once it commits."""
    users = _subscribed(session, users)
    if not users:
        return
    text = update.text
    if update.comment_id is not None:
        comment = session.get(TicketComment, update.comment_id)
        text = comment.body if comment is not None else text  # the whole reply, not the one-line excerpt
    row = TicketMailUpdate(ticket_id=update.ticket_id, organization_id=update.organization_id,
                           kind=UpdateKind(update.kind).value, text=text, actor_name=update.actor_name[:200],
                           from_staff=update.from_staff, comment_id=update.comment_id, created_at=update.at)
    session.add(row)
    session.flush()
    key = rules.ticket_update_key(update.ticket_id, row.id)
    for user in users:
        session.add(NotificationDelivery(user_id=user.id, organization_id=update.organization_id, kind=KIND.value,
                                         period_key=key, status="pending", attempts=0, to_address=user.email[:320],
                                         subject=subject(update.ticket_id, update.ticket_title), created_at=update.at))
    session.flush()
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit, once=True)


def _after_commit(_session: Session) -> None:
    wake()


# --- composing ---------------------------------------------------------------------------------------------------


def _intro(update: TicketMailUpdate, ticket: Ticket, when: str) -> str:
    task = f"task #{ticket.id} \u201c{ticket.title}\u201d"
    if update.kind == UpdateKind.status.value:
        return f"{update.actor_name} changed the status of {task} to {update.text} on {when}."
    if update.kind == UpdateKind.dispute_answer.value:
        return f"{update.actor_name} answered your dispute of time logged on {task} on {when}:"
    return f"{update.actor_name} replied on {task} on {when}:"


def compose(update: TicketMailUpdate, ticket: Ticket, org_name: str, r: Recipient) -> mailer.Mail:
    """One recipient's e-mail about ``update``: times in their zone, a link to the task, one-click unsubscribe,
    the signed Reply-To and the ticket's thread headers."""
    settings = get_settings()
    support = support_address()
    token = unsubscribe_token(r.id, KIND)
    footer = {"label": KIND.label, "organization": org_name, "unsubscribe_url": unsubscribe_page_url(token),
              "manage_url": notifications_page_url()}
    title = subject(ticket.id, ticket.title)
    heading = f"{UpdateKind(update.kind).label}: task #{ticket.id}"
    intro = _intro(update, ticket, r.instant(update.created_at))
    body = "" if update.kind == UpdateKind.status.value else update.text
    text, html = mailer.render("ticket_update", subject=title, heading=heading, preheader=intro,
                               recipient_name=r.display_name, footer=footer, marker=REPLY_MARKER, intro=intro,
                               body=body, ticket_id=ticket.id, task_url=portal_url(routes.task(ticket.id)))
    root = reply_address.thread_id(ticket.id, support.domain)
    headers = {"Message-ID": reply_address.message_id(ticket.id, update.id, r.id, support.domain),
               "In-Reply-To": root, "References": root,
               "Reply-To": reply_address.reply_address(ticket.id, support, settings.secret_key),
               "X-OpsPortal-Notification": KIND.value, "X-OpsPortal-Task": str(ticket.id)}
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=title, text=text, html=html,
                       unsubscribe_url=one_click_unsubscribe_url(token), headers=headers, kind=KIND.value,
                       organization_id=r.organization_id)


# --- sending ---------------------------------------------------------------------------------------------------


def _update_id(period_key: str) -> int | None:
    try:
        return int(period_key.rsplit("-update-", 1)[1])
    except (IndexError, ValueError):
        return None


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


def _recipients(session: Session, update: TicketMailUpdate, rows: list[NotificationDelivery]
                ) -> tuple[list[Recipient], list[int]]:
    """Who still gets it (active, still in the ticket's organization, still subscribed) and the deliveries to drop."""
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_([d.user_id for d in rows]))).all()}
    keep = [u for u in users.values() if u.is_active and u.organization_id == update.organization_id]
    keep = {u.id for u in _subscribed(session, keep)} if keep else set()
    zones = home_zones(session, [update.organization_id])
    recipients = [Recipient(u.id, u.email, u.full_name, u.role, u.organization_id,
                            u.time_zone or zones.get(u.organization_id) or "UTC")
                  for d in rows if (u := users.get(d.user_id)) is not None and u.id in keep]
    return recipients, [d.id for d in rows if d.user_id not in keep]


def send_pending(actor=None, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Delivers every ticket e-mail that is due (new, or failed and not given up); the scheduler's job too."""
    report = JobReport(kind=KIND.value, at=run_instant(at), dry_run=dry_run)
    for key, rows in _due().items():
        with unit_of_work() as session:
            update = session.get(TicketMailUpdate, _update_id(key) or 0)
            ticket = session.get(Ticket, update.ticket_id) if update is not None else None
            if update is None or ticket is None:
                recipients, drop = [], [d.id for d in rows]
            else:
                recipients, drop = _recipients(session, update, rows)
            if drop and not dry_run:
                # Unsubscribed, left the organization or deactivated since: the e-mail is no longer theirs.
                session.execute(delete(NotificationDelivery).where(NotificationDelivery.id.in_(drop),
                                                                   NotificationDelivery.status == "pending"))
            org = session.get(Organization, update.organization_id) if recipients else None
        if not recipients:
            continue
        deliver(report, KIND, key, org.name, recipients,
                lambda r, u=update, t=ticket, name=org.name: compose(u, t, name, r))
    return report


# --- the sender thread -------------------------------------------------------------------------------------------

_sender = PendingMailSender("opsportal-ticket-mail", "ticket e-mails", lambda: send_pending())


def wake() -> None:
    """Ask this process's sender to look for pending e-mails now (nothing happens if it is not running)."""
    _sender.wake()


def start_sender(*, interval_seconds: float = RETRY_SECONDS) -> bool:
    """Starts the sender thread (False if it runs already); sends what is pending at once."""
    return _sender.start(interval_seconds)


def stop_sender(timeout: float = 30) -> None:
    _sender.stop(timeout)
