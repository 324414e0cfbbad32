"""Rows and actors for tests, written straight to the database the app points at.

Hashing with argon2 is deliberately slow, so every builder reuses one hash per password.
"""

from __future__ import annotations

from sqlmodel import Session

from opsportal.auth.security import hash_password
from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.models import Organization, User
from opsportal.services.authz import Actor

PASSWORD = "correct-horse-battery"


_hashes: dict[tuple[str, str], str] = {}


def password_hash(password: str = PASSWORD) -> str:
    # Keyed by the hasher in use too: tests may run with cheap or real argon2 parameters.
    from opsportal.auth import security

    hasher = security._hasher
    key = (password, hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _hashes:
        _hashes[key] = hash_password(password)
    return _hashes[key]


def add_org(session: Session, name: str, *, parent: Organization | None = None) -> Organization:
    org = Organization(name=name, name_key=name.casefold(), parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def add_user(session: Session, email: str, *, role: str | Role = Role.member, org: Organization | None = None,
             password: str | None = PASSWORD, full_name: str = "", is_active: bool = True) -> User:
    user = User(email=email, email_key=email.casefold(), full_name=full_name,
                password_hash=password_hash(password) if password is not None else None,
                role=Role(role).value, organization_id=org.id if org else None, is_active=is_active)
    session.add(user)
    session.flush()
    return user


def make_org(name: str, *, parent: Organization | None = None) -> Organization:
    """One organization, committed in a transaction of its own."""
    with unit_of_work() as session:
        return add_org(session, name, parent=parent)


def make_user(email: str, **kwargs) -> User:
    """One user (see ``add_user``), committed in a transaction of its own."""
    with unit_of_work() as session:
        return add_user(session, email, **kwargs)


def set_active(user: User, active: bool) -> None:
    with unit_of_work() as session:
        row = session.get(User, user.id)
        row.is_active = active
        session.add(row)


def load_user(user_id: int) -> User:
    return _load(User, user_id)


def load_org(org_id: int) -> Organization:
    return _load(Organization, org_id)


def _load(model, row_id: int):
    # A read-only unit of work ends in a rollback, which would expire the row: detach it first.
    with unit_of_work(write=False) as session:
        row = session.get(model, row_id)
        if row is not None:
            session.expunge(row)
        return row


def actor_for(user: User, *, session_id: str = "test-session") -> Actor:
    """The actor a live session of ``user`` would yield (services trust the actor they are given)."""
    org = load_org(user.organization_id) if user.organization_id else None
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id,
                 session_id=session_id, email=user.email, full_name=user.full_name,
                 organization_name=org.name if org else None)
