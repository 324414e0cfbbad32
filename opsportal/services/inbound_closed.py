"""One short answer to a customer whose e-mail reply was refused because its ticket is closed: how to continue
(reopen within the window, else a follow-up ticket, or a new e-mail to the support address).

Only ``inbound_mail.receive`` calls it, and only for a known, active customer of the ticket's organization writing
to a reply address the portal signed, in a message that is no automatic reply: nobody else is ever answered (an
answer to a forged sender is backscatter). At most one such answer per person and ticket a day, so a client that
keeps resending cannot start a loop.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain.ticket_actions import reopen_deadline, within_window
from opsportal.models import InboundMail, Ticket, User
from opsportal.services import mailer, ticket_ratings
from opsportal.services.auth import user_time_zone
from opsportal.services.notice_mail import Recipient
from opsportal.services.portal_urls import portal_url
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

TOLD = "The sender was e-mailed how to continue."
ALREADY_TOLD = "The sender was already told today how to continue; not e-mailed again."
KIND = "ticket_closed_reply"
QUIET = timedelta(days=1)


def _told_recently(session, user_id: int, ticket_id: int, now: datetime) -> bool:
    return session.exec(select(InboundMail.id).where(
        InboundMail.user_id == user_id, InboundMail.ticket_id == ticket_id, InboundMail.outcome == "refused",
        InboundMail.reason.contains(TOLD), InboundMail.received_at > now - QUIET)).first() is not None


def tell_closed(user_id: int, ticket_id: int, *, in_reply_to: str | None, now: datetime) -> str:
    """E-mails the sender how to continue on the closed ticket; returns the sentence the log adds."""
    with unit_of_work(write=False) as session:
        if _told_recently(session, user_id, ticket_id, now):
            return ALREADY_TOLD
        user, ticket = session.get(User, user_id), session.get(Ticket, ticket_id)
        recipient = Recipient(user.id, user.email, user.full_name, user.role, user.organization_id or 0,
                              user_time_zone(session, user))
        title, closed_at = ticket.title, ticket.closed_at
    window = ticket_ratings.window_days()
    if within_window(closed_at, now, window):
        until = recipient.instant(reopen_deadline(closed_at, window)) if closed_at else None
        next_step = (f"You can reopen it in the portal until {until}, or open a follow-up ticket there."
                     if until else "You can reopen it in the portal, or open a follow-up ticket there.")
    else:
        next_step = "To continue, open it in the portal and choose \u201cOpen a follow-up ticket\u201d."
    subject = f"[Task #{ticket_id}] This task is closed"
    text, html = mailer.render(KIND, subject=subject, heading=f"Task #{ticket_id} is closed",
                               preheader="Your e-mail was not added: the task is closed.",
                               recipient_name=recipient.display_name, footer=None, ticket_id=ticket_id, title=title,
                               next_step=next_step, task_url=portal_url(routes.task(ticket_id)),
                               support_address=get_settings().support_address)
    headers = {"In-Reply-To": in_reply_to, "References": in_reply_to} if in_reply_to else {}
    mail = mailer.Mail(to_address=recipient.email, to_name=recipient.full_name, subject=subject, text=text,
                       html=html, headers=headers, kind=KIND, organization_id=recipient.organization_id or None)
    try:
        mailer.send_mail(mail)
    except mailer.MailError as exc:  # recorded as failed in the outbox; the refusal stands either way
        log.warning("closed-ticket answer to %s failed: %s", recipient.email, exc)
        return "E-mailing the sender how to continue failed."
    return TOLD
