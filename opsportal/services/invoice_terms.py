"""An organization's invoice terms: its tax rate (the tax rule's setting) and payment terms in days."""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.db import unit_of_work
from opsportal.domain import invoices as rules
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_staff_admin, require_view_organization
from opsportal.services.errors import InvalidInput, sentence


@dataclass(frozen=True)
class InvoiceTerms:
    tax_rate_bp: int
    payment_terms_days: int

    @property
    def tax_rate(self) -> str:
        return rules.format_tax_rate(self.tax_rate_bp)


def invoice_terms(actor: Actor, organization_id: int) -> InvoiceTerms:
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, organization_id)
        return InvoiceTerms(org.tax_rate_bp, org.payment_terms_days)


def set_invoice_terms(actor: Actor, organization_id: int, *, tax_rate: str, payment_terms_days: int) -> InvoiceTerms:
    """Staff admins set an organization's tax rate (e.g. "20" or "8.25" per cent; zero allowed) and terms."""
    require_staff_admin(actor)
    try:
        rate = rules.parse_tax_rate(tax_rate)
    except ValueError as exc:
        raise InvalidInput(sentence(str(exc))) from None
    if isinstance(payment_terms_days, bool) or not isinstance(payment_terms_days, int) \
            or not 0 <= payment_terms_days <= rules.MAX_TERMS_DAYS:
        raise InvalidInput(f"Payment terms must be 0 to {rules.MAX_TERMS_DAYS} days.")
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        org.tax_rate_bp, org.payment_terms_days = rate, payment_terms_days
        session.add(org)
        return InvoiceTerms(rate, payment_terms_days)
