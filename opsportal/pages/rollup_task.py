"""A subsidiary's task, read-only, for the parent's owners and administrators (no comment box, no actions)."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header, wide
from opsportal.components.task_links import status_badge
from opsportal.state.rollup_task import RollupTaskState as S

MUTED = rx.color("gray", 11)


def _fact(label: str, value, **props) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value, **props))


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _details() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(S.title, size="5", as_="h2", id="task-title"),
                  status_badge(S.status_label, S.status_color, size="2", id="task-status"),
                  align="center", spacing="3", wrap="wrap"),
        rx.data_list.root(
            _fact("Organization", S.organization, id="task-organization"),
            _fact("Category", S.category),
            _fact("Priority", S.priority),
            _fact("Assigned agent", S.agent),
            _fact("Opened", rx.text("by ", S.opened_by, " on ", S.opened_at)),
            _fact("Time logged", S.time_logged, id="task-time"),
            _fact("Last update", S.updated),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        ),
        rx.heading("Description", size="3", as_="h3", margin_top="0.5rem"),
        rx.text(rx.cond(S.description != "", S.description, "No description."), size="2", white_space="pre-wrap"),
        spacing="3", width="100%",
    ), width="100%")


def _entry_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["date"], white_space="nowrap"),
        secondary_cell(e["agent"], white_space="nowrap"),
        rx.table.cell(e["time"], white_space="nowrap"),
        rx.table.cell(e["paid_by"]),
        secondary_cell(e["value"], white_space="nowrap"),
        secondary_cell(e["note"]),
    )


def _time_entries() -> rx.Component:
    t = S.totals
    return _section(
        "Time entries",
        rx.cond(S.entries.length() > 0, rx.vstack(
            rx.box(rx.table.root(
                hidden_caption("Time entries"),
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Date"), secondary_header("Agent"),
                    rx.table.column_header_cell("Time"), rx.table.column_header_cell("Paid by"),
                    secondary_header("Pay-as-you-go value"), secondary_header("Note"))),
                rx.table.body(rx.foreach(S.entries, _entry_row)),
                width="100%", min_width=wide("44rem"),
            ), overflow_x="auto", width="100%", tab_index=0, role="region", aria_label="Time entries table"),
            pager(S),
            rx.text("Total ", rx.text.strong(t["time"]), ": ", t["prepaid"], " from prepaid hours, ", t["payg"],
                    " pay-as-you-go (", t["value"], ").", size="2", id="time-totals"),
            spacing="3", width="100%",
        ), rx.text("No time has been logged on this task yet.", size="2", color=MUTED)),
    )


def _comment(c: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(rx.text(c["author"], weight="bold", size="2"),
                  rx.badge(c["who"], variant="soft", high_contrast=True),
                  rx.text(c["when"], size="1", color=MUTED), spacing="2", align="center", wrap="wrap"),
        rx.text(c["body"], size="2", white_space="pre-wrap", margin_top="0.35rem"),
        list_style="none", padding="0.75rem 1rem", border_radius="0.5rem", background=rx.color("gray", 3),
    )


def _conversation() -> rx.Component:
    return _section(
        "Conversation",
        rx.cond(S.earlier != "", rx.button(S.earlier, type="button", variant="soft", on_click=S.show_earlier,
                                           align_self="center")),
        rx.cond(S.comments.length() > 0,
                rx.el.ol(rx.foreach(S.comments, _comment), display="flex", flex_direction="column", gap="0.75rem",
                         padding="0", margin="0", width="100%", aria_label="Conversation"),
                rx.text("No comments yet.", size="2", color=MUTED)),
        id="conversation",
    )


@rx.page(route=routes.ROLLUP_TASK, title="Subsidiary's task · OpsPortal", on_load=S.load)
def rollup_task_page() -> rx.Component:
    return app_shell(
        S.heading,
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("Subsidiaries' support"),
                          spacing="1", align="center"), href=routes.ROLLUP),
        error_callout(S.error),
        rx.cond(S.title != "", rx.vstack(
            rx.callout("Read-only: you see this task of " + S.organization + " as an owner or administrator of a "
                       "parent organization. Its own users and the support team write in it.", icon="eye",
                       color_scheme="gray", high_contrast=True, width="100%", id="read-only-note"),
            _details(), _time_entries(), _conversation(), spacing="4", width="100%")),
    )
