"""Reading quantities as people type them: hours for support hours, whole numbers for credits."""

from __future__ import annotations

import re

from opsportal.domain.ledger.products import Unit

_HOURS = re.compile(r"^\s*(?:(\d{1,6})\s*(?:h|:)\s*(\d{1,2})?\s*(?:m|min)?|(\d{1,6})\s*h?|(\d{1,6})\s*(?:m|min))\s*$",
                    re.IGNORECASE)


def parse_quantity(text: str, unit: Unit | str) -> int:
    """The quantity in the product's unit; ValueError with a readable reason otherwise.

    Minutes are typed as hours: ``10`` or ``10h`` (600), ``7:30`` or ``7h30`` (450), ``45m`` (45).
    """
    if Unit(unit) is Unit.credit:
        cleaned = (text or "").strip().replace(",", "")
        if not cleaned.isdigit() or int(cleaned) <= 0:
            raise ValueError("enter a whole number of credits greater than zero")
        return int(cleaned)
    match = _HOURS.match(text or "")
    if not match:
        raise ValueError("enter hours such as 10, 7:30 or 45m")
    hours, minutes, whole_hours, only_minutes = match.groups()
    if only_minutes is not None:
        total = int(only_minutes)
    elif whole_hours is not None:
        total = int(whole_hours) * 60
    else:
        if minutes is not None and int(minutes) >= 60:
            raise ValueError("minutes must be below 60")
        total = int(hours) * 60 + int(minutes or 0)
    if total <= 0:
        raise ValueError("the quantity must be greater than zero")
    return total
