"""The organization page's billing details: the bill-to address, tax ID and invoice e-mail its invoices carry.

Billing contacts (owner, admin, billing) and staff administrators edit them; agents read them; members do not see
them. Each field's message sits under the field and clears as soon as the field is acceptable again.
"""

from __future__ import annotations

import reflex as rx

from opsportal.domain import billing_details as rules
from opsportal.domain.invoices import may_see_invoices
from opsportal.services import billing_details
from opsportal.services.billing_details import BillingDetails, BillingDetailsInput, BillingDetailsInvalid
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def _requested_org(path: str) -> int | None:
    raw = str(path).rstrip("/").rsplit("/", 1)[-1]
    return int(raw) if raw.isdigit() else None


class BillingDetailsState(rx.State):
    shown: bool = False  # the caller sees this organization's billing
    may_edit: bool = False
    org_id: int = 0
    address: str = ""
    tax_id: str = ""
    invoice_email: str = ""
    address_lines: list[str] = []
    problems: dict[str, str] = {}
    error: str = ""
    message: str = ""
    saving: bool = False

    def _show(self, details: BillingDetails) -> None:
        self.shown, self.may_edit = True, details.may_edit
        self.address, self.tax_id = details.address, details.tax_id
        self.invoice_email = details.invoice_email or ""
        self.address_lines = details.address_lines

    @rx.event
    async def load(self):
        self.shown = self.may_edit = self.saving = False
        self.problems, self.error, self.message = {}, "", ""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        org_id = _requested_org(self.router.url.path)
        if org_id is None or not may_see_invoices(actor.role):
            return
        self.org_id = org_id
        try:
            self._show(await offload.run(billing_details.get, actor, org_id))
        except ServiceError:
            self.shown = False  # the organization page itself says the organization was not found

    @rx.event
    def recheck(self, name: str, value: str):
        """Drops a field's message once what it holds is acceptable (the others keep theirs)."""
        if name not in self.problems:
            return
        values = {"address": self.address, "tax_id": self.tax_id, "invoice_email": self.invoice_email, name: value}
        if name not in rules.billing_problems(values["address"], values["tax_id"], values["invoice_email"]):
            self.problems = {k: v for k, v in self.problems.items() if k != name}

    @rx.event
    async def save(self, form: dict):
        """Checks every field here first (messages under the fields), then saves once; clicks meanwhile do nothing."""
        if self.saving:
            return
        self.error, self.message = "", ""
        data = BillingDetailsInput(address=str(form.get("address", "")), tax_id=str(form.get("tax_id", "")),
                                   invoice_email=str(form.get("invoice_email", "")))
        self.address, self.tax_id, self.invoice_email = data.address, data.tax_id, data.invoice_email
        self.problems = rules.field_messages(data.address, data.tax_id, data.invoice_email)
        if self.problems:
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        self.saving = True
        yield
        try:
            details = await offload.run(billing_details.save, actor, self.org_id, data)
        except BillingDetailsInvalid as exc:
            self.problems = exc.problems
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        finally:
            self.saving = False
        self._show(details)
        where = details.invoice_email or "the billing contacts' own addresses"
        self.message = f"Billing details saved: invoice PDFs show them, and invoice e-mails go to {where}."
