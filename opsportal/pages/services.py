import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, phone_only, secondary_cell, secondary_header
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.services import ServicesState as S

MUTED = rx.color("gray", 11)
SERVICE_CREDITS = routes.CREDITS + "?product=service_credits"


def _request_controls(s: rx.Var) -> rx.Component:
    return rx.cond(
        s["affordable"] == "yes",
        rx.button(rx.icon("send", size=16, aria_hidden="true"), "Request", on_click=S.open_request(s["id"]),
                  aria_label="Request " + s["name"], width="100%", margin_top="auto"),
        rx.vstack(
            rx.text(s["short"], size="2", color=rx.color("red", 11)),
            rx.cond(
                s["buy_url"] != "",
                rx.button(rx.link(rx.icon("shopping-cart", size=16, aria_hidden="true"), s["buy"],
                                  href=s["buy_url"], underline="none", aria_label=s["buy"] + " for " + s["name"]),
                          as_child=True, variant="soft", width="100%"),
                rx.button(rx.icon("shopping-cart", size=16, aria_hidden="true"), s["ask"], variant="soft",
                          on_click=S.ask_for_credits(s["id"]), disabled=S.busy,
                          aria_label=s["ask"] + " for " + s["name"], width="100%"),
            ),
            spacing="2", width="100%", margin_top="auto",
        ),
    )


def _service(s: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(s["name"], size="4", as_="h2"), rx.spacer(),
                      rx.badge(s["category"], variant="soft", high_contrast=True), align="start", width="100%",
                      wrap="wrap"),
            rx.text(s["price"], size="6", weight="bold"),
            rx.text(s["description"], size="2", white_space="pre-line"),
            rx.cond(S.may_request, _request_controls(s)),
            spacing="3", height="100%", width="100%",
        ),
        width="100%",
        class_name="catalog-service",
    )


def _dialog() -> rx.Component:
    c = S.chosen
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Request " + c["name"]),
            rx.dialog.description(
                c["price"] + " of your service credits will be held for the task (in play under " + c["category"]
                + ") and used when it is done. You can cancel the request here until the support team starts on it; "
                  "cancelled, they come back. Available now: " + S.available + "; after this request: " + c["after"]
                + ".",
                size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.request_error),
                    rx.el.label("Notes for the support team (optional)", html_for="service-note",
                                font_size="0.875rem", font_weight="500"),
                    rx.text_area(id="service-note", name="note", rows="4", width="100%", max_length=2000,
                                 placeholder="When suits you, what to look at first…"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Request service", type="submit", id="service-request-submit", loading=S.busy),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.submit_request, reset_on_submit=False, aria_label="Service request",
                key=S.dialog_key.to_string(),
            ),
            max_width="34rem",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _request_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r["service"], size="2"),
                                 phone_only(rx.text(r["credits"], " · ", r["when"], size="1", color=MUTED))),
        secondary_cell(r["category"]),
        secondary_cell(r["credits"], white_space="nowrap", text_align="right"),
        rx.table.cell(rx.badge(r["state"], color_scheme=r["color"], variant="soft", high_contrast=True)),
        secondary_cell(r["when"]),
        rx.table.cell(rx.link(r["task"], href=r["task_url"], aria_label="Task " + r["task"] + ": " + r["service"])),
        rx.cond(S.may_request, rx.table.cell(rx.cond(
            r["may_cancel"] == "yes",
            rx.button("Cancel request", size="1", variant="soft", color_scheme="red", disabled=S.busy,
                      on_click=S.cancel_request(r["id"]),
                      aria_label="Cancel request " + r["task"] + " for " + r["service"] + " and release its credits"),
            rx.text("—", size="2", color=MUTED),
        ))),
    )


@rx.page(route=routes.SERVICES, title="Services · OpsPortal", on_load=S.load)
def services_page() -> rx.Component:
    return app_shell(
        "Services",
        error_callout(S.error),
        ok_callout(S.notice, rx.text(S.notice, " ", rx.cond(S.notice_url != "", rx.link(
            "Open the task", href=S.notice_url, underline="always", high_contrast=True))), id="services-notice"),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.flex(
                    rx.text("Services the support team delivers for service credits. A request opens a task in the "
                            "service's category with its credits held (in play) until it is done.", size="2",
                            color=MUTED, flex="1 1 20rem"),
                    rx.card(rx.vstack(rx.text("Service credits available", size="2", color=MUTED),
                                      rx.text(S.available, size="6", weight="bold", id="services-available"),
                                      rx.link("See them on Hours & Credits", href=SERVICE_CREDITS, size="2",
                                              underline="always"),
                                      spacing="1")),
                    width="100%", gap="1rem", wrap="wrap", align="center",
                ),
                rx.cond(~S.may_request, rx.callout(
                    "You can read the catalog; your organization's owners and administrators request services "
                    "with its service credits.", icon="info", width="100%")),
                rx.grid(rx.foreach(S.services, _service), columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4", width="100%"),
                rx.cond(S.services.length() == 0, rx.text("No services are on offer right now.", size="2",
                                                          color=MUTED)),
                rx.heading("Your organization's requests", size="4", as_="h2", margin_top="1rem"),
                rx.cond(
                    S.total_requests > 0,
                    rx.card(rx.table.root(
                        hidden_caption("Your organization's service requests"),
                        rx.table.header(rx.table.row(
                            rx.table.column_header_cell("Service"), secondary_header("Category"),
                            secondary_header("Credits", text_align="right"), rx.table.column_header_cell("Credits are"),
                            secondary_header("Requested"), rx.table.column_header_cell("Task"),
                            rx.cond(S.may_request, rx.table.column_header_cell("Actions")))),
                        rx.table.body(rx.foreach(S.requests, _request_row)),
                        width="100%",
                    ), width="100%"),
                    rx.text("No requests yet.", size="2", color=MUTED),
                ),
                pager(S),
                _dialog(),
                spacing="4", width="100%",
            ),
        ),
    )
