"""The approved timesheet an invoice carries: per task, the time entries it billed (date, agent, time, note,
sign-off, amount), read for a reader of the invoice and drawn as the PDF's last page (``invoice_pdf``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import time_signoff as rules
from opsportal.models import Invoice, Ticket, TimeEntry, TimeReview
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound
from opsportal.services.invoice_issuing import INVOICE_NOT_FOUND
from opsportal.services.invoice_views import CUSTOMER_STATUSES, require_invoice_reader

INK = (33, 37, 41)
MUTED = (95, 99, 104)
HEADING_FILL = (241, 243, 245)


@dataclass(frozen=True)
class TimesheetEntry:
    work_date: date
    agent_name: str
    minutes: int  # the billed (pay-as-you-go) minutes
    note: str
    signed_off: str  # "Approved by Bianca Novak", "Approved automatically", "Dispute answered: corrected"
    amount_minor: int


@dataclass(frozen=True)
class TimesheetTask:
    ticket_id: int
    title: str
    entries: tuple[TimesheetEntry, ...]

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def amount_minor(self) -> int:
        return sum(e.amount_minor for e in self.entries)


def invoice_timesheet(actor: Actor, invoice_id: int) -> list[TimesheetTask]:
    """The entries the invoice billed, per task; empty for an invoice that bills no time."""
    with unit_of_work(write=False) as session:
        inv = session.get(Invoice, invoice_id)
        if inv is None or (not actor.is_staff and (inv.organization_id != actor.organization_id
                                                   or inv.status not in CUSTOMER_STATUSES)):
            raise NotFound(INVOICE_NOT_FOUND)
        require_invoice_reader(actor, inv.organization_id)
        rows = session.exec(
            select(TimeEntry, Ticket.title, TimeReview)
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .outerjoin(TimeReview, TimeReview.time_entry_id == TimeEntry.id)
            .where(TimeEntry.billed_invoice_id == inv.id, TimeEntry.organization_id == inv.organization_id)
            .order_by(TimeEntry.ticket_id, TimeEntry.work_date, TimeEntry.id)).all()
    tasks: dict[int, tuple[str, list[TimesheetEntry]]] = {}
    for e, title, review in rows:
        tasks.setdefault(e.ticket_id, (title, []))[1].append(TimesheetEntry(
            e.work_date, e.agent_name, e.payg_minutes, e.note, _signed_off(review), e.payg_amount_minor))
    return [TimesheetTask(t, title, tuple(entries)) for t, (title, entries) in tasks.items()]


def _signed_off(review: TimeReview | None) -> str:
    if review is None:  # billed before time sign-off existed
        return "-"
    state = rules.ReviewState(review.state)
    if state is rules.ReviewState.approved and review.reviewed_by_name:
        return f"Approved by {review.reviewed_by_name}"
    return state.label


def draw_timesheet(pdf: FPDF, tasks: list[TimesheetTask], *, family: str, text, currency: str, period: str) -> None:
    """The timesheet as a page of its own (more if long) at the end of the invoice ``pdf``."""
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def font(size: float, style: str = "", color=INK) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*color)

    font(14, "B")
    pdf.cell(width, 8, "Approved timesheet", new_x="LMARGIN", new_y="NEXT")
    font(9, color=MUTED)
    pdf.multi_cell(width, 4.6, text(
        f"The time this invoice bills{' for ' + period if period else ''}, as your organization signed it off "
        f"(approved, approved automatically after the sign-off deadline, or answered after a dispute). "
        f"Amounts in {currency}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=HEADING_FILL)
    for task in tasks:
        font(10, "B")
        pdf.multi_cell(width, 6, text(f"Task #{task.ticket_id} {task.title}"), new_x="LMARGIN", new_y="NEXT")
        font(8.5)
        with pdf.table(col_widths=(22, 30, 20, 52, 28, 22),
                       text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT"),
                       borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heading, line_height=4.2,
                       padding=(1, 1.2), width=width, align="LEFT") as table:
            table.row(["Date", "Agent", "Time", "Note", "Sign-off", "Amount"])
            for e in task.entries:
                table.row([formats.day(e.work_date), text(e.agent_name), formats.duration(e.minutes),
                           text(e.note or "-"), text(e.signed_off), formats.amount(e.amount_minor, currency)])
            table.row(["", text("Task total"), formats.duration(task.minutes), "", "",
                       formats.amount(task.amount_minor, currency)])
        pdf.ln(4)
