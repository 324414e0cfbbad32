"""What signing in asks of two-step verification, without opening sessions itself (``services.auth`` imports
this module, so it must never import ``services.auth``):

- ``needs_second_factor`` / ``must_enrol``: after a correct password, whether to ask for a code, or to send the
  user to set it up first;
- ``issue_challenge`` / ``read_challenge``: the short-lived token that carries "password already checked" from the
  first step to the second (``services.mfa_sign_in.complete``);
- the code check shared by sign-in and enrolment: throttled like passwords (``domain.login_throttle``), with no
  replay of a time step and single-use recovery codes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from opsportal.auth.links import ExpiredLink, InvalidLink
from opsportal.auth.mfa_challenge import issue_challenge_token, read_challenge_token
from opsportal.auth.mfa_secrets import UnreadableSecret, decrypt_secret, recovery_code_hash
from opsportal.domain import mfa as rules
from opsportal.domain.login_throttle import ThrottlePolicy, check_attempt
from opsportal.domain.roles import Role
from opsportal.models import MfaRecoveryCode, Organization, User, UserMfa
from opsportal.services.errors import AuthenticationFailed, SignInThrottled
from opsportal.settings import Environment, get_settings

CHALLENGE_MINUTES = 5
WRONG_CODE = ("That code is not correct. Enter the 6-digit code your authenticator app shows now, "
              "or one of your recovery codes.")
CHALLENGE_ENDED = "The sign-in took too long or is no longer valid. Please sign in again."


def is_production() -> bool:
    return get_settings().env is Environment.production


def required_for(session, user: User) -> bool:
    """Whether policy requires two-step verification of ``user`` (``domain.mfa.mfa_required``)."""
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    return rules.mfa_required(is_staff=Role(user.role).is_staff, org_requires_mfa=bool(org and org.require_mfa),
                              is_production=is_production())


def enrolment_of(session, user_id: int, *, lock: bool = False) -> UserMfa | None:
    query = select(UserMfa).where(UserMfa.user_id == user_id)
    return session.exec(query.with_for_update() if lock else query).first()


def needs_second_factor(session, user: User) -> bool:
    """After a correct password: whether a code must be asked for before a session opens."""
    row = enrolment_of(session, user.id)
    return row is not None and row.enabled_at is not None


def must_enrol(session, user: User) -> bool:
    """After a correct password: policy requires two-step verification but the user has not set it up."""
    return required_for(session, user) and not needs_second_factor(session, user)


def issue_challenge(user_id: int, now: datetime) -> str:
    """A token proving the password step passed for ``user_id``; valid for ``CHALLENGE_MINUTES`` and only as a
    challenge (its own audience: it is never accepted as a session token, nor a session token as it)."""
    settings = get_settings()
    return issue_challenge_token(user_id=user_id, issued_at=now, expires_at=now + timedelta(minutes=CHALLENGE_MINUTES),
                                 secret=settings.secret_key, audience=settings.jwt_audience)


def read_challenge(token: str, now: datetime) -> int:
    """The user id a live challenge token was issued for; AuthenticationFailed otherwise."""
    settings = get_settings()
    try:
        return read_challenge_token(token or "", secret=settings.secret_key, audience=settings.jwt_audience,
                                    now=now)
    except (ExpiredLink, InvalidLink):
        raise AuthenticationFailed(CHALLENGE_ENDED) from None


def throttle_policy() -> ThrottlePolicy:
    s = get_settings()
    return ThrottlePolicy(free=s.login_free_failures, lock=s.login_lock_failures, lock_minutes=s.login_lock_minutes)


def throttled(row: UserMfa, now: datetime) -> SignInThrottled | None:
    """The refusal to raise before even looking at a code, while wrong codes are being throttled."""
    verdict = check_attempt(row.failed_attempts, row.last_failed_at, now, throttle_policy())
    if verdict.allowed:
        return None
    message = rules.CodeThrottle(verdict.retry_after_seconds, verdict.locked).message
    return SignInThrottled(message, verdict.retry_after_seconds)


def count_failure(session, row: UserMfa, now: datetime, wrong: str = WRONG_CODE) -> AuthenticationFailed:
    """Records a wrong code; the refusal is for the caller to raise once this is committed."""
    row.failed_attempts += 1
    row.last_failed_at = now
    session.add(row)
    after = check_attempt(row.failed_attempts, now, now, throttle_policy())
    if after.locked:
        return SignInThrottled(rules.CodeThrottle(after.retry_after_seconds, True).message, after.retry_after_seconds)
    return AuthenticationFailed(wrong)


def totp_step(secret_encrypted: str | None, code: str, now: datetime, last_used_step: int | None) -> int | None:
    """The time step a normalised code matches for the stored secret (never one used before); None otherwise."""
    if not secret_encrypted:
        return None
    try:
        secret = decrypt_secret(secret_encrypted, get_settings().secret_key)
    except UnreadableSecret:
        return None
    return rules.matching_step(secret, code, now, last_used_step)


def use_recovery_code(session, user_id: int, code: str, now: datetime) -> bool:
    """Marks a matching unused recovery code used; False when there is none."""
    if not rules.is_recovery_code(code):
        return False
    digest = recovery_code_hash(user_id, code, get_settings().secret_key)
    row = session.exec(select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id,
                                                     MfaRecoveryCode.code_hash == digest,
                                                     MfaRecoveryCode.used_at.is_(None)).with_for_update()).first()
    if row is None:
        return False
    row.used_at = now
    session.add(row)
    return True


def accept_code(session, row: UserMfa, user_id: int, typed: str, now: datetime) -> str | None:
    """Checks a typed code against an enabled enrolment: ``"totp"`` or ``"recovery"`` when it is accepted (the
    step or the recovery code is then used up and the failure count reset), None when it is not."""
    code = rules.normalise_code(typed)
    step = totp_step(row.secret_encrypted, code, now, row.last_used_step)
    if step is not None:
        row.last_used_step = step
        kind = "totp"
    elif use_recovery_code(session, user_id, code, now):
        kind = "recovery"
    else:
        return None
    row.failed_attempts, row.last_failed_at = 0, None
    session.add(row)
    return kind


def recovery_codes_left(session, user_id: int) -> int:
    return len(session.exec(select(MfaRecoveryCode.id).where(MfaRecoveryCode.user_id == user_id,
                                                             MfaRecoveryCode.used_at.is_(None))).all())
