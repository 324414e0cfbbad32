import reflex as rx

from opsportal import routes
from opsportal.components.address import address_keeper
from opsportal.components.forms import CONTROL_COLORS, labelled, options
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import secondary_cell, secondary_header, wide
from opsportal.components.task_links import status_badge, submit_ticket_button
from opsportal.state.tasks import CATEGORY_OPTIONS, SORT_OPTIONS, TasksState

MUTED = rx.color("gray", 11)
SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%"}


def _filters() -> rx.Component:
    return rx.grid(
        labelled("Search", "task-search", rx.input(
            id="task-search", placeholder="Title or #number", value=TasksState.search,
            on_change=TasksState.set_search.debounce(300), width="100%", type="search")),
        labelled("Status", "task-status", rx.el.select(
            rx.el.option("Any status", value=""),
            rx.foreach(TasksState.status_options, lambda o: rx.el.option(o["label"], value=o["value"])),
            id="task-status", value=TasksState.status, on_change=TasksState.set_status, style=SELECT_STYLE)),
        labelled("Category", "task-category", rx.el.select(
            rx.el.option("Any category", value=""), *options(CATEGORY_OPTIONS),
            id="task-category", value=TasksState.category, on_change=TasksState.set_category, style=SELECT_STYLE)),
        labelled("Sort by", "task-sort", rx.el.select(
            *options(SORT_OPTIONS), id="task-sort", value=TasksState.sort, on_change=TasksState.set_sort,
            style=SELECT_STYLE)),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        spacing="3",
        width="100%",
    )


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link("#" + r["id"] + " " + r["title"], href=r["href"])),
        rx.table.cell(status_badge(r["status_label"], r["color"])),
        secondary_cell(r["category"]),
        secondary_cell(r["priority"]),
        secondary_cell(r["agent"]),
        secondary_cell(r["time"], white_space="nowrap"),
        secondary_cell(r["updated"], white_space="nowrap"),
    )


def _empty() -> rx.Component:
    return rx.vstack(
        rx.text(rx.cond(TasksState.filtered, "No tasks match these filters.",
                        rx.cond(TasksState.tab == "open", "You have no open tasks.", "You have no closed tasks.")),
                size="2", color=MUTED),
        rx.cond(TasksState.filtered, rx.button("Clear filters", variant="soft", on_click=TasksState.clear_filters)),
        spacing="2",
        padding_y="1rem",
    )


def _listing() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.text(TasksState.total, rx.cond(TasksState.total == 1, " task", " tasks"), size="2", color=MUTED,
                aria_live="polite"),
        rx.cond(
            TasksState.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Task"), rx.table.column_header_cell("Status"),
                    *[secondary_header(h) for h in ("Category", "Priority", "Agent", "Time logged", "Last update")])),
                rx.table.body(rx.foreach(TasksState.rows, _row)),
                width="100%",
                min_width=wide("52rem"),
                aria_label="Tasks",
            ), overflow_x="auto", width="100%"),
            _empty(),
        ),
        pager(TasksState),
        spacing="3",
        width="100%",
        padding_top="1rem",
    )


@rx.page(route=routes.TASKS, title="Tasks · OpsPortal", on_load=TasksState.load)
def tasks_page() -> rx.Component:
    return app_shell(
        "Tasks",
        rx.hstack(
            rx.text("Your organization's support tasks and the time logged on them.", size="2", color=MUTED),
            rx.spacer(),
            submit_ticket_button(),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        error_callout(TasksState.error),
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger("Open", value="open"), rx.tabs.trigger("Closed", value="closed"),
                         aria_label="Open or closed tasks"),
            rx.tabs.content(_listing(), value="open"),
            rx.tabs.content(_listing(), value="closed"),
            value=TasksState.tab,
            on_change=TasksState.set_tab,
            width="100%",
        ),
        address_keeper(url=TasksState.address, version=TasksState.address_version, path=routes.TASKS),
    )
