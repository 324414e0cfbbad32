"""The one authorization helper: every service asks it before touching organization data."""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.domain.access import (
    Principal,
    may_manage_organization,
    may_view_organization,
)
from opsportal.domain.roles import Role
from opsportal.services.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """Who is asking: built only by ``services.auth.authenticate`` from a live session."""

    user_id: int
    role: Role
    organization_id: int | None
    session_id: str
    email: str
    full_name: str
    organization_name: str | None = None
    # IANA zone every instant is shown in (the user's own, else the organization's home region's, else UTC).
    time_zone: str = "UTC"
    # Policy requires two-step verification (staff in production, or the organization asks) but the user has not
    # set it up: the pages send them to Account until they do (services.mfa_checks.must_enrol).
    mfa_setup_due: bool = False
    # The user's organization has subsidiaries (the navigation offers owners and administrators the roll-up;
    # services.rollup decides, on every read, who may see it).
    has_subsidiaries: bool = False

    @property
    def principal(self) -> Principal:
        return Principal(user_id=self.user_id, role=self.role, organization_id=self.organization_id)

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff


def may_view(actor: Actor, organization_id: int | None) -> bool:
    """Staff see every organization; a customer user their own only (``domain.access``)."""
    return organization_id is not None and may_view_organization(actor.principal, organization_id)


def may_manage(actor: Actor, organization_id: int | None) -> bool:
    """Staff administrators, and the organization's own owners and administrators."""
    return organization_id is not None and may_manage_organization(actor.principal, organization_id)


def require_visible(actor: Actor, organization_id: int | None, not_found: str) -> None:
    """For a row reached by its own id (a task, a lot, an invoice): ``NotFound`` with the row's own message unless
    the actor may see the organization it belongs to, so another organization's ids read as missing ones."""
    if not may_view(actor, organization_id):
        raise NotFound(not_found)


def require_view_organization(actor: Actor, organization_id: int) -> None:
    # Same message whether the organization exists or not: ids reveal nothing.
    if not may_view_organization(actor.principal, organization_id):
        raise PermissionDenied("That organization was not found or you do not have access to it.")


def require_manage_organization(actor: Actor, organization_id: int) -> None:
    require_view_organization(actor, organization_id)
    if not may_manage_organization(actor.principal, organization_id):
        raise PermissionDenied("Only the organization's owners and administrators may do this.")


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied("This area is for the support team only.")


def require_staff_admin(actor: Actor) -> None:
    if actor.role is not Role.staff_admin:
        raise PermissionDenied("Only staff administrators may do this.")
