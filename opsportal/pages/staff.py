import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.staff import StaffState


def _org_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href=r["href"])),
        rx.table.cell(r["parent"]),
        rx.table.cell(r["members"]),
    )


@rx.page(route=routes.STAFF, title="Customers · OpsPortal", on_load=StaffState.load)
def staff_page() -> rx.Component:
    return app_shell(
        "Customers",
        error_callout(StaffState.denied),
        rx.cond(
            StaffState.allowed,
            rx.vstack(
                rx.el.label("Search organizations", html_for="org-search", font_size="0.875rem"),
                rx.input(id="org-search", placeholder="Organization name", value=StaffState.search,
                         on_change=StaffState.set_search.debounce(300), max_width="24rem", width="100%"),
                rx.text(StaffState.total, " organizations", size="2"),
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Organization"),
                                                 rx.table.column_header_cell("Parent"),
                                                 rx.table.column_header_cell("Active users"))),
                    rx.table.body(rx.foreach(StaffState.rows, _org_row)),
                    width="100%",
                    aria_label="Customer organizations",
                ),
                pager(StaffState),
                spacing="3",
                width="100%",
            ),
        ),
    )
