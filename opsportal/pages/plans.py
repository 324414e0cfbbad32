"""The customer's support plan: coverage now, Gold and add-ons with terms and renewal dates, orders, buying."""

import reflex as rx

from opsportal import routes
from opsportal.components.coverage import coverage_card
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import secondary_cell, secondary_header
from opsportal.components.terms_acceptance import terms_checkbox as accept_terms
from opsportal.state.plans import TERMS
from opsportal.state.plans import PlansState as S

MUTED = rx.color("gray", 11)


def _terms_table(rows, label: str, table_id: str) -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(
            *[rx.table.column_header_cell(h) for h in ("Plan", "Last day", "Renews on")],
            *[secondary_header(h) for h in ("First day", "Region", "Type")])),
        rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
            rx.table.row_header_cell(rx.vstack(rx.text(r["name"], weight="medium"),
                                               rx.cond(r["details"] != "", rx.text(r["details"], size="1",
                                                                                   color=MUTED)),
                                               spacing="0")),
            rx.table.cell(r["last_day"], white_space="nowrap"),
            rx.table.cell(r["renews_on"], white_space="nowrap"),
            secondary_cell(r["start"], white_space="nowrap"),
            secondary_cell(r["scope"]),
            secondary_cell(r["kind"]),
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
            rx.table.header(rx.table.row(secondary_header("Ordered"), *[rx.table.column_header_cell(h) for h in
                                                                        ("What", "Total", "Status", "Invoice")])),
            rx.table.body(rx.foreach(S.orders, lambda r: rx.table.row(
                secondary_cell(r["created"], white_space="nowrap"),
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


def _incident_option(i: rx.Var) -> rx.Component:
    return rx.el.li(rx.vstack(
        rx.hstack(rx.text(i["name"], weight="medium", size="2"),
                  rx.cond(i["available"] != "",
                          rx.badge("Available now", color_scheme="green", variant="soft", high_contrast=True),
                          rx.badge("Not available now", color_scheme="gray", variant="soft", high_contrast=True)),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(i["rate"], size="2"),
        rx.cond(i["available"] != "",
                rx.cond(i["kind"] == "scheduled",
                        rx.text("Windows can be booked through ", i["until"], ", the last day of your Gold Support.",
                                size="1", color=MUTED)),
                rx.text(i["reason"], size="2")),
        rx.cond(i["remedy"] == "open_ticket",
                rx.link("Open a regular ticket", href=routes.NEW_TICKET, size="2")),
        spacing="1", width="100%",
    ), id="incident-option-" + i["kind"], style={"listStyle": "none"})


def _gold_remedy() -> rx.Component:
    """Pay-per-incident support needs Gold: say so and offer Gold right here (one click to its checkout)."""
    gold = S.gold_offer
    return rx.callout.root(
        rx.callout.icon(rx.icon("info", aria_hidden="true")),
        rx.vstack(
            rx.cond(
                S.may_buy,
                rx.cond(
                    gold["orderable"] == "yes",
                    rx.vstack(
                        rx.text(gold["action"], ": ", rx.text.strong(gold["total"]), " in total for ", gold["months"],
                                " months, then request pay-per-incident support once it is paid.", size="2",
                                weight="medium"),
                        terms_checkbox("accept-terms-incident"),
                        rx.button(rx.cond(S.ordering == "incident-gold", rx.spinner(size="2"),
                                          rx.icon("credit-card", size=16, aria_hidden="true")),
                                  rx.cond(S.ordering == "incident-gold", "Opening the payment page…",
                                          gold["action"] + " (" + gold["total"] + ")"),
                                  on_click=S.order("gold", "incident-gold"), disabled=S.ordering != "", size="2",
                                  id="incident-buy-gold"),
                        spacing="2"),
                    rx.text(gold["reason"], " ", rx.link("See Gold Support below.", href="#offer-gold"), size="2"),
                ),
                rx.text("Your organization's owners, administrators and billing contacts can buy Gold Support.",
                        size="2"),
            ),
            rx.cond((S.order_error != "") & (S.order_error_for == "incident-gold"),
                    rx.text(S.order_error, size="2", color=rx.color("red", 11), role="alert")),
            spacing="2", width="100%",
        ),
        color_scheme="amber", high_contrast=True, width="100%", id="incident-needs-gold",
    )


def _incidents() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading("Pay-per-incident support", size="4", as_="h2"), rx.spacer(),
                  rx.cond(S.may_request_incident & S.incident_available,
                          rx.button(rx.link("Request support", href=routes.INCIDENT_REQUEST, underline="none"),
                                    as_child=True, size="2", variant="soft")),
                  width="100%", align="center", wrap="wrap"),
        rx.text("A scheduled after-hours window (upgrades, installations, deployments) or emergency support when "
                "nothing covers you; paid before the work is scheduled.", size="2", color=MUTED),
        rx.el.ul(rx.foreach(S.incident_options, _incident_option), aria_label="Pay-per-incident options",
                 style={"padding": "0", "margin": "0", "display": "grid", "gap": "0.75rem", "width": "100%"}),
        rx.cond(S.incident_needs_gold, _gold_remedy()),
        rx.cond(S.incidents.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(
                *[rx.table.column_header_cell(h) for h in ("Task", "Status")],
                *[secondary_header(h) for h in ("Kind", "Window starts")], rx.table.column_header_cell("Invoice"))),
            rx.table.body(rx.foreach(S.incidents, lambda i: rx.table.row(
                rx.table.row_header_cell(rx.link(i["task"], href=i["task_href"])),
                rx.table.cell(i["status"]),
                secondary_cell(i["kind"]),
                secondary_cell(i["when"], white_space="nowrap"),
                rx.table.cell(rx.link(i["invoice"], href=i["invoice_href"]), " ", i["total"], white_space="nowrap"),
            ))),
            width="100%", aria_label="Pay-per-incident requests",
        ), overflow_x="auto", width="100%", id="incident-requests")),
        spacing="3", width="100%",
    ), width="100%", id="incidents")


_FIELD_LABEL = {"fontSize": "0.85rem", "fontWeight": "500"}


def _term_select(o) -> rx.Component:
    form_id = "offer-" + o["target"]
    return rx.vstack(
        rx.el.label("Term", html_for=form_id + "-months", style=_FIELD_LABEL),
        rx.el.select(*[rx.el.option(f"{t} months", value=t) for t in TERMS], id=form_id + "-months",
                     value=o["months"], on_change=lambda v: S.set_months(o["target"], v),
                     disabled=S.ordering != "",
                     style={"padding": "0.35rem", "borderRadius": "4px", "border": f"1px solid {rx.color('gray', 8)}"}),
        spacing="1",
    )


def _start_input(o) -> rx.Component:
    form_id = "offer-" + o["target"]
    return rx.vstack(
        rx.el.label("First day", html_for=form_id + "-start", style=_FIELD_LABEL),
        rx.input(type="date", id=form_id + "-start", value=o["start"], disabled=S.ordering != "",
                 on_change=lambda v: S.set_start(o["target"], v)),
        spacing="1",
    )


def _regions_input(o) -> rx.Component:
    form_id = "offer-" + o["target"]
    return rx.el.fieldset(
        rx.el.legend("Additional regions", style=_FIELD_LABEL),
        rx.hstack(rx.foreach(S.region_choices, lambda code: rx.el.label(
            rx.el.input(type="checkbox", id=form_id + "-region-" + code,
                        checked=o["regions"].contains("," + code + ","),
                        on_change=lambda checked: S.toggle_region(o["target"], code, checked)),
            " ", code, html_for=form_id + "-region-" + code, style={"marginRight": "0.75rem"})), wrap="wrap"),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _versions_input(o) -> rx.Component:
    form_id = "offer-" + o["target"]
    return rx.vstack(
        rx.el.label("Product versions past end of life (comma separated)", html_for=form_id + "-versions",
                    style=_FIELD_LABEL),
        rx.input(id=form_id + "-versions", default_value=o["versions"], placeholder="e.g. 4.6, 4.7", width="100%",
                 on_blur=lambda v: S.set_versions(o["target"], v)),
        spacing="1", width="100%",
    )


def _quote_line(line: rx.Var, target) -> rx.Component:
    return rx.cond(line["target"] == target, rx.hstack(
        rx.vstack(rx.text(line["name"], size="2"), rx.text(line["term"], size="1", color=MUTED), spacing="0"),
        rx.spacer(), rx.text(line["price"], size="2", white_space="nowrap"), width="100%", align="start"))


def _summary(o) -> rx.Component:
    """What ordering this card buys, line by line with its price and the total; or why it cannot be bought."""
    return rx.cond(
        o["state"] == "blocked",
        rx.callout(o["reason"], icon="ban", color_scheme="gray", size="1", width="100%",
                   id="offer-" + o["target"] + "-reason"),
        rx.vstack(
            rx.cond(o["state"] == "with_gold",
                    rx.callout(o["reason"], icon="info", color_scheme="blue", size="1", width="100%",
                               id="offer-" + o["target"] + "-with-gold")),
            rx.box(rx.vstack(
                rx.foreach(S.offer_lines, lambda line: _quote_line(line, o["target"])),
                rx.cond(o["discount"] != "", rx.hstack(
                    rx.text(o["discount_label"], size="2"), rx.spacer(),
                    rx.text("−", o["discount"], size="2", white_space="nowrap"), width="100%")),
                rx.separator(size="4"),
                rx.cond(o["tax"] != "", rx.vstack(
                    rx.hstack(rx.text("Subtotal", size="2"), rx.spacer(),
                              rx.text(o["subtotal"], size="2", white_space="nowrap"), width="100%"),
                    rx.hstack(rx.text(o["tax_label"], size="2"), rx.spacer(),
                              rx.text(o["tax"], size="2", white_space="nowrap"), width="100%"),
                    spacing="2", width="100%")),
                rx.hstack(rx.text("Total", size="2", weight="bold"), rx.spacer(),
                          rx.text(o["total"], size="2", weight="bold", white_space="nowrap",
                                  id="offer-" + o["target"] + "-total"), width="100%"),
                spacing="2", width="100%",
            ), width="100%", aria_label="Order summary", role="group", id="offer-" + o["target"] + "-summary"),
            rx.cond(o["missing"] != "", rx.text(o["missing"], size="2", color=rx.color("amber", 11))),
            spacing="2", width="100%",
        ),
    )


def _order_button(o) -> rx.Component:
    target = o["target"]
    return rx.cond(o["state"] != "blocked", rx.button(
        rx.cond(S.ordering == target, rx.spinner(size="2"), rx.icon("credit-card", size=16, aria_hidden="true")),
        rx.cond(S.ordering == target, "Opening the payment page…", o["action"]),
        on_click=S.order(target, ""), disabled=(S.ordering != "") | (o["orderable"] == ""), size="2",
        white_space="normal", height="auto", min_height="2rem", padding_y="0.4rem",
    ))


def _offer(o: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(o["name"], size="3", as_="h3"),
                  rx.cond(o["saving"] != "",
                          rx.badge("Save " + o["saving"], color_scheme="green", variant="soft", high_contrast=True),
                          rx.badge(o["kind"], variant="soft", high_contrast=True)),
                  spacing="2", align="center", wrap="wrap"),
        rx.cond(o["bundle"] != "",
                rx.text(rx.text.strong(o["list_price"]), " instead of ", o["separately"],
                        " for the add-ons bought separately.", size="2", id="offer-" + o["target"] + "-price"),
                rx.text(o["list_price"], size="2", weight="medium", id="offer-" + o["target"] + "-price")),
        rx.cond(o["held"] != "", rx.text(o["held"], " A renewal starts the day after.", size="1", color=MUTED)),
        rx.hstack(_term_select(o), _start_input(o), spacing="3", wrap="wrap"),
        rx.cond(o["needs_regions"] != "", _regions_input(o)),
        rx.cond(o["needs_versions"] != "", _versions_input(o)),
        _summary(o),
        rx.cond((S.order_error != "") & (S.order_error_for == o["target"]),
                rx.callout(S.order_error, icon="triangle-alert", color_scheme="red", role="alert", size="1",
                           width="100%")),
        _order_button(o),
        spacing="3", width="100%",
    ), width="100%", id="offer-" + o["target"], role="group", aria_label=o["name"])


def terms_checkbox(box_id: str) -> rx.Component:
    """"I accept the support terms (version N)": every purchase needs it (the order service checks it too)."""
    return accept_terms(S, box_id)


def _buy() -> rx.Component:
    return rx.cond(
        S.may_buy,
        rx.vstack(
            rx.heading("Buy or renew", size="5", as_="h2"),
            rx.text("Add-ons need Gold Support for their whole term; where yours ends first, the renewal is part of "
                    "the same order. You pay by card on the next page; terms are activated once the payment is "
                    "confirmed.", size="2", color=MUTED),
            rx.card(terms_checkbox("accept-terms"), width="100%", id="terms-acceptance"),
            rx.cond(S.cancelled, rx.callout("The payment was cancelled: nothing was charged. The order waits under "
                                            "Orders until you pay its invoice.", icon="info", color_scheme="gray",
                                            width="100%")),
            rx.grid(rx.foreach(S.offers, lambda o: rx.cond(o["bundle"] == "", _offer(o))),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
            rx.cond(S.has_bundles, rx.heading("Bundles", size="4", as_="h3")),
            rx.grid(rx.foreach(S.offers, lambda o: rx.cond(o["bundle"] != "", _offer(o))),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
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
