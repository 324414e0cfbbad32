"""Setting up two-step verification on one's own account, turning it off, recovery codes, and an organization's
owners requiring it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import MfaRecoveryCode, Organization, UserMfa
from opsportal.services import mfa, mfa_checks
from opsportal.services.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied, SignInThrottled
from tests.utils.builders import PASSWORD

NOW = datetime(2026, 12, 3, 12, 0, 10, tzinfo=UTC)


def code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def enrol(actor, at: datetime = NOW) -> tuple[str, list[str]]:
    enrolment = mfa.begin_enrolment(actor, now=at)
    return enrolment.secret, mfa.confirm_enrolment(actor, code(enrolment.secret, at), now=at)


def stored(user_id: int) -> UserMfa | None:
    with unit_of_work(write=False) as session:
        return mfa_checks.enrolment_of(session, user_id)


def test_setting_up_shows_a_qr_code_and_keeps_the_secret_pending_and_encrypted_until_a_code_confirms_it(world):
    ada = world.actor("holdings_member")
    enrolment = mfa.begin_enrolment(ada, now=NOW)
    assert enrolment.qr_data_uri.startswith("data:image/svg+xml")
    assert enrolment.otpauth_uri.startswith("otpauth://totp/OpsPortal:")
    assert enrolment.grouped_secret.replace(" ", "") == enrolment.secret
    row = stored(ada.user_id)
    assert row.enabled_at is None and row.secret_encrypted is None
    assert enrolment.secret not in row.pending_secret_encrypted
    assert mfa.status(ada).pending and not mfa.status(ada).enabled

    codes = mfa.confirm_enrolment(ada, code(enrolment.secret, NOW), now=NOW)

    assert len(codes) == 10
    status = mfa.status(ada)
    assert status.enabled and status.enabled_at == NOW and status.recovery_codes_left == 10 and not status.pending
    row = stored(ada.user_id)
    assert row.pending_secret_encrypted is None and row.secret_encrypted is not None
    with unit_of_work(write=False) as session:
        hashes = session.exec(select(MfaRecoveryCode.code_hash).where(MfaRecoveryCode.user_id == ada.user_id)).all()
    assert not set(hashes) & {c.replace("-", "") for c in codes}


def test_a_wrong_set_up_code_is_refused_counted_and_leaves_two_step_verification_off(world):
    ada = world.actor("holdings_member")
    enrolment = mfa.begin_enrolment(ada, now=NOW)
    wrong = code(enrolment.secret, NOW - timedelta(minutes=5))
    with pytest.raises(AuthenticationFailed, match="not correct"):
        mfa.confirm_enrolment(ada, wrong, now=NOW)
    assert stored(ada.user_id).failed_attempts == 1
    assert not mfa.status(ada).enabled
    with pytest.raises(InvalidInput, match="6-digit"):
        mfa.confirm_enrolment(ada, "abc", now=NOW)


def test_set_up_codes_are_throttled_like_passwords_after_repeated_failures(world):
    ada = world.actor("holdings_member")
    enrolment = mfa.begin_enrolment(ada, now=NOW)
    at = NOW
    for _ in range(3):  # login_free_failures
        with pytest.raises(AuthenticationFailed):
            mfa.confirm_enrolment(ada, "000000", now=at)
    with pytest.raises(SignInThrottled, match="Wait 2 seconds"):
        mfa.confirm_enrolment(ada, code(enrolment.secret, at), now=at)
    assert not mfa.status(ada).enabled
    assert mfa.confirm_enrolment(ada, code(enrolment.secret, at + timedelta(seconds=2)), now=at + timedelta(seconds=2))


def test_confirming_without_a_set_up_or_setting_up_twice_is_refused(world):
    ada = world.actor("holdings_member")
    with pytest.raises(Conflict, match="Start the set-up again"):
        mfa.confirm_enrolment(ada, "123456", now=NOW)
    enrol(ada)
    with pytest.raises(Conflict, match="already on"):
        mfa.begin_enrolment(ada, now=NOW)


def test_turning_it_off_needs_the_password_and_deletes_the_secret_and_recovery_codes(world):
    ada = world.actor("holdings_member")
    enrol(ada)
    with pytest.raises(InvalidInput, match="current password"):
        mfa.disable(ada, "wrong-password")
    assert mfa.status(ada).enabled
    mfa.disable(ada, PASSWORD)
    assert stored(ada.user_id) is None
    assert mfa.status(ada) == mfa.MfaStatus(enabled=False, enabled_at=None, recovery_codes_left=0, required=False,
                                            pending=False)
    with pytest.raises(Conflict, match="not turned on"):
        mfa.disable(ada, PASSWORD)


def test_it_cannot_be_turned_off_while_the_organization_requires_it(world):
    owner, ada = world.actor("holdings_owner"), world.actor("holdings_member")
    enrol(ada)
    mfa.set_org_requirement(owner, world.holdings.id, True)
    assert mfa.status(ada).required
    with pytest.raises(PermissionDenied, match="required for your account"):
        mfa.disable(ada, PASSWORD)
    assert mfa.status(ada).enabled


def test_staff_cannot_turn_it_off_in_production(world, monkeypatch):
    agent = world.actor("agent")
    enrol(agent)
    monkeypatch.setattr(mfa_checks, "is_production", lambda: True)
    with pytest.raises(PermissionDenied, match="required"):
        mfa.disable(agent, PASSWORD)
    monkeypatch.setattr(mfa_checks, "is_production", lambda: False)
    mfa.disable(agent, PASSWORD)


def test_regenerating_recovery_codes_needs_the_password_and_replaces_every_earlier_code(world):
    ada = world.actor("holdings_member")
    with pytest.raises(Conflict, match="not turned on"):
        mfa.regenerate_recovery_codes(ada, PASSWORD, now=NOW)
    _, first = enrol(ada)
    with pytest.raises(InvalidInput, match="current password"):
        mfa.regenerate_recovery_codes(ada, "wrong-password", now=NOW)
    second = mfa.regenerate_recovery_codes(ada, PASSWORD, now=NOW)
    assert len(second) == 10 and not set(first) & set(second)
    assert mfa.status(ada).recovery_codes_left == 10
    with unit_of_work() as session:
        assert not mfa_checks.use_recovery_code(session, ada.user_id, first[0].replace("-", ""), NOW)
        assert mfa_checks.use_recovery_code(session, ada.user_id, second[0].replace("-", ""), NOW)


def test_an_owner_switches_the_requirement_for_their_own_organization(world):
    owner = world.actor("holdings_owner")
    assert not mfa.org_requirement(owner, world.holdings.id).required
    result = mfa.set_org_requirement(owner, world.holdings.id, True)
    assert result.required and result.may_change and result.name == "Northwind Holdings"
    with unit_of_work(write=False) as session:
        assert session.get(Organization, world.holdings.id).require_mfa
    assert not mfa.set_org_requirement(owner, world.holdings.id, False).required


@pytest.mark.parametrize("who", ["holdings_admin", "holdings_member", "holdings_billing", "agent", "staff_admin"])
def test_only_owners_may_require_it_for_their_organization(world, who):
    actor = world.actor(who)
    assert not mfa.org_requirement(actor, world.holdings.id).may_change
    with pytest.raises(PermissionDenied, match="Only the organization's owners"):
        mfa.set_org_requirement(actor, world.holdings.id, True)
    assert not mfa.org_requirement(world.actor("holdings_owner"), world.holdings.id).required


@pytest.mark.parametrize(("who", "org"), [("fabrikam_owner", "holdings"), ("retail_owner", "holdings"),
                                          ("holdings_owner", "retail")])
def test_another_organizations_owner_is_refused_the_switch(world, who, org):
    org_id = world.org(org).id
    with pytest.raises(PermissionDenied):
        mfa.set_org_requirement(world.actor(who), org_id, True)
    with unit_of_work(write=False) as session:
        assert not session.get(Organization, org_id).require_mfa


def test_another_organizations_user_cannot_read_the_requirement(world):
    with pytest.raises(PermissionDenied, match="not found"):
        mfa.org_requirement(world.actor("fabrikam_owner"), world.holdings.id)
