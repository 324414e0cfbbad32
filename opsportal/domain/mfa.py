"""Two-step verification (TOTP, RFC 6238) and its recovery codes: pure rules, no I/O.

- A code is 6 digits for a 30-second time step; the step before and after are accepted too (clock drift),
  and a step at or before the last one used is refused, so a code seen once cannot be replayed.
- Recovery codes are 10 random codes like ``k7mq2-x9rtp`` (31 unambiguous characters, about 49 bits each);
  each works once. Users may type them with any case, spaces or dashes.
- Policy: staff accounts need two-step verification in production; an organization's owners can require it
  for everyone in their organization.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import pyotp

DIGITS = 6
PERIOD_SECONDS = 30
# Steps accepted either side of the current one (a phone clock a little off still works).
DRIFT_STEPS = 1
ISSUER = "OpsPortal"

RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0, 1: nothing to misread
RECOVERY_GROUP = 5
RECOVERY_COUNT = 10

_SEPARATORS = re.compile(r"[\s\-_.]+")
_TOTP = re.compile(rf"[0-9]{{{DIGITS}}}")
_RECOVERY = re.compile(rf"[{RECOVERY_ALPHABET}]{{{2 * RECOVERY_GROUP}}}")


def normalise_code(text: str) -> str:
    """What the user typed, without spaces, dashes or dots, lower-cased, full-width digits as ASCII
    (``"123 456"`` -> ``"123456"``)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", (text or "")[:200]).strip()).lower()[:64]


def is_totp_code(code: str) -> bool:
    """A normalised code that has the shape of an authenticator app's code."""
    return bool(_TOTP.fullmatch(code))


def is_recovery_code(code: str) -> bool:
    """A normalised code that has the shape of a recovery code."""
    return bool(_RECOVERY.fullmatch(code))


def format_recovery_code(code: str) -> str:
    """A normalised recovery code as shown: two groups joined by a dash."""
    return f"{code[:RECOVERY_GROUP]}-{code[RECOVERY_GROUP:]}"


def new_recovery_codes(count: int = RECOVERY_COUNT) -> list[str]:
    """``count`` distinct fresh recovery codes, formatted for showing (``abcde-fghjk``)."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(2 * RECOVERY_GROUP)))
    return [format_recovery_code(c) for c in sorted(codes)]


def new_secret() -> str:
    """A TOTP secret: 160 random bits in base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI a QR code carries for authenticator apps."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).provisioning_uri(name=account,
                                                                                      issuer_name=issuer)


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // PERIOD_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code an app shows during time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, now: datetime, last_used_step: int | None) -> int | None:
    """The time step a normalised ``code`` belongs to, near ``now`` and after ``last_used_step``; None otherwise.

    Every candidate is compared (in constant time) so timing says nothing about which step matched.
    """
    if not is_totp_code(code):
        return None
    current = time_step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    if found is None or (last_used_step is not None and found <= last_used_step):
        return None
    return found


def mfa_required(*, is_staff: bool, org_requires_mfa: bool, is_production: bool) -> bool:
    """Whether an account must use two-step verification (and may not turn it off)."""
    return (is_staff and is_production) or org_requires_mfa


@dataclass(frozen=True)
class CodeThrottle:
    """How a refusal for too many wrong codes reads (the timing comes from ``login_throttle``)."""

    retry_after_seconds: int
    locked: bool

    @property
    def message(self) -> str:
        if self.locked:
            minutes = -(-self.retry_after_seconds // 60)
            unit = "minute" if minutes == 1 else "minutes"
            return (f"Too many wrong verification codes: two-step verification is locked for this account. "
                    f"Try again in {minutes} {unit}.")
        unit = "second" if self.retry_after_seconds == 1 else "seconds"
        return f"Too many wrong verification codes. Wait {self.retry_after_seconds} {unit} and try again."
