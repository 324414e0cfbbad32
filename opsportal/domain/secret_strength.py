"""Whether a configured secret looks random enough to sign sessions or webhooks with.

A secret's real entropy cannot be measured from one value, but the obvious mistakes can be seen:
too short, one character repeated, a short pattern repeated, a run of neighbouring characters
(``abcdef…``, ``0123…``), or so few different characters that the value cannot hold much
information. The estimate is the value's Shannon entropy per character times its length: a
64-character ``secrets.token_urlsafe(48)`` scores about 350 bits, ``openssl rand -hex 32`` about
240, 32 hex digits about 115 (128 random bits), ``"x" * 40`` zero.
"""

from __future__ import annotations

import math
from collections import Counter

MIN_DISTINCT_CHARACTERS = 10
MIN_ESTIMATED_BITS = 90
MIN_BITS_PER_CHARACTER = 3.0


def estimated_bits(secret: str) -> float:
    """Shannon entropy of the value's own character frequencies, times its length."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    length = len(secret)
    per_character = -sum(n / length * math.log2(n / length) for n in counts.values())
    return per_character * length


def _shortest_period(secret: str) -> int:
    """The length of the shortest pattern whose repetition spells the value (its length if none)."""
    for period in range(1, len(secret) // 2 + 1):
        if all(secret[i] == secret[i % period] for i in range(len(secret))):
            return period
    return len(secret)


def _sequential_share(secret: str) -> float:
    """The share of neighbouring character pairs that repeat or count up or down by one (``aa``, ``ab``, ``ba``)."""
    if len(secret) < 2:
        return 1.0
    steps = sum(1 for a, b in zip(secret, secret[1:], strict=False) if abs(ord(a) - ord(b)) <= 1)
    return steps / (len(secret) - 1)


def secret_weakness(secret: str, *, min_length: int = 32) -> str | None:
    """Why ``secret`` is too weak to use, in words that finish "the value …", or None when it will do."""
    length = len(secret)
    if length < min_length:
        return f"is {length} characters long; it needs {min_length} or more random characters"
    period = _shortest_period(secret)
    if period < length:
        return f"repeats a pattern of {period} character{'s' if period != 1 else ''}"
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT_CHARACTERS:
        return f"uses only {distinct} different characters; it needs {MIN_DISTINCT_CHARACTERS} or more"
    if _sequential_share(secret) > 0.5:
        return "is mostly a run of neighbouring characters (like abcd or 1234)"
    bits = estimated_bits(secret)
    if bits / length < MIN_BITS_PER_CHARACTER or bits < MIN_ESTIMATED_BITS:
        return (f"looks predictable (about {bits:.0f} bits of entropy estimated; it needs {MIN_ESTIMATED_BITS} or more "
                f"and {MIN_BITS_PER_CHARACTER:g} or more per character)")
    return None
