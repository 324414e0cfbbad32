import reflex as rx

from opsportal import routes
from opsportal.components.coverage import coverage_card
from opsportal.components.layout import app_shell, error_callout, stat_card
from opsportal.components.subsidiaries import subsidiary_list
from opsportal.components.task_links import status_badge, submit_ticket_button
from opsportal.state.dashboard import DashboardState

MUTED = rx.color("gray", 11)


def _role_row(item: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.cell(item["role"]), rx.table.cell(item["count"]))


def _figure(label: str, value, value_id: str, *hints, size: str = "7") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", color=MUTED),
        rx.text(value, size=size, weight="bold", id=value_id),
        *hints,
        spacing="1",
    )


def _prepaid_hours() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Prepaid hours", size="4", as_="h2"),
            rx.grid(
                _figure("Remaining hours for the period", DashboardState.remaining, "remaining-hours"),
                _figure("Used this period", DashboardState.used_period, "used-period",
                        rx.text(DashboardState.period, size="1", color=MUTED, id="hours-period")),
                columns="2",
                spacing="4",
                width="100%",
            ),
            rx.text(DashboardState.plan, size="2", id="hours-plan"),
            rx.callout(DashboardState.forecast, icon="trending-down", color_scheme="gray", size="1", width="100%",
                       id="forecast"),
            rx.link("Expiry schedule and history", href=routes.CREDITS, size="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="prepaid-hours",
    )


def _recent_task(t: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.link("#" + t["id"] + " " + t["title"], href=t["href"]),
            status_badge(t["status_label"], t["color"]),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text("Updated ", t["updated"], size="1", color=MUTED),
        padding_y="0.35rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style="none",
    )


def _recent_tasks() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("Recent tasks", size="4", as_="h2"), rx.spacer(), submit_ticket_button(size="2"),
                      width="100%", align="center"),
            rx.cond(
                DashboardState.recent.length() > 0,
                rx.el.ul(rx.foreach(DashboardState.recent, _recent_task), padding="0", margin="0", width="100%",
                         aria_label="Recent open tasks"),
                rx.text("You have no open tasks.", size="2", color=MUTED),
            ),
            rx.link("All tasks (", DashboardState.open_tasks, " open)", href=routes.TASKS, size="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="recent-tasks",
    )


def _payg_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link("#" + r["id"] + " " + r["title"], href=r["href"])),
        rx.table.cell(r["time"], white_space="nowrap"),
        rx.table.cell(r["value"], white_space="nowrap"),
    )


def _payg() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Pay-as-you-go this month", size="4", as_="h2"),
            rx.text("Time no prepaid hours covered, not billed yet (", DashboardState.payg_period,
                    "): what your next invoice will hold. Hourly rate: ", DashboardState.payg_rate, ".", size="2",
                    color=MUTED, id="payg-terms"),
            rx.cond(
                DashboardState.payg_rows.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Task"),
                                                 rx.table.column_header_cell("Time"),
                                                 rx.table.column_header_cell("Value"))),
                    rx.table.body(
                        rx.foreach(DashboardState.payg_rows, _payg_row),
                        rx.table.row(
                            rx.table.row_header_cell(rx.cond(DashboardState.payg_more > 0,
                                                             rx.text("Total (with ", DashboardState.payg_more,
                                                                     " more tasks)"), "Total")),
                            rx.table.cell(rx.text.strong(DashboardState.payg_time), id="payg-total-time"),
                            rx.table.cell(rx.text.strong(DashboardState.payg_value), id="payg-total-value"),
                        ),
                    ),
                    width="100%",
                    aria_label="Pay-as-you-go time per task",
                ), overflow_x="auto", width="100%"),
                rx.text("No pay-as-you-go time this month.", size="2", id="payg-empty"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="payg",
    )


@rx.page(route=routes.DASHBOARD, title="Dashboard · OpsPortal", on_load=DashboardState.load)
def dashboard_page() -> rx.Component:
    return app_shell(
        "Dashboard",
        error_callout(DashboardState.error),
        rx.text(DashboardState.org_name, size="5", weight="medium", id="org-name"),
        rx.cond(
            DashboardState.parent_name != "",
            rx.text("Part of ", DashboardState.parent_name, size="2", color=MUTED),
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
        rx.cond(DashboardState.coverage["headline"] != "",
                coverage_card(DashboardState.coverage, DashboardState.coverage_regions)),
        rx.grid(
            _prepaid_hours(),
            _recent_tasks(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _payg(),
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
                    subsidiary_list(DashboardState.children, id="subsidiaries"),
                    rx.text("This organization has no subsidiaries.", size="2", color=MUTED,
                            margin_top="0.5rem"),
                ),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
    )
