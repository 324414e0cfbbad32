"""Reading amounts of money as people type them, into integer minor units (never through floats)."""

from __future__ import annotations

import re

# "120", "120.5", "120.50", "1,200.00", "1 200.00"; two-decimal currencies only.
_AMOUNT = re.compile(r"^(\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.(\d{1,2}))?$")


def parse_minor_units(text: str) -> int:
    """``"120.00"`` -> ``12000``; ValueError with a readable reason for anything else."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValueError("enter an amount such as 120.00")
    if cleaned.startswith("-"):
        raise ValueError("the amount must not be negative")
    match = _AMOUNT.match(cleaned)
    if not match:
        if re.fullmatch(r"[\d, ]*\.\d{3,}", cleaned):
            raise ValueError("use at most two decimal places")
        raise ValueError("enter an amount such as 120.00")
    units, cents = match.groups()
    return int(re.sub(r"[, ]", "", units)) * 100 + int((cents or "0").ljust(2, "0"))
