"""The e-mail links that act on an account without signing in: a password reset and an invitation to join an
organization. Each is a one-time token (stored hashed, ``one_time_token``) that works once, before it expires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from opsportal import clock, routes
from opsportal.auth.links import new_secret, secret_hash
from opsportal.auth.security import hash_password
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.access import may_view_organization
from opsportal.domain.audit import AuditAction
from opsportal.domain.identity import email_key, normalize_email, password_problem
from opsportal.domain.roles import Role, parse_role
from opsportal.models import OneTimeToken, Organization, User
from opsportal.services import audit, mailer, orgtree, sign_in_throttle
from opsportal.services.auth import end_sessions, user_time_zone
from opsportal.services.authz import Actor, require_manage_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable, sentence
from opsportal.services.notice_mail import Recipient, home_zones
from opsportal.services.portal_urls import portal_url
from opsportal.services.session_cache import RECENT
from opsportal.services.subscriptions import on_user_created

log = logging.getLogger(__name__)

RESET_LINK_MINUTES = 60
INVITE_LINK_DAYS = 7
# Password-reset e-mails one account may be sent per hour (more requests are answered the same, silently).
MAX_RESETS_PER_HOUR = 3

LINK_INVALID = "This link is not valid. Check that you copied all of it, or ask for a new one."
LINK_USED = "This link has already been used. Ask for a new one if you still need it."
LINK_EXPIRED = "This link has expired. Ask for a new one."
RESET_ANSWER = ("If an account exists for that address, we have e-mailed it a link to choose a new password. "
                f"The link works once and expires in {RESET_LINK_MINUTES} minutes.")


def _utc(at: datetime | None) -> datetime:
    return (at or clock.now()).astimezone(UTC)


def password_reset_url(token: str) -> str:
    return portal_url(routes.RESET_PASSWORD, token=token)


def invitation_url(token: str) -> str:
    return portal_url(routes.INVITATION, token=token)


def _recipient(session: Session, user: User) -> Recipient:
    return Recipient(user.id, user.email, user.full_name, user.role, user.organization_id or 0,
                     user_time_zone(session, user))


def _transactional(r: Recipient, template: str, *, subject: str, heading: str, preheader: str,
                   **context) -> mailer.Mail:
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=r.display_name, footer=None, **context)
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=subject, text=text, html=html,
                       kind=template, organization_id=r.organization_id or None)


# --- password reset ----------------------------------------------------------------------------------------------


def request_password_reset(email: str, *, now: datetime | None = None) -> str:
    """E-mails a one-time link (valid ``RESET_LINK_MINUTES``) to an active account with that address.

    Answers the same sentence whatever the address, so nobody learns which accounts exist.
    """
    now = _utc(now)
    try:
        key = email_key(email)
    except ValueError:
        return RESET_ANSWER
    token = new_secret()
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.email_key == key)).first()
        if user is None or not user.is_active:
            return RESET_ANSWER
        recent = session.exec(select(func.count()).select_from(OneTimeToken).where(
            OneTimeToken.user_id == user.id, OneTimeToken.purpose == "reset",
            OneTimeToken.created_at > now - timedelta(hours=1))).one()
        if recent >= MAX_RESETS_PER_HOUR:
            return RESET_ANSWER
        session.add(OneTimeToken(purpose="reset", token_hash=secret_hash(token), user_id=user.id, email=user.email,
                                 created_at=now, expires_at=now + timedelta(minutes=RESET_LINK_MINUTES)))
        recipient = _recipient(session, user)
    mail = _transactional(recipient, "password_reset", subject="Reset your OpsPortal password",
                          heading="Reset your password", preheader="A link to choose a new password.",
                          email=recipient.email, reset_url=password_reset_url(token), valid_minutes=RESET_LINK_MINUTES,
                          valid_until=recipient.instant(now + timedelta(minutes=RESET_LINK_MINUTES)))
    try:
        mailer.send_mail(mail)
    except mailer.MailError as exc:
        # The answer stays the same; the person can ask again.
        log.warning("password reset e-mail to %s failed: %s", recipient.email, exc)
    return RESET_ANSWER


def _usable_token(session: Session, token: str, purpose: str, now: datetime, *, lock: bool = True) -> OneTimeToken:
    query = select(OneTimeToken).where(OneTimeToken.token_hash == secret_hash((token or "").strip()),
                                       OneTimeToken.purpose == purpose)
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise InvalidInput(LINK_INVALID)
    if row.used_at is not None:
        raise InvalidInput(LINK_USED)
    if row.expires_at <= now:
        raise InvalidInput(LINK_EXPIRED)
    return row


@dataclass(frozen=True)
class LinkCheck:
    """What a still-usable e-mail link is for, to greet its reader before they fill in the form."""

    email: str
    organization: str = ""  # invitations
    role_label: str = ""  # invitations


def check_link(token: str, purpose: str, *, now: datetime | None = None) -> LinkCheck:
    """Whether a reset (``purpose="reset"``) or invitation (``"invite"``) link still works, without using it.

    Raises InvalidInput with the same message the form would give (invalid, used or expired link).
    """
    if purpose not in ("reset", "invite"):
        raise InvalidInput(LINK_INVALID)
    now = _utc(now)
    with unit_of_work(write=False) as session:
        row = _usable_token(session, token, purpose, now, lock=False)
        if purpose == "reset":
            user = session.get(User, row.user_id)
            if user is None or not user.is_active:
                raise InvalidInput(LINK_INVALID)
            return LinkCheck(email=user.email)
        org = session.get(Organization, row.organization_id)
        if org is None:
            raise InvalidInput(LINK_INVALID)
        return LinkCheck(email=row.email, organization=org.name, role_label=parse_role(row.role).label)


def reset_password(token: str, new_password: str, *, now: datetime | None = None) -> str:
    """Sets a new password through a reset link: once, before it expires; signs the user out everywhere.
    Returns the account's e-mail address (for the sign-in form)."""
    now = _utc(now)
    problem = password_problem(new_password or "")
    if problem:
        raise InvalidInput(sentence(problem))
    password_hash = hash_password(new_password)  # slow on purpose: before the transaction
    with unit_of_work() as session:
        row = _usable_token(session, token, "reset", now)
        user = session.exec(select(User).where(User.id == row.user_id).with_for_update()).first()
        if user is None or not user.is_active:
            raise InvalidInput(LINK_INVALID)
        user.password_hash, user.password_changed_at = password_hash, now
        user.failed_logins, user.last_failed_login_at = 0, None
        session.add(user)
        sign_in_throttle.forget_email(session, user.email_key)  # a reset ends a lock
        for other in session.exec(select(OneTimeToken).where(OneTimeToken.user_id == user.id,
                                                             OneTimeToken.purpose == "reset",
                                                             OneTimeToken.used_at.is_(None))).all():
            other.used_at = now
            session.add(other)
        end_sessions(session, user.id, now, "password_reset")
        audit.record(session, actor_user_id=user.id, organization_id=user.organization_id,
                     action=AuditAction.password_reset, at=now)
        email, user_id = user.email, user.id
    RECENT.forget_user(user_id)
    return email


# --- invitations ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationPublic:
    id: int
    email: str
    role: str
    organization_id: int
    organization: str
    expires_at: datetime


@dataclass(frozen=True)
class AcceptedInvitation:
    user_id: int
    email: str
    full_name: str
    role: str
    organization_id: int
    organization: str


def invite_user(actor: Actor, *, email: str, role: str, organization_id: int | None = None,
                now: datetime | None = None) -> InvitationPublic:
    """Owners and administrators invite someone by e-mail; the link (valid ``INVITE_LINK_DAYS``) lets them choose
    their name and password. Inviting the same address again replaces the earlier invitation."""
    now = _utc(now)
    organization_id = organization_id if organization_id is not None else actor.organization_id
    if organization_id is None:
        raise InvalidInput("Choose the organization to invite the user to.")
    require_manage_organization(actor, organization_id)
    try:
        address = normalize_email(email)
        parsed = parse_role(role)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    if parsed.is_staff:
        raise InvalidInput("Only customer roles can be invited: owner, admin, billing or member.")
    if parsed is Role.owner and actor.role is Role.admin:
        raise PermissionDenied("Only owners may invite another owner.")
    token = new_secret()
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        existing = session.exec(select(User).where(User.email_key == email_key(address))).first()
        if existing is not None and (actor.role.is_staff or (
                existing.organization_id is not None
                and may_view_organization(actor.principal, existing.organization_id))):
            # The inviter can see that person in a member list already: saying so reveals nothing.
            raise Conflict(f"A user with e-mail {address} already exists.")
        # Anyone else's address is answered exactly like a new one (see _invitation_mail).
        account_holder = _recipient(session, existing) if existing is not None else None
        for earlier in session.exec(select(OneTimeToken).where(
                OneTimeToken.purpose == "invite", OneTimeToken.organization_id == org.id,
                OneTimeToken.email == address, OneTimeToken.used_at.is_(None))).all():
            earlier.used_at = now
            session.add(earlier)
        row = OneTimeToken(purpose="invite", token_hash=secret_hash(token), organization_id=org.id, email=address,
                           role=parsed.value, created_by_user_id=actor.user_id or None, created_at=now,
                           expires_at=now + timedelta(days=INVITE_LINK_DAYS))
        session.add(row)
        event = audit.record(session, actor_user_id=actor.user_id, organization_id=org.id, at=now,
                             action=AuditAction.invitation_sent, target=f"{address} as {parsed.label}")
        session.flush()
        event_id = event.id
        invitation = InvitationPublic(id=row.id, email=address, role=parsed.value, organization_id=org.id,
                                      organization=org.name, expires_at=row.expires_at)
        # The invitee has no zone of their own yet: they will read times in the organization's home region's.
        zone = home_zones(session, [org.id]).get(org.id, formats.DEFAULT_TIME_ZONE)
    inviter = actor.full_name or actor.email
    mail = _invitation_mail(Recipient(0, address, "", parsed.value, organization_id, zone), account_holder,
                            inviter=inviter, invitation=invitation, role_label=parsed.label, token=token)
    try:
        mailer.send_mail(mail)
    except mailer.MailError as exc:
        log.warning("invitation e-mail to %s failed: %s", address, exc)
        with unit_of_work() as session:
            withdrawn = session.get(OneTimeToken, invitation.id)
            withdrawn.used_at = now
            session.add(withdrawn)
            audit.withdraw(session, event_id)  # nothing was sent after all
        raise Unavailable("The invitation could not be e-mailed just now; nothing was sent. Try again later.") from None
    return invitation


def _invitation_mail(invitee: Recipient, account_holder: Recipient | None, *, inviter: str,
                     invitation: InvitationPublic, role_label: str, token: str) -> mailer.Mail:
    """The invitation with its link; or, when the address already has an account elsewhere (an address belongs to
    one organization), a note telling its holder so and how to sign in, with no link to accept.

    The inviter is answered the same either way (the invitation is listed as pending until it expires or is
    withdrawn), so inviting an address tells nobody whether it has an account in another organization; only the
    address's holder learns why nothing can be accepted.
    """
    if account_holder is None:
        return _transactional(invitee, "invitation",
                              subject=f"{inviter} invites you to {invitation.organization} on OpsPortal",
                              heading=f"Join {invitation.organization} on OpsPortal",
                              preheader=f"An invitation from {inviter}.", inviter=inviter,
                              organization=invitation.organization, role_label=role_label,
                              accept_url=invitation_url(token), valid_days=INVITE_LINK_DAYS,
                              valid_until=invitee.instant(invitation.expires_at))
    return _transactional(account_holder, "invitation_existing_account",
                          subject=f"{inviter} invited you to {invitation.organization} on OpsPortal",
                          heading="You already have an OpsPortal account",
                          preheader="There is nothing to accept: this address has an account already.",
                          inviter=inviter, organization=invitation.organization, role_label=role_label,
                          sign_in_url=portal_url(routes.LOGIN), forgot_url=portal_url(routes.FORGOT_PASSWORD))


def pending_invitations(actor: Actor, organization_id: int) -> list[InvitationPublic]:
    require_manage_organization(actor, organization_id)
    now = clock.now()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        rows = session.exec(select(OneTimeToken).where(
            OneTimeToken.purpose == "invite", OneTimeToken.organization_id == organization_id,
            OneTimeToken.used_at.is_(None), OneTimeToken.expires_at > now)
            .order_by(OneTimeToken.created_at.desc()).limit(200)).all()
        return [InvitationPublic(id=r.id, email=r.email, role=r.role, organization_id=org.id, organization=org.name,
                                 expires_at=r.expires_at) for r in rows]


def revoke_invitation(actor: Actor, invitation_id: int) -> None:
    with unit_of_work() as session:
        row = session.get(OneTimeToken, invitation_id)
        if row is None or row.purpose != "invite" or not may_view_organization(actor.principal, row.organization_id):
            raise NotFound("That invitation was not found or you do not have access to it.")
        require_manage_organization(actor, row.organization_id)
        if row.used_at is None:
            row.used_at = clock.now()
            session.add(row)
            audit.record(session, actor_user_id=actor.user_id, organization_id=row.organization_id,
                         action=AuditAction.invitation_revoked, at=row.used_at,
                         target=f"{row.email} as {Role(row.role).label}")


def accept_invitation(token: str, *, full_name: str, password: str, now: datetime | None = None
                      ) -> AcceptedInvitation:
    """Creates the invited account (works once, before the link expires); the person then signs in."""
    now = _utc(now)
    name = " ".join((full_name or "").split())
    if not 1 <= len(name) <= 200:
        raise InvalidInput("Give your full name (1 to 200 characters).")
    problem = password_problem(password or "")
    if problem:
        raise InvalidInput(sentence(problem))
    password_hash = hash_password(password)
    with unit_of_work() as session:
        row = _usable_token(session, token, "invite", now)
        org = session.get(Organization, row.organization_id)
        if org is None:
            raise InvalidInput(LINK_INVALID)
        key = email_key(row.email)
        if session.exec(select(User.id).where(User.email_key == key)).first() is not None:
            raise Conflict(f"An account with e-mail {row.email} already exists; sign in instead.")
        user = User(email=row.email, email_key=key, full_name=name, password_hash=password_hash, role=row.role,
                    organization_id=org.id)
        session.add(user)
        session.flush()
        row.used_at = now
        session.add(row)
        on_user_created(session, user)
        audit.record(session, actor_user_id=user.id, organization_id=org.id, action=AuditAction.invitation_accepted,
                     target=f"{user.email} as {Role(user.role).label}", at=now)
        return AcceptedInvitation(user_id=user.id, email=user.email, full_name=user.full_name, role=user.role,
                                  organization_id=org.id, organization=org.name)
