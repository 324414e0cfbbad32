"""Signing in and out, sessions, passwords."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from opsportal import clock
from opsportal.auth.security import (
    InvalidToken,
    hash_password,
    issue_token,
    needs_rehash,
    new_session_id,
    read_token,
    verify_password,
)
from opsportal.db import unit_of_work
from opsportal.domain.formats import DEFAULT_TIME_ZONE
from opsportal.domain.identity import email_key, password_problem
from opsportal.domain.roles import Role
from opsportal.models import LoginSession, Organization, User
from opsportal.models.plans import OrgSupportProfile, SupportRegion
from opsportal.services import audit, mfa_checks
from opsportal.services import sign_in_throttle as throttle
from opsportal.services.authz import Actor
from opsportal.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    sentence,
)
from opsportal.services.session_cache import RECENT
from opsportal.settings import get_settings

BAD_CREDENTIALS = "Incorrect e-mail or password."
SESSION_ENDED = "Your session has ended. Please sign in again."
SESSION_NOT_FOUND = "That session was not found: it may have ended already."


@dataclass(frozen=True)
class SignedIn:
    token: str
    actor: Actor
    expires_at: datetime


@dataclass(frozen=True)
class SecondStep:
    """The password was right and the user has two-step verification: no session yet. ``challenge`` (a 5-minute
    token of its own audience) plus a code opens one (``services.mfa_sign_in.complete``)."""
    challenge: str


def user_time_zone(session, user: User) -> str:
    """The zone ``user`` reads times in: their own, else their organization's home region's, else UTC."""
    if user.time_zone:
        return user.time_zone
    return organization_time_zone(session, user.organization_id)


def organization_time_zone(session, organization_id: int | None) -> str:
    """The zone of an organization's home region (its users' default), else UTC."""
    if organization_id is not None:
        home = session.exec(
            select(SupportRegion.time_zone)
            .join(OrgSupportProfile, OrgSupportProfile.home_region_code == SupportRegion.code)
            .where(OrgSupportProfile.organization_id == organization_id)
        ).first()
        if home:
            return home
    return DEFAULT_TIME_ZONE


def _actor(session, user: User, session_id: str) -> Actor:
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        organization_id=user.organization_id,
        session_id=session_id,
        email=user.email,
        full_name=user.full_name,
        organization_name=org.name if org else None,
        time_zone=user_time_zone(session, user),
        mfa_setup_due=mfa_checks.must_enrol(session, user),
        has_subsidiaries=org is not None and session.exec(
            select(Organization.id).where(Organization.parent_id == org.id).limit(1)).first() is not None,
    )


def _open_session(session, user: User, now: datetime, user_agent: str, client_address: str = "") -> SignedIn:
    settings = get_settings()
    expires = now + timedelta(minutes=settings.session_ttl_minutes)
    row = LoginSession(id=new_session_id(), user_id=user.id, created_at=now, expires_at=expires,
                       user_agent=user_agent[:300], client_address=client_address[:64])
    session.add(row)
    token = issue_token(user_id=user.id, session_id=row.id, issued_at=now, expires_at=expires,
                        secret=settings.secret_key, audience=settings.jwt_audience)
    signed_in = SignedIn(token=token, actor=_actor(session, user, row.id), expires_at=expires)
    RECENT.put(token, signed_in.actor, expires)
    return signed_in


def sign_in(*, email: str, password: str, user_agent: str = "", client_address: str = "",
            now: datetime | None = None) -> SignedIn | SecondStep:
    """A new session for valid credentials, or the second step when the user has two-step verification.

    Failures are counted per e-mail key (the same whether or not an
    account has that address) and per ``client_address`` ("" when unknown: not counted), and throttled
    (``domain.login_throttle``)."""
    now = now or clock.now()
    try:
        key = email_key(email)
    except ValueError:
        key = ""
    refusal: AuthenticationFailed | None = None
    with unit_of_work() as session:
        refusal = throttle.refusal(session, email_key=key, client_address=client_address, now=now)
        if refusal is None:
            user = (session.exec(select(User).where(User.email_key == key).with_for_update()).first()
                    if key else None)
            if user is None or not user.is_active:
                verify_password(password, None)  # as slow as a real check: timing tells nothing either
                user = None
            elif verify_password(password, user.password_hash):
                throttle.forget_email(session, key)
                user.failed_logins = 0
                user.last_failed_login_at = None
                user.last_login_at = now
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                session.add(user)
                if mfa_checks.needs_second_factor(session, user):  # "signed in" is recorded after the code
                    return SecondStep(challenge=mfa_checks.issue_challenge(user.id, now))
                audit.record_sign_in(session, user, now, succeeded=True, client_address=client_address)
                return _open_session(session, user, now, user_agent, client_address)
            failures, refusal = throttle.record_failure(session, email_key=key, client_address=client_address,
                                                        now=now)
            refusal = refusal or AuthenticationFailed(BAD_CREDENTIALS)
            if user is not None:  # kept on the account for support staff; the throttle reads the count table
                user.failed_logins = failures
                user.last_failed_login_at = now
                session.add(user)
                audit.record_sign_in(session, user, now, succeeded=False, client_address=client_address)
    # Raised after commit: the failure counts must persist.
    raise refusal


def authenticate(token: str | None, *, now: datetime | None = None) -> Actor:
    """The actor behind a token whose server-side session is live; AuthenticationFailed otherwise."""
    if not token:
        raise AuthenticationFailed(SESSION_ENDED)
    settings = get_settings()
    try:
        claims = read_token(token, secret=settings.secret_key, audience=settings.jwt_audience, now=now)
    except InvalidToken:
        raise AuthenticationFailed(SESSION_ENDED) from None
    now = now or clock.now()
    with unit_of_work(write=False) as session:
        row = session.get(LoginSession, claims.session_id)
        if row is None or row.user_id != claims.user_id or row.revoked_at is not None or row.expires_at <= now:
            raise AuthenticationFailed(SESSION_ENDED)
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            raise AuthenticationFailed(SESSION_ENDED)
        actor = _actor(session, user, row.id)
    RECENT.put(token, actor, row.expires_at)
    return actor


def recent_actor(token: str | None) -> Actor | None:
    """The actor behind ``token`` if this worker confirmed its session within the recheck interval.

    No I/O: an event handler asks this first and ``authenticate`` (off the event loop) only when it answers None.
    """
    return RECENT.get(token or "", max_age_seconds=get_settings().session_recheck_seconds)


def sign_out(token: str | None, *, now: datetime | None = None) -> None:
    """Revokes the token's session; a token that is already invalid is ignored."""
    try:
        actor = authenticate(token, now=now)
    except AuthenticationFailed:
        return
    with unit_of_work() as session:
        row = session.get(LoginSession, actor.session_id)
        row.revoked_at = now or clock.now()
        row.revoked_reason = "sign_out"
        session.add(row)
    RECENT.forget_session(actor.session_id)


def change_password(actor: Actor, *, current: str, new: str, now: datetime | None = None) -> int:
    """Sets a new password; the caller's session stays and every OTHER session of the user is revoked.

    Returns how many other sessions ended.
    """
    now = now or clock.now()
    problem = password_problem(new)
    if problem:
        raise InvalidInput(sentence(problem))
    if new == current:
        raise InvalidInput("The new password must differ from the current one.")
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.id == actor.user_id).with_for_update()).one()
        if not verify_password(current, user.password_hash):
            raise InvalidInput("The current password is not correct.")
        user.password_hash = hash_password(new)
        user.password_changed_at = now
        session.add(user)
        ended = end_sessions(session, actor.user_id, now, "password_changed", keep=actor.session_id)
        audit.record(session, actor_user_id=user.id, organization_id=user.organization_id,
                     action=audit.AuditAction.password_changed, at=now)
    _forget(ended)
    return len(ended)


# ---- The caller's own sessions (the Account page) ----

@dataclass(frozen=True)
class SessionView:
    id: str
    user_agent: str
    client_address: str
    created_at: datetime
    expires_at: datetime
    current: bool  # the session the caller is using now


def _live_sessions(actor: Actor, now: datetime):
    return select(LoginSession).where(LoginSession.user_id == actor.user_id, LoginSession.revoked_at.is_(None),
                                      LoginSession.expires_at > now)


def list_sessions(actor: Actor, *, now: datetime | None = None) -> list[SessionView]:
    """The caller's live sessions, this one first, then the newest first."""
    now = now or clock.now()
    with unit_of_work(write=False) as session:
        rows = session.exec(_live_sessions(actor, now)).all()
        views = [SessionView(id=r.id, user_agent=r.user_agent, client_address=r.client_address,
                             created_at=r.created_at, expires_at=r.expires_at, current=r.id == actor.session_id)
                 for r in rows]
    return sorted(views, key=lambda v: (not v.current, -v.created_at.timestamp(), v.id))


def revoke_session(actor: Actor, session_id: str, *, now: datetime | None = None) -> None:
    """Ends one of the caller's own sessions (not the one in use: that is signing out).

    Another user's session, an unknown one and one that already ended are refused alike (NotFound): the answer
    says nothing about sessions that are not the caller's. It ends on this worker at once, on the others within
    ``session_recheck_seconds``.
    """
    now = now or clock.now()
    if session_id == actor.session_id:
        raise InvalidInput("This is the session you are using: sign out instead.")
    with unit_of_work() as session:
        row = session.get(LoginSession, session_id, with_for_update=True) if session_id else None
        if row is None or row.user_id != actor.user_id or row.revoked_at is not None or row.expires_at <= now:
            raise NotFound(SESSION_NOT_FOUND)
        row.revoked_at = now
        row.revoked_reason = "revoked_by_user"
        session.add(row)
    RECENT.forget_session(session_id)


def revoke_other_sessions(actor: Actor, *, now: datetime | None = None) -> int:
    """"Sign out everywhere else": every live session of the caller but the one in use ends. Returns how many."""
    now = now or clock.now()
    with unit_of_work() as session:
        ended = end_sessions(session, actor.user_id, now, "signed_out_elsewhere", keep=actor.session_id)
    _forget(ended)
    return len(ended)


def end_sessions(session, user_id: int, now: datetime, reason: str, *, keep: str | None = None) -> list[str]:
    """Revokes every live session of ``user_id`` but ``keep``, in the caller's transaction; returns their ids (the
    caller forgets them from this worker's cache once committed)."""
    query = select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
    if keep:
        query = query.where(LoginSession.id != keep)
    rows = session.exec(query.with_for_update()).all()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
        session.add(row)
    return [row.id for row in rows]


def _forget(session_ids: list[str]) -> None:
    RECENT.forget_sessions(session_ids)


@functools.lru_cache(maxsize=4096)
def _session_id_of(token: str, secret: str, audience: str) -> str:
    try:
        return read_token(token, secret=secret, audience=audience).session_id
    except InvalidToken:
        return ""


def session_id_of(token: str | None) -> str:
    """The session a well-signed token names ("" for none, a forged or an expired one). No I/O: this says nothing
    about whether the session is still live (``authenticate`` does); it tells one session from another."""
    if not token:
        return ""
    settings = get_settings()
    return _session_id_of(token, settings.secret_key, settings.jwt_audience)
