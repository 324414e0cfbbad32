import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.state.staff_sla import StaffSlaState as S


def _counts(title: str, rows, caption: str, table_id: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(title, size="4", as_="h2"),
        rx.cond(rows.length() > 0,
                rx.table.root(
                    hidden_caption(caption),
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Name"),
                                                 rx.table.column_header_cell("First response"),
                                                 rx.table.column_header_cell("Resolution"))),
                    rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
                        rx.table.cell(r["name"]), rx.table.cell(r["first"]), rx.table.cell(r["resolution"])))),
                    width="100%", id=table_id),
                rx.text("No breaches.", size="2")),
        spacing="3", width="100%"), width="100%")


def _breach(b: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", b["id"], " ", b["title"], href=b["href"])),
        secondary_cell(b["organization"]),
        secondary_cell(b["agent"]),
        rx.table.cell(b["target"]),
        secondary_cell(b["due"], white_space="nowrap"),
        rx.table.cell(b["late"], white_space="nowrap"),
    )


@rx.page(route=routes.STAFF_SLA, title="Service levels · OpsPortal", on_load=S.load)
def staff_sla_page() -> rx.Component:
    return app_shell(
        "Service-level breaches",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.vstack(rx.el.label("Month", html_for="sla-month", font_size="0.875rem", font_weight="500"),
                          rx.input(id="sla-month", type="month", value=S.month, on_change=S.set_month,
                                   width="12rem"),
                          spacing="1"),
                error_callout(S.error),
                rx.text(S.summary, size="3", id="sla-summary", aria_live="polite"),
                rx.grid(_counts("By organization", S.by_org, "Breaches by organization", "sla-by-org"),
                        _counts("By agent", S.by_agent, "Breaches by agent", "sla-by-agent"),
                        columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                rx.card(rx.vstack(
                    rx.heading("Breached tasks", size="4", as_="h2"),
                    rx.cond(S.breaches.length() > 0,
                            rx.box(rx.table.root(
                                hidden_caption("Breached tasks"),
                                rx.table.header(rx.table.row(
                                    rx.table.column_header_cell("Task"), secondary_header("Organization"),
                                    secondary_header("Agent"), rx.table.column_header_cell("Target"),
                                    secondary_header("Was due"), rx.table.column_header_cell("Late by"))),
                                rx.table.body(rx.foreach(S.breaches, _breach)),
                                width="100%", id="sla-breaches"), overflow_x="auto", width="100%"),
                            rx.text("No task missed a target this month.", size="2")),
                    rx.cond(S.more != "", rx.text(S.more, size="2")),
                    rx.text("Late by counts the task's service-level clock (business hours unless its plan covers "
                            "more). A breach belongs to the month its target fell due in (UTC).", size="1",
                            color=rx.color("gray", 11)),
                    spacing="3", width="100%"), width="100%"),
                spacing="4", width="100%",
            ),
        ),
    )
