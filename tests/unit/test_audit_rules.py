"""The audit log's rules: every action has words people read, who reads an organization's activity, and what a
recorded target and address may hold (``domain/audit.py``)."""

from __future__ import annotations

import pytest

from opsportal.domain.access import Principal
from opsportal.domain.audit import (
    ACTION_LABELS,
    MAX_TARGET,
    AuditAction,
    action_label,
    client_address_text,
    may_read_activity,
    parse_action,
    target_text,
)
from opsportal.domain.roles import Role


def test_every_action_has_its_own_words_starting_with_a_capital_and_no_code():
    labels = [a.label for a in AuditAction]
    assert set(ACTION_LABELS) == set(AuditAction)
    assert len(set(labels)) == len(labels)
    assert all(label[:1].isupper() and "_" not in label for label in labels)


@pytest.mark.parametrize(("action", "words"), [
    (AuditAction.signed_in, "Signed in"), (AuditAction.sign_in_failed, "Failed to sign in"),
    (AuditAction.credits_allocated, "Allocated credits"),
    (AuditAction.invitation_revoked, "Revoked an invitation"),
    (AuditAction.card_payment_confirmed, "Paid by card"),
    (AuditAction.bank_payment_recorded, "Recorded a bank transfer"),
    (AuditAction.mfa_enabled, "Turned on two-step sign-in"),
])
def test_an_action_reads_as_what_a_person_did(action, words):
    assert action.label == words


def test_an_action_is_found_by_its_code_or_its_words_and_an_unknown_one_is_refused():
    assert parse_action("password_changed") is AuditAction.password_changed
    assert parse_action(" paid by CARD ") is AuditAction.card_payment_confirmed
    with pytest.raises(ValueError, match="no activity called 'deleted_everything'"):
        parse_action("deleted_everything")


def test_an_action_a_newer_release_wrote_still_reads_as_words():
    assert action_label("api_key_created") == "Api key created"
    assert action_label("signed_in") == "Signed in"


@pytest.mark.parametrize(("role", "own", "allowed"), [
    (Role.owner, True, True), (Role.admin, True, True), (Role.billing, True, False), (Role.member, True, False),
    (Role.owner, False, False), (Role.admin, False, False), (Role.agent, False, True),
    (Role.staff_admin, False, True),
])
def test_owners_administrators_of_the_organization_and_staff_read_its_activity(role, own, allowed):
    principal = Principal(user_id=1, role=role, organization_id=(7 if own else 8) if not role.is_staff else None)
    assert may_read_activity(principal, 7) is allowed


def test_only_staff_read_the_events_of_no_organization():
    assert may_read_activity(Principal(1, Role.agent, None), None)
    assert not may_read_activity(Principal(1, Role.owner, None), None)


def test_a_target_is_one_line_and_a_long_one_is_cut_with_an_ellipsis():
    assert target_text("  5 h\n of  Support hours ") == "5 h of Support hours"
    cut = target_text("x" * (MAX_TARGET + 50))
    assert len(cut) == MAX_TARGET and cut.endswith("…")


@pytest.mark.parametrize(("given", "kept"), [
    ("203.0.113.9", "203.0.113.9"), (" 2001:DB8::1 ", "2001:db8::1"), ("", ""), ("unknown", ""),
    ("=cmd|' /C calc'!A0", ""),
])
def test_only_an_ip_address_is_kept_as_where_an_event_came_from(given, kept):
    assert client_address_text(given) == kept
