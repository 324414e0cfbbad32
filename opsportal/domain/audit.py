"""The customer audit log's rules: what can happen (each action in the words the Activity page shows), who may read
an organization's activity, and how a recorded target and client address are kept (no I/O)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum

from opsportal.domain.access import Principal
from opsportal.domain.roles import ORG_MANAGER_ROLES

MAX_TARGET = 300
MAX_ADDRESS = 45  # the longest IPv6 text form
# Who an event names when no person did it (a webhook, a scheduled job, the operator's command line).
NO_PERSON = "OpsPortal"


class AuditAction(StrEnum):
    signed_in = "signed_in"
    sign_in_failed = "sign_in_failed"
    credits_allocated = "credits_allocated"
    notification_subscribed = "notification_subscribed"
    notification_unsubscribed = "notification_unsubscribed"
    invitation_sent = "invitation_sent"
    invitation_accepted = "invitation_accepted"
    invitation_revoked = "invitation_revoked"
    card_payment_confirmed = "card_payment_confirmed"
    bank_payment_recorded = "bank_payment_recorded"
    role_changed = "role_changed"
    password_changed = "password_changed"
    password_reset = "password_reset"
    mfa_enabled = "mfa_enabled"
    mfa_disabled = "mfa_disabled"
    mfa_reset = "mfa_reset"
    # The software catalog (staff only) and organizations' licences (the organization's activity too).
    product_added = "product_added"
    product_renamed = "product_renamed"
    product_deleted = "product_deleted"
    version_added = "version_added"
    version_renamed = "version_renamed"
    version_lifecycle_changed = "version_lifecycle_changed"
    version_deleted = "version_deleted"
    release_added = "release_added"
    release_edited = "release_edited"
    release_deleted = "release_deleted"
    licence_granted = "licence_granted"
    licence_changed = "licence_changed"
    licence_revoked = "licence_revoked"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.signed_in: "Signed in",
    AuditAction.sign_in_failed: "Failed to sign in",
    AuditAction.credits_allocated: "Allocated credits",
    AuditAction.notification_subscribed: "Subscribed to a notification",
    AuditAction.notification_unsubscribed: "Unsubscribed from a notification",
    AuditAction.invitation_sent: "Sent an invitation",
    AuditAction.invitation_accepted: "Accepted an invitation",
    AuditAction.invitation_revoked: "Revoked an invitation",
    AuditAction.card_payment_confirmed: "Paid by card",
    AuditAction.bank_payment_recorded: "Recorded a bank transfer",
    AuditAction.role_changed: "Changed a role",
    AuditAction.password_changed: "Changed the password",
    AuditAction.password_reset: "Reset the password by e-mail link",
    AuditAction.mfa_enabled: "Turned on two-step sign-in",
    AuditAction.mfa_disabled: "Turned off two-step sign-in",
    AuditAction.mfa_reset: "Reset two-step sign-in",
    AuditAction.product_added: "Added a product",
    AuditAction.product_renamed: "Renamed a product",
    AuditAction.product_deleted: "Deleted a product",
    AuditAction.version_added: "Added a product version",
    AuditAction.version_renamed: "Renamed a product version",
    AuditAction.version_lifecycle_changed: "Changed a version's lifecycle",
    AuditAction.version_deleted: "Deleted a product version",
    AuditAction.release_added: "Uploaded a release",
    AuditAction.release_edited: "Edited a release",
    AuditAction.release_deleted: "Deleted a release",
    AuditAction.licence_granted: "Recorded a licence",
    AuditAction.licence_changed: "Changed a licence",
    AuditAction.licence_revoked: "Removed a licence",
}


def parse_action(value: str) -> AuditAction:
    """The action named by its code or its words; ValueError otherwise."""
    text = (value or "").strip()
    for action in AuditAction:
        if text == action.value or text.casefold() == action.label.casefold():
            return action
    raise ValueError(f"there is no activity called {text!r}")


def action_label(code: str) -> str:
    """The words for an action's code; a code this release does not know (a newer one wrote it) made readable."""
    try:
        return AuditAction(code).label
    except ValueError:
        words = str(code or "").replace("_", " ").strip()
        return words[:1].upper() + words[1:]


def may_read_activity(principal: Principal, organization_id: int | None) -> bool:
    """Staff read every organization's activity (and the events of no organization); a customer's owners and
    administrators their own organization's. Members and billing contacts do not."""
    if principal.is_staff:
        return True
    return (organization_id is not None and principal.organization_id == organization_id
            and principal.role in ORG_MANAGER_ROLES)


def target_text(value: str) -> str:
    """What an event acted on, as one line of at most ``MAX_TARGET`` characters."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= MAX_TARGET else text[:MAX_TARGET - 1] + "…"


def client_address_text(value: str) -> str:
    """An IP address as recorded: normalized, or "" when ``value`` is not one (never free text)."""
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))[:MAX_ADDRESS]
    except ValueError:
        return ""
