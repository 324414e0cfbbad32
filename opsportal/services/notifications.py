"""Notifications: who subscribes to what, the jobs that send them, and the e-mail links that act without
signing in (one-click unsubscribe, password reset, invitations).

Every notice is one ``notification_delivery`` row per (user, kind, period). A job claims the row
(``pending``/``failed`` -> ``sending``, a compare-and-set), sends, then records ``sent`` or ``failed``.
So a job run again for the same period sends nothing new; a failed send is retried by the next
run (up to ``MAX_ATTEMPTS``) and reported each time; a run that crashed between handing a message
to the SMTP server and recording it leaves the row ``sending``, which is reported as unconfirmed
and never sent again: a notice goes to a user at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import and_, case, false, func, or_, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal import routes
from opsportal.auth.links import (
    ExpiredLink,
    InvalidLink,
    issue_unsubscribe_token,
    new_secret,
    read_unsubscribe_token,
    secret_hash,
)
from opsportal.auth.security import hash_password
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import notifications as rules
from opsportal.domain.access import may_manage_organization, may_view_organization
from opsportal.domain.identity import email_key, normalize_email, password_problem
from opsportal.domain.invoices import InvoiceStatus
from opsportal.domain.notifications import (
    FreeCredit,
    NotificationKind,
    ProductInfo,
    Usage,
)
from opsportal.domain.roles import Role, parse_role
from opsportal.models import (
    CreditHold,
    CreditLot,
    Invoice,
    LedgerEntry,
    LoginSession,
    NotificationDelivery,
    NotificationSubscription,
    OneTimeToken,
    Organization,
    ProductRow,
    User,
)
from opsportal.models.plans import OrgSupportProfile, SupportRegion
from opsportal.models.types import utcnow
from opsportal.services import ledger_store as store
from opsportal.services import mailer, orgtree
from opsportal.services.auth import user_time_zone
from opsportal.services.authz import Actor, require_manage_organization, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable, sentence
from opsportal.services.pagination import Page, clamp
from opsportal.services.session_cache import RECENT
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

UNSUBSCRIBE_LINK_DAYS = 60
RESET_LINK_MINUTES = 60
INVITE_LINK_DAYS = 7
# Password-reset e-mails one account may be sent per hour (more requests are answered the same, silently).
MAX_RESETS_PER_HOUR = 3
MAX_THRESHOLD_MINUTES = 1_000_000 * 60

USER_NOT_FOUND = "That user was not found or you do not have access to them."
LINK_INVALID = "This link is not valid. Check that you copied all of it, or ask for a new one."
LINK_USED = "This link has already been used. Ask for a new one if you still need it."
LINK_EXPIRED = "This link has expired. Ask for a new one."
UNSUBSCRIBE_INVALID = "This unsubscribe link is not valid. Sign in and open Notifications to change your subscriptions."
UNSUBSCRIBE_EXPIRED = ("This unsubscribe link has expired. Sign in and open Notifications to change your "
                       "subscriptions.")
RESET_ANSWER = ("If an account exists for that address, we have e-mailed it a link to choose a new password. "
                f"The link works once and expires in {RESET_LINK_MINUTES} minutes.")


def _utc(at: datetime | None) -> datetime:
    return (at or utcnow()).astimezone(UTC)


def _kind(kind: NotificationKind | str) -> NotificationKind:
    try:
        return rules.parse_kind(str(kind))
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None


# --- links ---------------------------------------------------------------------------------------------------


def _base_url() -> str:
    return get_settings().public_url.rstrip("/")


def unsubscribe_token(user_id: int, kind: NotificationKind | str, *, now: datetime | None = None) -> str:
    """A signed link token naming the user and the notification, valid for ``UNSUBSCRIBE_LINK_DAYS``."""
    now = _utc(now)
    settings = get_settings()
    return issue_unsubscribe_token(user_id=user_id, kind=_kind(kind).value, issued_at=now,
                                   expires_at=now + timedelta(days=UNSUBSCRIBE_LINK_DAYS),
                                   secret=settings.secret_key, audience=settings.jwt_audience)


def unsubscribe_page_url(token: str) -> str:
    """The page an e-mail's unsubscribe link opens (it confirms, and offers to undo)."""
    return f"{_base_url()}/unsubscribe?token={quote(token, safe='')}"


def one_click_unsubscribe_url(token: str) -> str:
    """The List-Unsubscribe URL: mail clients POST ``List-Unsubscribe=One-Click`` to it (RFC 8058)."""
    return f"{_base_url()}/api/unsubscribe?token={quote(token, safe='')}"


def notifications_page_url() -> str:
    return f"{_base_url()}/notifications"


def password_reset_url(token: str) -> str:
    return f"{_base_url()}/reset-password?token={quote(token, safe='')}"


def invitation_url(token: str) -> str:
    return f"{_base_url()}/invitation?token={quote(token, safe='')}"


def _url(path: str) -> str:
    return f"{_base_url()}{path}"


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


def _subscribers_where(kind: NotificationKind):
    """SQL: an active user of an eligible role who chose ``kind``, or did not choose and has it by default."""
    defaults = [r.value for r in kind.default_roles]
    by_default = and_(NotificationSubscription.id.is_(None), User.role.in_(defaults)) if defaults else false()
    return and_(User.is_active == true(), User.role.in_([r.value for r in kind.eligible_roles]),
                or_(NotificationSubscription.subscribed == true(), by_default))


def _with_choice(stmt, kind: NotificationKind):
    return stmt.outerjoin(NotificationSubscription, and_(NotificationSubscription.user_id == User.id,
                                                         NotificationSubscription.kind == kind.value))


def _subscriber_count(session: Session, organization_id: int, kind: NotificationKind,
                      excluding: int | None = None) -> int:
    stmt = _with_choice(select(func.count()).select_from(User), kind).where(
        User.organization_id == organization_id, _subscribers_where(kind))
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


def _lock_org(session: Session, organization_id: int) -> Organization:
    """Changes to one organization's subscriptions are serialized (the last-subscriber check depends on it)."""
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
        org = _lock_org(session, user.organization_id)
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
        org = _lock_org(session, user.organization_id)
        before = rules.is_subscribed(kind, user.role, _choices(session, [user.id]).get((user.id, kind.value)))
        if subscribed and not kind.may_receive(user.role):
            raise InvalidInput(f"The {kind.label.lower()} goes to owners, administrators and billing contacts only.")
        _store_choice(session, user.id, kind, subscribed, None, _utc(now))
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


# --- the jobs' report ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    # sent | would_send | skipped | failed | unconfirmed
    outcome: str
    kind: str
    period_key: str
    organization: str
    email: str | None
    reason: str = ""


@dataclass
class JobReport:
    kind: str
    at: datetime
    dry_run: bool
    period: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, outcome: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def sent(self) -> list[Outcome]:
        return self._of("sent")

    @property
    def would_send(self) -> list[Outcome]:
        return self._of("would_send")

    @property
    def skipped(self) -> list[Outcome]:
        return self._of("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._of("failed")

    @property
    def unconfirmed(self) -> list[Outcome]:
        return self._of("unconfirmed")

    def summary(self) -> str:
        label = NotificationKind(self.kind).label
        period = f" for {self.period}" if self.period else ""
        if self.dry_run:
            head = f"{label}{period} (dry run): {len(self.would_send)} would be sent, {len(self.skipped)} skipped."
        else:
            head = (f"{label}{period}: {len(self.sent)} sent, {len(self.skipped)} skipped, {len(self.failed)} failed"
                    + (f", {len(self.unconfirmed)} unconfirmed" if self.unconfirmed else "") + ".")
        details = [f"  {o.outcome}: {o.email or o.organization} ({o.organization}, {o.period_key}): {o.reason}"
                   for o in self.outcomes if o.outcome in ("failed", "unconfirmed")]
        return "\n".join([head, *details])


@dataclass(frozen=True)
class _Recipient:
    id: int
    email: str
    full_name: str
    role: str
    organization_id: int
    # The zone every instant in their e-mail is written in (services.auth.user_time_zone's rule).
    time_zone: str = formats.DEFAULT_TIME_ZONE

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def instant(self, at: datetime) -> str:
        """``3 Dec 2026, 09:05 EST``: an instant as this recipient reads it, the zone named."""
        return formats.instant(at, self.time_zone)


def _home_zones(session: Session, organization_ids: Iterable[int]) -> dict[int, str]:
    """Each organization's home region's zone, in one query (the zone of its users who chose none)."""
    ids = sorted(set(organization_ids))
    if not ids:
        return {}
    rows = session.exec(select(OrgSupportProfile.organization_id, SupportRegion.time_zone)
                        .join(SupportRegion, SupportRegion.code == OrgSupportProfile.home_region_code)
                        .where(OrgSupportProfile.organization_id.in_(ids))).all()
    return {org_id: zone for org_id, zone in rows if zone}


def _recipients(session: Session, kind: NotificationKind, organization_ids: Iterable[int] | None = None
                ) -> dict[int, list[_Recipient]]:
    """Subscribers of ``kind`` per organization (every organization, or the ones given), in id order."""
    stmt = _with_choice(select(User.id, User.email, User.full_name, User.role, User.organization_id,
                               User.time_zone), kind).where(User.organization_id.is_not(None), _subscribers_where(kind))
    if organization_ids is not None:
        stmt = stmt.where(User.organization_id.in_(list(organization_ids)))
    rows = session.exec(stmt.order_by(User.organization_id, User.id)).all()
    # Users who chose no zone read their organization's home region's: one query for every organization at once.
    homes = _home_zones(session, {org_id for *_, org_id, own in rows if not own})
    out: dict[int, list[_Recipient]] = {}
    for uid, email, name, role, org_id, own in rows:
        zone = own or homes.get(org_id) or formats.DEFAULT_TIME_ZONE
        out.setdefault(org_id, []).append(_Recipient(uid, email, name, role, org_id, zone))
    return out


# --- delivering one notice at most once -------------------------------------------------------------------------


def _insert_ignore(session: Session, values: dict) -> None:
    table = NotificationDelivery.__table__
    dialect = session.get_bind().dialect.name
    ins = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    session.execute(ins.values(**values).on_conflict_do_nothing(index_elements=["user_id", "kind", "period_key"]))


def _states(kind: NotificationKind, period_key: str, user_ids: list[int]) -> dict[int, tuple[str, int, str]]:
    if not user_ids:
        return {}
    with unit_of_work(write=False) as session:
        rows = session.exec(select(NotificationDelivery.user_id, NotificationDelivery.status,
                                   NotificationDelivery.attempts, NotificationDelivery.last_error)
                            .where(NotificationDelivery.kind == kind.value,
                                   NotificationDelivery.period_key == period_key,
                                   NotificationDelivery.user_id.in_(user_ids))).all()
    return {u: (s, a, e) for u, s, a, e in rows}


def _claim(recipient: _Recipient, kind: NotificationKind, period_key: str, mail: mailer.Mail) -> bool:
    """Marks the notice ``sending`` unless a run sent it, is sending it or gave up on it; True: this run may send."""
    now = utcnow()
    key = (NotificationDelivery.user_id == recipient.id, NotificationDelivery.kind == kind.value,
           NotificationDelivery.period_key == period_key)
    with unit_of_work() as session:
        _insert_ignore(session, dict(user_id=recipient.id, organization_id=recipient.organization_id, kind=kind.value,
                                     period_key=period_key, status="pending", attempts=0, last_error="",
                                     to_address=recipient.email[:320], subject=mail.subject[:300], created_at=now))
        claimed = session.execute(
            update(NotificationDelivery)
            .where(*key, NotificationDelivery.status.in_(("pending", "failed")),
                   NotificationDelivery.attempts < rules.MAX_ATTEMPTS)
            .values(status="sending", attempts=NotificationDelivery.attempts + 1, last_attempt_at=now,
                    to_address=recipient.email[:320], subject=mail.subject[:300])
        ).rowcount
    return claimed == 1


def _finish(recipient: _Recipient, kind: NotificationKind, period_key: str, *, message_id: str | None = None,
            error: str = "") -> None:
    key = (NotificationDelivery.user_id == recipient.id, NotificationDelivery.kind == kind.value,
           NotificationDelivery.period_key == period_key, NotificationDelivery.status == "sending")
    values = (dict(status="sent", sent_at=utcnow(), message_id=message_id, last_error="") if error == ""
              else dict(status="failed", last_error=error[:500]))
    with unit_of_work() as session:
        session.execute(update(NotificationDelivery).where(*key).values(**values))


def _deliver(report: JobReport, kind: NotificationKind, period_key: str, organization: str,
             recipients: list[_Recipient], compose: Callable[[_Recipient], mailer.Mail],
             copy: Callable[[], mailer.Mail] | None = None) -> None:
    """Each recipient's notice at most once. ``copy`` (an organization's invoice address) goes out right after the
    first recipient's notice, in the run that sends that notice: it rides on that notice's claim, so it too is
    sent at most once, and never twice because a later recipient is retried."""
    states = _states(kind, period_key, [r.id for r in recipients])

    def outcome(what: str, r: _Recipient, reason: str = "") -> None:
        report.outcomes.append(Outcome(what, kind.value, period_key, organization, r.email, reason))

    def send_copy() -> None:
        mail = copy()
        if report.dry_run:
            report.outcomes.append(Outcome("would_send", kind.value, period_key, organization, mail.to_address,
                                           "copy to the invoice address"))
            return
        try:
            mailer.send_mail(mail)
        except mailer.MailError as exc:
            log.warning("%s %s copy to %s failed: %s", kind.value, period_key, mail.to_address, exc)
            report.outcomes.append(Outcome("failed", kind.value, period_key, organization, mail.to_address,
                                           f"copy to the invoice address: {exc}; not retried (sent at most once)"))
            return
        report.outcomes.append(Outcome("sent", kind.value, period_key, organization, mail.to_address,
                                       "copy to the invoice address"))

    for r in recipients:
        status, attempts, last_error = states.get(r.id, ("", 0, ""))
        if status == "sent":
            outcome("skipped", r, "already sent")
            continue
        if status == "sending":
            outcome("unconfirmed", r, "an earlier run started sending and did not record the result; "
                                      "it may have been sent, so it is not sent again")
            continue
        if status == "failed" and attempts >= rules.MAX_ATTEMPTS:
            outcome("failed", r, f"gave up after {attempts} attempts: {last_error}")
            continue
        if report.dry_run:
            outcome("would_send", r, f"retry after: {last_error}" if status == "failed" else "")
            if copy is not None and r is recipients[0]:
                send_copy()
            continue
        mail = compose(r)
        if not _claim(r, kind, period_key, mail):
            outcome("skipped", r, "another run is sending or has sent it")
            continue
        try:
            message_id = mailer.send_mail(mail)
        except mailer.MailError as exc:
            _finish(r, kind, period_key, error=str(exc))
            log.warning("%s %s to %s failed: %s", kind.value, period_key, r.email, exc)
            outcome("failed", r, f"{exc}; it will be retried on the next run")
            continue
        _finish(r, kind, period_key, message_id=message_id)
        outcome("sent", r)
        if copy is not None and r is recipients[0]:
            send_copy()


def _invoice_address_notice(kind: NotificationKind, address: str, org_name: str, template: str, *, subject: str,
                            heading: str, preheader: str, **context) -> mailer.Mail:
    """The copy of an invoice notice for the organization's invoice address: no one's subscription, so no
    unsubscribe link; the footer says where the address is changed."""
    footer = {"invoice_address": True, "organization": org_name,
              "manage_url": _url(routes.organization(context.pop("organization_id")))}
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=org_name, footer=footer, **context)
    return mailer.Mail(to_address=address, to_name=org_name, subject=subject, text=text, html=html,
                       headers={"X-OpsPortal-Notification": kind.value})


def _notice(kind: NotificationKind, r: _Recipient, org_name: str, template: str, *, subject: str,
            heading: str, preheader: str, **context) -> mailer.Mail:
    token = unsubscribe_token(r.id, kind)
    footer = {"label": kind.label, "organization": org_name, "unsubscribe_url": unsubscribe_page_url(token),
              "manage_url": notifications_page_url()}
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=r.display_name, footer=footer, **context)
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=subject, text=text, html=html,
                       unsubscribe_url=one_click_unsubscribe_url(token),
                       headers={"X-OpsPortal-Notification": kind.value})


# --- what the credit notices are made of -------------------------------------------------------------------------


def _products(session: Session) -> dict[str, ProductInfo]:
    return {p.code: ProductInfo(p.code, p.name, p.unit) for p in session.exec(select(ProductRow)).all()}


def _free_credits(session: Session, organization_id: int, at: datetime) -> list[FreeCredit]:
    """Free credit the organization may use at ``at``, summed per product, type and expiry instant."""
    usable = store.usable_lots_filter(organization_id, orgtree.ancestors(session, organization_id))
    rows = session.exec(
        select(CreditLot.product_code, CreditLot.kind, CreditLot.expires_at,
               func.sum(CreditLot.remaining - CreditLot.held))
        .where(usable, store.live_lots(at))
        .group_by(CreditLot.product_code, CreditLot.kind, CreditLot.expires_at)
    ).all()
    return [FreeCredit(product=p, kind=k, expires_at=e if e is None or e.tzinfo else e.replace(tzinfo=UTC),
                       quantity=int(q)) for p, k, e, q in rows]


def _usage(session: Session, organization_id: int, at: datetime) -> list[Usage]:
    # Net of what was given back (a corrected time entry refunds its draw).
    signed = func.coalesce(func.sum(case((LedgerEntry.kind == "refund", -LedgerEntry.quantity),
                                         else_=LedgerEntry.quantity)), 0)
    rows = session.exec(
        select(LedgerEntry.product_code, LedgerEntry.category, signed)
        .where(LedgerEntry.org_id == organization_id, LedgerEntry.kind.in_(("consume", "refund")),
               LedgerEntry.at > at - timedelta(days=rules.WINDOW_DAYS), LedgerEntry.at <= at)
        .group_by(LedgerEntry.product_code, LedgerEntry.category)
    ).all()
    return [Usage(product=p, category=c or "Uncategorized", quantity=int(q or 0)) for p, c, q in rows]


def _expired(session: Session, organization_id: int, at: datetime) -> dict[str, int]:
    """Expired in the last 30 days, per product: the expiry job's entries, plus lots past their expiry that the
    job has not reached yet (reads treat them as expired already)."""
    since = at - timedelta(days=rules.WINDOW_DAYS)
    out: dict[str, int] = {}
    for product, quantity in session.exec(
            select(LedgerEntry.product_code, func.sum(LedgerEntry.quantity))
            .where(LedgerEntry.org_id == organization_id, LedgerEntry.kind == "expire", LedgerEntry.at > since,
                   LedgerEntry.at <= at).group_by(LedgerEntry.product_code)).all():
        out[product] = out.get(product, 0) + int(quantity)
    # The loss is the organization the lot serves (see Lot.owner_org_id): the same filter without ancestors.
    for product, quantity in session.exec(
            select(CreditLot.product_code, func.sum(CreditLot.remaining - CreditLot.held))
            .where(store.usable_lots_filter(organization_id, []), CreditLot.expires_at > since,
                   CreditLot.expires_at <= at, CreditLot.remaining > CreditLot.held)
            .group_by(CreditLot.product_code)).all():
        out[product] = out.get(product, 0) + int(quantity)
    return out


def _in_play(session: Session, organization_id: int) -> dict[str, int]:
    rows = session.exec(select(CreditHold.product_code, func.sum(CreditHold.quantity))
                        .where(CreditHold.org_id == organization_id).group_by(CreditHold.product_code)).all()
    return {p: int(q or 0) for p, q in rows}


def _org_names(organization_ids: Iterable[int]) -> dict[int, str]:
    with unit_of_work(write=False) as session:
        return orgtree.names(session, set(organization_ids))


# --- the jobs --------------------------------------------------------------------------------------------------


def run_monthly(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Monthly credit statements for the month of ``at`` to every subscriber whose organization used credits in
    the last 30 days or holds active credits."""
    require_staff_admin(actor)
    at = _utc(at)
    kind = NotificationKind.monthly_statement
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run, period=rules.month_key(at))
    with unit_of_work(write=False) as session:
        by_org = _recipients(session, kind)
    names = _org_names(by_org)
    for org_id, recipients in by_org.items():
        with unit_of_work(write=False) as session:
            statement = rules.build_statement(names[org_id], at, _products(session), _free_credits(session, org_id, at),
                                              _usage(session, org_id, at), _expired(session, org_id, at),
                                              _in_play(session, org_id))
        if statement is None:
            report.outcomes.append(Outcome("skipped", kind.value, report.period, names[org_id], None,
                                           "nothing to report: no credits used in the past month and none active"))
            continue
        subject = f"Credit statement for {statement.period}: {statement.organization}"

        def compose(r: _Recipient, statement=statement, subject=subject) -> mailer.Mail:
            return _notice(kind, r, statement.organization, "monthly_statement", subject=subject,
                           heading=f"Credit statement, {statement.period}",
                           preheader=f"Credits used, active and expired at {statement.organization}.",
                           statement=statement, since=r.instant(at - timedelta(days=rules.WINDOW_DAYS)),
                           until=r.instant(at), credits_url=_url(routes.CREDITS))

        _deliver(report, kind, report.period, names[org_id], recipients, compose)
    return report


def run_weekly(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Weekly expiry notices for the ISO week of ``at`` to every subscriber whose organization has usable credits
    expiring in the next 30 days."""
    require_staff_admin(actor)
    at = _utc(at)
    kind = NotificationKind.weekly_expiry
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run, period=rules.week_key(at))
    with unit_of_work(write=False) as session:
        by_org = _recipients(session, kind)
    names = _org_names(by_org)
    for org_id, recipients in by_org.items():
        with unit_of_work(write=False) as session:
            notice = rules.build_expiry_notice(names[org_id], at, _products(session),
                                               _free_credits(session, org_id, at))
        if notice is None:
            report.outcomes.append(Outcome("skipped", kind.value, report.period, names[org_id], None,
                                           "nothing to report: no credits expire in the next 30 days"))
            continue
        subject = (f"Credits expiring in the next 30 days at {notice.organization} "
                   f"(nearest {formats.long_day(notice.nearest)})")

        def compose(r: _Recipient, notice=notice, subject=subject) -> mailer.Mail:
            return _notice(kind, r, notice.organization, "weekly_expiry", subject=subject,
                           heading="Credits expiring in the next 30 days",
                           preheader=f"Nearest expiry: {formats.long_day(notice.nearest)}.", notice=notice,
                           until=formats.long_day(notice.until), credits_url=_url(routes.CREDITS))

        _deliver(report, kind, report.period, names[org_id], recipients, compose)
    return report


def _available_minutes(session: Session, organization_id: int, at: datetime) -> int:
    usable = store.usable_lots_filter(organization_id, orgtree.ancestors(session, organization_id))
    return int(session.exec(select(func.coalesce(func.sum(CreditLot.remaining - CreditLot.held), 0)).where(
        CreditLot.product_code == "support_hours", usable, store.live_lots(at))).one())


def run_low_balance(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Alerts organizations whose available support hours are below their threshold: once per crossing."""
    require_staff_admin(actor)
    at = _utc(at)
    kind = NotificationKind.low_balance
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run)
    with unit_of_work(write=False) as session:
        org_ids = list(session.exec(select(Organization.id).where(Organization.low_balance_threshold_minutes
                                                                  .is_not(None)).order_by(Organization.id)).all())
    for org_id in org_ids:
        with unit_of_work(write=not dry_run) as session:
            org = session.exec(select(Organization).where(Organization.id == org_id).with_for_update()).first()
            if org is None or org.low_balance_threshold_minutes is None:
                continue
            available = _available_minutes(session, org.id, at)
            threshold = org.low_balance_threshold_minutes
            crossing = rules.low_balance_key(available, threshold, org.low_balance_crossing, at)
            if not dry_run and crossing != org.low_balance_crossing:
                org.low_balance_crossing = crossing
                session.add(org)
            name = org.name
            recipients = _recipients(session, kind, [org.id]).get(org.id, [])
        if crossing is None:
            report.outcomes.append(Outcome("skipped", kind.value, "", name, None,
                                           f"not below the threshold: {formats.duration(available)} "
                                           f"available, threshold {formats.duration(threshold)}"))
            continue
        if not recipients:
            report.outcomes.append(Outcome("skipped", kind.value, crossing, name, None, "no one subscribed"))
            continue
        subject = f"Support hours running low at {name}: {formats.duration(available)} left"

        def compose(r: _Recipient, name=name, available=available, threshold=threshold, subject=subject):
            return _notice(kind, r, name, "low_balance", subject=subject, heading="Support hours running low",
                           preheader=f"{formats.duration(available)} available.", organization=name,
                           available=formats.duration(available), threshold=formats.duration(threshold),
                           checked_at=r.instant(at), buy_url=_url(routes.BUY_HOURS), credits_url=_url(routes.CREDITS))

        _deliver(report, kind, crossing, name, recipients, compose)
    return report


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def run_overdue_reminders(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Reminders of open invoices 1, 7 and 14 days past their due date, each stage once per subscriber."""
    require_staff_admin(actor)
    at = _utc(at)
    today = at.date()
    kind = NotificationKind.overdue_reminder
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run)
    earliest, latest = rules.overdue_window(today)
    with unit_of_work(write=False) as session:
        invoices = session.exec(
            select(Invoice).where(Invoice.status == InvoiceStatus.open.value, Invoice.number.is_not(None),
                                  Invoice.due_date >= earliest, Invoice.due_date <= latest,
                                  Invoice.total_minor > Invoice.amount_paid_minor)
            .order_by(Invoice.due_date, Invoice.id)
        ).all()
        by_org = _recipients(session, kind, {inv.organization_id for inv in invoices})
        # Organizations with an invoice address get a copy of each reminder there (domain.billing_details).
        invoice_addresses = dict(session.exec(select(Organization.id, Organization.invoice_email).where(
            Organization.id.in_({inv.organization_id for inv in invoices}),
            Organization.invoice_email.is_not(None))).all())
    names = _org_names({inv.organization_id for inv in invoices})
    for inv in invoices:
        stage = rules.overdue_stage(inv.due_date, today)
        if stage is None:
            continue
        key = rules.overdue_key(inv.id, stage)
        name = names.get(inv.organization_id, "?")
        recipients = by_org.get(inv.organization_id, [])
        if not recipients:
            report.outcomes.append(Outcome("skipped", kind.value, key, name, None, "no one subscribed"))
            continue
        overdue = _days((today - inv.due_date).days)
        details = {"number": inv.number, "organization": name, "issue_date": formats.long_day(inv.issue_date)
                   if inv.issue_date else "", "due_date": formats.long_day(inv.due_date), "days_overdue": overdue,
                   "total": formats.money(inv.total_minor, inv.currency),
                   "outstanding": formats.money(inv.total_minor - inv.amount_paid_minor, inv.currency)}
        subject = f"Reminder: invoice {inv.number} is {overdue} overdue"

        def compose(r: _Recipient, details=details, subject=subject, invoice_id=inv.id, name=name):
            return _notice(kind, r, name, "overdue_reminder", subject=subject,
                           heading=f"Invoice {details['number']} is overdue",
                           preheader=f"{details['outstanding']} was due on {details['due_date']}.", invoice=details,
                           pay_url=_url(routes.invoice(invoice_id)))

        address = invoice_addresses.get(inv.organization_id)

        def copy(details=details, subject=subject, invoice_id=inv.id, name=name, address=address,
                 org_id=inv.organization_id):
            return _invoice_address_notice(kind, address, name, "overdue_reminder", subject=subject,
                                           heading=f"Invoice {details['number']} is overdue",
                                           preheader=f"{details['outstanding']} was due on {details['due_date']}.",
                                           invoice=details, pay_url=_url(routes.invoice(invoice_id)),
                                           organization_id=org_id)

        _deliver(report, kind, key, name, recipients, compose, copy if address else None)
    return report


JOBS: dict[NotificationKind, Callable[..., JobReport]] = {
    NotificationKind.monthly_statement: run_monthly,
    NotificationKind.weekly_expiry: run_weekly,
    NotificationKind.low_balance: run_low_balance,
    NotificationKind.overdue_reminder: run_overdue_reminders,
}


# --- the low-balance threshold -----------------------------------------------------------------------------------


def low_balance_threshold(actor: Actor, organization_id: int) -> int | None:
    """The organization's alert threshold in minutes (None: no alert)."""
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        return orgtree.require_org(session, organization_id).low_balance_threshold_minutes


def set_low_balance_threshold(actor: Actor, organization_id: int, minutes: int | None) -> int | None:
    """Owners and administrators set (or with None remove) the threshold; a new threshold starts afresh, so a
    balance already below it is alerted at the next run."""
    require_manage_organization(actor, organization_id)
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or not 0 < minutes <= MAX_THRESHOLD_MINUTES):
        raise InvalidInput("The alert threshold must be a positive number of hours.")
    with unit_of_work() as session:
        org = _lock_org(session, organization_id)
        org.low_balance_threshold_minutes, org.low_balance_crossing = minutes, None
        session.add(org)
        return minutes


# --- password reset ----------------------------------------------------------------------------------------------


def _recipient(session: Session, user: User) -> _Recipient:
    return _Recipient(user.id, user.email, user.full_name, user.role, user.organization_id or 0,
                      user_time_zone(session, user))


def _transactional(r: _Recipient, template: str, *, subject: str, heading: str, preheader: str,
                   **context) -> mailer.Mail:
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=r.display_name, footer=None, **context)
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=subject, text=text, html=html)


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


def _revoke_sessions(session: Session, user_id: int, now: datetime, reason: str) -> None:
    for row in session.exec(select(LoginSession).where(LoginSession.user_id == user_id,
                                                       LoginSession.revoked_at.is_(None))).all():
        row.revoked_at, row.revoked_reason = now, reason
        session.add(row)


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
        for other in session.exec(select(OneTimeToken).where(OneTimeToken.user_id == user.id,
                                                             OneTimeToken.purpose == "reset",
                                                             OneTimeToken.used_at.is_(None))).all():
            other.used_at = now
            session.add(other)
        _revoke_sessions(session, user.id, now, "password_reset")
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
        if session.exec(select(User.id).where(User.email_key == email_key(address))).first() is not None:
            raise Conflict(f"A user with e-mail {address} already exists.")
        for earlier in session.exec(select(OneTimeToken).where(
                OneTimeToken.purpose == "invite", OneTimeToken.organization_id == org.id,
                OneTimeToken.email == address, OneTimeToken.used_at.is_(None))).all():
            earlier.used_at = now
            session.add(earlier)
        row = OneTimeToken(purpose="invite", token_hash=secret_hash(token), organization_id=org.id, email=address,
                           role=parsed.value, created_by_user_id=actor.user_id or None, created_at=now,
                           expires_at=now + timedelta(days=INVITE_LINK_DAYS))
        session.add(row)
        session.flush()
        invitation = InvitationPublic(id=row.id, email=address, role=parsed.value, organization_id=org.id,
                                      organization=org.name, expires_at=row.expires_at)
        # The invitee has no zone of their own yet: they will read times in the organization's home region's.
        zone = _home_zones(session, [org.id]).get(org.id, formats.DEFAULT_TIME_ZONE)
    inviter = actor.full_name or actor.email
    invitee = _Recipient(0, address, "", parsed.value, organization_id, zone)
    mail = _transactional(invitee, "invitation",
                          subject=f"{inviter} invites you to {invitation.organization} on OpsPortal",
                          heading=f"Join {invitation.organization} on OpsPortal",
                          preheader=f"An invitation from {inviter}.", inviter=inviter,
                          organization=invitation.organization, role_label=parsed.label,
                          accept_url=invitation_url(token), valid_days=INVITE_LINK_DAYS,
                          valid_until=invitee.instant(invitation.expires_at))
    try:
        mailer.send_mail(mail)
    except mailer.MailError as exc:
        log.warning("invitation e-mail to %s failed: %s", address, exc)
        with unit_of_work() as session:
            withdrawn = session.get(OneTimeToken, invitation.id)
            withdrawn.used_at = now
            session.add(withdrawn)
        raise Unavailable("The invitation could not be e-mailed just now; nothing was sent. Try again later.") from None
    return invitation


def pending_invitations(actor: Actor, organization_id: int) -> list[InvitationPublic]:
    require_manage_organization(actor, organization_id)
    now = utcnow()
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
            row.used_at = utcnow()
            session.add(row)


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
        return AcceptedInvitation(user_id=user.id, email=user.email, full_name=user.full_name, role=user.role,
                                  organization_id=org.id, organization=org.name)
