"""The staff's new pre-service invoice form: reading its lines (with a message per field) and the terms the
invoice will get. Used by the staff Billing page's state."""

from __future__ import annotations

from opsportal.domain import formats
from opsportal.domain.money import parse_minor_units
from opsportal.services import invoice_staff, invoice_terms, prepaid
from opsportal.services.authz import Actor
from opsportal.services.errors import sentence

MAX_QUANTITY = 10_000
MAX_PRICE_MINOR = 100_000_000


def read_line(n: int, form: dict) -> tuple[invoice_staff.ItemInput | None, dict[str, str]]:
    """Line ``n`` of the new-invoice form: (item or None when left empty, problems by field name)."""
    description = " ".join(str(form.get(f"desc_{n}", "")).split())
    quantity_text = str(form.get(f"qty_{n}", "")).strip()
    price_text = str(form.get(f"price_{n}", "")).strip()
    if not (description or quantity_text or price_text):
        return None, {}
    problems: dict[str, str] = {}
    if not description:
        problems[f"desc_{n}"] = "Describe the work or item."
    elif len(description) > 300:
        problems[f"desc_{n}"] = "Use at most 300 characters."
    quantity = 0
    if not quantity_text.isdigit() or not 1 <= int(quantity_text) <= MAX_QUANTITY:
        problems[f"qty_{n}"] = f"Enter a whole number from 1 to {formats.count(MAX_QUANTITY)}."
    else:
        quantity = int(quantity_text)
    price = 0
    try:
        price = parse_minor_units(price_text)
    except ValueError as exc:
        problems[f"price_{n}"] = sentence(str(exc))
    else:
        if price > MAX_PRICE_MINOR:
            problems[f"price_{n}"] = "Enter at most 1,000,000.00."
    if problems:
        return None, problems
    return invoice_staff.ItemInput(description, quantity, price), {}


def org_terms(actor: Actor, organization_id: int) -> tuple[str, invoice_terms.InvoiceTerms]:
    """The currency and invoice terms a new invoice for the organization gets."""
    return prepaid.billing_terms(actor, organization_id).currency, invoice_terms.invoice_terms(actor, organization_id)
