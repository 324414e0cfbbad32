"""Time sign-off: the month's time per task; approve it all or a task's, or dispute an entry with a reason."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.pages.invoices import members_notice
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.timesheet import TimesheetState

MUTED = rx.color("gray", 11)
S = TimesheetState


def _task_heading(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.link(r["task"], href=r["task_href"], weight="bold", size="3"),
                rx.spacer(),
                rx.cond(S.open, rx.button("Approve task", size="1", variant="soft", high_contrast=True,
                                          on_click=S.approve_task(r["ticket_id"]),
                                          aria_label="Approve task " + r["task"])),
                align="center", width="100%", wrap="wrap",
            ),
            col_span=7,
            background=rx.color("gray", 2),
        ),
    )


def _dispute_form(r: rx.Var) -> rx.Component:
    field_id = "dispute-reason-" + r["id"]
    return rx.table.row(rx.table.cell(
        rx.vstack(
            rx.el.label("Why is this entry wrong?", html_for=field_id, font_size="0.875rem", font_weight="500"),
            rx.text_area(id=field_id, value=S.reason, on_change=S.set_reason, max_length=500, rows="3",
                         width="100%", placeholder="e.g. Nobody from our side asked for this work."),
            rx.hstack(
                rx.button("Send dispute", on_click=S.submit_dispute, color_scheme="red", size="2"),
                rx.button("Cancel", on_click=S.cancel_dispute, variant="soft", color_scheme="gray",
                          high_contrast=True, size="2"),
                spacing="2",
            ),
            spacing="2", width="100%", max_width="40rem",
        ),
        col_span=7,
    ))


def _state_cell(r: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.badge(r["state_label"], color_scheme=r["color"], variant="soft", high_contrast=True),
        rx.cond(r["billed"] != "", rx.text(r["billed"], size="1", color=MUTED)),
        rx.cond(r["reason"] != "", rx.text("Your reason: ", r["reason"], size="1")),
        rx.cond(r["answer"] != "", rx.text("Support's answer: ", r["answer"], size="1", weight="medium")),
        spacing="1", align="start", max_width="18rem",
    )


def _entry(r: rx.Var) -> rx.Component:
    return rx.fragment(
        rx.cond(r["first"] == "1", _task_heading(r)),
        rx.table.row(
            rx.table.cell(r["date"], white_space="nowrap"),
            rx.table.cell(r["agent"]),
            rx.table.cell(r["time"], white_space="nowrap"),
            rx.table.cell(rx.vstack(rx.text(r["note"], size="2"), rx.text(r["paid_by"], size="1", color=MUTED),
                                    spacing="1")),
            rx.table.cell(r["amount"], white_space="nowrap", text_align="right"),
            rx.table.cell(_state_cell(r)),
            rx.table.cell(rx.cond(
                (r["may_dispute"] == "1") & (S.disputing != r["id"]),
                rx.button("Dispute", size="1", variant="outline", color_scheme="red", high_contrast=True,
                          on_click=S.start_dispute(r["id"]), aria_label="Dispute the entry of " + r["label"]),
            )),
            id="entry-" + r["id"],
        ),
        rx.cond(S.disputing == r["id"], _dispute_form(r)),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(
                rx.el.label("Month", html_for="timesheet-month", font_size="0.875rem", font_weight="500",
                            display="block"),
                rx.select.root(
                    rx.select.trigger(id="timesheet-month", aria_label="Month"),
                    rx.select.content(rx.foreach(S.months, lambda m: rx.select.item(m["label"], value=m["value"]))),
                    value=S.period, on_change=S.set_period,
                ),
            ),
            rx.spacer(),
            rx.cond(S.open & (S.awaiting > 0),
                    rx.button(rx.icon("check-check", size=16, aria_hidden="true"), "Approve all awaiting review",
                              on_click=S.approve_all, id="approve-all")),
            width="100%", align="end", wrap="wrap", spacing="3",
        ),
        rx.text(
            rx.cond(S.open,
                    rx.fragment("Approve or dispute ", S.period_label, "'s time until ", S.deadline,
                                ". Time nobody disputes by then is approved automatically."),
                    rx.fragment("The sign-off for ", S.period_label, " closed on ", S.deadline,
                                ": its time is approved, or answered by support if it was disputed.")),
            size="2", color=MUTED, id="signoff-deadline",
        ),
        rx.hstack(rx.foreach(S.totals, lambda t: rx.badge(t["label"], ": ", t["entries"], " · ", t["time"],
                                                          variant="surface", color_scheme="gray",
                                                          high_contrast=True)),
                  wrap="wrap", spacing="2"),
        spacing="3", width="100%",
    )


def _listing() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(
                    *[rx.table.column_header_cell(h, white_space="nowrap")
                      for h in ("Date", "Agent", "Time", "Note", "Amount", "Sign-off", "Action")])),
                rx.table.body(rx.foreach(S.rows, _entry)),
                width="100%", min_width="52rem", aria_label="Time entries of the month",
            ), overflow_x="auto", width="100%"),
            rx.text("No time was logged for your organization in ", S.period_label, ".", size="2", color=MUTED),
        ),
        pager(S),
        spacing="3", width="100%",
    )


@rx.page(route=routes.TIMESHEET, title="Time sign-off · OpsPortal", on_load=S.load)
def timesheet_page() -> rx.Component:
    return app_shell(
        "Time sign-off",
        rx.cond(
            S.refused != "",
            members_notice(S.refused),
            rx.vstack(
                rx.text("Review the time our support team logged for you before it is billed: pay-as-you-go and "
                        "prepaid hours alike. Disputed time is not billed until support answers.", size="2",
                        color=MUTED),
                error_callout(S.error),
                ok_callout(S.notice),
                _summary(),
                _listing(),
                spacing="4", width="100%",
            ),
        ),
    )
