"""The tax rule (domain.invoices.invoice_tax_rate, priced): every kind of invoice of an organization carries the
organization's tax rate, computed once on the subtotal; zero means no tax on any of them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.invoices import (
    MAX_TAX_RATE_BP,
    InvoiceKind,
    TaxSettings,
    invoice_tax_rate,
    item_line,
    priced,
    tax_of,
    totals,
)

rates = st.integers(min_value=0, max_value=MAX_TAX_RATE_BP)
subtotals = st.integers(min_value=0, max_value=10**10)


@given(rates, subtotals)
def test_every_kind_of_invoice_of_one_organization_gets_the_same_tax(rate, subtotal):
    settings = TaxSettings(rate)
    prices = {kind: priced(kind, settings, subtotal) for kind in InvoiceKind}
    assert len({(p.tax_rate_bp, p.tax_minor, p.total_minor) for p in prices.values()}) == 1


@given(rates)
def test_the_rate_of_every_kind_is_the_organizations_rate(rate):
    assert {invoice_tax_rate(kind, TaxSettings(rate)) for kind in InvoiceKind} == {rate}


@given(subtotals)
def test_an_organization_with_a_zero_rate_is_charged_no_tax_on_any_invoice(subtotal):
    for kind in InvoiceKind:
        p = priced(kind, TaxSettings(0), subtotal)
        assert (p.tax_minor, p.total_minor) == (0, subtotal)


@given(rates, subtotals)
def test_what_a_customer_is_shown_is_the_subtotal_plus_the_tax_on_it(rate, subtotal):
    p = priced(InvoiceKind.hour_block, TaxSettings(rate), subtotal)
    assert (p.subtotal_minor, p.tax_minor, p.total_minor) == (subtotal, tax_of(subtotal, rate),
                                                              subtotal + tax_of(subtotal, rate))


@given(rates, st.lists(st.tuples(st.integers(1, 50), st.integers(0, 10**7)), min_size=1, max_size=8))
def test_a_price_shown_before_checkout_equals_the_total_of_the_invoice_with_the_same_lines(rate, items):
    lines = [item_line(f"line {n}", count, price) for n, (count, price) in enumerate(items)]
    shown = priced(InvoiceKind.pre_service, TaxSettings(rate), sum(line.amount_minor for line in lines))
    invoiced = totals(lines, invoice_tax_rate(InvoiceKind.pre_service, TaxSettings(rate)))
    assert shown == invoiced


def test_an_unknown_kind_of_invoice_is_an_error_not_an_untaxed_invoice():
    with pytest.raises(ValueError):
        invoice_tax_rate("subscription", TaxSettings(2_000))


@pytest.mark.parametrize("rate", [-1, MAX_TAX_RATE_BP + 1, True, 20.0])
def test_tax_settings_refuse_a_rate_that_is_not_0_to_50_per_cent_in_basis_points(rate):
    with pytest.raises(ValueError):
        TaxSettings(rate)
