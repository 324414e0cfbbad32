"""The customer's support plan: coverage now, Gold and add-ons with terms and renewal dates, orders, buying."""

import reflex as rx

from opsportal import routes
from opsportal.components.coverage import coverage_card
from opsportal.components.layout import app_shell, error_callout
from opsportal.state.plans import TERMS
from opsportal.state.plans import PlansState as S

MUTED = rx.color("gray", 11)


def _terms_table(rows, label: str, table_id: str) -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(
            *[rx.table.column_header_cell(h) for h in ("Plan", "Type", "Region", "First day", "Last day",
                                                          "Renews on")])),
        rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
            rx.table.row_header_cell(rx.vstack(rx.text(r["name"], weight="medium"),
                                               rx.cond(r["details"] != "", rx.text(r["details"], size="1",
                                                                                   color=MUTED)),
                                               spacing="0")),
            rx.table.cell(r["kind"]),
            rx.table.cell(r["scope"]),
            rx.table.cell(r["start"], white_space="nowrap"),
            rx.table.cell(r["last_day"], white_space="nowrap"),
            rx.table.cell(r["renews_on"], white_space="nowrap"),
        ))),
        width="100%", aria_label=label, id=table_id,
    ), overflow_x="auto", width="100%")


def _plan() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Your plan", size="4", as_="h2"),
        rx.text("Home region: ", rx.text.strong(S.home_region),
                rx.cond(S.extra_regions != "", rx.fragment(" · other regions: ", S.extra_regions)),
                " · today there: ", S.today, size="2"),
        rx.cond(S.gold != "", rx.text(S.gold, size="2", id="gold-term"),
                rx.callout("No Gold Support in force: every add-on needs it. Buy Gold Support below.",
                           icon="info", color_scheme="amber", size="1", width="100%")),
        rx.cond(S.current.length() > 0, _terms_table(S.current, "Plan terms in force", "current-terms"),
                rx.text("Nothing in force today.", size="2", color=MUTED)),
        rx.cond(S.upcoming.length() > 0, rx.vstack(
            rx.heading("Starting later", size="3", as_="h3"),
            _terms_table(S.upcoming, "Plan terms starting later", "upcoming-terms"), width="100%")),
        rx.cond(S.ended.length() > 0, rx.vstack(
            rx.heading("Ended", size="3", as_="h3"),
            _terms_table(S.ended, "Plan terms that ended", "ended-terms"), width="100%")),
        spacing="3", width="100%",
    ), width="100%", id="plan")


def _orders() -> rx.Component:
    return rx.cond(S.orders.length() > 0, rx.card(rx.vstack(
        rx.heading("Orders", size="4", as_="h2"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("Ordered", "What", "Total", "Status", "Invoice")])),
            rx.table.body(rx.foreach(S.orders, lambda r: rx.table.row(
                rx.table.cell(r["created"], white_space="nowrap"),
                rx.table.row_header_cell(rx.vstack(rx.text(r["summary"]), rx.cond(
                    r["problem"] != "", rx.text(r["problem"], size="1", color=rx.color("red", 11))), spacing="0")),
                rx.table.cell(r["total"], white_space="nowrap"),
                rx.table.cell(rx.badge(r["status"], color_scheme=r["color"].to(str), variant="soft",
                                       high_contrast=True)),
                rx.table.cell(rx.link(rx.cond(r["pay"] != "", "Pay " + r["invoice"], r["invoice"]),
                                      href=r["href"]), white_space="nowrap"),
            ))),
            width="100%", aria_label="Plan orders", id="plan-orders",
        ), overflow_x="auto", width="100%"),
        rx.text("A term is activated once its invoice is paid.", size="1", color=MUTED),
        spacing="3", width="100%",
    ), width="100%"))


def _incidents() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading("Pay-per-incident support", size="4", as_="h2"), rx.spacer(),
                  rx.cond(S.may_request_incident, rx.button(rx.link("Request support", href=routes.INCIDENT_REQUEST,
                                                                    underline="none"), as_child=True, size="2",
                                                            variant="soft")),
                  width="100%", align="center", wrap="wrap"),
        rx.text("A scheduled after-hours window (upgrades, installations, deployments) or emergency support when "
                "nothing covers you; paid before the work is scheduled.", size="2", color=MUTED),
        rx.cond(S.incidents.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("Task", "Kind", "Window starts", "Status", "Invoice")])),
            rx.table.body(rx.foreach(S.incidents, lambda i: rx.table.row(
                rx.table.row_header_cell(rx.link(i["task"], href=i["task_href"])),
                rx.table.cell(i["kind"]),
                rx.table.cell(i["when"], white_space="nowrap"),
                rx.table.cell(i["status"]),
                rx.table.cell(rx.link(i["invoice"], href=i["invoice_href"]), " ", i["total"], white_space="nowrap"),
            ))),
            width="100%", aria_label="Pay-per-incident requests",
        ), overflow_x="auto", width="100%", id="incident-requests")),
        spacing="3", width="100%",
    ), width="100%")


def _term_select(form_id) -> rx.Component:
    return rx.vstack(
        rx.el.label("Term", html_for=form_id + "-months", style={"fontSize": "0.85rem", "fontWeight": "500"}),
        rx.el.select(*[rx.el.option(f"{t} months", value=t) for t in TERMS], name="months", id=form_id + "-months",
                     default_value="12", style={"padding": "0.35rem", "borderRadius": "4px",
                                                "border": f"1px solid {rx.color('gray', 8)}"}),
        spacing="1",
    )


def _start_input(form_id, value) -> rx.Component:
    return rx.vstack(
        rx.el.label("First day", html_for=form_id + "-start", style={"fontSize": "0.85rem", "fontWeight": "500"}),
        rx.input(type="date", name="start", id=form_id + "-start", default_value=value),
        spacing="1",
    )


def _regions_input(form_id) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Additional regions", style={"fontSize": "0.85rem", "fontWeight": "500"}),
        rx.hstack(rx.foreach(S.region_choices, lambda code: rx.el.label(
            rx.el.input(type="checkbox", name="region_" + code, id=form_id + "-region-" + code),
            " ", code, html_for=form_id + "-region-" + code, style={"marginRight": "0.75rem"})), wrap="wrap"),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _versions_input(form_id) -> rx.Component:
    return rx.vstack(
        rx.el.label("Product versions past end of life (comma separated)", html_for=form_id + "-versions",
                    style={"fontSize": "0.85rem", "fontWeight": "500"}),
        rx.input(name="versions", id=form_id + "-versions", placeholder="e.g. 4.6, 4.7", width="100%"),
        spacing="1", width="100%",
    )


def _order_button(code, label) -> rx.Component:
    return rx.button(
        rx.cond(S.ordering == code, rx.spinner(size="2"), rx.icon("credit-card", size=16, aria_hidden="true")),
        rx.cond(S.ordering == code, "Opening the payment page…", label),
        type="submit", disabled=S.ordering != "", size="2",
    )


def _offer(o: rx.Var) -> rx.Component:
    form_id = "offer-" + o["code"]
    return rx.card(rx.form(rx.vstack(
        rx.hstack(rx.heading(o["name"], size="3", as_="h3"), rx.badge(o["kind"], variant="soft", high_contrast=True),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(o["price"], size="2", weight="medium"),
        rx.cond(o["with_tax"] != "", rx.text(o["with_tax"], size="1", color=MUTED)),
        rx.cond(o["action"] == "Renew", rx.text("You hold it: a renewal starts on ", o["start_text"], ".", size="1",
                                                color=MUTED)),
        rx.el.input(type="hidden", name="code", value=o["code"]),
        rx.hstack(_term_select(form_id), _start_input(form_id, o["start"]), spacing="3", wrap="wrap"),
        rx.cond(o["needs"] == "regions", _regions_input(form_id)),
        rx.cond(o["needs"] == "versions", _versions_input(form_id)),
        rx.cond((S.order_error != "") & (S.order_error_for == o["code"]),
                rx.callout(S.order_error, icon="triangle-alert", color_scheme="red", role="alert", size="1",
                           width="100%")),
        _order_button(o["code"], o["action"] + " " + o["name"]),
        spacing="3", width="100%",
    ), on_submit=S.order, reset_on_submit=False, aria_label=o["action"] + " " + o["name"]),
        width="100%", id=form_id)


def _bundle(b: rx.Var) -> rx.Component:
    form_id = "bundle-" + b["code"]
    return rx.card(rx.form(rx.vstack(
        rx.hstack(rx.heading(b["name"], size="3", as_="h3"),
                  rx.badge("Save " + b["discount"], color_scheme="green", variant="soft", high_contrast=True),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(b["addons"], size="2"),
        rx.text("Bought together with the same first day and term, at ", b["discount"], " off.", size="1",
                color=MUTED),
        rx.el.input(type="hidden", name="bundle", value=b["code"]),
        rx.hstack(_term_select(form_id), _start_input(form_id, b["start"]), spacing="3", wrap="wrap"),
        rx.cond(b["needs_regions"] != "", _regions_input(form_id)),
        rx.cond(b["needs_versions"] != "", _versions_input(form_id)),
        rx.cond((S.order_error != "") & (S.order_error_for == b["code"]),
                rx.callout(S.order_error, icon="triangle-alert", color_scheme="red", role="alert", size="1",
                           width="100%")),
        _order_button(b["code"], "Buy this bundle"),
        spacing="3", width="100%",
    ), on_submit=S.order, reset_on_submit=False, aria_label="Buy the " + b["name"] + " bundle"),
        width="100%", id=form_id)


def _buy() -> rx.Component:
    return rx.cond(
        S.may_buy,
        rx.vstack(
            rx.heading("Buy or renew", size="5", as_="h2"),
            rx.text("Add-ons need Gold Support for their whole term. You pay by card on the next page; the term is "
                    "activated once the payment is confirmed.", size="2", color=MUTED),
            rx.cond(S.cancelled, rx.callout("The payment was cancelled: nothing was charged. The order waits under "
                                            "Orders until you pay its invoice.", icon="info", color_scheme="gray",
                                            width="100%")),
            rx.grid(rx.foreach(S.offers, _offer), columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                    width="100%"),
            rx.cond(S.bundles.length() > 0, rx.heading("Bundles", size="4", as_="h3")),
            rx.grid(rx.foreach(S.bundles, _bundle), columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                    width="100%"),
            spacing="3", width="100%", id="offers",
        ),
        rx.callout("Support plans are bought by the organization's owners, administrators and billing contacts.",
                   icon="info", color_scheme="gray", width="100%", id="plans-read-only"),
    )


@rx.page(route=routes.PLANS, title="Support plan · OpsPortal", on_load=S.load)
def plans_page() -> rx.Component:
    return app_shell(
        "Support plan",
        error_callout(S.error),
        rx.cond(S.loaded, rx.vstack(
            coverage_card(S.coverage, S.coverage_regions, plan_link=False),
            _plan(),
            _orders(),
            _incidents(),
            _buy(),
            spacing="5", width="100%",
        )),
    )
