import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.layout import app_shell, error_callout, pager, stat_card
from opsportal.components.tables import secondary_cell, secondary_header, wide
from opsportal.state.invoices import InvoicesState

MUTED = rx.color("gray", 11)
TABS = (("all", "All"), ("pending", "Pending"), ("overdue", "Overdue"), ("paid", "Paid"))


def invoice_status_badge(status, label, **props) -> rx.Component:
    """Paid, pending or overdue: a word and an icon, never the colour alone (high-contrast text, WCAG AA)."""

    def badge(icon: str, color: str) -> rx.Component:
        return rx.badge(rx.icon(icon, size=14, aria_hidden="true"), label, color_scheme=color, variant="soft",
                        high_contrast=True, **props)

    return rx.match(
        status,
        ("paid", badge("circle-check", "green")),
        ("pending", badge("clock", "amber")),
        ("overdue", badge("circle-alert", "red")),
        badge("file", "gray"),
    )


def members_notice(message) -> rx.Component:
    """What a member sees instead of billing data."""
    return rx.callout(message, icon="lock", color_scheme="gray", variant="surface", width="100%",
                      id="billing-refused")


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(r["number"], href=r["href"], weight="medium"), white_space="nowrap"),
        secondary_cell(r["kind"]),
        secondary_cell(r["issued"], white_space="nowrap"),
        secondary_cell(r["due"], white_space="nowrap"),
        secondary_cell(r["total"], white_space="nowrap", text_align="right"),
        rx.table.cell(r["outstanding"], white_space="nowrap", text_align="right"),
        rx.table.cell(invoice_status_badge(r["status"], r["status_label"])),
    )


def _empty() -> rx.Component:
    return rx.vstack(
        rx.text(rx.cond(InvoicesState.filtered, "No invoices match.", "You have no invoices yet."), size="2",
                color=MUTED),
        rx.cond(InvoicesState.filtered, rx.button("Clear filters", variant="soft",
                                                  on_click=InvoicesState.clear_filters)),
        spacing="2",
        padding_y="1rem",
    )


def _header_cell(label: str, right: bool = False, phone: bool = True) -> rx.Component:
    header = rx.table.column_header_cell if phone else secondary_header
    return header(label, text_align="right" if right else "left", white_space="nowrap")


def _listing() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(
                rx.el.label("Search by invoice number", html_for="invoice-search", font_size="0.875rem",
                            font_weight="500"),
                rx.input(id="invoice-search", placeholder="e.g. INV-2026-00012", value=InvoicesState.search,
                         on_change=InvoicesState.set_search.debounce(300), type="search", width="100%",
                         max_length=60),
                width="100%",
                max_width="22rem",
            ),
            rx.spacer(),
            backend_link(rx.icon("download", size=16, aria_hidden="true"), "Download CSV",
                         path=InvoicesState.csv_url, id="invoices-csv", download=True, size="2",
                         display="inline-flex", align_items="center", gap="0.35rem"),
            width="100%",
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        rx.text(InvoicesState.total, rx.cond(InvoicesState.total == 1, " invoice", " invoices"), size="2",
                color=MUTED, aria_live="polite"),
        rx.cond(
            InvoicesState.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(
                    _header_cell("Invoice"), _header_cell("Type", phone=False), _header_cell("Issued", phone=False),
                    _header_cell("Due", phone=False), _header_cell("Total", right=True, phone=False),
                    _header_cell("Outstanding", right=True),
                    _header_cell("Status"))),
                rx.table.body(rx.foreach(InvoicesState.rows, _row)),
                width="100%",
                min_width=wide("46rem"),
                aria_label="Invoices",
            ), overflow_x="auto", width="100%"),
            _empty(),
        ),
        pager(InvoicesState),
        spacing="3",
        width="100%",
        padding_top="1rem",
    )


def _summary() -> rx.Component:
    return rx.grid(
        stat_card("Total outstanding", rx.text(InvoicesState.outstanding, id="invoices-outstanding", as_="span"),
                  "Open invoices, due or not"),
        stat_card("Overdue", rx.text(InvoicesState.overdue, id="invoices-overdue", as_="span"),
                  InvoicesState.overdue_hint),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
        max_width="40rem",
    )


@rx.page(route=routes.INVOICES, title="My Invoices · OpsPortal", on_load=InvoicesState.load)
def invoices_page() -> rx.Component:
    return app_shell(
        "My Invoices",
        rx.cond(
            InvoicesState.refused != "",
            members_notice(InvoicesState.refused),
            rx.vstack(
                rx.text("Your organization's invoices: pay what is open, download receipts and statements.",
                        size="2", color=MUTED),
                error_callout(InvoicesState.error),
                _summary(),
                rx.tabs.root(
                    rx.tabs.list(*[rx.tabs.trigger(label, value=value) for value, label in TABS],
                                 aria_label="Invoice status"),
                    *[rx.tabs.content(_listing(), value=value) for value, _label in TABS],
                    value=InvoicesState.status,
                    on_change=InvoicesState.set_status,
                    width="100%",
                ),
                spacing="5",
                width="100%",
            ),
        ),
    )
