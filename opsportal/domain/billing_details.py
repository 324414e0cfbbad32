"""An organization's billing details: the bill-to address and tax ID printed on its invoices, and the address
its invoices are e-mailed to.

- The billing address is up to ``MAX_ADDRESS_LINES`` lines of at most ``MAX_LINE`` characters each (blank lines
  and surrounding spaces dropped); empty means the invoice shows the organization's name only.
- A tax ID (VAT, GST, EIN, …) is 2 to 64 characters of letters, digits, spaces and ``- . /``, with at least two
  letters or digits; empty means none. It is printed, never used to decide tax (see ``domain.invoices``).
- The invoice e-mail is one address (normalized like a sign-in address); empty means the billing contacts'
  own addresses.
- The organization's billing contacts (owner, admin, billing) and staff administrators change them
  (``domain.access.may_manage_billing``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsportal.domain.identity import normalize_email

MAX_ADDRESS_LINES = 8
MAX_LINE = 100
MAX_ADDRESS = 500  # the column; 8 lines of 100 characters can exceed it
MAX_EMAIL = 320
TAX_ID_MIN, TAX_ID_MAX = 2, 64
_TAX_ID = re.compile(r"^[A-Za-z0-9 ./-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# The form's field names and their labels: messages name the field as the form labels it.
LABELS = {"address": "Billing address", "tax_id": "Tax ID", "invoice_email": "Invoice e-mail"}


@dataclass(frozen=True)
class CleanDetails:
    address: str  # lines joined by "\n"
    tax_id: str
    invoice_email: str | None


def address_lines(address: str) -> list[str]:
    """The stored (or typed) address as its non-blank lines, each stripped and its inner spaces collapsed."""
    return [" ".join(line.split()) for line in (address or "").replace("\r", "\n").split("\n") if line.strip()]


def address_problem(address: str) -> str | None:
    lines = address_lines(address)
    if _CONTROL.search((address or "").replace("\r", "")):
        return "use letters, digits and punctuation only"
    if len(lines) > MAX_ADDRESS_LINES:
        return f"use at most {MAX_ADDRESS_LINES} lines"
    too_long = next((n for n, line in enumerate(lines, start=1) if len(line) > MAX_LINE), None)
    if too_long is not None:
        return f"line {too_long} is longer than {MAX_LINE} characters"
    if len("\n".join(lines)) > MAX_ADDRESS:
        return f"use at most {MAX_ADDRESS} characters in all"
    return None


def clean_tax_id(tax_id: str) -> str:
    return " ".join((tax_id or "").split())


def tax_id_problem(tax_id: str) -> str | None:
    text = clean_tax_id(tax_id)
    if not text:
        return None
    if not _TAX_ID.match(text):
        return "use letters, digits, spaces and - . / only"
    if not TAX_ID_MIN <= len(text) <= TAX_ID_MAX or sum(ch.isalnum() for ch in text) < 2:
        return f"use {TAX_ID_MIN} to {TAX_ID_MAX} characters, at least two of them letters or digits"
    return None


def invoice_email_problem(email: str) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    if len(text) > MAX_EMAIL:
        return f"use at most {MAX_EMAIL} characters"
    try:
        normalize_email(text)
    except ValueError:
        return "enter one e-mail address, such as accounts@example.com"
    return None


def billing_problems(address: str, tax_id: str, invoice_email: str) -> dict[str, str]:
    """Field name -> what is wrong with it (lower-case, no label); empty when all three are acceptable."""
    found = {"address": address_problem(address), "tax_id": tax_id_problem(tax_id),
             "invoice_email": invoice_email_problem(invoice_email)}
    return {name: problem for name, problem in found.items() if problem}


def field_messages(address: str, tax_id: str, invoice_email: str) -> dict[str, str]:
    """Field name -> "Label: what is wrong." (the sentence shown next to the field) for every unacceptable field."""
    return {name: f"{LABELS[name]}: {problem}." for name, problem in
            billing_problems(address, tax_id, invoice_email).items()}


def clean_billing_details(address: str, tax_id: str, invoice_email: str) -> CleanDetails:
    """The details as stored; ValueError naming the first problem (call ``billing_problems`` for all of them)."""
    problems = billing_problems(address, tax_id, invoice_email)
    if problems:
        name, problem = next(iter(problems.items()))
        raise ValueError(f"{LABELS[name]}: {problem}")
    email = (invoice_email or "").strip()
    return CleanDetails("\n".join(address_lines(address)), clean_tax_id(tax_id),
                        normalize_email(email) if email else None)
