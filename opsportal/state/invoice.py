"""One invoice as its customer sees it: lines, totals, payments; paying it through Stripe Checkout.

While a checkout of the invoice is open (someone is paying it), the page asks again every few
seconds, so a payment confirmed or declined meanwhile shows up without a reload.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.invoices import InvoiceStatus, PaymentStatus, may_see_invoices
from opsportal.services import checkout_sessions, invoice_views
from opsportal.services.errors import ServiceError
from opsportal.services.invoice_views import INVOICE_NOT_FOUND, InvoiceDetail, LinePublic, PaymentPublic
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect, session_token
from opsportal.state.invoices import REFUSED

# A checkout session lives a day; a page left open stops asking after this long (a reload starts again).
WATCH_FOR_SECONDS = 30 * 60
BANK_TRANSFER = "bank_transfer"  # the source of a payment staff recorded by hand (services.bank_payments)
PAYMENT_STATUS = {"open": ("Not paid yet", "blue"), "succeeded": ("Paid", "green"),
                  "expired": ("Not completed", "gray")}


def when(value: datetime | None, time_zone: str = formats.DEFAULT_TIME_ZONE) -> str:
    return formats.instant(value, time_zone)


def line_row(line: LinePublic, currency: str) -> dict[str, str]:
    price = formats.money(line.unit_price_minor, currency)
    return {"position": str(line.position), "description": line.description,
            "quantity": formats.duration(line.quantity) if line.unit == "minute" else formats.count(line.quantity),
            "unit_price": f"{price} / h" if line.unit == "minute" else price,
            "amount": formats.money(line.amount_minor, currency)}


def payment_rows(items: list[PaymentPublic], time_zone: str = formats.DEFAULT_TIME_ZONE) -> list[dict[str, str]]:
    """Each payment, then what was reported about it (declined tries, the payment), oldest first."""
    def when(value: datetime | None) -> str:
        return formats.instant(value, time_zone)

    rows = []
    for n, p in enumerate(items, start=1):
        status, color = PAYMENT_STATUS.get(p.status, (formats.label(p.status), "gray"))
        amount = formats.money(p.amount_minor, p.currency)
        by = p.created_by or "—"
        offline = any(a.source == BANK_TRANSFER for a in p.attempts)
        rows.append({"kind": "payment", "when": when(p.created_at),
                     "what": f"Payment {n}: " + ("bank transfer" if offline else "card checkout started"),
                     "status": status, "color": color, "amount": amount, "by": by})
        for a in p.attempts:
            if a.outcome == "succeeded":
                what = a.message if a.source == BANK_TRANSFER and a.message else "Paid"
                rows.append({"kind": "attempt", "when": when(a.occurred_at), "what": what, "status": "Paid",
                             "color": "green", "amount": amount, "by": by})
            else:
                rows.append({"kind": "attempt", "when": when(a.occurred_at),
                             "what": "Declined — " + (a.message or "The payment was declined."),
                             "status": "Declined", "color": "red", "amount": amount, "by": by})
    return rows


def marker(detail: InvoiceDetail) -> str:
    """What changes when a payment moves on: the invoice's status and paid amount, each payment and its tries."""
    parts = [detail.stored_status, str(detail.row.amount_paid_minor)]
    parts += [f"{p.id}:{p.status}:{len(p.attempts)}" for p in detail.payments]
    return "|".join(parts)


class InvoiceState(rx.State):
    invoice_id: int = 0
    error: str = ""
    refused: str = ""
    pay_error: str = ""
    cancelled: bool = False
    paying: bool = False
    number: str = ""
    status: str = ""
    status_label: str = ""
    organization: str = ""
    kind: str = ""
    period: str = ""
    issued: str = ""
    due: str = ""
    paid_on: str = ""
    memo: str = ""
    lines: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    outstanding: str = ""
    may_pay: bool = False
    payments: list[dict[str, str]] = []
    payment_open: bool = False
    pdf_url: str = ""
    _seen: str = ""
    _watch_id: str = ""
    _time_zone: str = formats.DEFAULT_TIME_ZONE

    @rx.var
    def heading(self) -> str:
        return f"Invoice {self.number}" if self.number else "Invoice"

    @rx.var
    def summary(self) -> str:
        """One line beside the status: what is owed and by when, or when it was paid."""
        if self.status == "paid":
            return f"Paid in full on {self.paid_on}" if self.paid_on else "Paid in full"
        if self.outstanding:
            return f"{self.outstanding} outstanding, due {self.due}"
        return ""

    @rx.var
    def pay_label(self) -> str:
        return f"Pay {self.outstanding}" if self.outstanding else "Pay"

    def _requested_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _clear(self, error: str = "") -> None:
        self.error, self.number, self.lines, self.totals, self.payments = error, "", [], {}, []
        self.may_pay = self.payment_open = False

    def _apply(self, detail: InvoiceDetail) -> None:
        row = detail.row
        self.error = ""
        self.invoice_id, self.number = row.id, row.number
        self.status, self.status_label = row.status.value, formats.label(row.status.value)
        self.organization, self.kind = row.organization, row.kind_label
        self.period = formats.period(row.period, empty="")
        self.issued, self.due = formats.day(row.issue_date), formats.day(row.due_date)
        self.paid_on = formats.day(detail.paid_at, time_zone=self._time_zone) if detail.paid_at else ""
        self.memo = detail.memo
        self.lines = [line_row(line, row.currency) for line in detail.lines]
        outstanding = formats.money(row.outstanding_minor, row.currency)
        self.totals = {"subtotal": formats.money(detail.subtotal_minor, row.currency),
                       "tax_rate": formats.percent_bp(detail.tax_rate_bp),
                       "tax": formats.money(detail.tax_minor, row.currency),
                       "total": formats.money(row.total_minor, row.currency),
                       "paid": formats.money(row.amount_paid_minor, row.currency), "outstanding": outstanding}
        self.outstanding = outstanding if row.outstanding_minor else ""
        self.may_pay = detail.may_pay
        self.payments = payment_rows(detail.payments, self._time_zone)
        self.payment_open = detail.stored_status == InvoiceStatus.open and any(
            p.status == PaymentStatus.open for p in detail.payments)
        self.pdf_url = f"/api/invoices/{row.id}.pdf"
        self._seen = marker(detail)

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        invoice_id = self._requested_id()
        if actor.is_staff and invoice_id is not None:
            return rx.redirect(routes.staff_invoice(invoice_id))
        self._watch_id = ""  # a loop of a page shown before stops
        self._time_zone = actor.time_zone
        self.paying, self.pay_error, self.refused = False, "", ""
        self.cancelled = self.router.url.query_parameters.get("checkout", "") == "cancelled"
        if not may_see_invoices(actor.role):
            self._clear()
            self.refused = REFUSED
            return
        if invoice_id is None:
            self._clear(INVOICE_NOT_FOUND)
            return
        try:
            self._apply(await offload.run(invoice_views.invoice_detail, actor, invoice_id))
        except ServiceError as exc:
            self._clear(str(exc))
            return
        if self.payment_open:
            return InvoiceState.watch

    @rx.event
    async def pay(self):
        """Opens Stripe Checkout for what is owed, in this tab. A second click while waiting does nothing."""
        if self.paying:
            return
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            yield redirect
            return
        self.paying, self.pay_error, self.cancelled = True, "", False
        yield
        origin = self.router.url.origin
        try:
            start = await offload.run(checkout_sessions.start_invoice_checkout, actor, self.invoice_id,
                                      return_base=origin if origin.startswith("http") else None)
        except ServiceError as exc:
            self.paying, self.pay_error = False, str(exc)
            try:  # e.g. paid meanwhile: show what is true now
                self._apply(await offload.run(invoice_views.invoice_detail, actor, self.invoice_id))
            except ServiceError:
                pass
            return
        # Stripe's page is on another origin: Reflex's redirect loads it in this tab (window.location).
        yield rx.redirect(start.url)

    def _refresh_failed(self, message: str) -> None:
        self._clear(message)

    @rx.event(background=True)
    async def watch(self):
        """While a checkout of this invoice is open, shows a payment confirmed or declined within seconds."""
        async with self:
            lease = live.claim(self)
            invoice_id = self.invoice_id
        live.register(lease)
        started = time.monotonic()
        try:
            while time.monotonic() - started < WATCH_FOR_SECONDS:
                await asyncio.sleep(live.POLL_SECONDS)
                async with self:
                    if not live.holds(self, lease) or self.invoice_id != invoice_id or not self.payment_open:
                        return
                    token = session_token(self)
                    seen = self._seen
                actor = await live.sign_in_again(token)
                if actor is None:
                    async with self:
                        _nobody, redirect = await actor_or_redirect(self)
                    if redirect is not None:
                        yield redirect
                    return
                try:
                    detail = await offload.run(invoice_views.invoice_detail, actor, invoice_id)
                except ServiceError as exc:
                    async with self:
                        if live.holds(self, lease):
                            self._refresh_failed(str(exc))
                    return
                if marker(detail) == seen:
                    continue
                async with self:
                    if not live.holds(self, lease):
                        return
                    self._apply(detail)
                    self.cancelled = False  # what happened since is on the page now
        finally:
            live.unregister(lease)
