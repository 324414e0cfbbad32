"""Users: creating accounts and listing an organization's members."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from opsportal.auth.security import hash_password
from opsportal.db import unit_of_work
from opsportal.domain.formats import time_zone_problem
from opsportal.domain.identity import email_key, normalize_email, password_problem
from opsportal.domain.roles import parse_role
from opsportal.models import Organization, User
from opsportal.services.auth import organization_time_zone
from opsportal.services.authz import (
    Actor,
    require_staff_admin,
    require_view_organization,
)
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence
from opsportal.services.orgtree import require_by_name
from opsportal.services.pagination import Page, clamp
from opsportal.services.session_cache import RECENT
from opsportal.services.subscriptions import on_user_created


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    full_name: str
    role: str
    organization_id: int | None
    organization_name: str | None


@dataclass(frozen=True)
class CreatedUser:
    user: UserPublic
    # Set only when no password was given: shown once to the operator, never stored.
    temporary_password: str | None


def create_user(actor: Actor, *, email: str, role: str, organization_name: str | None,
                password: str | None = None, full_name: str = "") -> CreatedUser:
    require_staff_admin(actor)
    try:
        address = normalize_email(email)
        parsed_role = parse_role(role)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    temporary = None
    if password is None:
        temporary = secrets.token_urlsafe(12)
        password = temporary
    problem = password_problem(password)
    if problem:
        raise InvalidInput(sentence(problem))
    if parsed_role.is_staff and organization_name:
        raise InvalidInput("Staff users belong to the vendor: do not give an organization.")
    if not parsed_role.is_staff and not organization_name:
        raise InvalidInput(f"A {parsed_role.value} must belong to an organization.")
    with unit_of_work() as session:
        org = require_by_name(session, organization_name) if organization_name else None
        key = email_key(address)
        if session.exec(select(User.id).where(User.email_key == key)).first() is not None:
            raise Conflict(f"A user with e-mail {address} already exists.")
        user = User(email=address, email_key=key, full_name=" ".join(full_name.split())[:200],
                    password_hash=hash_password(password), role=parsed_role.value,
                    organization_id=org.id if org else None)
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"A user with e-mail {address} already exists.") from None
        # An organization's first owner is its primary contact: subscribed to the credit notices.
        on_user_created(session, user)
        public = UserPublic(id=user.id, email=user.email, full_name=user.full_name, role=user.role,
                            organization_id=user.organization_id, organization_name=org.name if org else None)
        return CreatedUser(user=public, temporary_password=temporary)


def list_members(actor: Actor, organization_id: int, *, page: int = 1, page_size: int = 25) -> Page[UserPublic]:
    require_view_organization(actor, organization_id)
    page, page_size = clamp(page, page_size)
    where = (User.organization_id == organization_id, User.is_active)
    with unit_of_work(write=False) as session:
        org = session.get(Organization, organization_id)
        if org is None:
            raise NotFound("That organization was not found or you do not have access to it.")
        total = session.exec(select(func.count()).select_from(User).where(*where)).one()
        users = session.exec(
            select(User).where(*where).order_by(User.full_name, User.email_key)
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
        items = [UserPublic(id=u.id, email=u.email, full_name=u.full_name, role=u.role,
                            organization_id=u.organization_id, organization_name=org.name) for u in users]
    return Page(items=items, page=page, page_size=page_size, total=int(total))


@dataclass(frozen=True)
class TimeZoneSetting:
    """The zone a user reads times in: their own choice (None: the organization's default) and what applies."""

    chosen: str | None
    organization_default: str

    @property
    def effective(self) -> str:
        return self.chosen or self.organization_default


def time_zone_setting(actor: Actor) -> TimeZoneSetting:
    """The caller's own time zone setting (the Account page)."""
    with unit_of_work(write=False) as session:
        user = _own_user(session, actor)
        return TimeZoneSetting(chosen=user.time_zone,
                               organization_default=organization_time_zone(session, user.organization_id))


def set_time_zone(actor: Actor, name: str | None) -> TimeZoneSetting:
    """Sets the zone the caller reads every time in; None goes back to the organization's default.

    Only one's own: there is no user to name. The change shows at once on this worker (the cached actor is
    rewritten); other workers pick it up at their next session check.
    """
    chosen = None if name is None else str(name).strip()
    if chosen is not None:
        problem = time_zone_problem(chosen)
        if problem:
            raise InvalidInput(sentence(problem))
    with unit_of_work() as session:
        user = _own_user(session, actor, lock=True)
        user.time_zone = chosen
        session.add(user)
        setting = TimeZoneSetting(chosen=chosen,
                                  organization_default=organization_time_zone(session, user.organization_id))
    RECENT.update_user(actor.user_id, lambda cached: replace(cached, time_zone=setting.effective))
    return setting


def _own_user(session, actor: Actor, *, lock: bool = False) -> User:
    query = select(User).where(User.id == actor.user_id, User.is_active)
    user = session.exec(query.with_for_update() if lock else query).first()
    if user is None:
        raise NotFound("Your account was not found; sign in again.")
    return user
