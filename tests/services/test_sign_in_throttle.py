"""Failed sign-ins counted per client address and per e-mail key (known or not), shared through the database;
a locked account can still reset its password (SQLite and PostgreSQL)."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from opsportal import clock
from opsportal.services import account_links, mailer
from opsportal.services.auth import BAD_CREDENTIALS, sign_in
from opsportal.services.errors import AuthenticationFailed, SignInThrottled
from opsportal.settings import get_settings
from tests.utils.builders import PASSWORD, load_user, make_org, make_user

WRONG = "not-the-password"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"
FROM_NETWORK = "Too many failed sign-ins from your network. Try again in {} minutes, " \
               "or reset your password if you have forgotten it."


@pytest.fixture
def acme(database_url):
    return make_org("Acme")


@pytest.fixture
def staff(acme):
    return [make_user(f"user{i}@acme.example", role="member", org=acme) for i in range(10)]


def attempt(email: str, password: str = WRONG, *, address: str = ATTACKER, now=None):
    """The refusal of one sign-in attempt (None: it signed in)."""
    try:
        sign_in(email=email, password=password, client_address=address, now=now)
    except AuthenticationFailed as error:
        return error
    return None


def lock_out(email: str, t0, *, address: str = ATTACKER):
    """Six failures, each as soon as the per-account throttle allows; every answer and the time of the last."""
    at, answers = t0, []
    for wait in (0, 0, 0, 2, 4, 8):
        at += timedelta(seconds=wait)
        error = attempt(email, address=address, now=at)
        answers.append((type(error), str(error), getattr(error, "retry_after_seconds", None)))
    return at, answers


def test_sign_in_takes_the_client_address_as_a_keyword():
    assert str(inspect.signature(sign_in)) == (
        "(*, email: 'str', password: 'str', user_agent: 'str' = '', client_address: 'str' = '', "
        "now: 'datetime | None' = None) -> 'SignedIn | SecondStep'")


# Per client address


def test_one_address_is_refused_after_twenty_failures_before_it_can_lock_more_than_three_accounts(staff):
    assert (get_settings().login_address_max_failures, get_settings().login_address_window_minutes) == (20, 15)
    t0 = clock.now()
    at, answers = t0, []
    for user in staff:  # the attacker locks one account after another
        at, per_account = lock_out(user.email, at)
        answers += per_account
    refusals = [a for a in answers if a[1].startswith("Too many failed sign-ins from your network")]
    assert answers[19][1].startswith("Too many failed sign-ins from your network")  # the 20th failure says so
    assert len(refusals) == len(answers) - 19
    locked = [u.email for u in staff if load_user(u.id).failed_logins >= get_settings().login_lock_failures]
    assert locked == [staff[0].email, staff[1].email, staff[2].email]
    # The fourth account has its two failures; every later one none.
    assert [load_user(u.id).failed_logins for u in staff[3:]] == [2, 0, 0, 0, 0, 0, 0]


def test_the_address_refusal_states_the_retry_time_and_ends_with_its_window(staff):
    t0 = clock.now()
    for i in range(20):
        attempt(staff[i % 10].email, now=t0 + timedelta(seconds=i))
    error = attempt(staff[5].email, PASSWORD, now=t0 + timedelta(minutes=5))
    assert isinstance(error, SignInThrottled)
    assert str(error) == FROM_NETWORK.format(10)
    assert error.retry_after_seconds == 10 * 60
    # The right password from elsewhere works at once; from the address once the window has ended.
    assert attempt(staff[5].email, PASSWORD, address=OFFICE, now=t0 + timedelta(minutes=5)) is None
    assert attempt(staff[6].email, PASSWORD, now=t0 + timedelta(minutes=15)) is None


def test_refused_attempts_from_an_address_are_not_counted_again(staff):
    t0 = clock.now()
    for i in range(20):
        attempt(staff[i % 10].email, now=t0)
    for _ in range(50):
        attempt(staff[9].email, now=t0 + timedelta(minutes=1))
    assert [load_user(u.id).failed_logins for u in staff] == [2] * 10


def test_successful_sign_ins_neither_count_nor_reset_an_addresses_failures(staff):
    t0 = clock.now()
    for i in range(19):
        attempt(staff[i % 10].email, now=t0)
    for _ in range(5):
        assert attempt(staff[0].email, PASSWORD, now=t0) is None
    assert str(attempt(staff[1].email, now=t0)).startswith("Too many failed sign-ins from your network")
    assert str(attempt(staff[2].email, PASSWORD, now=t0)).startswith("Too many failed sign-ins from your network")


def test_an_unknown_client_address_is_not_throttled_by_address(staff):
    t0 = clock.now()
    for i in range(40):
        error = attempt(staff[i % 10].email, address="", now=t0 + timedelta(seconds=i))
        assert not str(error).startswith("Too many failed sign-ins from your network")


def test_the_addresses_of_one_ipv6_network_share_a_count_and_other_networks_do_not(staff):
    t0 = clock.now()
    for i in range(20):
        attempt(staff[i % 10].email, address=f"2001:db8:1:2::{i + 1:x}", now=t0)
    assert str(attempt(staff[0].email, PASSWORD, address="2001:db8:1:2:ffff::1", now=t0)).startswith(
        "Too many failed sign-ins from your network")
    assert attempt(staff[0].email, PASSWORD, address="2001:db8:1:3::1", now=t0) is None


def test_malformed_e_mail_addresses_count_against_the_client_address(staff):
    t0 = clock.now()
    for i in range(20):
        assert str(attempt(f"not an address {i}", now=t0)) in (BAD_CREDENTIALS, FROM_NETWORK.format(15))
    assert str(attempt(staff[0].email, PASSWORD, now=t0)) == FROM_NETWORK.format(15)


# Per e-mail key, whether or not an account has it


def test_an_address_without_an_account_is_throttled_and_locked_exactly_like_one_with_an_account(staff):
    t0 = clock.now()
    _, known = lock_out(staff[0].email, t0, address="")
    _, unknown = lock_out("nobody@acme.example", t0, address="")
    assert unknown == known
    assert known[-1][1] == ("Too many failed sign-ins: this account is locked. "
                            "Try again in 15 minutes or reset your password.")
    later = t0 + timedelta(minutes=1)
    assert str(attempt("nobody@acme.example", PASSWORD, address="", now=later)) == known[-1][1]
    assert type(attempt("nobody@acme.example", address="", now=later)) is SignInThrottled


def test_the_e_mail_key_is_counted_whatever_its_case_and_spaces(staff):
    t0 = clock.now()
    for variant in ("NOBODY@acme.example", " nobody@ACME.example ", "nobody@acme.example"):
        attempt(variant, address="", now=t0)
    error = attempt("nobody@acme.example", address="", now=t0)
    assert isinstance(error, SignInThrottled) and error.retry_after_seconds == 2


def test_an_e_mail_keys_failures_are_forgotten_a_day_after_the_last(staff):
    t0 = clock.now()
    lock_out(staff[0].email, t0, address="")
    later = t0 + timedelta(days=1, seconds=15)
    assert str(attempt(staff[0].email, address="", now=later)) == BAD_CREDENTIALS
    assert load_user(staff[0].id).failed_logins == 1


# A locked account can still reset its password


@pytest.fixture
def outbox(monkeypatch):
    sent: list[mailer.Mail] = []
    monkeypatch.setattr(mailer, "send_mail", lambda mail: sent.append(mail) or "<id@test>")
    return sent


def reset_token(mail: mailer.Mail) -> str:
    return mail.text.split("token=", 1)[1].split()[0]


def test_a_locked_account_can_still_reset_its_password_and_the_reset_ends_the_lock(staff, outbox):
    user = staff[0]
    at, answers = lock_out(user.email, clock.now())
    assert answers[-1][0] is SignInThrottled

    assert account_links.request_password_reset(user.email, now=at) == account_links.RESET_ANSWER
    (mail,) = outbox
    assert mail.to_address == user.email
    assert account_links.reset_password(reset_token(mail), "a-brand-new-password", now=at) == user.email

    assert load_user(user.id).failed_logins == 0
    assert attempt(user.email, "a-brand-new-password", now=at + timedelta(seconds=1)) is None


# Shared by every worker: concurrent failures are all counted


def address_failures(address: str) -> int:
    from sqlalchemy import text

    from opsportal.db import get_engine

    with get_engine().connect() as conn:
        return conn.execute(text("SELECT failures FROM sign_in_failures WHERE scope = 'address' AND key = :k"),
                            {"k": address}).scalar_one()


def test_concurrent_failures_from_one_address_are_each_counted_once(staff):
    import threading

    threads_count, tries = 6, 3
    barrier = threading.Barrier(threads_count)
    unexpected: list[BaseException] = []
    t0 = clock.now()

    def attacker(i: int) -> None:
        barrier.wait()
        for n in range(tries):
            error = attempt(staff[i].email, now=t0 + timedelta(seconds=n * 2))
            if not isinstance(error, AuthenticationFailed):
                unexpected.append(AssertionError(repr(error)))

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads) and unexpected == []
    assert address_failures(ATTACKER) == threads_count * tries
    assert [load_user(u.id).failed_logins for u in staff[:threads_count]] == [tries] * threads_count
