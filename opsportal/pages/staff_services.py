import reflex as rx

from opsportal import routes
from opsportal.components.catalog_editor import SELECT_STYLE, catalog_editor, editor_aria, editor_field
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import (
    hidden_caption,
    phone_only,
    row_menu,
    secondary_cell,
    secondary_header,
    wide_only,
)
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.staff_services import StaffServicesState as S

MUTED = rx.color("gray", 11)


def _row(s: rx.Var) -> rx.Component:
    on_offer = s["active"] == "yes"
    toggle = rx.cond(on_offer, "Retire", "Offer again")
    return rx.table.row(
        rx.table.row_header_cell(rx.text(s["name"], size="2"),
                                 phone_only(rx.text(s["category"], " · ", s["price"], size="1", color=MUTED))),
        secondary_cell(s["category"]),
        secondary_cell(s["price"], white_space="nowrap", text_align="right"),
        rx.table.cell(rx.badge(s["status"], color_scheme=rx.cond(on_offer, "green", "gray"), variant="soft",
                               high_contrast=True)),
        rx.cond(S.is_admin, rx.table.cell(
            wide_only(rx.hstack(
                rx.button("Edit", size="1", variant="outline", on_click=S.open_edit(s["id"]),
                          aria_label="Edit " + s["name"]),
                rx.button(toggle, size="1", variant="soft", color_scheme=rx.cond(on_offer, "gray", "green"),
                          on_click=S.toggle_active(s["id"]), aria_label=toggle + ": " + s["name"]),
                spacing="2", wrap=rx.breakpoints(initial="wrap", md="nowrap"))),
            phone_only(row_menu("Actions for " + s["name"], [("Edit", S.open_edit(s["id"])),
                                                              (toggle, S.toggle_active(s["id"]))])),
        )),
    )


def _edit_dialog() -> rx.Component:
    e = S.edit
    return catalog_editor(
        S, description="Customers see the services on offer with their price in service credits. Requests already "
                       "made keep the price they were made at.",
        fields=[
            editor_field(S, "Name", "name", "service-name", rx.input(
                id="service-name", name="name", default_value=e["name"], max_length=80, width="100%",
                **editor_aria(S, "name", "service-name"))),
            rx.grid(
                editor_field(S, "Category (the task's)", "category", "service-category", rx.el.select(
                    rx.foreach(S.categories, lambda c: rx.el.option(c, value=c)),
                    id="service-category", name="category", default_value=e["category"], style=SELECT_STYLE,
                    **editor_aria(S, "category", "service-category"))),
                editor_field(S, "Price (service credits)", "price", "service-price", rx.input(
                    id="service-price", name="price", default_value=e["price"], input_mode="numeric",
                    width="100%", **editor_aria(S, "price", "service-price"))),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            editor_field(S, "Description", "description", "service-description", rx.text_area(
                id="service-description", name="description", default_value=e["description"], rows="5",
                max_length=1000, width="100%", **editor_aria(S, "description", "service-description"))),
        ],
        noun="Catalog service", save_label="Save service", save_id="service-save", active_label="On offer",
        active_id="service-active", max_width="36rem")


def _request_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r["service"], size="2"),
                                 phone_only(rx.text(r["organization"], " · ", r["credits"], size="1", color=MUTED))),
        secondary_cell(r["organization"]),
        secondary_cell(r["credits"], white_space="nowrap", text_align="right"),
        secondary_cell(r["when"]),
        rx.table.cell(rx.link(r["task"], href=r["task_url"], aria_label="Task " + r["task"] + ": " + r["service"])),
        rx.table.cell(rx.button("Cancel request", size="1", variant="soft", color_scheme="red",
                                on_click=S.cancel_request(r["id"]),
                                aria_label="Cancel request " + r["task"] + " and release its credits")),
    )


@rx.page(route=routes.STAFF_SERVICES, title="Services catalog · OpsPortal", on_load=S.load)
def staff_services_page() -> rx.Component:
    return app_shell(
        "Services catalog",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text("Services customers request with service credits. A request opens a task in the "
                            "service's category with the price held; completing the task uses the credits, "
                            "cancelling the request releases them.", size="2", color=MUTED),
                    rx.spacer(),
                    rx.cond(S.is_admin, rx.button(rx.icon("plus", size=16, aria_hidden="true"), "Add a service",
                                                  on_click=S.open_edit(""), id="service-add")),
                    align="center", width="100%", wrap="wrap", spacing="3",
                ),
                rx.cond(~S.is_admin, rx.text("Only staff administrators can change the catalog.", size="2",
                                             color=MUTED)),
                error_callout(S.error),
                ok_callout(S.notice, id="services-notice"),
                rx.card(rx.box(rx.table.root(
                    hidden_caption("Services catalog"),
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Service"), secondary_header("Category"),
                        secondary_header("Price", text_align="right"), rx.table.column_header_cell("Status"),
                        rx.cond(S.is_admin, rx.table.column_header_cell("Actions")))),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    width="100%",
                ), overflow_x="auto", width="100%"), width="100%"),
                rx.cond(S.rows.length() == 0, rx.text("The catalog is empty.", size="2", color=MUTED)),
                rx.heading("Requests in play", size="4", as_="h2", margin_top="1rem"),
                rx.cond(
                    S.total_requests > 0,
                    rx.card(rx.box(rx.table.root(
                        hidden_caption("Service requests whose task is open"),
                        rx.table.header(rx.table.row(
                            rx.table.column_header_cell("Service"), secondary_header("Organization"),
                            secondary_header("Credits", text_align="right"), secondary_header("Requested"),
                            rx.table.column_header_cell("Task"), rx.table.column_header_cell("Actions"))),
                        rx.table.body(rx.foreach(S.requests, _request_row)),
                        width="100%",
                    ), overflow_x="auto", width="100%"), width="100%"),
                    rx.text("No request is waiting: every request's task is done or cancelled.", size="2",
                            color=MUTED),
                ),
                pager(S),
                rx.link("The queue →", href=routes.STAFF_QUEUE, size="2"),
                _edit_dialog(),
                spacing="4", width="100%",
            ),
        ),
    )
