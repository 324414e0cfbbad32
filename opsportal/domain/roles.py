"""Who a user is to the portal: customer roles belong to an organization, staff to the vendor."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    billing = "billing"
    member = "member"
    agent = "agent"
    staff_admin = "staff_admin"

    @property
    def is_staff(self) -> bool:
        return self in STAFF_ROLES

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


CUSTOMER_ROLES = frozenset({Role.owner, Role.admin, Role.billing, Role.member})
STAFF_ROLES = frozenset({Role.agent, Role.staff_admin})
# Customer roles that see and pay invoices and keep the billing details; members do not.
BILLING_ROLES = frozenset({Role.owner, Role.admin, Role.billing})
# Customer roles that manage their organization (users, credit allocation).
ORG_MANAGER_ROLES = frozenset({Role.owner, Role.admin})
ROLE_LABELS = {
    Role.owner: "Owner",
    Role.admin: "Administrator",
    Role.billing: "Billing contact",
    Role.member: "Member",
    Role.agent: "Support agent",
    Role.staff_admin: "Staff administrator",
}


def parse_role(value: str) -> Role:
    """The role named by ``value``; ValueError naming the valid roles otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; valid roles: {valid}") from None


def may_request_incident(role: Role) -> bool:
    """Pay-per-incident requests direct support work: the customer's owners and administrators, and staff."""
    return role.is_staff or role in ORG_MANAGER_ROLES
