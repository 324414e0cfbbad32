import reflex as rx

from opsportal import routes
from opsportal.components.attachments import attachment_list, file_picker, send_with_files
from opsportal.components.forms import CONTROL_COLORS, day_picker
from opsportal.components.incident_status import incident_status
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.components.task_sla import task_sla
from opsportal.components.ticket_actions import follow_up_links, followers_card, rating_given
from opsportal.state.staff_task import StaffTaskState as S

MUTED = rx.color("gray", 11)
SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                **CONTROL_COLORS, "width": "100%", "font_size": "0.875rem", "height": "2rem"}


def _labelled(label: str, control_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"), control,
                     spacing="1", width="100%")


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _notice() -> rx.Component:
    return rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", role="status",
                                              width="100%"))


def _fact(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _summary() -> rx.Component:
    t = S.task
    return rx.vstack(
        rx.link("← Back to the queue", href=routes.STAFF_QUEUE, size="2"),
        rx.heading("#", t["id"], " · ", t["title"], size="5", as_="h2", id="task-title"),
        rx.data_list.root(
            _fact("Organization", rx.link(t["organization"], href=t["org_href"])),
            _fact("Status", rx.text(t["status_label"], id="task-status")),
            _fact("Category", t["category"]),
            _fact("Priority", t["priority"]),
            _fact("Agent", rx.text(t["agent"], id="task-agent")),
            _fact("Time logged", rx.text(t["time"], id="task-time")),
            _fact("Opened", rx.text(t["opened"], " by ", t["opened_by"])),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        ),
        follow_up_links(S, prefix=routes.STAFF + "/tasks/"),
        _section("Description", rx.cond(t["description"] != "",
                                        rx.text(t["description"], white_space="pre-wrap", size="2"),
                                        rx.text("No description.", size="2", color=MUTED)),
                 attachment_list(S.files.get("ticket", []))),
        spacing="3",
        width="100%",
    )


def _actions() -> rx.Component:
    assign = rx.form(
        rx.vstack(
            _labelled("Agent", "assign-agent", rx.el.select(
                rx.el.option("Unassigned", value=""),
                rx.foreach(S.agents, lambda a: rx.el.option(a["name"], value=a["id"])),
                id="assign-agent", name="agent", default_value=S.assignee, key=S.assignee, style=SELECT_STYLE)),
            rx.hstack(rx.button("Assign", type="submit"),
                      rx.button("Assign to me", type="button", variant="soft", on_click=S.assign_to_me),
                      spacing="2"),
            spacing="2", width="100%",
        ),
        on_submit=S.assign, reset_on_submit=False, aria_label="Assign the task", width="100%",
    )
    status = rx.form(
        rx.vstack(
            _labelled("Status", "task-status-select", rx.el.select(
                rx.foreach(S.statuses, lambda s: rx.el.option(s["label"], value=s["value"])),
                id="task-status-select", name="status", default_value=S.task["status"], key=S.task["status"],
                style=SELECT_STYLE)),
            rx.cond(S.is_closed, rx.text("This task is closed. Choose an open status to reopen it: its service "
                                         "level clock runs again and the requester and followers are told.",
                                         size="1", color=MUTED, id="reopen-hint")),
            rx.button("Change status", type="submit"),
            spacing="2", width="100%",
        ),
        on_submit=S.change_status, reset_on_submit=False, aria_label="Change the status", width="100%",
    )
    held = rx.cond(
        S.held.length() > 0,
        rx.text("Held for this task: ", S.held_label, size="2", id="task-held"),
        rx.text("No credits are held for this task.", size="2", color=MUTED),
    )
    return _section("Work on this task",
                    error_callout(S.error),
                    rx.grid(assign, status, columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%"),
                    held)


def _customer_side() -> rx.Component:
    """The customer's rating once given, and the followers (staff add or remove anyone of the organization)."""
    return rx.vstack(
        rx.cond(S.ta_notice != "", rx.callout(S.ta_notice, icon="check", color_scheme="green", high_contrast=True,
                                              role="status", width="100%", id="ticket-action-notice")),
        error_callout(S.ta_error),
        rx.cond(S.ta_rating.contains("score"), _section("Customer's rating", rating_given(S), id="ticket-rating")),
        followers_card(S, for_staff=True),
        spacing="3", width="100%",
    )


def _log_time() -> rx.Component:
    return _section(
        "Log time",
        rx.cond(
            S.is_open,
            rx.form(
                rx.vstack(
                    error_callout(S.log_error),
                    rx.grid(
                        _labelled("Day of the work", "log-date",
                                  day_picker("log-date", "work_date", S.today, key=S.today, width="100%")),
                        _labelled("Time spent (e.g. 1:30, 90m or 2h)", "log-minutes",
                                  rx.input(id="log-minutes", name="minutes", width="100%")),
                        _labelled("Note", "log-note", rx.input(id="log-note", name="note", width="100%")),
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                    ),
                    rx.el.label(rx.hstack(rx.checkbox(name="after_hours", id="log-after-hours",
                                                      aria_label="After hours"),
                                          rx.text("After hours", size="2"), spacing="2", align="center")),
                    rx.button("Log time", type="submit"),
                    spacing="3", width="100%",
                ),
                on_submit=S.log_time, reset_on_submit=False, aria_label="Log time", width="100%",
            ),
            rx.text(rx.cond(S.is_closed, "This task is closed: time can no longer be logged on it.",
                            "Reopen the task to log time on it."), size="2", color=MUTED),
        ),
    )


def _entry_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["date"], white_space="nowrap"),
        secondary_cell(e["agent"]),
        rx.table.cell(e["time"], white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.text(e["paid_by"], size="2"),
                                rx.text(e["split"], size="1", color=MUTED, display=["none", "block"]),
                                spacing="0")),
        secondary_cell(e["payg_value"], white_space="nowrap"),
        secondary_cell(rx.vstack(
            rx.text(e["note"], size="2"),
            rx.cond(e["after_hours"] == "yes",
                    rx.badge("After hours", variant="soft", color_scheme="gray", high_contrast=True)),
            spacing="1")),
        secondary_cell(rx.cond(e["corrected"] != "",
                              rx.badge(e["corrected"], variant="soft", color_scheme="amber", high_contrast=True))),
        rx.table.cell(rx.cond(
            e["billed"] == "yes",
            rx.badge("Billed", variant="soft", color_scheme="gray", high_contrast=True),
            rx.button("Correct", size="1", variant="outline", on_click=S.open_correct(e["id"]),
                      aria_label="Correct the entry of " + e["date"] + ", " + e["time"]),
        )),
    )


def _entries() -> rx.Component:
    return _section(
        "Time entries",
        rx.cond(
            S.entries.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Time entries"),
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Day"), secondary_header("Agent"),
                    *[rx.table.column_header_cell(h) for h in ("Time", "Paid by")],
                    *[secondary_header(h) for h in ("Pay-as-you-go value", "Note", "Changes")],
                    rx.table.column_header_cell(""))),
                rx.table.body(rx.foreach(S.entries, _entry_row)),
                width="100%",
            ), overflow_x="auto", width="100%"),
            rx.text("No time logged yet.", size="2", color=MUTED),
        ),
        pager(S),
        id="time-entries",
    )


def _conversation() -> rx.Component:
    return _section(
        "Conversation",
        rx.cond(S.earlier != "",
                rx.button(rx.icon("chevron-up", size=16, aria_hidden="true"), S.earlier, type="button",
                          variant="soft", on_click=S.show_earlier, id="show-earlier", align_self="center")),
        rx.cond(S.window_note != "", rx.text(S.window_note, size="2", color=MUTED)),
        rx.foreach(S.comments, lambda c: rx.box(
            rx.hstack(rx.text(c["author"], weight="medium", size="2"),
                      rx.badge(c["who"], variant="soft", color_scheme="gray", high_contrast=True),
                      rx.text(c["when"], size="1", color=MUTED), spacing="2", align="center"),
            rx.text(c["body"], size="2", white_space="pre-wrap"),
            attachment_list(S.files.get(c["id"], [])),
            padding_y="0.5rem", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%",
        )),
        rx.cond(S.comments.length() == 0, rx.text("No comments yet.", size="2", color=MUTED)),
        rx.form(
            rx.vstack(
                error_callout(S.comment_error),
                _labelled("Comment (visible to the customer)", "comment-body",
                          rx.text_area(id="comment-body", name="body", rows="3", width="100%")),
                file_picker(S, id_prefix="comment"),
                rx.button("Add comment", type="submit", loading=S.uploading),
                spacing="2", width="100%",
            ),
            on_submit=send_with_files(S.comment_with_files, S), reset_on_submit=False, aria_label="Add a comment",
            width="100%",
        ),
        id="conversation",
    )


def _close_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Settle the credits held for this task"),
            rx.dialog.description("How much of what is held was used? The rest goes back to the organization.",
                                  size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.close_error),
                    rx.foreach(S.held, lambda h: _labelled(
                        h["name"] + " used (held: " + h["held"] + ")", "used-" + h["code"],
                        rx.input(id="used-" + h["code"], name="used_" + h["code"], default_value=h["default"],
                                 width="100%"))),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Change status and settle", type="submit"),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.confirm_close, reset_on_submit=False, aria_label="Credits used",
            ),
        ),
        open=S.close_open,
        on_open_change=S.set_close_open,
    )


def _correct_dialog() -> rx.Component:
    c = S.correct
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Correct the time entry"),
            rx.dialog.description("Was: ", c["label"], ". The old values and your reason are kept.", size="2",
                                  color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.correct_error),
                    _labelled("Day of the work", "correct-date",
                              day_picker("correct-date", "work_date", c["date"], width="100%")),
                    _labelled("Time spent (e.g. 1:30, 90m or 2h)", "correct-minutes",
                              rx.input(id="correct-minutes", name="minutes", default_value=c["hours"], width="100%")),
                    _labelled("Note", "correct-note",
                              rx.input(id="correct-note", name="note", default_value=c["note"], width="100%")),
                    _labelled("Reason for the correction", "correct-reason",
                              rx.input(id="correct-reason", name="reason", aria_required="true", width="100%")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Save correction", type="submit"),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.submit_correct, reset_on_submit=False, aria_label="Correct the time entry",
            ),
        ),
        open=S.correct_open,
        on_open_change=S.set_correct_open,
    )


@rx.page(route=routes.STAFF_TASK, title="Task · OpsPortal", on_load=S.load)
def staff_task_page() -> rx.Component:
    return app_shell(
        "Task",
        error_callout(S.denied),
        rx.cond(
            S.task.contains("id"),
            rx.vstack(
                _summary(),
                incident_status(S.incident),
                task_sla(S.sla),
                _notice(),
                _actions(),
                _customer_side(),
                _log_time(),
                _entries(),
                _conversation(),
                _close_dialog(),
                _correct_dialog(),
                spacing="4",
                width="100%",
            ),
        ),
    )
