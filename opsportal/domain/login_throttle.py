"""How repeated failed sign-ins to one account are slowed down, then refused.

The first ``free`` failures cost nothing. After that each further attempt must wait
2, 4, 8 ... seconds after the last failure (never longer than the lock). Reaching ``lock``
failures refuses the account for ``lock_minutes``; a successful sign-in resets the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int = 3
    lock: int = 6
    lock_minutes: int = 15


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0
    locked: bool = False

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        if self.locked:
            minutes = -(-self.retry_after_seconds // 60)
            unit = "minute" if minutes == 1 else "minutes"
            return (
                "Too many failed sign-ins: this account is locked. "
                f"Try again in {minutes} {unit} or reset your password."
            )
        unit = "second" if self.retry_after_seconds == 1 else "seconds"
        return f"Too many failed sign-ins. Wait {self.retry_after_seconds} {unit} and try again."


def required_wait(failures: int, policy: ThrottlePolicy) -> timedelta:
    """How long after the last failure the next attempt may be made."""
    if failures >= policy.lock:
        return timedelta(minutes=policy.lock_minutes)
    if failures < policy.free:
        return timedelta(0)
    # The lock is the longest refusal: capping the doubling there keeps waits from ever
    # shrinking as failures grow (and keeps huge exponents out of timedelta).
    lock_seconds = policy.lock_minutes * 60
    exponent = failures - policy.free + 1
    if exponent >= lock_seconds.bit_length():  # i.e. 2 ** exponent > lock_seconds
        return timedelta(seconds=lock_seconds)
    return timedelta(seconds=2**exponent)


def check_attempt(
    failures: int, last_failure_at: datetime | None, now: datetime, policy: ThrottlePolicy
) -> Verdict:
    if failures <= 0 or last_failure_at is None:
        return Verdict(allowed=True)
    wait = required_wait(failures, policy)
    next_allowed = last_failure_at + wait
    if now >= next_allowed:
        return Verdict(allowed=True)
    remaining = next_allowed - now
    seconds = max(1, int(-(-remaining.total_seconds() // 1)))
    return Verdict(allowed=False, retry_after_seconds=seconds, locked=failures >= policy.lock)
