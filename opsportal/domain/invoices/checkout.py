"""What a Stripe confirmation must match before a payment counts, and what becomes of a payment's earlier
"does not match" flag once a confirmation that matches is applied.

The rule for the flag: a payment has exactly one Checkout session (its idempotency key makes a retry return the
same session), a session's amount and currency are fixed when it is created, and a confirmation is applied to a
payment only if it names that session (``services.payment_confirmation.lock_payment``). Two confirmations of one
payment therefore report the same single charge; when the later one matches what we asked for, the earlier,
mismatched report was stale or misread, and its flag is cleared. What it said is not lost: the note goes into the
record of the confirmed attempt. Any other problem the payment carries is not about what a confirmation reported,
so a confirmation does not settle it: it is kept, and the note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PROBLEM_LENGTH = 500  # Payment.problem
NOTE_LENGTH = 400  # leaves room in PaymentAttempt.message (500) for what precedes the note
MISMATCH_PREFIX = "Stripe confirmed a payment that does not match: "


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


def mismatch_problem(reason: str) -> str:
    """The flag a payment carries while the confirmation Stripe sent does not match (``checkout_mismatch``)."""
    return f"{MISMATCH_PREFIX}{reason}."[:PROBLEM_LENGTH]


@dataclass(frozen=True)
class ConfirmedProblem:
    problem: str  # what the payment carries once the confirmation is applied ("" when nothing is wrong)
    note: str  # what the confirmed attempt records about the payment's earlier problem ("" when it had none)


def problem_once_confirmed(earlier: str, flags: Sequence[str] = ()) -> ConfirmedProblem:
    """The payment's problem once a confirmation matching what was asked is applied (see the module's rule).

    ``earlier``: the problem the payment carried; ``flags``: what applying the payment to its invoice raised
    (``PaymentFlagged``: the invoice was void or already paid, or is overpaid), always carried.
    """
    earlier = (earlier or "").strip()
    new = [f.strip() for f in flags if f and f.strip()]
    if not earlier:
        return ConfirmedProblem(" ".join(new)[:PROBLEM_LENGTH], "")
    if earlier.startswith(MISMATCH_PREFIX):
        reason = earlier.removeprefix(MISMATCH_PREFIX).removesuffix(".")
        note = f"It replaces an earlier confirmation of the same checkout that did not match ({reason})."
        if len(note) > NOTE_LENGTH:
            note = note[:NOTE_LENGTH - 2] + "…)"
        return ConfirmedProblem(" ".join(new)[:PROBLEM_LENGTH], note)
    return ConfirmedProblem(" ".join([earlier, *new])[:PROBLEM_LENGTH],
                            "The payment's earlier problem is kept: it is not about what a confirmation reported, "
                            "so this one does not settle it.")
