"""The organization page's billing: the billing details its invoices carry (billing contacts edit them), and the
billing terms for staff administrators: hourly rate, invoice terms, subscriptions."""

import reflex as rx

from opsportal.components.forms import CONTROL_COLORS, day_picker, described_by, field, invalid, labelled
from opsportal.components.layout import error_callout
from opsportal.components.tables import hidden_caption
from opsportal.state.billing_details import BillingDetailsState as D
from opsportal.state.org_billing import OrgBillingState as B

SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%", "font_size": "0.875rem", "height": "2rem"}


def _ok(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="check", color_scheme="green", role="status"))


def _rate_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading("Pay-as-you-go rate", size="4", as_="h2"),
            rx.text("Time no prepaid hours cover is billed at this rate. Now: ", rx.text.strong(B.rate_label),
                    size="2", id="billing-rate"),
            error_callout(B.rate_error),
            _ok(B.rate_message),
            rx.grid(
                labelled("Hourly rate (e.g. 120.00)", "billing-rate-input",
                          rx.input(id="billing-rate-input", name="rate", default_value=B.rate_input,
                                   key=B.rate_input, input_mode="decimal", width="100%")),
                labelled("Currency (ISO code)", "billing-currency",
                          rx.input(id="billing-currency", name="currency", default_value=B.currency, key=B.currency,
                                   max_length=3, width="100%")),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            rx.button("Save rate", type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=B.save_rate, reset_on_submit=False, aria_label="Pay-as-you-go rate",
    ), width="100%")


def _terms_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading("Invoice terms", size="4", as_="h2"),
            rx.text("Applied to invoices issued from now on. Now: ", rx.text.strong(B.terms_label), size="2",
                    id="invoice-terms"),
            error_callout(B.terms_error),
            _ok(B.terms_message),
            rx.grid(
                labelled("Tax rate in per cent (e.g. 20 or 8.25; 0 for none)", "billing-tax-rate",
                          rx.input(id="billing-tax-rate", name="tax_rate", default_value=B.tax_input,
                                   key=B.tax_input, input_mode="decimal", width="100%")),
                labelled("Payment terms in days (0 to 120)", "billing-terms-days",
                          rx.input(id="billing-terms-days", name="payment_terms_days",
                                   default_value=B.terms_days_input, key=B.terms_days_input, input_mode="numeric",
                                   width="100%")),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            rx.button("Save invoice terms", type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=B.save_terms, reset_on_submit=False, aria_label="Invoice terms",
    ), width="100%")


def _subscription_row(s: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.cell(s["name"]), rx.table.cell(s["hours"]), rx.table.cell(s["period"]),
                        rx.table.cell(s["rolls_over"]), rx.table.cell(s["starts"]), rx.table.cell(s["ends"]),
                        rx.table.cell(s["active"]))


def _subscriptions() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Managed-service subscriptions", size="4", as_="h2"),
        rx.cond(
            B.subscriptions.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Subscriptions"),
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    "Plan", "Hours per period", "Period", "Rolls over", "Starts", "Ends", "State")])),
                rx.table.body(rx.foreach(B.subscriptions, _subscription_row)),
                width="100%",
            ), overflow_x="auto", width="100%"),
            rx.text("No subscriptions yet.", size="2"),
        ),
        rx.form(
            rx.vstack(
                rx.heading("Add a subscription", size="3", as_="h3"),
                error_callout(B.sub_error),
                _ok(B.sub_message),
                rx.grid(
                    labelled("Plan name", "sub-name", rx.input(id="sub-name", name="name", width="100%")),
                    labelled("Hours per period (e.g. 10 or 7:30)", "sub-hours",
                              rx.input(id="sub-hours", name="hours", width="100%")),
                    labelled("Period", "sub-period", rx.el.select(
                        rx.el.option("Monthly", value="monthly"), rx.el.option("Quarterly", value="quarterly"),
                        id="sub-period", name="period", style=SELECT_STYLE)),
                    labelled("First day", "sub-starts",
                              day_picker("sub-starts", "starts_on", width="100%")),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                rx.el.label(rx.hstack(rx.checkbox(name="rolls_over_once", id="sub-rolls-over",
                                                  aria_label="Unused hours roll over once"),
                                      rx.text("Unused hours roll over once (usable one more period)", size="2"),
                                      spacing="2", align="center")),
                rx.button("Add subscription", type="submit"),
                spacing="3", width="100%",
            ),
            on_submit=B.add_subscription, reset_on_submit=False, aria_label="Add a subscription", width="100%",
        ),
        spacing="4", width="100%",
    ), width="100%")


def billing_terms_section() -> rx.Component:
    return rx.cond(B.allowed, rx.vstack(_rate_form(), _terms_form(), _subscriptions(), spacing="3", width="100%"))


# --- billing details (bill-to address, tax ID, invoice e-mail) -----------------------------------------------


def _details_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Billing address", "billing-address", rx.text_area(
                id="billing-address", name="address", default_value=D.address, key=D.address, rows="6",
                width="100%", placeholder="Company name, street, city and postcode, country",
                on_change=lambda v: D.recheck("address", v), aria_describedby=described_by("billing-address", True),
                aria_invalid=invalid(D.problems, "address")), D.problems, "address",
                hint="Up to 8 lines, printed under Bill to on every invoice."),
            rx.grid(
                field("Tax ID", "billing-tax-id", rx.input(
                    id="billing-tax-id", name="tax_id", default_value=D.tax_id, key=D.tax_id, width="100%",
                    auto_complete="off", on_change=lambda v: D.recheck("tax_id", v),
                    aria_describedby=described_by("billing-tax-id", True), aria_invalid=invalid(D.problems, "tax_id")),
                    D.problems, "tax_id", hint="VAT, GST or EIN number, e.g. GB123456789; empty for none.",
                    hint_after=True),
                field("Invoice e-mail", "billing-invoice-email", rx.input(
                    id="billing-invoice-email", name="invoice_email", type="email", default_value=D.invoice_email,
                    key=D.invoice_email, width="100%", auto_complete="email",
                    on_change=lambda v: D.recheck("invoice_email", v),
                    aria_describedby=described_by("billing-invoice-email", True),
                    aria_invalid=invalid(D.problems, "invoice_email")),
                    D.problems, "invoice_email",
                    hint="E.g. accounts@example.com; empty: the billing contacts' own addresses.", hint_after=True),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            error_callout(D.error),
            rx.hstack(
                rx.button("Save billing details", type="submit", disabled=D.saving, id="billing-details-save"),
                rx.cond(D.message != "", rx.text(rx.icon("check", size=16, aria_hidden="true", display="inline"),
                                                 " ", D.message, size="2", color=rx.color("green", 11),
                                                 role="status", id="billing-details-message")),
                spacing="3", align="center", wrap="wrap", width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=D.save, reset_on_submit=False, aria_label="Billing details", width="100%",
    )


def _details_read_only() -> rx.Component:
    muted = rx.color("gray", 11)
    return rx.vstack(
        rx.text("Billing address", size="2", weight="medium"),
        rx.cond(D.address_lines.length() > 0,
                rx.vstack(rx.foreach(D.address_lines, lambda line: rx.text(line, size="2")), spacing="0"),
                rx.text("None given: invoices show the organization's name only.", size="2", color=muted)),
        rx.text("Tax ID", size="2", weight="medium"),
        rx.text(rx.cond(D.tax_id != "", D.tax_id, "None"), size="2"),
        rx.text("Invoice e-mail", size="2", weight="medium"),
        rx.text(rx.cond(D.invoice_email != "", D.invoice_email, "The billing contacts' own addresses"), size="2"),
        spacing="1", width="100%",
    )


def billing_details_section() -> rx.Component:
    return rx.cond(D.shown, rx.card(rx.vstack(
        rx.heading("Billing details", size="4", as_="h2", id="billing-details"),
        rx.text("What your invoices show under Bill to, and where they are e-mailed.", size="2",
                color=rx.color("gray", 11)),
        rx.cond(D.may_edit, _details_form(), _details_read_only()),
        spacing="3", width="100%",
    ), width="100%"))
