import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, stat_card
from opsportal.state.dashboard import DashboardState


def _role_row(item: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.cell(item["role"]), rx.table.cell(item["count"]))


@rx.page(route=routes.DASHBOARD, title="Dashboard · OpsPortal", on_load=DashboardState.load)
def dashboard_page() -> rx.Component:
    return app_shell(
        "Dashboard",
        error_callout(DashboardState.error),
        rx.text(DashboardState.org_name, size="5", weight="medium", id="org-name"),
        rx.cond(
            DashboardState.parent_name != "",
            rx.text("Part of ", DashboardState.parent_name, size="2", color=rx.color("gray", 11)),
        ),
        rx.grid(
            rx.foreach(DashboardState.balances, lambda b: rx.link(
                stat_card(b["label"], b["value"], b["hint"]), href=routes.CREDITS, underline="none",
                color="inherit")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
            id="balances",
        ),
        rx.grid(
            stat_card("Team members", DashboardState.member_count),
            stat_card("Subsidiaries", DashboardState.children.length()),
            stat_card("Customer since", DashboardState.customer_since),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            rx.card(
                rx.heading("Team by role", size="4", as_="h2"),
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Role"),
                                                 rx.table.column_header_cell("People"))),
                    rx.table.body(rx.foreach(DashboardState.role_counts, _role_row)),
                    width="100%",
                ),
                rx.link("See the team", href="/organizations/" + DashboardState.org_id.to_string(),
                        margin_top="0.75rem", display="inline-block"),
            ),
            rx.card(
                rx.heading("Subsidiaries", size="4", as_="h2"),
                rx.cond(
                    DashboardState.children.length() > 0,
                    rx.el.ul(rx.foreach(DashboardState.children, lambda name: rx.el.li(name)),
                             padding_left="1.25rem", margin_top="0.5rem"),
                    rx.text("This organization has no subsidiaries.", size="2", color=rx.color("gray", 11),
                            margin_top="0.5rem"),
                ),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
    )
