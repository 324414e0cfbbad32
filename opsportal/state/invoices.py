"""My Invoices: what is outstanding and overdue, the invoices filtered by status and number, one page at a time."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.invoices import may_see_invoices
from opsportal.services import invoice_views
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.invoice_views import InvoiceRow, MoneyByCurrency
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
FILTERS = ("all", "pending", "overdue", "paid")
# Who may see invoices; the page says it instead of showing an empty list.
REFUSED = "Invoices are shown to owners, administrators and billing contacts."


def money_text(amounts: MoneyByCurrency, currency: str) -> str:
    """A total per currency; none at all reads as zero in ``currency`` (e.g. "USD 0.00")."""
    if amounts.amounts:
        return ", ".join(formats.money(v, c) for c, v in sorted(amounts.amounts.items()))
    return formats.money(0, currency) if currency else "0.00"


def invoice_row(row: InvoiceRow) -> dict[str, str]:
    """How one invoice reads in a list (strings only: Reflex ships them to the browser as they are)."""
    return {"id": str(row.id), "number": row.number, "href": routes.invoice(row.id), "kind": row.kind_label,
            "period": formats.period(row.period, empty=""), "issued": formats.day(row.issue_date),
            "due": formats.day(row.due_date),
            "total": formats.money(row.total_minor, row.currency),
            "outstanding": formats.money(row.outstanding_minor, row.currency) if row.outstanding_minor else "—",
            "status": row.status.value, "status_label": formats.label(row.status.value)}


class InvoicesState(PagedState, rx.State):
    status: str = "all"
    search: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    outstanding: str = ""
    overdue: str = ""
    overdue_count: int = 0
    csv_url: str = ""
    refused: str = ""
    error: str = ""

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search.strip()) or self.status != "all"

    @rx.var
    def overdue_hint(self) -> str:
        if self.overdue_count == 0:
            return "Nothing is past its due date."
        return f"{formats.count(self.overdue_count)} invoice{'' if self.overdue_count == 1 else 's'} past due"

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_BILLING)
        if not may_see_invoices(actor.role):
            self.refused, self.error, self.rows, self.total = REFUSED, "", [], 0
            return
        self.refused = ""
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        org_id = actor.organization_id or 0
        try:
            listing = invoice_views.list_invoices(actor, org_id, status=self.status, search=self.search, page=page,
                                                  page_size=PAGE_SIZE)
        except ServiceError as exc:
            self.error, self.rows, self.total = str(exc), [], 0
            return
        self.error = ""
        self.page, self.pages, self.total = listing.page.page, listing.page.pages, listing.page.total
        self.rows = [invoice_row(r) for r in listing.page.items]
        currency = next(iter(sorted(listing.outstanding.amounts)), "") or next(
            (r.currency for r in listing.page.items), "")
        self.outstanding = money_text(listing.outstanding, currency)
        self.overdue = money_text(listing.overdue, currency)
        self.overdue_count = listing.overdue_count
        self.csv_url = f"/api/invoices.csv?org={org_id}"

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def set_status(self, value: str):
        self.status = value if value in FILTERS else "all"
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = str(value)[:60]
        return await self._load_page(1)

    @rx.event
    async def clear_filters(self):
        self.search, self.status = "", "all"
        return await self._load_page(1)
