"""The demo's ticket e-mail: its history is not mailed (the tasks were made up, not answered just now), and the
support mailbox has received a few messages, as a portal in use would have: a customer's reply added as a comment,
a ticket opened by e-mail, and two refusals (an unknown sender, a colleague of another organization)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import delete
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import reply_address
from opsportal.domain.tasks import OPEN_STATUSES
from opsportal.models import NotificationDelivery, Organization, Ticket, User
from opsportal.models.ticket_mail import TicketMailUpdate
from opsportal.services import inbound_mail, ticket_mail
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.settings import get_settings

ORGANIZATION = "Northwind Holdings"


def _mail(sender: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, to, subject, message_id
    msg.set_content(body)
    return bytes(msg)


def load_demo_ticket_mail(actor: Actor, *, now: datetime) -> None:
    require_staff_admin(actor)
    with unit_of_work() as session:
        # The made-up history's e-mails stay unsent: drop them before any sender sees them.
        keys = [f"ticket-{t}-update-{u}" for t, u in session.exec(
            select(TicketMailUpdate.ticket_id, TicketMailUpdate.id).where(TicketMailUpdate.created_at <= now)).all()]
        for start in range(0, len(keys), 500):
            session.execute(delete(NotificationDelivery).where(NotificationDelivery.kind == "ticket_updates",
                                                               NotificationDelivery.status == "pending",
                                                               NotificationDelivery.period_key.in_(
                                                                   keys[start:start + 500])))
        org = session.exec(select(Organization).where(Organization.name == ORGANIZATION)).first()
        ticket = session.exec(select(Ticket).where(Ticket.organization_id == org.id,
                                                   Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                                                   Ticket.created_by_user_id.is_not(None))
                              .order_by(Ticket.updated_at.desc(), Ticket.id.desc())).first() if org else None
        requester = session.get(User, ticket.created_by_user_id) if ticket else None
        outsider = session.exec(select(User).join(Organization, Organization.id == User.organization_id)
                                .where(Organization.name == "Fabrikam Clinics").order_by(User.id)).first()
    if ticket is None or requester is None:
        return
    support = ticket_mail.support_address()
    reply_to = reply_address.reply_address(ticket.id, support, get_settings().secret_key)
    subject = f"Re: {ticket_mail.subject(ticket.id, ticket.title)}"
    messages = [
        (requester.email, reply_to, subject, "Thanks, that helped. I will let you know if it happens again.\n\n"
         f"On Tue, 1 Dec 2026 at 10:12, OpsPortal <no-reply@opsportal.example> wrote:\n> {ticket.title}\n"),
        (requester.email, support.address, "Meeting room screen shows no signal",
         "The screen in meeting room 2 shows 'no signal' with every laptop we plug in.\n\nSent from my iPhone\n"),
        ("offers@bulk-mailer.example", support.address, "Boost your sales 300%", "Click here."),
    ]
    if outsider is not None:
        messages.append((outsider.email, reply_to, subject, "Is this about our clinic?"))
    for n, (sender, to, title, body) in enumerate(messages, start=1):
        inbound_mail.receive(_mail(sender, to, title, body, f"<demo-{ticket.id}-{n}@client.example>"),
                             envelope_from=sender, rcpt_tos=[to])
