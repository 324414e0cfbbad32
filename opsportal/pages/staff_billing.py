import reflex as rx

from opsportal import routes
from opsportal.components.forms import CONTROL_COLORS, described_by, field_error, invalid, labelled
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.state.staff_billing import ADMIN_ONLY_ATTENTION, ADMIN_ONLY_RUN, NEW_LINES
from opsportal.state.staff_billing import StaffBillingState as S

MUTED = rx.color("gray", 11)
LINE_COLUMNS = "minmax(0, 4.5fr) minmax(0, 1.8fr) minmax(0, 2fr)"
SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%", "font_size": "0.875rem", "height": "2rem"}


def ok_callout(message, *children, **props) -> rx.Component:
    """A success message, shown while ``message`` is not empty (high contrast: green text on green is too faint)."""
    return rx.cond(message != "", rx.callout(*(children or (message,)), icon="check", color_scheme="green",
                                             high_contrast=True, role="status", width="100%", **props))


def _ok(message) -> rx.Component:
    return ok_callout(message)


def status_badge(label, color) -> rx.Component:
    return rx.badge(label, color_scheme=color, variant="soft", high_contrast=True)


def _run_progress() -> rx.Component:
    """The billing run going on (here or anywhere): a labelled progress bar with the count in words."""
    return rx.cond(S.run_active, rx.vstack(
        rx.text(S.run_progress, size="2", weight="medium", id="run-progress-label"),
        rx.el.div(
            rx.el.div(width=S.run_percent.to_string() + "%", height="100%", background=rx.color("accent", 9),
                      border_radius="4px", transition="width 0.2s"),
            role="progressbar", id="run-progress", aria_labelledby="run-progress-label", aria_valuemin="0",
            aria_valuemax=S.run_total.to_string(), aria_valuenow=S.run_done.to_string(),
            aria_valuetext=S.run_progress, width="100%", max_width="28rem", height="0.6rem",
            background=rx.color("gray", 4), border_radius="4px", overflow="hidden",
        ),
        rx.text(S.run_started, " It goes on if you close this page.", size="1", color=MUTED, id="run-started"),
        spacing="1", width="100%",
    ))


def _run_card() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading("Run billing", size="4", as_="h2"),
            rx.text("Bills every organization's unbilled pay-as-you-go time of a finished month, one invoice per "
                    "organization. Running a month again bills only time logged since.", size="2", color=MUTED),
            rx.hstack(
                rx.vstack(
                    rx.el.label("Month", html_for="run-period", font_size="0.875rem", font_weight="500"),
                    rx.input(id="run-period", name="period", type="month", default_value=S.run_period,
                             key=S.run_max, max=S.run_max, width="12rem"),
                    spacing="1"),
                rx.button(rx.icon("receipt", size=16, aria_hidden="true"),
                          rx.cond(S.run_mine, "Billing…", "Run billing"), type="submit",
                          disabled=~S.is_admin | S.run_mine, id="run-billing",
                          aria_describedby=rx.cond(S.is_admin, "", "run-billing-why")),
                align="end", spacing="3", wrap="wrap",
            ),
            rx.cond(~S.is_admin, rx.text(ADMIN_ONLY_RUN, size="2", color=MUTED, id="run-billing-why")),
            _run_progress(),
            error_callout(S.run_error),
            _ok(S.run_summary),
            spacing="3", width="100%",
        ),
        on_submit=S.run_billing, reset_on_submit=False, aria_label="Run billing",
    ), width="100%")


def _invoice_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["number"], href=r["href"]), white_space="nowrap"),
        secondary_cell(r["organization"]),
        secondary_cell(r["kind"]),
        secondary_cell(r["period"], white_space="nowrap"),
        secondary_cell(r["issued"], white_space="nowrap"),
        secondary_cell(r["due"], white_space="nowrap"),
        secondary_cell(r["total"], white_space="nowrap", text_align="right"),
        rx.table.cell(r["outstanding"], white_space="nowrap", text_align="right"),
        rx.table.cell(status_badge(r["status_label"], r["color"])),
    )


def _invoices_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading("Invoices", size="4", as_="h2"),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16, aria_hidden="true"), "New pre-service invoice", on_click=S.open_new,
                      id="new-invoice"),
            align="center", width="100%", wrap="wrap",
        ),
        rx.text("Outstanding: ", rx.text.strong(S.outstanding), " · overdue: ", rx.text.strong(S.overdue),
                size="2", id="billing-totals"),
        rx.grid(
            labelled("Search", "invoice-search", rx.input(
                id="invoice-search", placeholder="Invoice number or organization", value=S.search,
                on_change=S.set_search.debounce(300), width="100%")),
            labelled("Status", "invoice-status", rx.el.select(
                rx.foreach(S.statuses, lambda s: rx.el.option(s["label"], value=s["value"])),
                id="invoice-status", value=S.status, on_change=S.set_status, style=SELECT_STYLE)),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%", max_width="40rem",
        ),
        error_callout(S.list_error),
        rx.text(S.total_label, size="2", id="invoice-total", aria_live="polite"),
        rx.box(rx.table.root(
            hidden_caption("Invoices of every organization"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Number"),
                *[secondary_header(h) for h in ("Organization", "Kind", "Period", "Issued", "Due")],
                secondary_header("Total", text_align="right"),
                rx.table.column_header_cell("Outstanding", text_align="right"),
                rx.table.column_header_cell("Status"))),
            rx.table.body(rx.foreach(S.rows, _invoice_row)),
            width="100%",
        ), overflow_x="auto", width="100%"),
        rx.cond(S.total == 0, rx.text("No invoices match these filters.", size="2", color=MUTED)),
        pager(S),
        spacing="3", width="100%",
    ), width="100%")


def _attention_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("#", p["id"]),
        rx.table.cell(rx.cond(p["invoice_href"] != "", rx.link(p["description"], href=p["invoice_href"]),
                              rx.text(p["description"]))),
        rx.table.cell(p["amount"], white_space="nowrap"),
        rx.table.cell(p["status"]),
        rx.table.cell(p["when"], white_space="nowrap"),
        rx.table.cell(p["problem"]),
    )


def _attention_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Payments needing attention", size="4", as_="h2"),
        rx.cond(
            S.is_admin,
            rx.cond(
                S.attention.length() > 0,
                rx.vstack(
                    rx.text("Stripe confirmed these payments but they could not be applied as asked (the invoice "
                            "was paid another way, voided, or the amount differs): refund them in Stripe or settle "
                            "them with the customer.", size="2", color=MUTED),
                    rx.box(rx.table.root(
                        hidden_caption("Payments needing attention"),
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                            "Payment", "For", "Amount", "Status", "When", "Problem")])),
                        rx.table.body(rx.foreach(S.attention, _attention_row)),
                        width="100%",
                    ), overflow_x="auto", width="100%"),
                    spacing="3", width="100%",
                ),
                rx.text("Nothing needs attention: every confirmed payment was applied.", size="2", color=MUTED,
                        id="attention-none"),
            ),
            rx.text(ADMIN_ONLY_ATTENTION, size="2", color=MUTED),
        ),
        spacing="3", width="100%",
    ), width="100%", id="payments-attention")


def _line(n: int) -> rx.Component:
    desc, qty, price = f"desc_{n}", f"qty_{n}", f"price_{n}"
    desc_id, qty_id, price_id = f"line-desc-{n}", f"line-qty-{n}", f"line-price-{n}"
    p = S.new_problems
    return rx.grid(
        rx.vstack(
            rx.input(id=desc_id, name=desc, placeholder="Description", width="100%", max_length=300,
                     aria_label=f"Line {n} description", aria_describedby=desc_id + "-error",
                     aria_invalid=invalid(p, desc)),
            field_error(p, desc, desc_id), spacing="1", width="100%"),
        rx.vstack(
            rx.input(id=qty_id, name=qty, placeholder="Qty", input_mode="numeric", width="100%",
                     aria_label=f"Line {n} quantity", aria_describedby=qty_id + "-error",
                     aria_invalid=invalid(p, qty)),
            field_error(p, qty, qty_id), spacing="1", width="100%"),
        rx.vstack(
            rx.input(id=price_id, name=price, placeholder="120.00", input_mode="decimal", width="100%",
                     aria_label=f"Line {n} unit price", aria_describedby=price_id + "-error",
                     aria_invalid=invalid(p, price)),
            field_error(p, price, price_id), spacing="1", width="100%"),
        columns=LINE_COLUMNS, spacing="2", width="100%",
    )


def _new_dialog() -> rx.Component:
    p = S.new_problems
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New pre-service invoice"),
            rx.dialog.description("Work billed up front is scheduled once the invoice is paid. The invoice uses the "
                                  "organization's currency, tax rate and payment terms.", size="2", color=MUTED),
            rx.vstack(
                error_callout(S.new_error),
                rx.grid(
                    labelled("Find organization", "new-org-search", rx.input(
                        id="new-org-search", placeholder="Organization name", value=S.org_query,
                        on_change=S.set_org_query.debounce(300), width="100%")),
                    rx.vstack(
                        rx.el.label("Organization", html_for="new-org", font_size="0.875rem", font_weight="500"),
                        rx.el.select(
                            rx.el.option("Choose an organization", value=""),
                            rx.foreach(S.org_options, lambda o: rx.el.option(o["name"], value=o["id"])),
                            id="new-org", value=S.new_org, on_change=S.set_new_org, style=SELECT_STYLE,
                            aria_required="true", aria_describedby=described_by("new-org"),
                            aria_invalid=invalid(p, "org")),
                        field_error(p, "org", "new-org"),
                        spacing="1", width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                rx.cond(S.new_org_terms != "", rx.text(S.new_org_terms, size="2", color=MUTED, id="new-org-terms")),
                rx.form(
                    rx.vstack(
                        rx.vstack(
                            rx.el.label("Memo (shown on the invoice)", html_for="new-memo", font_size="0.875rem",
                                        font_weight="500"),
                            rx.input(id="new-memo", name="memo", max_length=500, width="100%",
                                     placeholder="e.g. Emergency after-hours call-out, Saturday",
                                     aria_describedby=described_by("new-memo"), aria_invalid=invalid(p, "memo")),
                            field_error(p, "memo", "new-memo"),
                            spacing="1", width="100%",
                        ),
                        rx.el.fieldset(
                            rx.el.legend("Lines (up to 5; leave the ones you do not need empty)",
                                         font_size="0.875rem", font_weight="500", margin_bottom="0.25rem"),
                            rx.grid(
                                rx.text("Description", size="1", color=MUTED),
                                rx.text("Quantity", size="1", color=MUTED),
                                rx.text("Unit price (e.g. 120.00)", size="1", color=MUTED),
                                columns=LINE_COLUMNS, spacing="2",
                                width="100%", aria_hidden="true",
                            ),
                            rx.vstack(*[_line(n) for n in range(1, NEW_LINES + 1)], spacing="1", width="100%"),
                            field_error(p, "lines", "new-lines"),
                            border="none", padding="0", margin="0", width="100%",
                        ),
                        rx.radio_group.root(
                            rx.hstack(
                                rx.el.label(rx.hstack(rx.radio_group.item(value="issue", id="new-issue-now"),
                                                      rx.text("Issue now (numbered and sent to the customer)",
                                                              size="2"), spacing="2", align="center")),
                                rx.el.label(rx.hstack(rx.radio_group.item(value="draft", id="new-issue-draft"),
                                                      rx.text("Save as draft", size="2"), spacing="2",
                                                      align="center")),
                                spacing="5", wrap="wrap",
                            ),
                            value=S.new_issue, on_change=S.set_new_issue, aria_label="Issue now or save as draft",
                        ),
                        rx.hstack(
                            rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                            rx.button(rx.cond(S.new_issue == "draft", "Save draft", "Issue invoice"), type="submit",
                                      id="new-invoice-submit"),
                            justify="end", spacing="3", width="100%",
                        ),
                        spacing="4", width="100%",
                    ),
                    on_submit=S.create_invoice, reset_on_submit=False, aria_label="New pre-service invoice",
                    key=S.new_form_key.to_string(), width="100%",
                ),
                spacing="3", width="100%", margin_top="1rem",
            ),
            max_width="46rem",
        ),
        open=S.new_open,
        on_open_change=S.set_new_open,
    )


@rx.page(route=routes.STAFF_BILLING, title="Billing · OpsPortal", on_load=S.load)
def staff_billing_page() -> rx.Component:
    return app_shell(
        "Billing",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                ok_callout(S.notice, rx.hstack(
                    rx.text(S.notice),
                    rx.link(S.notice_link, href=S.notice_href, color="inherit", weight="medium", underline="always"),
                    spacing="2", wrap="wrap"), id="billing-notice"),
                _run_card(),
                _invoices_card(),
                _attention_card(),
                _new_dialog(),
                spacing="4", width="100%",
            ),
        ),
    )
