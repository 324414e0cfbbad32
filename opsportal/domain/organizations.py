"""Rules for organizations and their tree."""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 120
_SPACES = re.compile(r"\s+")


def clean_organization_name(name: str) -> str:
    """The name with runs of white space collapsed; ValueError when unusable."""
    cleaned = _SPACES.sub(" ", name or "").strip()
    if not cleaned:
        raise ValueError("organization name must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(f"organization name must be at most {MAX_NAME_LENGTH} characters")
    return cleaned
