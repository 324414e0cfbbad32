"""One invoice as staff see it: lines, totals, payments with their attempts; issue a draft, void it, or mark it paid
by bank transfer. Every handler asks who is calling again; the services decide what is allowed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain.invoices import InvoiceStatus
from opsportal.domain.roles import Role
from opsportal.services import bank_payments, invoice_staff, invoice_views
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect, run_as_actor
from opsportal.state.staff_billing import STATUS_COLORS

PAYMENT_STATUS = {"open": "Checkout open", "succeeded": "Succeeded", "expired": "Expired", "creating": "Starting"}
SOURCES = {"webhook": "Stripe webhook", "reconcile": "Reconciliation", "return": "Customer's return",
           bank_payments.OFFLINE_SOURCE: "Bank transfer"}


def paid_instant(day: date, now: datetime, time_zone: str | None = None) -> datetime:
    """The instant recorded for a payment received on ``day`` of the staff member's calendar: now for their today,
    else noon of that day in their zone."""
    if day == formats.local_date(now, time_zone):
        return now
    return datetime.combine(day, time(12), tzinfo=formats.zone(time_zone)).astimezone(UTC)


class StaffInvoiceState(rx.State):
    shown_id: int = 0
    denied: str = ""
    error: str = ""
    notice: str = ""
    is_admin: bool = False
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    attempts: list[dict[str, str]] = []
    is_draft: bool = False
    is_open: bool = False
    pdf_url: str = ""
    today: str = ""
    void_open: bool = False
    void_error: str = ""
    paid_open: bool = False
    paid_error: str = ""

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    def _refresh(self, actor: Actor) -> None:
        self.is_admin = actor.role is Role.staff_admin
        d = invoice_views.invoice_detail(actor, self.shown_id)
        r = d.row
        zone = actor.time_zone

        def money(minor: int) -> str:
            return formats.money(minor, r.currency)

        def when(value: datetime | None) -> str:
            return formats.instant(value, zone, empty="")

        self.is_draft, self.is_open = d.stored_status == InvoiceStatus.draft, d.stored_status == InvoiceStatus.open
        self.invoice = {
            "id": str(r.id), "number": r.number, "organization": r.organization,
            "org_href": routes.organization(r.organization_id), "kind": r.kind_label,
            "period": formats.period(r.period, empty=""),
            "issued": formats.day(r.issue_date), "due": formats.day(r.due_date), "currency": r.currency,
            "status": r.status.value, "status_label": r.status.label,
            "color": STATUS_COLORS.get(r.status.value, "gray"), "memo": d.memo, "subtotal": money(d.subtotal_minor),
            "tax_rate": d.tax_rate, "tax": money(d.tax_minor), "total": money(r.total_minor),
            "paid": money(r.amount_paid_minor), "outstanding": money(r.outstanding_minor),
            "paid_at": when(d.paid_at), "voided_at": when(d.voided_at), "void_reason": d.void_reason,
        }
        self.lines = [
            {"position": str(ln.position), "description": ln.description, "quantity": ln.quantity_text,
             "unit_price": money(ln.unit_price_minor) + (" / h" if ln.unit == "minute" else ""),
             "amount": money(ln.amount_minor),
             "task_href": routes.staff_task(ln.ticket_id) if ln.ticket_id else "",
             "task": f"#{ln.ticket_id}" if ln.ticket_id else ""}
            for ln in d.lines
        ]
        self.payments = [
            {"id": str(p.id), "status": PAYMENT_STATUS.get(p.status, formats.label(p.status)),
             "method": "Bank transfer" if any(a.source == bank_payments.OFFLINE_SOURCE for a in p.attempts)
             else "Stripe Checkout",
             "amount": formats.money(p.amount_minor, p.currency), "started": when(p.created_at),
             "completed": when(p.completed_at) or "—", "by": p.created_by or "—",
             "last_error": p.last_error, "problem": p.problem}
            for p in d.payments
        ]
        self.attempts = [
            {"payment": str(p.id), "when": when(a.occurred_at), "outcome": formats.label(a.outcome),
             "source": SOURCES.get(a.source, a.source), "message": a.message or "—",
             "color": "green" if a.outcome == "succeeded" else "red"}
            for p in d.payments for a in p.attempts
        ]
        self.pdf_url = "" if self.is_draft else f"/api/invoices/{r.id}.pdf"
        # The picker's "today" is the reader's.
        self.today = formats.date_input(formats.local_date(clock.now(), zone))

    def _clear(self) -> None:
        self.error = self.notice = self.void_error = self.paid_error = ""

    @rx.event
    async def load(self):
        self._clear()
        self.denied = ""
        self.void_open = self.paid_open = False
        self.invoice, self.lines, self.payments, self.attempts = {}, [], [], []
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        requested = self._requested_id()
        if requested is None:
            self.denied = invoice_views.INVOICE_NOT_FOUND
            return
        self.shown_id = requested
        try:
            await offload.run(self._refresh, actor)
        except (PermissionDenied, NotFound) as exc:
            self.denied, self.invoice = str(exc), {}

    @rx.event
    async def issue(self):
        self._clear()

        def work(actor):
            row = invoice_staff.issue_draft(actor, self.shown_id)
            self.notice = (f"Issued as {row.number}, due {formats.day(row.due_date)}; "
                           "the customer can see and pay it now.")
        return await run_as_actor(self, work)

    @rx.event
    async def set_void_open(self, value: bool):
        self._clear()
        self.void_open = bool(value)

    @rx.event
    async def void(self, form: dict):
        self._clear()

        def work(actor):
            row = invoice_staff.void_invoice(actor, self.shown_id, reason=str(form.get("reason", "")))
            self.void_open = False
            self.notice = (f"Invoice {row.number} is void; its pay-as-you-go time is unbilled again and will be "
                           "billed by the next run of its month.")
        return await run_as_actor(self, work, on_error="void_error")

    @rx.event
    async def set_paid_open(self, value: bool):
        self._clear()
        self.paid_open = bool(value)

    @rx.event
    async def mark_paid(self, form: dict):
        self._clear()
        raw = str(form.get("received_on", "")).strip()
        try:
            received = date.fromisoformat(raw)
        except ValueError:
            self.paid_error = "Enter the day the money arrived as a date (YYYY-MM-DD)."
            return

        def work(actor):
            row = bank_payments.record_offline_payment(actor, self.shown_id,
                                                       at=paid_instant(received, clock.now(), actor.time_zone),
                                                       reference=str(form.get("reference", "")))
            self.paid_open = False
            self.notice = f"Invoice {row.number} is marked paid by bank transfer ({row.total})."
        return await run_as_actor(self, work, on_error="paid_error")
