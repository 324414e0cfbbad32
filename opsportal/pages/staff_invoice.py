import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.forms import day_picker, labelled
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.staff_invoice import StaffInvoiceState as S

MUTED = rx.color("gray", 11)


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _fact(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _header() -> rx.Component:
    i = S.invoice
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading(i["number"], size="5", as_="h2", id="invoice-number"),
            rx.badge(i["status_label"], color_scheme=i["color"], variant="soft", high_contrast=True, size="2",
                     id="invoice-status"),
            rx.spacer(),
            rx.cond(S.pdf_url != "", backend_link(
                rx.icon("file-down", size=16, aria_hidden="true"), "Download PDF", path=S.pdf_url, id="invoice-pdf",
                download=True, size="2", display="inline-flex", align_items="center", gap="0.35rem")),
            align="center", spacing="3", wrap="wrap", width="100%",
        ),
        rx.data_list.root(
            _fact("Organization", rx.link(i["organization"], href=i["org_href"])),
            _fact("Type", i["kind"]),
            rx.cond(i["period"] != "", _fact("Period", i["period"])),
            _fact("Issued", i["issued"]),
            _fact("Due", i["due"]),
            rx.cond(i["memo"] != "", _fact("Memo", i["memo"])),
            rx.cond(i["paid_at"] != "", _fact("Paid", i["paid_at"])),
            rx.cond(i["voided_at"] != "", _fact("Voided", i["voided_at"] + ": " + i["void_reason"])),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        ),
        spacing="3", width="100%",
    ), width="100%")


def _actions() -> rx.Component:
    return rx.cond(
        S.is_draft | S.is_open,
        _section(
            "Actions",
            error_callout(S.error),
            rx.hstack(
                rx.cond(S.is_draft, rx.button(rx.icon("send", size=16, aria_hidden="true"), "Issue", on_click=S.issue,
                                              id="invoice-issue")),
                rx.cond(S.is_open, rx.button(rx.icon("landmark", size=16, aria_hidden="true"),
                                             "Mark paid by bank transfer", on_click=S.set_paid_open(True),
                                             disabled=~S.is_admin, variant="soft", id="invoice-mark-paid")),
                rx.button(rx.icon("ban", size=16, aria_hidden="true"), "Void", on_click=S.set_void_open(True),
                          disabled=~S.is_admin, color_scheme="red", variant="soft", id="invoice-void"),
                spacing="3", wrap="wrap",
            ),
            rx.cond(S.is_draft, rx.text("A draft has no number and the customer does not see it until it is issued.",
                                        size="2", color=MUTED)),
            rx.cond(~S.is_admin, rx.text("Only staff administrators can void an invoice or mark it paid.", size="2",
                                         color=MUTED)),
        ),
    )


def _line_row(ln: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(
            rx.text(ln["description"], size="2"),
            rx.cond(ln["task_href"] != "", rx.link("Open task " + ln["task"], href=ln["task_href"], size="1")),
            spacing="0")),
        secondary_cell(ln["quantity"], white_space="nowrap", text_align="right"),
        secondary_cell(ln["unit_price"], white_space="nowrap", text_align="right"),
        rx.table.cell(ln["amount"], white_space="nowrap", text_align="right"),
    )


def _total_row(label, value, strong: bool = False) -> rx.Component:
    text = rx.text.strong(value) if strong else value
    # Empty cells under the columns phones leave out: a phone puts the label under the description.
    return rx.table.row(secondary_cell(), secondary_cell(),
                        rx.table.row_header_cell(label, text_align="right", font_weight="normal"),
                        rx.table.cell(text, white_space="nowrap", text_align="right"))


def _lines() -> rx.Component:
    i = S.invoice
    return _section("Lines", rx.box(rx.table.root(
        hidden_caption("Invoice lines and totals"),
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Description"),
            secondary_header("Quantity", text_align="right"),
            secondary_header("Unit price", text_align="right"),
            rx.table.column_header_cell("Amount", text_align="right"))),
        rx.table.body(
            rx.foreach(S.lines, _line_row),
            _total_row("Subtotal", i["subtotal"]),
            _total_row("Tax " + i["tax_rate"], i["tax"]),
            _total_row("Total", i["total"], strong=True),
            rx.cond(~S.is_draft, _total_row("Paid", i["paid"])),
            rx.cond(~S.is_draft, _total_row("Outstanding", i["outstanding"], strong=True)),
        ),
        width="100%",
    ), overflow_x="auto", width="100%"))


def _payment_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("#", p["id"]),
        rx.table.cell(p["method"]),
        rx.table.cell(p["amount"], white_space="nowrap"),
        rx.table.cell(p["status"]),
        rx.table.cell(p["started"], white_space="nowrap"),
        rx.table.cell(p["completed"], white_space="nowrap"),
        rx.table.cell(p["by"]),
        rx.table.cell(rx.vstack(
            rx.cond(p["problem"] != "", rx.text("Needs attention: ", p["problem"], size="2", color=rx.color("red", 11),
                                                weight="medium")),
            rx.cond(p["last_error"] != "", rx.text(p["last_error"], size="2", color=MUTED)),
            spacing="1")),
    )


def _attempt_row(a: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("#", a["payment"]),
        rx.table.cell(a["when"], white_space="nowrap"),
        rx.table.cell(rx.badge(a["outcome"], color_scheme=a["color"], variant="soft", high_contrast=True)),
        rx.table.cell(a["source"]),
        rx.table.cell(a["message"]),
    )


def _payments() -> rx.Component:
    return _section(
        "Payments",
        rx.cond(
            S.payments.length() > 0,
            rx.vstack(
                rx.box(rx.table.root(
                    hidden_caption("Payments"),
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                        "Payment", "Method", "Amount", "Status", "Started", "Completed", "By", "Notes")])),
                    rx.table.body(rx.foreach(S.payments, _payment_row)),
                    width="100%",
                ), overflow_x="auto", width="100%"),
                rx.heading("Attempts", size="3", as_="h3"),
                rx.cond(
                    S.attempts.length() > 0,
                    rx.box(rx.table.root(
                        hidden_caption("Payment attempts"),
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                            "Payment", "When", "Outcome", "Reported by", "Message")])),
                        rx.table.body(rx.foreach(S.attempts, _attempt_row)),
                        width="100%",
                    ), overflow_x="auto", width="100%"),
                    rx.text("Stripe has reported nothing yet for these payments.", size="2", color=MUTED),
                ),
                spacing="3", width="100%",
            ),
            rx.text("No payments yet.", size="2", color=MUTED),
        ),
        id="invoice-payments",
    )


def _dialog_buttons(label: str, **props) -> rx.Component:
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
        rx.button(label, type="submit", **props),
        justify="end", spacing="3", width="100%",
    )


def _void_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Void invoice ", S.invoice["number"]),
            rx.dialog.description("A void invoice keeps its number but is no longer owed. Its pay-as-you-go time "
                                  "becomes unbilled again. The reason is kept with the invoice.", size="2",
                                  color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.void_error),
                    labelled("Reason (3 to 300 characters)", "void-reason",
                              rx.text_area(id="void-reason", name="reason", rows="3", max_length=300,
                                           aria_required="true", width="100%")),
                    _dialog_buttons("Void invoice", color_scheme="red", high_contrast=True, id="void-submit"),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.void, reset_on_submit=False, aria_label="Void the invoice",
            ),
        ),
        open=S.void_open,
        on_open_change=S.set_void_open,
    )


def _paid_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Mark ", S.invoice["number"], " paid by bank transfer"),
            rx.dialog.description("For money that reached the bank account without Stripe. The outstanding ",
                                  S.invoice["outstanding"], " is recorded as paid, with your name and the reference.",
                                  size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.paid_error),
                    rx.grid(
                        labelled("Received on", "paid-on", day_picker(
                            "paid-on", "received_on", S.today, key=S.today, max=S.today, width="100%")),
                        labelled("Bank reference (optional)", "paid-reference", rx.input(
                            id="paid-reference", name="reference", max_length=100, width="100%",
                            placeholder="As on the bank statement")),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                    ),
                    _dialog_buttons("Mark paid", id="paid-submit"),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.mark_paid, reset_on_submit=False, aria_label="Mark paid by bank transfer",
            ),
        ),
        open=S.paid_open,
        on_open_change=S.set_paid_open,
    )


@rx.page(route=routes.STAFF_INVOICE, title="Invoice · OpsPortal", on_load=S.load)
def staff_invoice_page() -> rx.Component:
    return app_shell(
        "Invoice",
        rx.link("← Back to billing", href=routes.STAFF_BILLING, size="2"),
        error_callout(S.denied),
        rx.cond(
            S.invoice.contains("id"),
            rx.vstack(
                _header(),
                ok_callout(S.notice, id="invoice-notice"),
                _actions(),
                _lines(),
                _payments(),
                _void_dialog(),
                _paid_dialog(),
                spacing="4", width="100%",
            ),
        ),
    )
