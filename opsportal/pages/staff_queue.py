import reflex as rx

from opsportal import routes
from opsportal.components.forms import CONTROL_COLORS, labelled
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.sla_mark import sla_cell
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.state.staff_queue import QueueState

SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%", "font_size": "0.875rem", "height": "2rem"}


def _select(control_id: str, value, on_change, all_label: str, options, option) -> rx.Component:
    return rx.el.select(rx.el.option(all_label, value=""), rx.foreach(options, option), id=control_id, value=value,
                        on_change=on_change, style=SELECT_STYLE)


def _filters() -> rx.Component:
    return rx.vstack(
        rx.segmented_control.root(
            rx.segmented_control.item("Open", value="open"),
            rx.segmented_control.item("Closed", value="closed"),
            rx.segmented_control.item("All", value="all"),
            value=QueueState.tab,
            on_change=QueueState.set_tab,
            aria_label="Which tasks",
        ),
        rx.grid(
            labelled("Search", "queue-search", rx.input(
                id="queue-search", placeholder="Title or #number", value=QueueState.search,
                on_change=QueueState.set_search.debounce(300), width="100%")),
            labelled("Status", "queue-status", _select(
                "queue-status", QueueState.status, QueueState.set_status, "Any status", QueueState.statuses,
                lambda s: rx.el.option(s["label"], value=s["value"]))),
            labelled("Category", "queue-category", _select(
                "queue-category", QueueState.category, QueueState.set_category, "Any category",
                QueueState.categories, lambda c: rx.el.option(c, value=c))),
            labelled("Sort by", "queue-sort", rx.el.select(
                rx.foreach(QueueState.sorts, lambda s: rx.el.option(s["label"], value=s["value"])),
                id="queue-sort", value=QueueState.sort, on_change=QueueState.set_sort, style=SELECT_STYLE)),
            labelled("Find organization", "queue-org-search", rx.input(
                id="queue-org-search", placeholder="Organization name", value=QueueState.org_query,
                on_change=QueueState.set_org_query.debounce(300), width="100%")),
            labelled("Organization", "queue-org", _select(
                "queue-org", QueueState.org_id, QueueState.set_org, "All organizations", QueueState.org_options,
                lambda o: rx.el.option(o["name"], value=o["id"]))),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.el.label(rx.hstack(rx.checkbox(id="queue-mine", checked=QueueState.mine,
                                              on_change=QueueState.set_mine, aria_label="Assigned to me"),
                                  rx.text("Assigned to me", size="2"), spacing="2", align="center")),
            rx.el.label(rx.hstack(rx.checkbox(id="queue-unassigned", checked=QueueState.unassigned,
                                              on_change=QueueState.set_unassigned, aria_label="Unassigned"),
                                  rx.text("Unassigned", size="2"), spacing="2", align="center")),
            spacing="5",
        ),
        spacing="3",
        width="100%",
    )


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("#", r["id"]),
        rx.table.cell(rx.link(r["title"], href=r["href"])),
        secondary_cell(r["organization"]),
        rx.table.cell(r["status"]),
        secondary_cell(r["category"]),
        secondary_cell(r["priority"]),
        sla_cell(r),
        secondary_cell(r["agent"]),
        secondary_cell(r["time"], white_space="nowrap"),
        secondary_cell(r["updated"], white_space="nowrap"),
    )


@rx.page(route=routes.STAFF_QUEUE, title="Queue · OpsPortal", on_load=QueueState.load)
def staff_queue_page() -> rx.Component:
    return app_shell(
        "Queue",
        error_callout(QueueState.denied),
        rx.cond(
            QueueState.allowed,
            rx.vstack(
                _filters(),
                error_callout(QueueState.error),
                rx.text(QueueState.total_label, size="2", id="queue-total", aria_live="polite"),
                rx.box(rx.table.root(
                    hidden_caption("Tasks"),
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Task"), rx.table.column_header_cell("Title"),
                        secondary_header("Organization"), rx.table.column_header_cell("Status"),
                        *[secondary_header(h) for h in ("Category", "Priority")], rx.table.column_header_cell("SLA"),
                        *[secondary_header(h) for h in ("Agent", "Time", "Updated")])),
                    rx.table.body(rx.foreach(QueueState.rows, _row)),
                    width="100%",
                ), overflow_x="auto", width="100%"),
                rx.cond(QueueState.total == 0, rx.text("No tasks match these filters.", size="2")),
                pager(QueueState),
                spacing="3",
                width="100%",
            ),
        ),
    )
