"""formats.amount: the number of a money amount alone, for columns whose currency is named once (invoice PDF)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import formats


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (123450, "USD", "1,234.50"), (5, "GBP", "0.05"), (-1999, "EUR", "-19.99"), (1235, "JPY", "1,235"),
    (0, "usd", "0.00"),
])
def test_an_amount_is_the_money_without_its_currency_code(minor, currency, text):
    assert formats.amount(minor, currency) == text


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "EUR", "JPY", "GBP"]))
def test_an_amount_is_what_money_writes_after_the_currency_code(minor, currency):
    assert formats.money(minor, currency) == f"{currency} {formats.amount(minor, currency)}"
