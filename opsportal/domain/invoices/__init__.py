"""Invoices as pure rules: statuses, numbering, the tax rule and totals, billing periods, who may see and pay
them, and the invoice's lifecycle (an aggregate whose transitions return events).

Money is integer minor units of the invoice's currency; time is integer minutes. Every public name of the
modules below is importable from here.
"""

from opsportal.domain.invoices.checkout import (
    ConfirmedProblem,
    checkout_mismatch,
    mismatch_problem,
    problem_once_confirmed,
)
from opsportal.domain.invoices.lifecycle import (
    MAX_TERMS_DAYS,
    Event,
    InvoicePaid,
    InvoiceState,
    InvoiceVoided,
    PaidThrough,
    PaymentFlagged,
    Refused,
    Transition,
    due_date,
    issue,
    mark_paid,
    record_payment,
    void,
    void_reason,
)
from opsportal.domain.invoices.numbering import NUMBER_PREFIX, format_number, whole_number
from opsportal.domain.invoices.periods import BillingPeriod, billable_problem, parse_period, period_before
from opsportal.domain.invoices.statuses import (
    InvoiceKind,
    InvoiceStatus,
    PaymentStatus,
    ShownStatus,
    may_pay_invoices,
    may_see_invoices,
    shown_status,
)
from opsportal.domain.invoices.tax import (
    MAX_TAX_RATE_BP,
    LineDraft,
    TaxSettings,
    Totals,
    format_tax_rate,
    invoice_tax_rate,
    item_line,
    outstanding,
    parse_tax_rate,
    priced,
    tax_of,
    time_line,
    totals,
)
from opsportal.domain.roles import BILLING_ROLES

__all__ = [
    "BILLING_ROLES", "MAX_TAX_RATE_BP", "MAX_TERMS_DAYS", "NUMBER_PREFIX", "BillingPeriod", "ConfirmedProblem", "Event",
    "InvoiceKind", "InvoicePaid", "InvoiceState", "InvoiceStatus", "InvoiceVoided", "LineDraft", "PaidThrough",
    "PaymentFlagged", "PaymentStatus", "Refused", "ShownStatus", "TaxSettings", "Totals", "Transition",
    "billable_problem", "checkout_mismatch", "due_date", "format_number", "format_tax_rate", "invoice_tax_rate",
    "issue", "item_line", "mark_paid", "may_pay_invoices", "may_see_invoices", "mismatch_problem", "outstanding",
    "parse_period", "parse_tax_rate", "period_before", "priced", "problem_once_confirmed", "record_payment",
    "shown_status", "tax_of", "time_line", "totals", "void", "void_reason", "whole_number",
]
