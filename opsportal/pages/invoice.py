import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import secondary_cell, secondary_header, wide
from opsportal.pages.invoices import invoice_status_badge, members_notice
from opsportal.state.invoice import InvoiceState

MUTED = rx.color("gray", 11)


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _fact(label: str, value, **props) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value, **props))


def _pay_button() -> rx.Component:
    return rx.button(
        rx.icon("credit-card", size=16, aria_hidden="true"),
        InvoiceState.pay_label,
        on_click=InvoiceState.pay,
        loading=InvoiceState.paying,
        disabled=InvoiceState.paying,
        size="3",
        id="pay-invoice",
    )


def _header() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                invoice_status_badge(InvoiceState.status, InvoiceState.status_label, size="3", id="invoice-status"),
                rx.text(InvoiceState.summary, size="3", weight="medium", id="invoice-summary"),
                rx.spacer(),
                backend_link(rx.icon("file-down", size=16, aria_hidden="true"), "Download PDF",
                             path=InvoiceState.pdf_url, id="invoice-pdf", download=True, size="2",
                             display="inline-flex", align_items="center", gap="0.35rem"),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.data_list.root(
                _fact("Organization", InvoiceState.organization),
                _fact("Type", InvoiceState.kind),
                rx.cond(InvoiceState.period != "", _fact("Billing period", InvoiceState.period)),
                _fact("Issued", InvoiceState.issued),
                _fact("Due", InvoiceState.due, id="invoice-due"),
                rx.cond(InvoiceState.paid_on != "", _fact("Paid", InvoiceState.paid_on)),
                rx.cond(InvoiceState.memo != "", _fact("Memo", InvoiceState.memo)),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.cond(
                InvoiceState.may_pay,
                rx.hstack(
                    _pay_button(),
                    rx.text("You pay by card on Stripe's secure checkout page and come back here.", size="2",
                            color=MUTED),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                    padding_top="0.5rem",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _line_row(line: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line["description"]),
        secondary_cell(line["quantity"], white_space="nowrap", text_align="right"),
        secondary_cell(line["unit_price"], white_space="nowrap", text_align="right"),
        rx.table.cell(line["amount"], white_space="nowrap", text_align="right"),
    )


def _total_row(label, value, strong: bool = False, **props) -> rx.Component:
    weight = "bold" if strong else "regular"
    return rx.table.row(
        # Empty cells under the columns phones leave out: a phone puts the label under the description.
        secondary_cell(), secondary_cell(),
        rx.table.row_header_cell(label, text_align="right", font_weight=weight),
        rx.table.cell(value, white_space="nowrap", text_align="right", font_weight=weight, **props),
    )


def _lines() -> rx.Component:
    t = InvoiceState.totals
    return _section(
        "Lines",
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Description"),
                secondary_header("Quantity", text_align="right"),
                secondary_header("Unit price", text_align="right"),
                rx.table.column_header_cell("Amount", text_align="right"),
            )),
            rx.table.body(
                rx.foreach(InvoiceState.lines, _line_row),
                _total_row("Subtotal", t["subtotal"]),
                _total_row(rx.text("Tax (", t["tax_rate"], ")", as_="span"), t["tax"]),
                _total_row("Total", t["total"], strong=True, id="invoice-total"),
                _total_row("Amount paid", t["paid"], id="invoice-paid"),
                _total_row("Outstanding", t["outstanding"], strong=True, id="invoice-outstanding"),
            ),
            width="100%",
            min_width=wide("40rem"),
            aria_label="Invoice lines and totals",
        ), overflow_x="auto", width="100%", tab_index=0, role="region", aria_label="Invoice lines table"),
        id="invoice-lines",
    )


def _payment_row(p: rx.Var) -> rx.Component:
    first = p["kind"] == "payment"
    return rx.table.row(
        rx.table.cell(p["when"], white_space="nowrap"),
        rx.table.cell(rx.text(p["what"], weight=rx.cond(first, "medium", "regular"), size="2"),
                      padding_left=rx.cond(first, "0.75rem", "1.75rem")),
        rx.table.cell(rx.badge(p["status"], color_scheme=p["color"], variant="soft", high_contrast=True)),
        rx.table.cell(p["amount"], white_space="nowrap", text_align="right"),
        secondary_cell(p["by"]),
        border_top=rx.cond(first, f"2px solid {rx.color('gray', 6)}", "none"),
    )


def _payments() -> rx.Component:
    return _section(
        "Payment history",
        rx.cond(
            InvoiceState.payments.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, text_align=a) for h, a in (
                    ("When", "left"), ("What happened", "left"), ("Status", "left"), ("Amount", "right"))],
                    secondary_header("By"))),
                rx.table.body(rx.foreach(InvoiceState.payments, _payment_row)),
                width="100%",
                min_width=wide("44rem"),
                aria_label="Payment history",
            ), overflow_x="auto", width="100%", tab_index=0, role="region", aria_label="Payment history table"),
            rx.text("No payments yet.", size="2", color=MUTED),
        ),
        rx.cond(InvoiceState.payment_open,
                rx.text("A card checkout of this invoice is still open: this page updates by itself when Stripe "
                        "confirms a payment.", size="1", color=MUTED)),
        id="invoice-payments",
    )


@rx.page(route=routes.INVOICE, title="Invoice · OpsPortal", on_load=InvoiceState.load)
def invoice_page() -> rx.Component:
    return app_shell(
        InvoiceState.heading,
        rx.link(rx.icon("arrow-left", size=16, aria_hidden="true"), "All invoices", href=routes.INVOICES, size="2",
                display="inline-flex", align_items="center", gap="0.35rem"),
        rx.cond(
            InvoiceState.cancelled,
            rx.callout("Payment cancelled — nothing was charged.", icon="info", color_scheme="blue", width="100%",
                       role="status", id="checkout-cancelled"),
        ),
        error_callout(InvoiceState.pay_error),
        rx.cond(
            InvoiceState.refused != "",
            members_notice(InvoiceState.refused),
            rx.cond(
                InvoiceState.error != "",
                error_callout(InvoiceState.error),
                rx.cond(InvoiceState.number != "",
                        rx.vstack(_header(), _lines(), _payments(), spacing="4", width="100%")),
            ),
        ),
    )
