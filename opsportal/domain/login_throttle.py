"""How repeated failed sign-ins to one account are slowed down, then refused.

The first ``free`` failures cost nothing. After that each further attempt must wait
2, 4, 8 ... seconds after the last failure (never longer than the lock). Reaching ``lock``
failures refuses the account for ``lock_minutes``; a successful sign-in resets the count.
The count is kept per e-mail key whether or not an account has that address, so the answers never tell which
addresses have accounts. A second rule counts failures per client address (below).
"""

from __future__ import annotations

import ipaddress
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


# --- per client address ------------------------------------------------------------------------------------------
# One attacker trying a few passwords on every account never trips the per-account rule above, yet locks each
# account it reaches. Failures are therefore also counted per client address in a fixed window: past
# ``max_failures`` within ``window_minutes`` that address is refused until the window ends. Successful sign-ins
# neither count nor reset the count (else one valid account would reset it). An unknown address ("") is not
# throttled this way.


@dataclass(frozen=True)
class AddressPolicy:
    max_failures: int = 20
    window_minutes: int = 15


@dataclass(frozen=True)
class AddressVerdict:
    allowed: bool
    retry_after_seconds: int = 0

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        minutes = -(-self.retry_after_seconds // 60)
        unit = "minute" if minutes == 1 else "minutes"
        return (f"Too many failed sign-ins from your network. Try again in {minutes} {unit}, "
                "or reset your password if you have forgotten it.")


def window_expired(window_started_at: datetime | None, now: datetime, policy: AddressPolicy) -> bool:
    return window_started_at is None or now >= window_started_at + timedelta(minutes=policy.window_minutes)


def check_address(failures: int, window_started_at: datetime | None, now: datetime,
                  policy: AddressPolicy) -> AddressVerdict:
    """Whether an attempt from an address with ``failures`` in the window begun ``window_started_at`` may go on."""
    if failures < policy.max_failures or window_expired(window_started_at, now, policy):
        return AddressVerdict(allowed=True)
    remaining = window_started_at + timedelta(minutes=policy.window_minutes) - now
    return AddressVerdict(allowed=False, retry_after_seconds=max(1, int(-(-remaining.total_seconds() // 1))))


def address_key(address: str) -> str:
    """The key an address is counted under: an IPv4 address as it is, an IPv6 address by its /64 network (one
    subscriber usually holds a whole /64); anything unparsable as given (trimmed); "" for unknown."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


# An e-mail key's failures are forgotten this long after the last one (or after the lock, if longer): the count
# table does not grow for ever with addresses nobody uses.
FORGET_AFTER = timedelta(days=1)


def forget_after(policy: ThrottlePolicy) -> timedelta:
    return max(FORGET_AFTER, timedelta(minutes=policy.lock_minutes))
