"""The second step of signing in: a challenge from the password step plus a code opens a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from jose import jwt
from sqlmodel import select

from opsportal.auth.security import ALGORITHM
from opsportal.db import unit_of_work
from opsportal.models import AuditEvent, User
from opsportal.services import mfa, mfa_checks
from opsportal.services.auth import SESSION_ENDED, SignedIn, authenticate, sign_in
from opsportal.services.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, SignInThrottled
from opsportal.services.mfa_sign_in import (
    CHALLENGE_ENDED,
    WRONG_CODE,
    complete,
    issue_challenge,
    must_enrol,
    needs_second_factor,
)
from opsportal.settings import get_settings
from tests.utils.builders import PASSWORD

NOW = datetime(2026, 12, 3, 12, 0, 10, tzinfo=UTC)
LATER = NOW + timedelta(seconds=60)  # two steps on: the set-up code is no replay


def enrolled(world, name: str = "holdings_member") -> tuple[int, str, list[str]]:
    actor = world.actor(name)
    secret = mfa.begin_enrolment(actor, now=NOW).secret
    codes = mfa.confirm_enrolment(actor, pyotp.TOTP(secret).at(NOW), now=NOW)
    return actor.user_id, secret, codes


def ask(user_id: int, check):
    with unit_of_work(write=False) as session:
        return check(session, session.get(User, user_id))


def test_a_right_code_opens_a_session_that_authenticates(world):
    user_id, secret, _ = enrolled(world)
    signed = complete(issue_challenge(user_id, LATER), pyotp.TOTP(secret).at(LATER), user_agent="Firefox",
                      client_address="192.0.2.1", now=LATER)
    assert signed.actor.user_id == user_id
    assert authenticate(signed.token, now=LATER).user_id == user_id


def test_the_same_code_cannot_be_used_twice(world):
    user_id, secret, _ = enrolled(world)
    code = pyotp.TOTP(secret).at(LATER)
    complete(issue_challenge(user_id, LATER), code, now=LATER)
    with pytest.raises(AuthenticationFailed, match="not correct"):
        complete(issue_challenge(user_id, LATER), code, now=LATER + timedelta(seconds=5))


def test_a_recovery_code_signs_in_once_typed_in_any_case_or_spacing(world):
    user_id, _, codes = enrolled(world)
    typed = codes[0].upper().replace("-", " ")
    assert complete(issue_challenge(user_id, LATER), typed, now=LATER).actor.user_id == user_id
    with pytest.raises(AuthenticationFailed, match="not correct"):
        complete(issue_challenge(user_id, LATER), codes[0], now=LATER)
    assert mfa.status(world.actor("holdings_member")).recovery_codes_left == 9


def test_wrong_codes_are_throttled_then_lock_the_second_step_even_for_a_right_code(world):
    user_id, secret, _ = enrolled(world)
    at = LATER
    for _ in range(3):
        with pytest.raises(AuthenticationFailed, match=WRONG_CODE):
            complete(issue_challenge(user_id, at), "000000", now=at)
    with pytest.raises(SignInThrottled, match="Wait 2 seconds"):
        complete(issue_challenge(user_id, at), pyotp.TOTP(secret).at(at), now=at)
    for _ in range(3):  # up to login_lock_failures (6), each after its wait
        at += timedelta(minutes=1)
        with pytest.raises(AuthenticationFailed):
            complete(issue_challenge(user_id, at), "000000", now=at)
    at += timedelta(minutes=1)
    with pytest.raises(SignInThrottled, match="locked") as refused:
        complete(issue_challenge(user_id, at), pyotp.TOTP(secret).at(at), now=at)
    assert 0 < refused.value.retry_after_seconds <= 15 * 60
    at += timedelta(minutes=15)
    assert complete(issue_challenge(user_id, at), pyotp.TOTP(secret).at(at), now=at).actor.user_id == user_id
    with unit_of_work(write=False) as session:
        assert mfa_checks.enrolment_of(session, user_id).failed_attempts == 0


def test_a_challenge_expires_after_five_minutes(world):
    user_id, secret, _ = enrolled(world)
    token = issue_challenge(user_id, LATER)
    at = LATER + timedelta(minutes=5)
    with pytest.raises(AuthenticationFailed, match=CHALLENGE_ENDED):
        complete(token, pyotp.TOTP(secret).at(at), now=at)


def test_a_session_token_is_no_challenge_and_a_challenge_is_no_session_token(world):
    session_token = sign_in(email="mark@northwind.example", password=PASSWORD, now=NOW).token  # before it was on
    user_id, secret, _ = enrolled(world)
    with pytest.raises(AuthenticationFailed, match=CHALLENGE_ENDED):
        complete(session_token, pyotp.TOTP(secret).at(LATER), now=LATER)
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(issue_challenge(user_id, LATER), now=LATER)


def test_a_forged_or_garbled_challenge_is_refused(world):
    user_id, secret, _ = enrolled(world)
    claims = {"sub": str(user_id), "exp": int((LATER + timedelta(minutes=5)).timestamp()),
              "aud": f"{get_settings().jwt_audience}:mfa-challenge"}
    forged = jwt.encode(claims, "not-the-secret-key-0123456789abcdef", algorithm=ALGORITHM)
    for token in (forged, "", "garbage"):
        with pytest.raises(AuthenticationFailed, match=CHALLENGE_ENDED):
            complete(token, pyotp.TOTP(secret).at(LATER), now=LATER)


def test_a_challenge_for_a_deactivated_user_or_one_without_two_step_verification_is_refused(world):
    user_id, secret, _ = enrolled(world)
    other = world.actor("holdings_admin").user_id
    with pytest.raises(AuthenticationFailed, match=CHALLENGE_ENDED):
        complete(issue_challenge(other, LATER), "123456", now=LATER)
    with unit_of_work() as session:
        session.get(User, user_id).is_active = False
    with pytest.raises(AuthenticationFailed, match=CHALLENGE_ENDED):
        complete(issue_challenge(user_id, LATER), pyotp.TOTP(secret).at(LATER), now=LATER)


def test_the_password_step_asks_for_a_code_only_when_enrolled_and_for_a_set_up_when_required(world, monkeypatch):
    member = world.actor("holdings_member").user_id
    assert not ask(member, needs_second_factor) and not ask(member, must_enrol)
    mfa.set_org_requirement(world.actor("holdings_owner"), world.holdings.id, True)
    assert not ask(member, needs_second_factor) and ask(member, must_enrol)
    enrolled(world)
    assert ask(member, needs_second_factor) and not ask(member, must_enrol)
    fabrikam = world.actor("fabrikam_owner").user_id
    assert not ask(fabrikam, must_enrol)
    agent = world.actor("agent").user_id
    assert not ask(agent, must_enrol)
    monkeypatch.setattr(mfa_checks, "is_production", lambda: True)
    assert ask(agent, must_enrol)


def test_a_staff_admin_resets_a_users_lost_two_step_verification_and_ends_their_sessions(world):
    session_token = sign_in(email="mark@northwind.example", password=PASSWORD, now=NOW).token
    enrolled(world)

    assert mfa.reset_for_user(world.actor("staff_admin"), "MARK@northwind.example ", now=LATER) == \
        "mark@northwind.example"

    assert not mfa.status(world.actor("holdings_member")).enabled
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(session_token, now=LATER)
    assert isinstance(sign_in(email="mark@northwind.example", password=PASSWORD, now=LATER), SignedIn)
    with unit_of_work(write=False) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "mfa_reset")).all()
    assert event.target == "mark@northwind.example"


def test_only_staff_admins_may_reset_someone_elses_two_step_verification(world):
    enrolled(world)
    for name in ("holdings_owner", "agent"):
        with pytest.raises(PermissionDenied):
            mfa.reset_for_user(world.actor(name), "mark@northwind.example", now=LATER)
    assert mfa.status(world.actor("holdings_member")).enabled


def test_resetting_an_unknown_address_or_a_user_without_it_says_so_and_changes_nothing(world):
    with pytest.raises(NotFound, match="No user has the e-mail address nobody@example.com"):
        mfa.reset_for_user(world.actor("staff_admin"), "nobody@example.com")
    with pytest.raises(Conflict, match="does not use two-step verification"):
        mfa.reset_for_user(world.actor("staff_admin"), "mark@northwind.example")
