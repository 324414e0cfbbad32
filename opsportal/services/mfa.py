"""Two-step verification of one's own account (the Account page) and an organization's requirement of it.

Audit-worthy actions: ``confirm_enrolment`` (turned on), ``disable`` (turned off), ``regenerate_recovery_codes``,
``set_org_requirement``; wrong codes are counted on the enrolment row (``mfa_checks``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import segno
from sqlmodel import delete, select

from opsportal import clock
from opsportal.auth.mfa_secrets import encrypt_secret, recovery_code_hash
from opsportal.auth.security import verify_password
from opsportal.db import unit_of_work
from opsportal.domain import mfa as rules
from opsportal.domain.identity import email_key
from opsportal.domain.roles import Role
from opsportal.models import MfaRecoveryCode, Organization, User, UserMfa
from opsportal.services import audit, mfa_checks
from opsportal.services.auth import end_sessions
from opsportal.services.authz import Actor, require_staff_admin, require_view_organization
from opsportal.services.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.session_cache import RECENT
from opsportal.settings import get_settings

WRONG_PASSWORD = "The current password is not correct."
WRONG_SETUP_CODE = ("That code is not correct. Enter the 6-digit code your authenticator app shows now for "
                    "OpsPortal; if it keeps failing, check that your phone's clock is set automatically.")
NOT_ON = "Two-step verification is not turned on for your account."
ALREADY_ON = "Two-step verification is already on. Turn it off first to set it up with another app."
NO_SETUP = "Start the set-up again: no set-up is waiting for a code."
REQUIRED = "Two-step verification is required for your account, so it cannot be turned off."
OWNERS_ONLY = "Only the organization's owners may require two-step verification."


@dataclass(frozen=True)
class Enrolment:
    """A set-up waiting for its first code: what the authenticator app needs."""

    secret: str
    grouped_secret: str  # for typing by hand: "ABCD EFGH ..."
    otpauth_uri: str
    qr_data_uri: str  # an SVG QR code of ``otpauth_uri`` as a data: URI (for <img src>)


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool  # policy requires it: it may not be turned off
    pending: bool  # a set-up is waiting for its first code


@dataclass(frozen=True)
class OrgMfaRequirement:
    organization_id: int
    name: str
    required: bool
    may_change: bool


def _user(session, actor: Actor) -> User:
    user = session.exec(select(User).where(User.id == actor.user_id).with_for_update()).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("Your session has ended. Please sign in again.")
    return user


def _check_password(user: User, current_password: str) -> None:
    if not verify_password(current_password or "", user.password_hash):
        raise InvalidInput(WRONG_PASSWORD)


def _new_recovery_codes(session, user_id: int, now: datetime) -> list[str]:
    """Replaces every recovery code of the user with fresh ones; returns them for showing once."""
    session.exec(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id))
    codes = rules.new_recovery_codes()
    key = get_settings().secret_key
    for code in codes:
        session.add(MfaRecoveryCode(user_id=user_id, created_at=now,
                                    code_hash=recovery_code_hash(user_id, rules.normalise_code(code), key)))
    return codes


def qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def status(actor: Actor) -> MfaStatus:
    with unit_of_work(write=False) as session:
        user = session.get(User, actor.user_id)
        row = mfa_checks.enrolment_of(session, actor.user_id)
        enabled = row is not None and row.enabled_at is not None
        return MfaStatus(enabled=enabled, enabled_at=row.enabled_at if enabled else None,
                         recovery_codes_left=mfa_checks.recovery_codes_left(session, actor.user_id) if enabled else 0,
                         required=user is not None and mfa_checks.required_for(session, user),
                         pending=row is not None and row.pending_secret_encrypted is not None)


def begin_enrolment(actor: Actor, *, now: datetime | None = None) -> Enrolment:
    """A fresh secret kept as pending until ``confirm_enrolment`` sees a correct code (starting again replaces it)."""
    now = now or clock.now()
    secret = rules.new_secret()
    with unit_of_work() as session:
        user = _user(session, actor)
        row = mfa_checks.enrolment_of(session, user.id, lock=True) or UserMfa(user_id=user.id)
        if row.enabled_at is not None:
            raise Conflict(ALREADY_ON)
        row.pending_secret_encrypted = encrypt_secret(secret, get_settings().secret_key)
        row.pending_since = now
        session.add(row)
        uri = rules.otpauth_uri(secret, user.email)
    return Enrolment(secret=secret, grouped_secret=rules.grouped_secret(secret), otpauth_uri=uri,
                     qr_data_uri=qr_data_uri(uri))


def confirm_enrolment(actor: Actor, code: str, *, now: datetime | None = None) -> list[str]:
    """Turns two-step verification on once ``code`` matches the pending secret; returns the recovery codes, which
    are shown this once. Wrong codes are counted and throttled like sign-in's."""
    now = now or clock.now()
    refusal = None
    with unit_of_work() as session:
        user = _user(session, actor)
        row = mfa_checks.enrolment_of(session, user.id, lock=True)
        if row is not None and row.enabled_at is not None:
            raise Conflict(ALREADY_ON)
        if row is None or row.pending_secret_encrypted is None:
            raise Conflict(NO_SETUP)
        if not rules.is_totp_code(rules.normalise_code(code)):
            raise InvalidInput("Enter the 6-digit code your authenticator app shows.")
        refusal = mfa_checks.throttled(row, now)
        if refusal is None:
            step = mfa_checks.totp_step(row.pending_secret_encrypted, rules.normalise_code(code), now,
                                        row.last_used_step)
            if step is None:
                refusal = mfa_checks.count_failure(session, row, now, WRONG_SETUP_CODE)
            else:
                row.secret_encrypted, row.pending_secret_encrypted, row.pending_since = (
                    row.pending_secret_encrypted, None, None)
                row.enabled_at, row.last_used_step = now, step
                row.failed_attempts, row.last_failed_at = 0, None
                session.add(row)
                audit.record_mfa_change(session, actor_user_id=user.id, organization_id=user.organization_id,
                                        action=audit.AuditAction.mfa_enabled, at=now)
                codes = _new_recovery_codes(session, user.id, now)
    if refusal is None:
        # The pages stop sending this user to set it up at once (this worker; others at their next check).
        RECENT.update_user(actor.user_id, lambda cached: replace(cached, mfa_setup_due=False))
        return codes
    raise refusal  # after commit: the failure count persists


def disable(actor: Actor, current_password: str, *, now: datetime | None = None) -> None:
    """Turns two-step verification off (the secret and recovery codes are deleted); refused while policy
    requires it for this user."""
    now = now or clock.now()
    with unit_of_work() as session:
        user = _user(session, actor)
        _check_password(user, current_password)
        row = mfa_checks.enrolment_of(session, user.id, lock=True)
        if row is None or row.enabled_at is None:
            raise Conflict(NOT_ON)
        if mfa_checks.required_for(session, user):
            raise PermissionDenied(REQUIRED)
        session.exec(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
        session.delete(row)
        audit.record_mfa_change(session, actor_user_id=user.id, organization_id=user.organization_id,
                                action=audit.AuditAction.mfa_disabled, at=now)


def regenerate_recovery_codes(actor: Actor, current_password: str, *, now: datetime | None = None) -> list[str]:
    """Fresh recovery codes (shown once); every earlier one stops working."""
    now = now or clock.now()
    with unit_of_work() as session:
        user = _user(session, actor)
        _check_password(user, current_password)
        row = mfa_checks.enrolment_of(session, user.id, lock=True)
        if row is None or row.enabled_at is None:
            raise Conflict(NOT_ON)
        return _new_recovery_codes(session, user.id, now)


def org_requirement(actor: Actor, organization_id: int) -> OrgMfaRequirement:
    """Whether the organization requires two-step verification, and whether ``actor`` may change that."""
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        org = session.get(Organization, organization_id)
        if org is None:
            raise PermissionDenied("That organization was not found or you do not have access to it.")
        return OrgMfaRequirement(organization_id=org.id, name=org.name, required=org.require_mfa,
                                 may_change=_may_change(actor, organization_id))


def _may_change(actor: Actor, organization_id: int) -> bool:
    return actor.role is Role.owner and actor.organization_id == organization_id


def set_org_requirement(actor: Actor, organization_id: int, required: bool) -> OrgMfaRequirement:
    """Owners of the organization itself (not of a parent, not administrators) switch the requirement; members
    without two-step verification are asked to set it up at their next sign-in (``mfa_checks.must_enrol``)."""
    require_view_organization(actor, organization_id)
    if not _may_change(actor, organization_id):
        raise PermissionDenied(OWNERS_ONLY)
    with unit_of_work() as session:
        org = session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).first()
        if org is None:
            raise PermissionDenied("That organization was not found or you do not have access to it.")
        org.require_mfa = bool(required)
        session.add(org)
        return OrgMfaRequirement(organization_id=org.id, name=org.name, required=org.require_mfa, may_change=True)



def reset_for_user(actor: Actor, email: str, *, now: datetime | None = None) -> str:
    """Staff admins turn off the two-step verification of a user who lost both their phone and their recovery
    codes (who is asking is checked outside the portal, as for any account recovery). The secret and recovery codes
    are deleted, every session of the user ends, and the audit log records the reset; where policy requires it, the
    user is asked to set it up again at their next sign-in. Returns the user's e-mail address."""
    require_staff_admin(actor)
    now = now or clock.now()
    try:
        key = email_key(email)
    except ValueError:
        raise InvalidInput(f"{email!r} is not an e-mail address.") from None
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.email_key == key)).first()
        if user is None:
            raise NotFound(f"No user has the e-mail address {email}.")
        row = mfa_checks.enrolment_of(session, user.id, lock=True)
        if row is None or row.enabled_at is None:
            raise Conflict(f"{user.email} does not use two-step verification: there is nothing to reset.")
        session.exec(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
        session.delete(row)
        end_sessions(session, user.id, now, "mfa_reset")
        audit.record_mfa_change(session, actor_user_id=actor.user_id or None, organization_id=user.organization_id,
                                action=audit.AuditAction.mfa_reset, target=user.email, at=now)
        user_id, address = user.id, user.email
    RECENT.forget_user(user_id)
    return address
