"""The sandbox's test cards and the checks the hosted page makes on what a customer typed (Stripe's wording)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    """How a test card number behaves; a decline carries Stripe's decline code and message."""

    __test__ = False  # not a pytest class

    decline_code: str | None = None
    message: str | None = None

    @property
    def declines(self) -> bool:
        return self.decline_code is not None


TEST_CARDS = {
    "4242424242424242": TestCard(),
    "4000000000000002": TestCard("generic_decline", "Your card was declined."),
    "4000000000009995": TestCard("insufficient_funds", "Your card has insufficient funds."),
}
UNSUPPORTED_CARD_MESSAGE = ("That is not one of the sandbox's test cards. Use 4242 4242 4242 4242 (succeeds), "
                            "4000 0000 0000 0002 (declined) or 4000 0000 0000 9995 (insufficient funds).")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def card_digits(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number_problem(number: str) -> str | None:
    """Why a card number cannot be used here, or None."""
    digits = card_digits(number)
    if not digits:
        return "Enter your card number."
    if not digits.isdigit():
        return "Your card number is invalid."
    if len(digits) < 13:
        return "Your card number is incomplete."
    if len(digits) > 19 or not luhn_valid(digits):
        return "Your card number is invalid."
    if digits not in TEST_CARDS:
        return UNSUPPORTED_CARD_MESSAGE
    return None


def expiry_problem(expiry: str, today: time.struct_time) -> str | None:
    """``MM / YY`` (or ``MM/YYYY``) in the future, else a message."""
    if not expiry or not expiry.strip():
        return "Enter your card's expiration date."
    match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", expiry)
    if not match:
        return "Your card's expiration date is incomplete."
    month, year = int(match.group(1)), int(match.group(2))
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12:
        return "Your card's expiration date is invalid."
    if (year, month) < (today.tm_year, today.tm_mon):
        return "Your card's expiration date is in the past."
    return None


def cvc_problem(cvc: str) -> str | None:
    cvc = (cvc or "").strip()
    if not cvc:
        return "Enter your card's security code."
    if not re.fullmatch(r"\d{3,4}", cvc):
        return "Your card's security code is incomplete."
    return None


@dataclass(frozen=True)
class CardForm:
    """What the hosted page posts."""

    email: str = ""
    card_number: str = ""
    expiry: str = ""
    cvc: str = ""
    name: str = ""

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> CardForm:
        values = dict(pairs)
        return cls(**{name: values.get(name, "").strip() for name in cls.__dataclass_fields__})

    def problems(self, *, needs_email: bool) -> dict[str, str]:
        """Field name → message for each field that is not usable, in the page's order."""
        problems: dict[str, str] = {}
        if needs_email and not EMAIL_PATTERN.fullmatch(self.email):
            problems["email"] = "Enter a valid e-mail address." if self.email else "Enter your e-mail address."
        checks = {
            "card_number": card_number_problem(self.card_number),
            "expiry": expiry_problem(self.expiry, time.localtime()),
            "cvc": cvc_problem(self.cvc),
            "name": None if self.name else "Enter the name on your card.",
        }
        problems.update({name: message for name, message in checks.items() if message})
        return problems
