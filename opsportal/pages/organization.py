import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.organization import OrganizationState


def _member_row(m: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.cell(m["name"]), rx.table.cell(m["email"]), rx.table.cell(m["role"]))


@rx.page(route=routes.ORGANIZATION, title="Organization · OpsPortal", on_load=OrganizationState.load)
def organization_page() -> rx.Component:
    return app_shell(
        "Organization",
        error_callout(OrganizationState.error),
        rx.cond(
            OrganizationState.name != "",
            rx.vstack(
                rx.heading(OrganizationState.name, size="5", as_="h2", id="organization-name"),
                rx.cond(OrganizationState.parent_name != "",
                        rx.text("Part of ", OrganizationState.parent_name, size="2", color=rx.color("gray", 11))),
                rx.text(OrganizationState.total, " active users", size="2"),
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Name"),
                                                 rx.table.column_header_cell("E-mail"),
                                                 rx.table.column_header_cell("Role"))),
                    rx.table.body(rx.foreach(OrganizationState.members, _member_row)),
                    width="100%",
                    aria_label="Team members",
                ),
                pager(OrganizationState),
                spacing="3",
                width="100%",
            ),
        ),
    )
