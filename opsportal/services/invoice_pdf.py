"""An invoice as a PDF document: pure rendering of an ``InvoiceDetail`` (no database, no web).

The vendor's letterhead and bank details come from the settings (``OPSPORTAL_VENDOR_*``); the bill-to block is
the organization's name, billing address and tax ID. "Or bank transfer" is offered only with the vendor's bank
details printed beside it; without them the invoice asks for online payment only. Dates and amounts are
written by ``domain.formats``; a day taken from an instant (the payment) is the reader's day.

The text is set in DejaVu Sans when the system has it (any character prints), else in the PDF
core font Helvetica, which knows only Latin-1: other characters are replaced by near equivalents
("—" becomes "-").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace

from opsportal.domain import formats
from opsportal.domain.invoices import InvoiceKind, ShownStatus, parse_period
from opsportal.services.invoice_timesheet import TimesheetTask, draw_timesheet
from opsportal.services.invoice_views import InvoiceDetail, LinePublic
from opsportal.settings import get_settings

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
INK = (33, 37, 41)
MUTED = (95, 99, 104)
RULE = (206, 212, 218)
HEADING_FILL = (241, 243, 245)
STAMPS = {ShownStatus.paid: ("PAID", (25, 135, 84)), ShownStatus.void: ("VOID", (176, 42, 55)),
          ShownStatus.draft: ("DRAFT", (95, 99, 104))}
_LATIN1_SUBSTITUTES = {"\u2014": "-", "\u2013": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                       "\u201d": '"', "\u2026": "...", "\u2022": "*", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
                       "\u20ac": "EUR "}


@dataclass(frozen=True)
class Vendor:
    name: str
    address_lines: tuple[str, ...]
    tax_id: str = ""
    # Payment instructions for a bank transfer (bank, account, routing, SWIFT/BIC); none: card payment only.
    bank_lines: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls) -> Vendor:
        s = get_settings()
        return cls(s.vendor_name, tuple(s.vendor_address_lines), s.vendor_tax_id.strip(), tuple(s.vendor_bank_lines))


def latin1(text: str) -> str:
    """``text`` printable in a core PDF font: known substitutes, accents stripped, anything else "?"."""
    out = []
    for ch in text:
        ch = _LATIN1_SUBSTITUTES.get(ch, ch)
        if all(ord(c) < 256 for c in ch):
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def _quantity(line: LinePublic) -> str:
    return formats.duration(line.quantity) if line.unit == "minute" else formats.count(line.quantity)


def _period(key: str) -> str:
    """``2026-10`` -> ``October 2026``."""
    try:
        return formats.month(parse_period(key).first_day)
    except ValueError:
        return key


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text, self.base_font, self.text_of = footer_text, "Helvetica", latin1

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(self.base_font, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 8, self.text_of(self.footer_text), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="R")


def _fonts(pdf: FPDF, font_dir: Path | None) -> tuple[str, bool]:
    """Registers DejaVu Sans if ``font_dir`` holds it: (font family, whether any character prints)."""
    if font_dir is not None:
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                pdf.add_font("DejaVu", "", str(regular))
                pdf.add_font("DejaVu", "B", str(bold))
                return "DejaVu", True
            except Exception:  # noqa: BLE001 - an unreadable font file: fall back to the core font
                pass
    return "Helvetica", False


def render_invoice_pdf(detail: InvoiceDetail, *, vendor: Vendor | None = None, public_url: str | None = None,
                       time_zone: str | None = None, font_dir: Path | None = DEJAVU_DIR,
                       compress: bool = True, timesheet: list[TimesheetTask] | None = None) -> bytes:
    """The invoice as PDF bytes, for a reader in ``time_zone`` (IANA name; UTC if None). ``font_dir`` None forces
    the core font (Latin-1 only). ``timesheet``: the billed time entries per task, printed on a page of their own
    (``invoice_timesheet``)."""
    vendor = vendor or Vendor.from_settings()
    public_url = (public_url if public_url is not None else get_settings().public_url).rstrip("/")
    row = detail.row

    def amount(minor: int) -> str:
        return formats.amount(minor, row.currency)

    def day(value) -> str:
        return formats.day(value, empty="-", time_zone=time_zone)
    footer = " · ".join(p for p in (vendor.name, f"Tax ID {vendor.tax_id}" if vendor.tax_id else "",
                                    f"Invoice {row.number}") if p)
    pdf = _Document(footer)
    family, unicode_ok = _fonts(pdf, font_dir)
    text = str if unicode_ok else latin1
    pdf.base_font, pdf.text_of = family, text
    pdf.set_compression(compress)
    pdf.set_title(f"Invoice {row.number}")
    pdf.set_subject(f"Invoice {row.number} for {text(row.organization)}")
    pdf.set_author(text(vendor.name))
    pdf.set_creator("OpsPortal")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def font(size: float, style: str = "", color=INK) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*color)

    # Letterhead: the vendor on the left, the title and the invoice's facts on the right.
    top = pdf.get_y()
    font(13, "B")
    pdf.cell(width / 2, 7, text(vendor.name), new_x="LMARGIN", new_y="NEXT")
    font(9, color=MUTED)
    for line in vendor.address_lines:
        pdf.cell(width / 2, 4.6, text(line), new_x="LMARGIN", new_y="NEXT")
    if vendor.tax_id:
        pdf.cell(width / 2, 4.6, text(f"Tax ID: {vendor.tax_id}"), new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    facts = [("Invoice number", row.number), ("Issue date", day(row.issue_date)), ("Due date", day(row.due_date)),
             ("Status", row.status.label)]
    if row.period:
        facts.insert(3, ("Billing period", _period(row.period)))
    facts.insert(3, ("Type", InvoiceKind(row.kind).label))
    pdf.set_xy(pdf.l_margin + width / 2, top)
    font(24, "B")
    pdf.cell(width / 2, 10, "INVOICE", align="R", new_x="LEFT", new_y="NEXT")
    pdf.ln(1)
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width / 2)
        font(9, color=MUTED)
        pdf.cell(width / 4, 5, text(label), align="R")
        font(9, "B")
        pdf.cell(width / 4, 5, text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_bottom) + 8)

    # Bill to and memo; a stamp (PAID, VOID, DRAFT) beside them.
    bill_top = pdf.get_y()
    stamp_bottom = bill_top
    stamp = STAMPS.get(row.status)
    if stamp:
        label, color = stamp
        x, y = pdf.w - pdf.r_margin - 50, bill_top
        with pdf.rotation(10, x + 22, y + 8):
            pdf.set_draw_color(*color)
            pdf.set_line_width(0.9)
            pdf.rect(x, y, 44, 16)
            font(22, "B", color)
            pdf.set_xy(x, y + 3)
            pdf.cell(44, 10, label, align="C")
        pdf.set_line_width(0.2)
        stamp_bottom = y + 22
        pdf.set_xy(pdf.l_margin, bill_top)
    text_width = width - 62 if stamp else width
    font(8, "B", MUTED)
    pdf.cell(text_width, 5, "BILL TO", new_x="LMARGIN", new_y="NEXT")
    font(11, "B")
    pdf.multi_cell(text_width, 6, text(row.organization), align="L", new_x="LMARGIN", new_y="NEXT")
    font(9)
    for line in detail.bill_to_lines:
        pdf.multi_cell(text_width, 4.6, text(line), align="L", new_x="LMARGIN", new_y="NEXT")
    if detail.bill_to_tax_id:
        pdf.multi_cell(text_width, 4.6, text(f"Tax ID: {detail.bill_to_tax_id}"), align="L", new_x="LMARGIN",
                       new_y="NEXT")
    if detail.memo:
        pdf.ln(2)
        font(9, color=MUTED)
        pdf.multi_cell(text_width, 4.6, text(detail.memo), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), stamp_bottom) + 6)

    # The lines.
    font(9)
    pdf.set_draw_color(*RULE)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=HEADING_FILL)
    font(8, color=MUTED)
    pdf.cell(width, 5, f"Amounts in {row.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    font(9)
    with pdf.table(col_widths=(88, 26, 30, 30), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heading, line_height=4.5,
                   padding=(1.3, 1.5), width=width, align="LEFT") as table:
        table.row(["Description", "Quantity", "Unit price", "Amount"])
        for line in detail.lines:
            unit_price = amount(line.unit_price_minor) + (" / h" if line.unit == "minute" else "")
            table.row([text(line.description), _quantity(line), unit_price, amount(line.amount_minor)])
    pdf.ln(4)

    # Totals, right-aligned under the amounts.
    totals = [("Subtotal", amount(detail.subtotal_minor), ""),
              (f"Tax ({formats.percent_bp(detail.tax_rate_bp)})", amount(detail.tax_minor), ""),
              (f"Total ({row.currency})", amount(row.total_minor), "B"),
              ("Amount paid", amount(row.amount_paid_minor), ""),
              (f"Outstanding ({row.currency})", amount(row.outstanding_minor), "B")]
    label_w, value_w = 50, 32
    if pdf.will_page_break(6 * len(totals)):  # the totals stay together
        pdf.add_page()
    for label, value, style in totals:
        pdf.set_x(pdf.l_margin + width - label_w - value_w)
        if label.startswith("Total"):
            pdf.set_draw_color(*RULE)
            pdf.line(pdf.get_x(), pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        font(10, style)
        pdf.cell(label_w, 6, text(label), align="R")
        pdf.cell(value_w, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    # How to pay (with the bank details when a transfer is offered), or the receipt's thanks; kept on one page.
    bank: tuple[str, ...] = ()
    if row.status is ShownStatus.paid:
        message = f"Paid in full on {day(detail.paid_at or row.issue_date)}. Thank you for your business."
    elif row.status is ShownStatus.void:
        message = f"This invoice was voided{': ' + detail.void_reason if detail.void_reason else ''}. Nothing is owed."
    else:
        message = (f"Please pay {formats.money(row.outstanding_minor, row.currency)} by {day(row.due_date)}: online "
                   f"by card at {public_url} (Billing > My Invoices)")
        if vendor.bank_lines:
            bank = vendor.bank_lines
            message += f", or by bank transfer to the account below, quoting {row.number} as the reference."
        else:
            message += "."
    questions = (f"Questions about this invoice? Contact {vendor.name} through the support portal and quote the "
                 "invoice number.")
    font(9)
    needed = 5 + 4.8 * len(pdf.multi_cell(width, 4.8, text(message), align="L", dry_run=True, output="LINES"))
    needed += (3 + 4.6 * len(bank)) if bank else 0
    font(8)
    needed += 2 + 4.2 * len(pdf.multi_cell(width, 4.2, text(questions), align="L", dry_run=True, output="LINES"))
    if pdf.will_page_break(needed):
        pdf.add_page()
    font(8, "B", MUTED)
    pdf.cell(width, 5, "PAYMENT", new_x="LMARGIN", new_y="NEXT")
    font(9)
    pdf.multi_cell(width, 4.8, text(message), align="L", new_x="LMARGIN", new_y="NEXT")
    if bank:
        pdf.ln(1.5)
        font(8, "B", MUTED)
        pdf.cell(width, 4.6, "BANK TRANSFER", new_x="LMARGIN", new_y="NEXT")
        font(9)
        for line in bank:
            pdf.multi_cell(width, 4.6, text(line), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    font(8, color=MUTED)
    pdf.multi_cell(width, 4.2, text(questions), align="L", new_x="LMARGIN", new_y="NEXT")
    if timesheet:
        draw_timesheet(pdf, timesheet, family=family, text=text, currency=row.currency,
                       period=_period(row.period) if row.period else "")
    return bytes(pdf.output())
