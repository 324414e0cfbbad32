"""Invoice numbers: ``INV-2026-00042``, gapless within a year."""

from __future__ import annotations

import re

NUMBER_PREFIX = "INV"


def format_number(year: int, sequence: int) -> str:
    """``2026, 42`` -> ``INV-2026-00042``: numbers run without gaps within a year."""
    if sequence < 1:
        raise ValueError("invoice sequence numbers start at 1")
    return f"{NUMBER_PREFIX}-{year}-{sequence:05d}"


_WHOLE_NUMBER = re.compile(r"^INV-\d{4}-\d{5,}$")


def whole_number(text: str) -> str | None:
    """A search that is a whole invoice number (any case, e.g. ``inv-2026-00042``) as stored, else None:
    such a search is answered by the unique index on the number instead of a scan."""
    candidate = (text or "").strip().upper()
    return candidate if _WHOLE_NUMBER.match(candidate) else None
