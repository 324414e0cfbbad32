"""Who receives which notification: each user's choices (the role's default until they choose), the
organization's view for its owners and administrators, the primary contact's subscriptions, and the
unsubscribe link every notice carries (signed, works without signing in, as often as it is used).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, false, func, or_, true
from sqlmodel import Session, select

from opsportal import clock, routes
from opsportal.auth.links import ExpiredLink, InvalidLink, issue_unsubscribe_token, read_unsubscribe_token
from opsportal.db import unit_of_work
from opsportal.domain import notifications as rules
from opsportal.domain.access import may_manage_organization, may_view_organization
from opsportal.domain.audit import AuditAction
from opsportal.domain.notifications import NotificationKind
from opsportal.domain.roles import Role
from opsportal.models import NotificationSubscription, Organization, User
from opsportal.services import audit, orgtree
from opsportal.services.authz import Actor, require_manage_organization
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied, sentence
from opsportal.services.pagination import Page, clamp
from opsportal.services.portal_urls import portal_url
from opsportal.settings import get_settings

UNSUBSCRIBE_LINK_DAYS = 60

USER_NOT_FOUND = "That user was not found or you do not have access to them."
UNSUBSCRIBE_INVALID = "This unsubscribe link is not valid. Sign in and open Notifications to change your subscriptions."
UNSUBSCRIBE_EXPIRED = ("This unsubscribe link has expired. Sign in and open Notifications to change your "
                       "subscriptions.")


def _utc(at: datetime | None) -> datetime:
    return (at or clock.now()).astimezone(UTC)


def _kind(kind: NotificationKind | str) -> NotificationKind:
    try:
        return rules.parse_kind(str(kind))
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None


# --- the unsubscribe link --------------------------------------------------------------------------------------


def unsubscribe_token(user_id: int, kind: NotificationKind | str, *, now: datetime | None = None) -> str:
    """A signed link token naming the user and the notification, valid for ``UNSUBSCRIBE_LINK_DAYS``."""
    now = _utc(now)
    settings = get_settings()
    return issue_unsubscribe_token(user_id=user_id, kind=_kind(kind).value, issued_at=now,
                                   expires_at=now + timedelta(days=UNSUBSCRIBE_LINK_DAYS),
                                   secret=settings.secret_key, audience=settings.jwt_audience)


def unsubscribe_page_url(token: str) -> str:
    """The page an e-mail's unsubscribe link opens (it confirms, and offers to undo)."""
    return portal_url(routes.UNSUBSCRIBE, token=token)


def one_click_unsubscribe_url(token: str) -> str:
    """The List-Unsubscribe URL: mail clients POST ``List-Unsubscribe=One-Click`` to it (RFC 8058)."""
    return portal_url("/api/unsubscribe", token=token)


def notifications_page_url() -> str:
    return portal_url(routes.NOTIFICATIONS)


# --- subscriptions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionStatus:
    kind: str
    label: str
    description: str
    subscribed: bool
    # False: the role's default applies (the user has not chosen).
    chosen: bool


@dataclass(frozen=True)
class SubscriptionChange:
    kind: str
    label: str
    subscribed: bool
    changed: bool
    # True: nothing was changed; the user is the organization's last subscriber and must confirm.
    needs_confirmation: bool
    message: str


@dataclass(frozen=True)
class MemberSubscriptions:
    user_id: int
    full_name: str
    email: str
    role: str
    subscriptions: dict[str, bool]


def _choices(session: Session, user_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.exec(select(NotificationSubscription.user_id, NotificationSubscription.kind,
                               NotificationSubscription.subscribed)
                        .where(NotificationSubscription.user_id.in_(ids))).all()
    return {(u, k): bool(s) for u, k, s in rows}


def subscribers_where(kind: NotificationKind):
    """SQL: an active user of an eligible role who chose ``kind``, or did not choose and has it by default."""
    defaults = [r.value for r in kind.default_roles]
    by_default = and_(NotificationSubscription.id.is_(None), User.role.in_(defaults)) if defaults else false()
    return and_(User.is_active == true(), User.role.in_([r.value for r in kind.eligible_roles]),
                or_(NotificationSubscription.subscribed == true(), by_default))


def with_choice(stmt, kind: NotificationKind):
    return stmt.outerjoin(NotificationSubscription, and_(NotificationSubscription.user_id == User.id,
                                                         NotificationSubscription.kind == kind.value))


def _subscriber_count(session: Session, organization_id: int, kind: NotificationKind,
                      excluding: int | None = None) -> int:
    stmt = with_choice(select(func.count()).select_from(User), kind).where(
        User.organization_id == organization_id, subscribers_where(kind))
    if excluding is not None:
        stmt = stmt.where(User.id != excluding)
    return int(session.exec(stmt).one())


def _target_user(session: Session, actor: Actor, user_id: int | None) -> User:
    """The user whose subscriptions ``actor`` reads or changes: themselves, or (owners and admins) a colleague."""
    user = session.get(User, user_id if user_id is not None else actor.user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    if user.id != actor.user_id:
        if user.organization_id is None or not may_view_organization(actor.principal, user.organization_id):
            raise PermissionDenied(USER_NOT_FOUND)
        if not may_manage_organization(actor.principal, user.organization_id):
            raise PermissionDenied("Only the organization's owners and administrators may change another user's "
                                   "notifications.")
    if user.organization_id is None:
        raise InvalidInput("Notifications are sent to customer users; staff accounts have none.")
    return user


def _statuses(user: User, choices: dict[tuple[int, str], bool]) -> list[SubscriptionStatus]:
    out = []
    for kind in NotificationKind:
        if not kind.may_receive(user.role):
            continue
        choice = choices.get((user.id, kind.value))
        out.append(SubscriptionStatus(kind=kind.value, label=kind.label, description=kind.description,
                                      subscribed=rules.is_subscribed(kind, user.role, choice),
                                      chosen=choice is not None))
    return out


def list_subscriptions(actor: Actor, user_id: int | None = None) -> list[SubscriptionStatus]:
    """The notifications a user may receive and whether they do (the caller's own by default)."""
    with unit_of_work(write=False) as session:
        user = _target_user(session, actor, user_id)
        return _statuses(user, _choices(session, [user.id]))


def organization_subscriptions(actor: Actor, organization_id: int, *, page: int = 1,
                               page_size: int = 25) -> Page[MemberSubscriptions]:
    """Every active member and what they receive, for the organization's owners and administrators."""
    require_manage_organization(actor, organization_id)
    page, page_size = clamp(page, page_size)
    where = (User.organization_id == organization_id, User.is_active == true())
    with unit_of_work(write=False) as session:
        orgtree.require_org(session, organization_id)
        total = session.exec(select(func.count()).select_from(User).where(*where)).one()
        users = session.exec(select(User).where(*where).order_by(User.full_name, User.email_key)
                             .offset((page - 1) * page_size).limit(page_size)).all()
        choices = _choices(session, [u.id for u in users])
        items = [MemberSubscriptions(user_id=u.id, full_name=u.full_name, email=u.email, role=u.role,
                                     subscriptions={s.kind: s.subscribed for s in _statuses(u, choices)})
                 for u in users]
    return Page(items=items, page=page, page_size=page_size, total=int(total))


def lock_org(session: Session, organization_id: int) -> Organization:
    """Locks the organization's row: changes to its subscriptions (the last-subscriber check depends on it) and to
    its alert threshold are serialized."""
    org = session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).first()
    if org is None:
        raise NotFound("That organization was not found or you do not have access to it.")
    return org


def _store_choice(session: Session, user_id: int, kind: NotificationKind, subscribed: bool,
                  changed_by: int | None, now: datetime) -> None:
    row = session.exec(select(NotificationSubscription).where(NotificationSubscription.user_id == user_id,
                                                              NotificationSubscription.kind == kind.value)).first()
    if row is None:
        row = NotificationSubscription(user_id=user_id, kind=kind.value, subscribed=subscribed)
    row.subscribed, row.updated_at, row.changed_by_user_id = subscribed, now, changed_by
    session.add(row)
    session.flush()


def _who(user: User, actor_user_id: int | None) -> str:
    return "You" if user.id == actor_user_id else (user.full_name or user.email)


def _audit(session: Session, actor_user_id: int | None, user: User, organization_id: int, kind: NotificationKind,
           subscribed: bool, at: datetime, *, how: str = "") -> None:
    whose = "" if user.id == actor_user_id else f" for {user.full_name or user.email}"
    audit.record(session, actor_user_id=actor_user_id, organization_id=organization_id, at=at,
                 action=AuditAction.notification_subscribed if subscribed else AuditAction.notification_unsubscribed,
                 target=f"{kind.label}{whose}{how}")


def set_subscription(actor: Actor, kind: NotificationKind | str, subscribed: bool, *, user_id: int | None = None,
                     confirm: bool = False, now: datetime | None = None) -> SubscriptionChange:
    """Subscribe or unsubscribe a user (the caller by default) from one notification.

    Unsubscribing the organization's last subscriber changes nothing and answers ``needs_confirmation``
    with the warning to show, unless ``confirm`` is given.
    """
    kind = _kind(kind)
    now = _utc(now)
    with unit_of_work() as session:
        user = _target_user(session, actor, user_id)
        org = lock_org(session, user.organization_id)
        if subscribed and not kind.may_receive(user.role):
            raise InvalidInput(f"The {kind.label.lower()} goes to owners, administrators and billing contacts only.")
        choice = _choices(session, [user.id]).get((user.id, kind.value))
        before = rules.is_subscribed(kind, user.role, choice)
        who = _who(user, actor.user_id)
        if before and not subscribed and not confirm and user.is_active \
                and _subscriber_count(session, org.id, kind, excluding=user.id) == 0:
            return SubscriptionChange(kind=kind.value, label=kind.label, subscribed=True, changed=False,
                                      needs_confirmation=True, message=rules.last_subscriber_warning(
                                          kind, org.name, None if user.id == actor.user_id else who))
        _store_choice(session, user.id, kind, subscribed, actor.user_id or None, now)
        if before != subscribed:
            _audit(session, actor.user_id, user, org.id, kind, subscribed, now)
        verb = "will receive" if subscribed else "will no longer receive"
        message = f"{who} {verb} the {kind.label.lower()}."
        if not subscribed and _subscriber_count(session, org.id, kind) == 0:
            message += f" No one in {org.name} receives it any more."
        return SubscriptionChange(kind=kind.value, label=kind.label, subscribed=subscribed,
                                  changed=before != subscribed, needs_confirmation=False, message=message)


def subscribe(actor: Actor, kind: NotificationKind | str, *, user_id: int | None = None) -> SubscriptionChange:
    return set_subscription(actor, kind, True, user_id=user_id)


def unsubscribe(actor: Actor, kind: NotificationKind | str, *, user_id: int | None = None,
                confirm: bool = False) -> SubscriptionChange:
    return set_subscription(actor, kind, False, user_id=user_id, confirm=confirm)


def subscribe_primary_contact(session: Session, organization_id: int, *, now: datetime | None = None) -> int | None:
    """Subscribes the organization's primary contact (its first active owner) to the statement and the expiry
    notice, unless that user already chose; returns the contact's id (None: the organization has no owner yet).
    Runs in the caller's transaction."""
    contact = session.exec(select(User).where(User.organization_id == organization_id, User.role == Role.owner.value,
                                              User.is_active == true()).order_by(User.id)).first()
    if contact is None:
        return None
    choices = _choices(session, [contact.id])
    for kind in rules.PRIMARY_CONTACT_KINDS:
        if (contact.id, kind.value) not in choices:
            _store_choice(session, contact.id, kind, True, None, _utc(now))
    return contact.id


def on_user_created(session: Session, user: User) -> None:
    """Hook for every use case that creates a customer user (in its transaction): an organization's first owner
    is its primary contact and is subscribed to the monthly statement and the weekly expiry notice."""
    if user.role != Role.owner.value or user.organization_id is None:
        return
    other = session.exec(select(User.id).where(User.organization_id == user.organization_id,
                                               User.role == Role.owner.value, User.id != user.id)).first()
    if other is None:
        subscribe_primary_contact(session, user.organization_id)


# --- one-click unsubscribe (no sign-in) ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkSubscriptionResult:
    kind: str
    label: str
    email: str
    organization: str
    subscribed: bool
    changed: bool
    # After unsubscribing: no one in the organization receives this notification any more.
    nobody_left: bool
    message: str


def _read_unsubscribe(token: str) -> tuple[int, NotificationKind]:
    settings = get_settings()
    try:
        claims = read_unsubscribe_token((token or "").strip(), secret=settings.secret_key,
                                        audience=settings.jwt_audience)
        return claims.user_id, rules.parse_kind(claims.kind)
    except ExpiredLink:
        raise InvalidInput(UNSUBSCRIBE_EXPIRED) from None
    except (InvalidLink, ValueError):
        raise InvalidInput(UNSUBSCRIBE_INVALID) from None


def _by_link(token: str, subscribed: bool, now: datetime | None) -> LinkSubscriptionResult:
    user_id, kind = _read_unsubscribe(token)
    with unit_of_work() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active or user.organization_id is None:
            raise InvalidInput(UNSUBSCRIBE_INVALID)
        org = lock_org(session, user.organization_id)
        before = rules.is_subscribed(kind, user.role, _choices(session, [user.id]).get((user.id, kind.value)))
        if subscribed and not kind.may_receive(user.role):
            raise InvalidInput(f"The {kind.label.lower()} goes to owners, administrators and billing contacts only.")
        _store_choice(session, user.id, kind, subscribed, None, _utc(now))
        if before != subscribed:
            _audit(session, user.id, user, org.id, kind, subscribed, _utc(now), how=" (e-mail link)")
        nobody_left = not subscribed and _subscriber_count(session, org.id, kind) == 0
        if subscribed:
            message = f"{user.email} will receive the {kind.label.lower()} again."
        else:
            message = f"{user.email} will no longer receive the {kind.label.lower()}."
            if nobody_left:
                message += f" No one in {org.name} receives it any more. {kind.loss_warning}"
        return LinkSubscriptionResult(kind=kind.value, label=kind.label, email=user.email, organization=org.name,
                                      subscribed=subscribed, changed=before != subscribed, nobody_left=nobody_left,
                                      message=message)


def unsubscribe_by_token(token: str, *, now: datetime | None = None) -> LinkSubscriptionResult:
    """The e-mail's unsubscribe link: works without signing in, as often as it is used (idempotent)."""
    return _by_link(token, False, now)


def resubscribe_by_token(token: str, *, now: datetime | None = None) -> LinkSubscriptionResult:
    """Undo on the unsubscribe page, with the same link."""
    return _by_link(token, True, now)
