import reflex as rx

from opsportal import routes
from opsportal.components.attachments import attachment_list, file_picker, send_with_files
from opsportal.components.incident_status import incident_status
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import secondary_cell, secondary_header, wide
from opsportal.components.task_links import status_badge
from opsportal.components.task_sla import task_sla
from opsportal.components.ticket_actions import ticket_actions
from opsportal.state.task import TaskState

MUTED = rx.color("gray", 11)


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _fact(label: str, value, **props) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value, **props))


def _details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(TaskState.title, size="5", as_="h2", id="task-title"),
                status_badge(TaskState.status_label, TaskState.status_color, size="2", id="task-status"),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.data_list.root(
                _fact("Category", TaskState.category),
                _fact("Priority", TaskState.priority),
                _fact("Assigned agent", TaskState.agent, id="task-agent"),
                _fact("Opened", rx.text("by ", TaskState.opened_by, " on ", TaskState.opened_at), id="task-opened"),
                _fact("Time logged", TaskState.time_logged, id="task-time"),
                _fact("Last update", TaskState.updated, id="task-updated"),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.heading("Description", size="3", as_="h3", margin_top="0.5rem"),
            rx.cond(TaskState.description != "",
                    rx.text(TaskState.description, size="2", white_space="pre-wrap", id="task-description"),
                    rx.text("No description.", size="2", color=rx.color("gray", 11), id="task-description")),
            attachment_list(TaskState.files.get("ticket", [])),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _entry_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["date"], white_space="nowrap"),
        secondary_cell(e["agent"], white_space="nowrap"),
        rx.table.cell(rx.hstack(
            rx.text(e["time"], white_space="nowrap"),
            rx.cond(e["corrected"] == "yes",
                    rx.badge("corrected", color_scheme="amber", variant="soft", high_contrast=True)),
            rx.cond(e["after_hours"] == "yes",
                    rx.badge("after hours", color_scheme="gray", variant="soft", high_contrast=True)),
            spacing="2", align="center", wrap="wrap")),
        rx.table.cell(e["paid_by"]),
        secondary_cell(rx.hstack(
            rx.text(e["value"], white_space="nowrap"),
            rx.cond(e["billed"] == "yes", rx.badge("billed", color_scheme="green", variant="soft",
                                                    high_contrast=True)),
            spacing="2", align="center")),
        secondary_cell(e["note"]),
    )


def _time_entries() -> rx.Component:
    t = TaskState.totals
    return _section(
        "Time entries",
        rx.cond(
            TaskState.entries.length() > 0,
            rx.vstack(
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Date"), secondary_header("Agent"),
                        *[rx.table.column_header_cell(h) for h in ("Time", "Paid by")],
                        *[secondary_header(h) for h in ("Pay-as-you-go value", "Note")])),
                    rx.table.body(rx.foreach(TaskState.entries, _entry_row)),
                    width="100%",
                    min_width=wide("44rem"),
                    aria_label="Time entries",
                ), overflow_x="auto", width="100%", tab_index=0, role="region", aria_label="Time entries table"),
                pager(TaskState),
                rx.text("Total ", rx.text.strong(t["time"]), ": ", t["prepaid"], " from prepaid hours, ",
                        t["payg"], " pay-as-you-go (", t["value"], ")", t["written_off"], ".", size="2",
                        id="time-totals"),
                spacing="3",
                width="100%",
            ),
            rx.text("No time has been logged on this task yet.", size="2", color=MUTED),
        ),
        id="time-entries",
    )


def _comment(c: rx.Var) -> rx.Component:
    support = c["side"] == "support"
    return rx.el.li(
        rx.hstack(
            rx.text(c["author"], weight="bold", size="2"),
            rx.badge(c["who"], color_scheme=rx.cond(support, "indigo", "gray"), variant="soft", high_contrast=True),
            rx.text(c["when"], size="1", color=MUTED),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(c["body"], size="2", white_space="pre-wrap", margin_top="0.35rem"),
        attachment_list(TaskState.files.get(c["id"], [])),
        class_name="comment comment-" + c["side"],
        list_style="none",
        padding="0.75rem 1rem",
        border_radius="0.5rem",
        max_width="85%",
        width="fit-content",
        min_width="min(20rem, 100%)",
        margin_left=rx.cond(support, "0", "auto"),
        background=rx.cond(support, rx.color("accent", 3), rx.color("gray", 3)),
        border_left=rx.cond(support, f"3px solid {rx.color('accent', 9)}", "3px solid transparent"),
    )


def _comment_form() -> rx.Component:
    return rx.cond(
        TaskState.is_closed,
        rx.callout(
            rx.text("This task is closed. ", rx.link("Submit a new ticket", href=routes.NEW_TICKET),
                    " if you need more help."),
            icon="info", color_scheme="gray", width="100%",
        ),
        rx.form(
            rx.vstack(
                rx.el.label("Add a comment", html_for="comment-body", font_size="0.875rem", font_weight="500"),
                rx.text_area(id="comment-body", name="body", value=TaskState.draft, on_change=TaskState.set_draft,
                             rows="4", width="100%", placeholder="Write to the support team"),
                file_picker(TaskState, id_prefix="comment"),
                error_callout(TaskState.comment_error),
                rx.button("Send comment", type="submit", loading=TaskState.uploading),
                spacing="2",
                width="100%",
            ),
            on_submit=send_with_files(TaskState.send_comment_with_files, TaskState),
            reset_on_submit=False,
            aria_label="New comment",
            width="100%",
        ),
    )


def _earlier() -> rx.Component:
    """Older comments stay on the server until asked for, a step at a time."""
    return rx.fragment(
        rx.cond(TaskState.earlier != "",
                rx.button(rx.icon("chevron-up", size=16, aria_hidden="true"), TaskState.earlier, type="button",
                          variant="soft", on_click=TaskState.show_earlier, id="show-earlier",
                          align_self="center")),
        rx.cond(TaskState.window_note != "", rx.text(TaskState.window_note, size="2", color=MUTED)),
    )


def _conversation() -> rx.Component:
    return _section(
        "Conversation",
        _earlier(),
        rx.cond(
            TaskState.comments.length() > 0,
            rx.el.ol(rx.foreach(TaskState.comments, _comment), display="flex", flex_direction="column", gap="0.75rem",
                     padding="0", margin="0", width="100%", aria_label="Conversation"),
            rx.text("No comments yet.", size="2", color=MUTED),
        ),
        _comment_form(),
        id="conversation",
    )


@rx.page(route=routes.TASK, title="Task · OpsPortal", on_load=TaskState.load)
def task_page() -> rx.Component:
    return app_shell(
        TaskState.heading,
        rx.box(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("All tasks"), spacing="1",
                              align="center"), href=routes.TASKS),
            # A live region present before the confirmation arrives, so screen readers announce it.
            rx.box(rx.cond(TaskState.submitted != "",
                           rx.callout(TaskState.submitted, icon="circle-check", color_scheme="green",
                                      high_contrast=True, width="100%", margin_top="1rem", id="ticket-submitted")),
                   role="status", width="100%"),
            width="100%",
        ),
        error_callout(TaskState.error),
        rx.cond(
            TaskState.title != "",
            rx.vstack(incident_status(TaskState.incident), _details(), task_sla(TaskState.sla),
                      ticket_actions(TaskState), _time_entries(),
                      _conversation(), spacing="4",
                      width="100%"),
        ),
    )
