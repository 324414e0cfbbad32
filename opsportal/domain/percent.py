"""Percentages held as integer basis points (1 % = 100 bp), written and read without floats."""

from __future__ import annotations

import re

_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$")


def format_bp(bp: int) -> str:
    """``2000`` -> ``20``, ``1950`` -> ``19.5``, ``825`` -> ``8.25`` (no ``%`` sign)."""
    whole, frac = divmod(bp, 100)
    return f"{whole}" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def parse_bp(text: str) -> int:
    """``"20"``, ``"20%"``, ``"8.25"`` -> basis points; ValueError for anything else (at most 2 decimals)."""
    match = _PERCENT.match((text or "").strip())
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))
