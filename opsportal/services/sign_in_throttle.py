"""Counting failed sign-ins in the database, per e-mail key and per client address, in the caller's transaction.

The rules (how many, how long) are in ``domain.login_throttle``. The e-mail count does not depend on whether an
account has that address, so an unknown address is throttled and locked exactly like a known one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal.domain.login_throttle import (
    AddressPolicy,
    ThrottlePolicy,
    address_key,
    check_address,
    check_attempt,
    forget_after,
)
from opsportal.models import SignInFailures
from opsportal.services.errors import SignInThrottled
from opsportal.settings import get_settings

EMAIL, ADDRESS = "email", "address"


def account_policy() -> ThrottlePolicy:
    s = get_settings()
    return ThrottlePolicy(free=s.login_free_failures, lock=s.login_lock_failures, lock_minutes=s.login_lock_minutes)


def address_policy() -> AddressPolicy:
    s = get_settings()
    return AddressPolicy(max_failures=s.login_address_max_failures, window_minutes=s.login_address_window_minutes)


def _row(session: Session, scope: str, key: str, *, lock: bool = False) -> SignInFailures | None:
    query = select(SignInFailures).where(SignInFailures.scope == scope, SignInFailures.key == key)
    return session.exec(query.with_for_update() if lock else query).first()


def _address_refusal(session: Session, key: str, now: datetime) -> SignInThrottled | None:
    row = _row(session, ADDRESS, key) if key else None
    if row is None:
        return None
    verdict = check_address(row.failures, row.window_started_at, now, address_policy())
    return None if verdict.allowed else SignInThrottled(verdict.message, verdict.retry_after_seconds)


def _email_refusal(session: Session, key: str, now: datetime) -> SignInThrottled | None:
    # Locked: concurrent attempts on one address queue here, as they did on the account row.
    row = _row(session, EMAIL, key, lock=True) if key else None
    if row is None:
        return None
    verdict = check_attempt(row.failures, row.last_failure_at, now, account_policy())
    return None if verdict.allowed else SignInThrottled(verdict.message, verdict.retry_after_seconds)


def refusal(session: Session, *, email_key: str, client_address: str, now: datetime) -> SignInThrottled | None:
    """Why this attempt is refused before its password is even checked (the address first), else None."""
    return (_address_refusal(session, address_key(client_address), now)
            or _email_refusal(session, email_key, now))


def _count(session: Session, scope: str, key: str, now: datetime, restart_before: datetime) -> SignInFailures:
    """One more failure for (scope, key), atomically; a count whose window began (address) or whose last failure
    was (e-mail) before ``restart_before`` starts again at 1."""
    table = SignInFailures.__table__
    stale = (table.c.window_started_at if scope == ADDRESS else table.c.last_failure_at) <= restart_before
    values = dict(scope=scope, key=key, failures=1, window_started_at=now, last_failure_at=now)
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(**values)
        session.execute(ins.on_conflict_do_update(index_elements=["scope", "key"], set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "window_started_at": case((stale, ins.excluded.window_started_at), else_=table.c.window_started_at),
            "last_failure_at": ins.excluded.last_failure_at,
        }))
    else:  # pragma: no cover - only the two supported databases
        session.execute(insert(table).values(**values))
    session.expire_all()
    return _row(session, scope, key)


def record_failure(session: Session, *, email_key: str, client_address: str, now: datetime
                   ) -> tuple[int, SignInThrottled | None]:
    """Counts a failed attempt against the e-mail key and the address; returns the e-mail key's count and the
    refusal this very failure brought on (the account lock, else the address limit), if any."""
    failures = 0
    answer = None
    if email_key:
        policy = account_policy()
        row = _count(session, EMAIL, email_key, now, now - forget_after(policy))
        failures = row.failures
        after = check_attempt(row.failures, now, now, policy)
        if after.locked:
            answer = SignInThrottled(after.message, after.retry_after_seconds)
    key = address_key(client_address)
    if key:
        policy = address_policy()
        row = _count(session, ADDRESS, key, now, now - timedelta(minutes=policy.window_minutes))
        after = check_address(row.failures, row.window_started_at, now, policy)
        if answer is None and not after.allowed:
            answer = SignInThrottled(after.message, after.retry_after_seconds)
    _purge(session, now)
    return failures, answer


def forget_email(session: Session, email_key: str) -> None:
    """A successful sign-in or a password reset clears the e-mail key's failures (never the address's)."""
    session.execute(delete(SignInFailures).where(SignInFailures.scope == EMAIL, SignInFailures.key == email_key))


def _purge(session: Session, now: datetime) -> None:
    """Drops counts nobody needs any more (indexed on the last failure), so the table stays small."""
    keep = max(forget_after(account_policy()), timedelta(minutes=address_policy().window_minutes))
    session.execute(delete(SignInFailures).where(SignInFailures.last_failure_at < now - keep))
