"""Signing in and out, live sessions, and throttling of failed sign-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.models import LoginSession, Organization, User
from opsportal.services.auth import (
    BAD_CREDENTIALS,
    SESSION_ENDED,
    authenticate,
    sign_in,
    sign_out,
)
from opsportal.services.errors import AuthenticationFailed, SignInThrottled
from opsportal.settings import get_settings
from tests.utils.builders import PASSWORD, load_user, make_org, make_user, set_active
from tests.utils.db import dump_tables

EMAIL = "ada@acme.example"
WRONG = "not-the-password"
LOCKED_15 = ("Too many failed sign-ins: this account is locked. "
             "Try again in 15 minutes or reset your password.")


@pytest.fixture
def acme(database_url) -> Organization:
    return make_org("Acme")


@pytest.fixture
def ada(acme) -> User:
    return make_user(EMAIL, role="owner", org=acme, full_name="Ada Lovelace")


def refused(email: str, password: str, now=None) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as excinfo:
        sign_in(email=email, password=password, now=now)
    return excinfo.value


def sessions_of(user: User) -> list:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(LoginSession.id, LoginSession.user_agent, LoginSession.revoked_at,
                                        LoginSession.revoked_reason).where(LoginSession.user_id == user.id)).all())


# Signing in


def test_signing_in_returns_a_token_that_authenticates_as_the_user(ada):
    now = clock.now()
    signed = sign_in(email=EMAIL, password=PASSWORD, user_agent="pytest", now=now)
    actor = authenticate(signed.token)
    assert (actor.user_id, actor.role, actor.organization_id) == (ada.id, Role.owner, ada.organization_id)
    assert (actor.email, actor.full_name, actor.organization_name) == (EMAIL, "Ada Lovelace", "Acme")
    assert actor == signed.actor
    assert signed.expires_at == now + timedelta(minutes=get_settings().session_ttl_minutes)


def test_signing_in_records_a_server_side_session_and_the_time(ada):
    now = clock.now()
    signed = sign_in(email=EMAIL, password=PASSWORD, user_agent="Firefox/130", now=now)
    [row] = sessions_of(ada)
    assert (row.id, row.user_agent, row.revoked_at) == (signed.actor.session_id, "Firefox/130", None)
    assert load_user(ada.id).last_login_at == now


def test_a_wrong_password_is_refused_as_incorrect_credentials(ada):
    error = refused(EMAIL, WRONG)
    assert type(error) is AuthenticationFailed
    assert str(error) == BAD_CREDENTIALS == "Incorrect e-mail or password."
    assert sessions_of(ada) == []


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password_and_changes_only_its_failure_count(ada):
    before = dump_tables()
    error = refused("nobody@acme.example", PASSWORD)
    assert type(error) is AuthenticationFailed
    assert str(error) == BAD_CREDENTIALS
    after = dump_tables()
    assert {name for name in after if after[name] != before[name]} == {"sign_in_failures"}


def test_a_malformed_email_gets_the_same_message_as_a_wrong_password(ada):
    assert str(refused("not an address", PASSWORD)) == BAD_CREDENTIALS


def test_the_email_is_matched_regardless_of_case_and_surrounding_spaces(ada):
    assert sign_in(email="  ADA@Acme.EXAMPLE ", password=PASSWORD).actor.user_id == ada.id


def test_a_deactivated_user_cannot_sign_in(ada):
    set_active(ada, False)
    assert str(refused(EMAIL, PASSWORD)) == BAD_CREDENTIALS


def test_an_account_without_a_password_cannot_sign_in(acme):
    make_user("invited@acme.example", role="member", org=acme, password=None)
    assert str(refused("invited@acme.example", "")) == BAD_CREDENTIALS


# Throttling (time is passed in, never slept)


def test_failures_within_the_free_allowance_only_say_the_credentials_are_incorrect(ada):
    t0 = clock.now()
    for _ in range(3):
        error = refused(EMAIL, WRONG, now=t0)
        assert type(error) is AuthenticationFailed and str(error) == BAD_CREDENTIALS
    user = load_user(ada.id)
    assert (user.failed_logins, user.last_failed_login_at) == (3, t0)


def test_after_the_free_failures_even_the_right_password_must_wait(ada):
    t0 = clock.now()
    for _ in range(3):
        refused(EMAIL, WRONG, now=t0)
    error = refused(EMAIL, PASSWORD, now=t0 + timedelta(seconds=1))
    assert isinstance(error, SignInThrottled)
    assert str(error) == "Too many failed sign-ins. Wait 1 second and try again."
    assert error.retry_after_seconds == 1
    # A refused attempt is not another failure.
    assert load_user(ada.id).failed_logins == 3


def test_each_further_failure_doubles_the_wait(ada):
    t0 = clock.now()
    for _ in range(3):
        refused(EMAIL, WRONG, now=t0)
    assert str(refused(EMAIL, WRONG, now=t0 + timedelta(seconds=2))) == BAD_CREDENTIALS
    error = refused(EMAIL, WRONG, now=t0 + timedelta(seconds=2))
    assert isinstance(error, SignInThrottled) and error.retry_after_seconds == 4
    assert str(error) == "Too many failed sign-ins. Wait 4 seconds and try again."


def test_the_right_password_after_the_wait_signs_in_and_resets_the_failure_count(ada):
    t0 = clock.now()
    for _ in range(3):
        refused(EMAIL, WRONG, now=t0)
    sign_in(email=EMAIL, password=PASSWORD, now=t0 + timedelta(seconds=2))
    user = load_user(ada.id)
    assert (user.failed_logins, user.last_failed_login_at) == (0, None)
    # With the count reset, the next failure is free again and nothing has to wait.
    t1 = t0 + timedelta(seconds=3)
    assert str(refused(EMAIL, WRONG, now=t1)) == BAD_CREDENTIALS
    assert sign_in(email=EMAIL, password=PASSWORD, now=t1).actor.user_id == ada.id


def lock_out(t0):
    """Six failures, each made as soon as the throttle allows; returns the time of the last."""
    at = t0
    for wait in (0, 0, 0, 2, 4, 8):
        at += timedelta(seconds=wait)
        last_error = refused(EMAIL, WRONG, now=at)
    return at, last_error


def test_reaching_the_lock_threshold_locks_the_account_with_the_lock_message(ada):
    at, error = lock_out(clock.now())
    assert isinstance(error, SignInThrottled)
    assert str(error) == LOCKED_15
    assert error.retry_after_seconds == 15 * 60
    assert load_user(ada.id).failed_logins == 6


def test_a_locked_account_refuses_the_right_password_until_the_lock_ends(ada):
    at, _ = lock_out(clock.now())
    error = refused(EMAIL, PASSWORD, now=at + timedelta(minutes=14, seconds=30))
    assert isinstance(error, SignInThrottled)
    assert str(error) == ("Too many failed sign-ins: this account is locked. "
                          "Try again in 1 minute or reset your password.")
    signed = sign_in(email=EMAIL, password=PASSWORD, now=at + timedelta(minutes=15))
    assert signed.actor.user_id == ada.id
    assert load_user(ada.id).failed_logins == 0


def test_one_accounts_failures_do_not_throttle_another_account(acme, ada):
    make_user("grace@acme.example", role="member", org=acme)
    t0 = clock.now()
    for _ in range(4):
        refused(EMAIL, WRONG, now=t0)
    assert sign_in(email="grace@acme.example", password=PASSWORD, now=t0).actor.email == "grace@acme.example"


# Sessions


def test_signing_out_revokes_the_token(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    sign_out(signed.token)
    with pytest.raises(AuthenticationFailed, match="^Your session has ended. Please sign in again.$"):
        authenticate(signed.token)
    [row] = sessions_of(ada)
    assert row.revoked_reason == "sign_out" and row.revoked_at is not None


def test_signing_out_ends_only_that_session(ada):
    first = sign_in(email=EMAIL, password=PASSWORD)
    second = sign_in(email=EMAIL, password=PASSWORD)
    sign_out(first.token)
    assert authenticate(second.token).session_id == second.actor.session_id


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c"])
def test_signing_out_an_invalid_token_does_nothing(ada, token):
    before = dump_tables()
    sign_out(token)
    assert dump_tables() == before


@pytest.mark.parametrize("token", [None, "", "garbage"])
def test_a_missing_or_malformed_token_does_not_authenticate(ada, token):
    with pytest.raises(AuthenticationFailed) as excinfo:
        authenticate(token)
    assert str(excinfo.value) == SESSION_ENDED


def test_a_session_past_its_expiry_is_refused(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    assert authenticate(signed.token, now=signed.expires_at - timedelta(seconds=1)).user_id == ada.id
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(signed.token, now=signed.expires_at)


def test_a_token_whose_own_expiry_has_passed_is_refused(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD, now=clock.now() - timedelta(hours=9))
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(signed.token)


def test_a_token_signed_with_another_secret_is_refused(ada, monkeypatch):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    monkeypatch.setenv("OPSPORTAL_SECRET_KEY", "a-rotated-secret-key-0123456789abcdefgh")
    get_settings.cache_clear()
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(signed.token)


def test_a_deactivated_users_live_session_stops_working(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    set_active(ada, False)
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(signed.token)


def test_a_session_row_deleted_on_the_server_ends_the_session(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    with unit_of_work() as session:
        session.delete(session.get(LoginSession, signed.actor.session_id))
    with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
        authenticate(signed.token)
