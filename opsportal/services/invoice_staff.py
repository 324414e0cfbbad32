"""Staff work on single invoices: billing work up front (pre-service invoices), issuing a draft, voiding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, LineDraft, Refused
from opsportal.services import invoice_events, orgtree
from opsportal.services.authz import Actor, require_staff, require_staff_admin
from opsportal.services.errors import InvalidInput
from opsportal.services.invoice_issuing import (
    apply,
    create_in_session,
    issue_in_session,
    lock,
    refused,
    retax,
    state_of,
)
from opsportal.services.invoice_views import InvoiceRow, row_of

MAX_LINES = 50


@dataclass(frozen=True)
class ItemInput:
    description: str
    count: int
    unit_price_minor: int


def _item_lines(items: Sequence[ItemInput]) -> list[LineDraft]:
    if not items:
        raise InvalidInput("Add at least one line.")
    if len(items) > MAX_LINES:
        raise InvalidInput(f"An invoice has at most {MAX_LINES} lines.")
    lines = []
    for n, item in enumerate(items, start=1):
        description = " ".join((item.description or "").split())
        if not 1 <= len(description) <= 300:
            raise InvalidInput(f"Line {n}: give a description of 1 to 300 characters.")
        if isinstance(item.count, bool) or not isinstance(item.count, int) or not 1 <= item.count <= 10_000:
            raise InvalidInput(f"Line {n}: the quantity must be a whole number from 1 to 10,000.")
        if not isinstance(item.unit_price_minor, int) or not 0 <= item.unit_price_minor <= 100_000_000:
            raise InvalidInput(f"Line {n}: the price must be from 0.00 to 1,000,000.00.")
        lines.append(rules.item_line(description, item.count, item.unit_price_minor))
    if sum(line.amount_minor for line in lines) <= 0:
        raise InvalidInput("The invoice total must be more than zero.")
    return lines


def create_pre_service_invoice(actor: Actor, organization_id: int, items: Sequence[ItemInput], *, memo: str = "",
                               issue: bool = True, today: date | None = None) -> InvoiceRow:
    """Staff bill work up front: it is scheduled only once this invoice is paid."""
    require_staff(actor)
    today = today or clock.now().date()
    lines = _item_lines(items)
    with unit_of_work() as session:
        org = orgtree.require_org(session, organization_id)
        inv = create_in_session(session, org=org, kind=InvoiceKind.pre_service, lines=lines, currency=org.currency,
                                issue_on=today if issue else None, memo=" ".join(memo.split()),
                                created_by=actor.user_id or None)
        return row_of(inv, org.name, today)


def issue_draft(actor: Actor, invoice_id: int, *, today: date | None = None) -> InvoiceRow:
    require_staff(actor)
    today = today or clock.now().date()
    with unit_of_work() as session:
        inv = lock(session, invoice_id)
        org = orgtree.require_org(session, inv.organization_id)
        retax(inv, org)
        issue_in_session(session, inv, org, today)
        return row_of(inv, org.name, today)


def void_invoice(actor: Actor, invoice_id: int, *, reason: str, at: datetime | None = None) -> InvoiceRow:
    """Staff admins void an unpaid invoice; its time becomes unbilled again (and correctable)."""
    require_staff_admin(actor)
    at = at or clock.now()
    try:
        reason = rules.void_reason(reason)
        with unit_of_work() as session:
            inv = lock(session, invoice_id)
            events = apply(session, inv, rules.void(state_of(inv), reason=reason, at=at)).events
            invoice_events.dispatch(session, events)
            row = row_of(inv, orgtree.require_org(session, inv.organization_id).name, at.date())
    except Refused as exc:
        raise refused(exc) from None
    invoice_events.after_commit(events, at=at)
    return row
