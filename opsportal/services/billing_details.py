"""An organization's billing details (bill-to address, tax ID, invoice e-mail): read by whoever sees its
invoices, changed by its billing contacts and staff administrators (rules: ``domain.billing_details``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import billing_details as rules
from opsportal.domain.access import may_manage_billing
from opsportal.models import Organization
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.invoice_views import require_invoice_reader

EDITORS_ONLY = "Billing details are changed by the organization's owners, administrators and billing contacts."


class BillingDetailsInvalid(InvalidInput):
    """Some fields are not acceptable: ``problems`` maps each field name to its message (a sentence)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class BillingDetailsInput:
    address: str
    tax_id: str
    invoice_email: str


@dataclass(frozen=True)
class BillingDetails:
    organization_id: int
    organization: str
    address: str  # lines joined by "\n"
    tax_id: str
    invoice_email: str | None
    may_edit: bool

    @property
    def address_lines(self) -> list[str]:
        return rules.address_lines(self.address)


def _details(org: Organization, actor: Actor) -> BillingDetails:
    return BillingDetails(org.id, org.name, org.billing_address or "", org.tax_id or "", org.invoice_email,
                          may_manage_billing(actor.principal, org.id))


def get(actor: Actor, organization_id: int) -> BillingDetails:
    """The details, for the organization's billing contacts and staff (members see no billing)."""
    require_invoice_reader(actor, organization_id)
    with unit_of_work(write=False) as session:
        return _details(orgtree.require_org(session, organization_id), actor)


def save(actor: Actor, organization_id: int, data: BillingDetailsInput) -> BillingDetails:
    """Replace the details; every field is checked first and nothing is written unless all are acceptable."""
    require_view_organization(actor, organization_id)
    if not may_manage_billing(actor.principal, organization_id):
        raise PermissionDenied(EDITORS_ONLY)
    problems = rules.field_messages(data.address, data.tax_id, data.invoice_email)
    if problems:
        raise BillingDetailsInvalid(problems)
    clean = rules.clean_billing_details(data.address, data.tax_id, data.invoice_email)
    with unit_of_work() as session:
        org = session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).first()
        if org is None:
            raise NotFound("That organization was not found or you do not have access to it.")
        org.billing_address, org.tax_id, org.invoice_email = clean.address, clean.tax_id, clean.invoice_email
        session.add(org)
        session.flush()
        return _details(org, actor)
