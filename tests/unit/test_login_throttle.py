"""The sign-in throttle: free failures, doubling waits, the lock, and what the user is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from opsportal.domain.login_throttle import (
    AddressPolicy,
    AddressVerdict,
    ThrottlePolicy,
    Verdict,
    address_key,
    check_address,
    check_attempt,
    forget_after,
    required_wait,
)

POLICY = ThrottlePolicy(free=3, lock=6, lock_minutes=15)
T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


policies = st.integers(min_value=1, max_value=12).flatmap(
    lambda free: st.builds(
        ThrottlePolicy,
        free=st.just(free),
        lock=st.integers(min_value=free + 1, max_value=free + 40),
        lock_minutes=st.integers(min_value=1, max_value=24 * 60),
    )
)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
elapsed_times = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))


@pytest.mark.parametrize("failures", [0, 1, 2])
def test_failures_below_the_free_allowance_require_no_wait(failures):
    assert required_wait(failures, POLICY) == timedelta(0)
    assert check_attempt(failures, T0, T0, POLICY) == Verdict(allowed=True)


@pytest.mark.parametrize(("failures", "wait"), [(3, 2), (4, 4), (5, 8)])
def test_each_failure_past_the_free_allowance_doubles_the_wait(failures, wait):
    assert required_wait(failures, POLICY) == seconds(wait)


@pytest.mark.parametrize("failures", [6, 7, 50])
def test_reaching_the_lock_threshold_refuses_for_the_lock_period(failures):
    assert required_wait(failures, POLICY) == timedelta(minutes=15)
    verdict = check_attempt(failures, T0, T0, POLICY)
    assert verdict == Verdict(allowed=False, retry_after_seconds=15 * 60, locked=True)


def test_an_account_without_a_recorded_failure_is_always_allowed():
    assert check_attempt(0, T0, T0, POLICY).allowed
    assert check_attempt(5, None, T0, POLICY).allowed


def test_an_attempt_inside_the_wait_is_refused_with_the_remaining_time():
    verdict = check_attempt(4, T0, T0 + seconds(1), POLICY)
    assert verdict == Verdict(allowed=False, retry_after_seconds=3, locked=False)


def test_an_attempt_exactly_when_the_wait_ends_is_allowed():
    assert check_attempt(4, T0, T0 + seconds(4), POLICY).allowed


def test_the_remaining_time_is_rounded_up_to_whole_seconds():
    assert check_attempt(3, T0, T0 + seconds(1.8), POLICY).retry_after_seconds == 1
    assert check_attempt(3, T0, T0 + seconds(0.2), POLICY).retry_after_seconds == 2


def test_a_lock_ends_after_the_lock_period():
    assert not check_attempt(6, T0, T0 + timedelta(minutes=15) - seconds(1), POLICY).allowed
    assert check_attempt(6, T0, T0 + timedelta(minutes=15), POLICY).allowed


def test_a_policy_with_other_numbers_is_obeyed():
    policy = ThrottlePolicy(free=1, lock=3, lock_minutes=2)
    assert [required_wait(n, policy) for n in range(5)] == [
        timedelta(0), seconds(2), seconds(4), timedelta(minutes=2), timedelta(minutes=2)]


def test_an_allowed_verdict_has_no_message():
    assert Verdict(allowed=True).message == ""


def test_a_throttled_verdict_tells_how_many_seconds_to_wait():
    assert Verdict(allowed=False, retry_after_seconds=4).message == (
        "Too many failed sign-ins. Wait 4 seconds and try again.")


def test_a_one_second_wait_is_said_in_the_singular():
    assert Verdict(allowed=False, retry_after_seconds=1).message == (
        "Too many failed sign-ins. Wait 1 second and try again.")


def test_a_locked_verdict_tells_the_minutes_left_and_suggests_a_password_reset():
    assert Verdict(allowed=False, retry_after_seconds=900, locked=True).message == (
        "Too many failed sign-ins: this account is locked. Try again in 15 minutes or reset your password.")


def test_a_locked_verdict_rounds_the_minutes_up():
    assert "Try again in 1 minute or" in Verdict(allowed=False, retry_after_seconds=30, locked=True).message
    assert "Try again in 2 minutes or" in Verdict(allowed=False, retry_after_seconds=61, locked=True).message


@given(policy=policies)
def test_the_wait_never_decreases_as_failures_grow(policy):
    waits = [required_wait(failures, policy) for failures in range(policy.lock + 3)]
    assert waits == sorted(waits)


def test_the_lock_is_never_shorter_than_the_wait_before_it():
    # Seven doublings (128 s) would outlast a one-minute lock.
    policy = ThrottlePolicy(free=1, lock=8, lock_minutes=1)
    assert required_wait(7, policy) == required_wait(8, policy) == timedelta(minutes=1)


def test_a_very_high_lock_threshold_does_not_overflow_the_wait():
    policy = ThrottlePolicy(free=3, lock=5000, lock_minutes=15)
    assert required_wait(4000, policy) == timedelta(minutes=15)


@given(policy=policies, failures=st.integers(min_value=0, max_value=60))
def test_no_wait_is_longer_than_the_lock(policy, failures):
    assert required_wait(failures, policy) <= timedelta(minutes=policy.lock_minutes)


@given(policy=policies, failures=st.integers(min_value=0, max_value=60), last=instants, elapsed=elapsed_times)
def test_a_verdicts_retry_time_never_exceeds_the_policys_wait(policy, failures, last, elapsed):
    verdict = check_attempt(failures, last, last + elapsed, policy)
    assert verdict.retry_after_seconds <= required_wait(failures, policy).total_seconds()


@given(policy=policies, failures=st.integers(min_value=0, max_value=60), last=instants, elapsed=elapsed_times)
def test_an_attempt_is_refused_exactly_while_the_wait_lasts(policy, failures, last, elapsed):
    verdict = check_attempt(failures, last, last + elapsed, policy)
    assert verdict.allowed == (elapsed >= required_wait(failures, policy))
    if not verdict.allowed:
        assert verdict.retry_after_seconds >= 1
        assert verdict.locked == (failures >= policy.lock)
        assert verdict.message


@given(policy=policies, failures=st.integers(min_value=1, max_value=60), last=instants,
       early=elapsed_times, later=elapsed_times)
def test_waiting_longer_never_makes_the_remaining_time_grow(policy, failures, last, early, later):
    assume(early <= later)
    first = check_attempt(failures, last, last + early, policy)
    second = check_attempt(failures, last, last + later, policy)
    assert second.retry_after_seconds <= first.retry_after_seconds
    assert first.allowed <= second.allowed


# Per client address

ADDRESSES = AddressPolicy(max_failures=20, window_minutes=15)


@pytest.mark.parametrize("failures", [0, 1, 19])
def test_an_address_below_its_limit_is_allowed(failures):
    assert check_address(failures, T0, T0, ADDRESSES) == AddressVerdict(allowed=True)


def test_an_address_at_its_limit_is_refused_until_its_window_ends():
    verdict = check_address(20, T0, T0 + timedelta(minutes=5, seconds=30), ADDRESSES)
    assert verdict == AddressVerdict(allowed=False, retry_after_seconds=9 * 60 + 30)
    assert verdict.message == ("Too many failed sign-ins from your network. Try again in 10 minutes, "
                               "or reset your password if you have forgotten it.")
    assert check_address(20, T0, T0 + timedelta(minutes=15), ADDRESSES).allowed


def test_the_address_message_says_one_minute_in_the_singular():
    assert "Try again in 1 minute," in check_address(25, T0, T0 + timedelta(minutes=14, seconds=59), ADDRESSES).message


@given(policy=st.builds(AddressPolicy, max_failures=st.integers(1, 1000), window_minutes=st.integers(1, 24 * 60)),
       failures=st.integers(0, 2000), start=instants, elapsed=elapsed_times)
def test_an_address_is_refused_exactly_while_over_its_limit_inside_the_window(policy, failures, start, elapsed):
    verdict = check_address(failures, start, start + elapsed, policy)
    inside = elapsed < timedelta(minutes=policy.window_minutes)
    assert verdict.allowed == (failures < policy.max_failures or not inside)
    if not verdict.allowed:
        assert 1 <= verdict.retry_after_seconds <= policy.window_minutes * 60


@pytest.mark.parametrize(("given_address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    (" 203.0.113.7 ", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("", ""),
    ("  ", ""),
    ("proxy-said-something", "proxy-said-something"),
])
def test_an_address_is_counted_by_its_ipv4_address_or_its_ipv6_64_network(given_address, key):
    assert address_key(given_address) == key


def test_an_e_mail_keys_failures_are_forgotten_after_a_day_or_the_lock_if_longer():
    assert forget_after(POLICY) == timedelta(days=1)
    assert forget_after(ThrottlePolicy(free=3, lock=6, lock_minutes=2 * 24 * 60)) == timedelta(days=2)
