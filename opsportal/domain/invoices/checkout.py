"""What a Stripe confirmation must match before a payment counts."""

from __future__ import annotations


def checkout_mismatch(*, expected_amount: int, expected_currency: str, expected_payment_id: int,
                      amount: int | None, currency: str | None, payment_id: str | None) -> str | None:
    """Why a confirmed Stripe payment does not match what we asked for, or None when it does."""
    if str(expected_payment_id) != str(payment_id or ""):
        return f"the payment reference {payment_id!r} is not payment {expected_payment_id}"
    if (currency or "").upper() != expected_currency.upper():
        return f"currency {currency!r} differs from {expected_currency}"
    if amount != expected_amount:
        return f"amount {amount} differs from the {expected_amount} asked for"
    return None
