"""Staff: the queue of disputed time; resolve each (keep, correct, write off) with an answer for the customer."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.staff_disputes import StaffDisputesState

MUTED = rx.color("gray", 11)
S = StaffDisputesState


def _labelled(label: str, control_id: str, control: rx.Component, **props) -> rx.Component:
    return rx.box(rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500",
                              display="block"), control, **props)


def _form(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.radio_group.root(
            rx.hstack(
                rx.el.label(rx.radio_group.item(value="kept"), "Keep as logged", display="flex", gap="0.4rem",
                            align_items="center"),
                rx.el.label(rx.radio_group.item(value="corrected"), "Correct", display="flex", gap="0.4rem",
                            align_items="center"),
                rx.el.label(rx.radio_group.item(value="written_off"), "Write off", display="flex", gap="0.4rem",
                            align_items="center"),
                spacing="4", wrap="wrap",
            ),
            value=S.resolution, on_change=S.set_resolution, aria_label="Resolution",
        ),
        rx.cond(S.resolution == "corrected", rx.hstack(
            _labelled("Minutes", "resolve-minutes",
                      rx.input(id="resolve-minutes", value=S.minutes, on_change=S.set_minutes, input_mode="numeric",
                               width="7rem")),
            _labelled("Date", "resolve-date",
                      rx.input(id="resolve-date", type="date", value=S.work_date, on_change=S.set_work_date)),
            _labelled("Note", "resolve-note",
                      rx.input(id="resolve-note", value=S.note, on_change=S.set_note, max_length=500,
                               width="100%"), flex="1", min_width="14rem"),
            spacing="3", wrap="wrap", width="100%",
        )),
        rx.cond(S.resolution == "written_off",
                rx.text("Nothing of this entry is billed; prepaid minutes go back to the hours they came from.",
                        size="2", color=MUTED)),
        _labelled("Answer to the customer", "resolve-answer",
                  rx.text_area(id="resolve-answer", value=S.answer, on_change=S.set_answer, rows="3",
                               max_length=1000, width="100%"), width="100%"),
        rx.hstack(rx.button("Resolve dispute", on_click=S.resolve),
                  rx.button("Cancel", on_click=S.cancel, variant="soft", color_scheme="gray", high_contrast=True),
                  spacing="2"),
        spacing="3", width="100%",
    ), width="100%")


def _dispute(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.link(r["task"], href=r["task_href"], weight="bold"),
            rx.text(r["organization"], size="2", color=MUTED),
            rx.spacer(),
            rx.badge(r["state_label"], variant="soft", high_contrast=True,
                     color_scheme=rx.cond(r["open"] == "1", "red", "blue")),
            width="100%", align="center", wrap="wrap",
        ),
        rx.text(r["date"], " · ", r["time"], " · ", r["agent"], " · ", r["amount"], size="2"),
        rx.cond(r["note"] != "", rx.text("Note: ", r["note"], size="2", color=MUTED)),
        rx.blockquote(r["reason"], size="2"),
        rx.text("Disputed by ", r["by"], ", ", r["when"], size="1", color=MUTED),
        rx.cond(r["answer"] != "", rx.text("Answer: ", r["answer"], " (", r["resolved"], ")", size="2")),
        rx.cond(
            S.resolving == r["id"],
            _form(r),
            rx.cond(r["open"] == "1", rx.button("Resolve", size="2", variant="soft", high_contrast=True,
                                                on_click=S.start(r["id"]),
                                                aria_label="Resolve the dispute of " + r["label"])),
        ),
        spacing="2", width="100%", align="start",
    ), width="100%", id="dispute-" + r["id"])


@rx.page(route=routes.STAFF_DISPUTES, title="Disputes · OpsPortal", on_load=S.load)
def staff_disputes_page() -> rx.Component:
    return app_shell(
        "Disputes",
        rx.cond(
            S.denied != "",
            rx.callout(S.denied, icon="lock", color_scheme="gray", width="100%"),
            rx.vstack(
                rx.text("Time entries customers disputed before billing. A disputed entry is not billed until it "
                        "is resolved; the answer reaches the customer on the task and in their notifications.",
                        size="2", color=MUTED),
                error_callout(S.error),
                ok_callout(S.notice),
                rx.vstack(
                    rx.el.label("Show", html_for="disputes-show", font_size="0.875rem", font_weight="500"),
                    rx.el.select(rx.el.option("Open disputes", value="open"),
                                 rx.el.option("All disputes, answered ones too", value="all"),
                                 id="disputes-show", value=S.show, on_change=S.set_show, style=SELECT_STYLE),
                    spacing="1", width="100%", max_width="20rem"),
                rx.text(S.total, rx.cond(S.total == 1, " dispute", " disputes"), size="2", color=MUTED,
                        aria_live="polite"),
                rx.cond(S.rows.length() > 0, rx.vstack(rx.foreach(S.rows, _dispute), spacing="3", width="100%"),
                        rx.text("No disputes to answer.", size="2", color=MUTED)),
                pager(S),
                spacing="4", width="100%",
            ),
        ),
    )
