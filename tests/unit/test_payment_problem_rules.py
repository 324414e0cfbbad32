"""What a payment's problem becomes once Stripe confirms it as asked (domain.invoices.checkout)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.invoices import checkout_mismatch, mismatch_problem, problem_once_confirmed

VOID_FLAG = "Invoice INV-2026-00001 was already void when this payment arrived: refund it or apply it elsewhere."


def a_mismatch() -> str:
    reason = checkout_mismatch(expected_amount=30_000, expected_currency="USD", expected_payment_id=7,
                               amount=29_999, currency="usd", payment_id="7")
    return mismatch_problem(reason)


def test_a_mismatch_problem_says_what_stripe_confirmed_and_why_it_differs():
    assert a_mismatch() == ("Stripe confirmed a payment that does not match: "
                            "amount 29999 differs from the 30000 asked for.")


def test_a_mismatch_problem_fits_the_payments_problem_column():
    assert len(mismatch_problem("x" * 1000)) == 500


def test_a_payment_without_a_problem_confirmed_as_asked_has_none_and_nothing_to_note():
    result = problem_once_confirmed("")
    assert (result.problem, result.note) == ("", "")


def test_a_matching_confirmation_clears_an_earlier_mismatch_flag_and_notes_what_it_cleared():
    result = problem_once_confirmed(a_mismatch())
    assert result.problem == ""
    assert result.note == ("It replaces an earlier confirmation of the same checkout that did not match "
                           "(amount 29999 differs from the 30000 asked for).")


def test_what_the_invoice_flags_on_the_payment_replaces_an_earlier_mismatch_flag():
    result = problem_once_confirmed(a_mismatch(), [VOID_FLAG])
    assert result.problem == VOID_FLAG
    assert "amount 29999 differs" in result.note


def test_an_earlier_problem_that_is_not_a_mismatch_is_kept_and_the_note_says_why():
    result = problem_once_confirmed("Refund pending: staff are looking at it.")
    assert result.problem == "Refund pending: staff are looking at it."
    assert result.note == ("The payment's earlier problem is kept: it is not about what a confirmation reported, "
                           "so this one does not settle it.")


def test_an_earlier_problem_that_is_not_a_mismatch_is_kept_before_the_invoices_flag():
    result = problem_once_confirmed("Refund pending.", [VOID_FLAG])
    assert result.problem == f"Refund pending. {VOID_FLAG}"


@given(st.text(max_size=600), st.lists(st.text(max_size=600), max_size=3))
def test_the_problem_once_confirmed_always_fits_the_column_and_its_note_fits_the_attempt(earlier, flags):
    result = problem_once_confirmed(earlier, flags)
    assert len(result.problem) <= 500
    assert len(result.note) <= 400


@given(st.text(min_size=1, max_size=600), st.lists(st.text(alphabet="abc .", max_size=100), max_size=3))
def test_an_earlier_mismatch_never_survives_a_matching_confirmation(reason, flags):
    result = problem_once_confirmed(mismatch_problem(reason), flags)
    assert not result.problem.startswith("Stripe confirmed")
    assert result.problem == " ".join(f.strip() for f in flags if f.strip())
