"""The one rule for who may see an organization's data.

Staff see every organization. A customer user sees their own organization only; what
flows between organizations of one tree (shared credits) is decided by the ledger rules,
never by widening this check.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.domain.roles import BILLING_ROLES, ORG_MANAGER_ROLES, Role


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: Role
    organization_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff


def may_view_organization(principal: Principal, organization_id: int) -> bool:
    if principal.is_staff:
        return True
    return principal.organization_id == organization_id


def may_manage_organization(principal: Principal, organization_id: int) -> bool:
    if principal.role is Role.staff_admin:
        return True
    return principal.role in ORG_MANAGER_ROLES and principal.organization_id == organization_id


def may_manage_billing(principal: Principal, organization_id: int) -> bool:
    """The organization's billing details: its billing contacts (owner, admin, billing) and staff administrators."""
    if principal.role is Role.staff_admin:
        return True
    return principal.role in BILLING_ROLES and principal.organization_id == organization_id
