"""Subsidiaries' support: a parent's owners and administrators read their subsidiaries' totals and tasks."""

import reflex as rx

from opsportal import routes
from opsportal.components.address import address_keeper
from opsportal.components.backend import backend_link
from opsportal.components.forms import CONTROL_COLORS, day_picker, labelled, options
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header, wide
from opsportal.components.task_links import status_badge
from opsportal.state.rollup import RollupState
from opsportal.state.rollup_views import PERIOD_OPTIONS, TAB_OPTIONS
from opsportal.state.tasks import CATEGORY_OPTIONS, SORT_OPTIONS

MUTED = rx.color("gray", 11)
SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%"}


def _period() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(labelled("Period", "rollup-period", rx.el.select(
                *options(PERIOD_OPTIONS), id="rollup-period", value=RollupState.period,
                on_change=RollupState.set_period, style=SELECT_STYLE)), min_width="12rem"),
            rx.text(RollupState.period_label, size="2", color=MUTED, id="rollup-period-days"),
            align="end", spacing="4", wrap="wrap",
        ),
        rx.cond(RollupState.period == "custom", rx.form(
            rx.hstack(
                labelled("First day", "rollup-from", day_picker("rollup-from", "start", RollupState.start)),
                labelled("Last day", "rollup-to", day_picker("rollup-to", "end", RollupState.end)),
                rx.button("Show this range", type="submit", margin_bottom="1.5rem"),
                align="end", spacing="3", wrap="wrap",
            ),
            on_submit=RollupState.apply_range, reset_on_submit=False, aria_label="Custom period",
        )),
        spacing="2", width="100%",
    )


def _totals_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.box(
            rx.link(r["name"], href=r["href"], aria_label="Tasks of " + r["name"]), padding_left=r["indent"])),
        rx.table.cell(r["open"], text_align="right"),
        secondary_cell(r["closed"], text_align="right"),
        rx.table.cell(r["time"], white_space="nowrap"),
        secondary_cell(r["prepaid"], white_space="nowrap"),
        secondary_cell(r["payg"], white_space="nowrap"),
        secondary_cell(r["payg_value"], white_space="nowrap"),
        secondary_cell(r["available"], white_space="nowrap"),
    )


def _totals() -> rx.Component:
    t = RollupState.total_row
    return rx.card(rx.vstack(
        rx.heading("Totals per organization", size="4", as_="h2"),
        _period(),
        rx.box(rx.table.root(
            hidden_caption("Totals per organization"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Organization"),
                rx.table.column_header_cell("Open tasks", text_align="right"),
                secondary_header("Closed in period", text_align="right"),
                rx.table.column_header_cell("Time logged"),
                *[secondary_header(h) for h in ("From prepaid hours", "Pay-as-you-go", "Pay-as-you-go value",
                                                "Hours available now")])),
            rx.table.body(
                rx.foreach(RollupState.totals, _totals_row),
                rx.cond(RollupState.totals.length() > 1, rx.table.row(
                    rx.table.row_header_cell(rx.text.strong(t["name"])),
                    rx.table.cell(rx.text.strong(t["open"]), text_align="right"),
                    secondary_cell(rx.text.strong(t["closed"]), text_align="right"),
                    rx.table.cell(rx.text.strong(t["time"]), white_space="nowrap"),
                    secondary_cell(rx.text.strong(t["prepaid"]), white_space="nowrap"),
                    secondary_cell(rx.text.strong(t["payg"]), white_space="nowrap"),
                    secondary_cell(rx.text.strong(t["payg_value"]), white_space="nowrap"),
                    secondary_cell(rx.text.strong(t["available"]), white_space="nowrap"),
                    id="rollup-total-row",
                )),
            ),
            width="100%", min_width=wide("56rem"), id="rollup-totals",
        ), overflow_x="auto", width="100%", tab_index=0, role="region", aria_label="Totals per organization table"),
        rx.text("Time counts the entries' work days in the period; hours available now include hours shared from "
                "a parent, so the total counts each shared block once.", size="1", color=MUTED),
        spacing="3", width="100%",
    ), width="100%")


def _filters() -> rx.Component:
    return rx.grid(
        labelled("Organization", "rollup-sub", rx.el.select(
            rx.el.option("All organizations", value=""),
            rx.foreach(RollupState.subsidiaries, lambda o: rx.el.option(o["label"], value=o["value"])),
            id="rollup-sub", value=RollupState.sub, on_change=RollupState.set_subsidiary, style=SELECT_STYLE)),
        labelled("Show", "rollup-tab", rx.el.select(
            *options(TAB_OPTIONS), id="rollup-tab", value=RollupState.tab, on_change=RollupState.set_tab,
            style=SELECT_STYLE)),
        labelled("Search", "rollup-search", rx.input(
            id="rollup-search", placeholder="Title or #number", value=RollupState.search,
            on_change=RollupState.set_search.debounce(300), width="100%", type="search")),
        labelled("Status", "rollup-status", rx.el.select(
            rx.el.option("Any status", value=""),
            rx.foreach(RollupState.status_options, lambda o: rx.el.option(o["label"], value=o["value"])),
            id="rollup-status", value=RollupState.status, on_change=RollupState.set_status, style=SELECT_STYLE)),
        labelled("Category", "rollup-category", rx.el.select(
            rx.el.option("Any category", value=""), *options(CATEGORY_OPTIONS), id="rollup-category",
            value=RollupState.category, on_change=RollupState.set_category, style=SELECT_STYLE)),
        labelled("Sort by", "rollup-sort", rx.el.select(
            *options(SORT_OPTIONS), id="rollup-sort", value=RollupState.sort, on_change=RollupState.set_sort,
            style=SELECT_STYLE)),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="3",
        width="100%",
    )


def _task_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link("#" + r["id"] + " " + r["title"], href=r["href"])),
        rx.table.cell(r["organization"]),
        rx.table.cell(status_badge(r["status_label"], r["color"])),
        secondary_cell(r["category"]),
        secondary_cell(r["agent"]),
        secondary_cell(r["time"], white_space="nowrap"),
        secondary_cell(r["updated"], white_space="nowrap"),
    )


def _tasks() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading("Tasks", size="4", as_="h2", id="rollup-tasks"),
            rx.spacer(),
            backend_link(rx.icon("download", size=16, aria_hidden="true"), "Download CSV", path=RollupState.csv_href,
                         id="rollup-csv", download=True, size="2", display="inline-flex", align_items="center",
                         gap="0.35rem"),
            width="100%", align="center",
        ),
        _filters(),
        rx.text(RollupState.total, rx.cond(RollupState.total == 1, " task", " tasks"), size="2", color=MUTED,
                aria_live="polite", id="rollup-count"),
        rx.cond(
            RollupState.rows.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Tasks of the organizations"),
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Task"), rx.table.column_header_cell("Organization"),
                    rx.table.column_header_cell("Status"),
                    *[secondary_header(h) for h in ("Category", "Agent", "Time logged", "Last update")])),
                rx.table.body(rx.foreach(RollupState.rows, _task_row)),
                width="100%", min_width=wide("56rem"), id="rollup-task-table",
            ), overflow_x="auto", width="100%"),
            rx.vstack(
                rx.text("No tasks match these filters.", size="2", color=MUTED),
                rx.cond(RollupState.filtered,
                        rx.button("Clear filters", variant="soft", on_click=RollupState.clear_filters)),
                spacing="2", padding_y="1rem",
            ),
        ),
        pager(RollupState),
        spacing="3", width="100%",
    ), width="100%")


@rx.page(route=routes.ROLLUP, title="Subsidiaries' support · OpsPortal", on_load=RollupState.load)
def rollup_page() -> rx.Component:
    return app_shell(
        "Subsidiaries' support",
        rx.text(rx.cond(RollupState.root_name != "",
                        rx.fragment("Support work of ", rx.text.strong(RollupState.root_name),
                                    " and every organization below it, read-only."),
                        ""), size="2", color=MUTED),
        error_callout(RollupState.error),
        rx.cond(RollupState.root_name != "", rx.vstack(_totals(), _tasks(), spacing="4", width="100%")),
        address_keeper(url=RollupState.address, version=RollupState.address_version, path=routes.ROLLUP),
    )
