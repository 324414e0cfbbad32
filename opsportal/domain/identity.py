"""E-mail addresses and passwords as the portal accepts them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def normalize_email(value: str) -> str:
    """The address in canonical form; ValueError with a readable reason otherwise."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"malformed e-mail address {value!r}: {exc}") from None
    return result.normalized


def email_key(value: str) -> str:
    """What uniqueness is checked on: the address regardless of case."""
    return normalize_email(value).casefold()


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"password must be at most {MAX_PASSWORD_LENGTH} characters"
    if password.strip() != password or not password.strip():
        return "password must not start or end with white space"
    return None
