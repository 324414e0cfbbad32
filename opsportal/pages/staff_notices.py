"""Staff: the notices (statements, expiry notices, balance alerts, overdue reminders) that did not reach their
reader, or all of them; staff administrators decide what happens to a given-up or unconfirmed one."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import (
    hidden_caption,
    phone_only,
    row_menu,
    secondary_cell,
    secondary_header,
    wide_only,
)
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.staff_notices import StaffNoticesState as S

MUTED = rx.color("gray", 11)


def _count(label: str, value, hint: str, element_id: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(label, size="2", color=MUTED),
        rx.text(value, size="6", weight="bold", id=element_id),
        rx.text(hint, size="1", color=MUTED),
        spacing="1",
    ), flex="1", min_width="12rem")


def _actions(d: rx.Var) -> rx.Component:
    what = d["subject"] + " to " + d["to"]
    return rx.cond(
        S.may_decide,
        rx.match(
            d["state"],
            ("gave_up", rx.button("Try again", size="1", variant="soft", on_click=S.allow_retry(d["id"]),
                                  aria_label="Try again: " + what)),
            ("unconfirmed", rx.fragment(
                wide_only(rx.hstack(
                    rx.button("It was sent", size="1", variant="soft", color_scheme="green",
                              on_click=S.settle_sent(d["id"]), aria_label="It was sent: " + what),
                    rx.button("It was not sent", size="1", variant="soft", on_click=S.settle_not_sent(d["id"]),
                              aria_label="It was not sent: " + what),
                    spacing="2", wrap="wrap")),
                phone_only(row_menu("Actions for " + what, [("It was sent", S.settle_sent(d["id"])),
                                                            ("It was not sent", S.settle_not_sent(d["id"]))])),
            )),
            rx.fragment(),
        ),
    )


def _row(d: rx.Var) -> rx.Component:
    return rx.table.row(
        secondary_cell(d["when"], white_space="nowrap"),
        # Phones: the notice, then when it was last tried and for whom (their columns appear from 30em up).
        rx.table.row_header_cell(rx.vstack(
            rx.text(d["notice"], " · ", d["period"], size="2", weight="medium"),
            rx.text(d["subject"], size="1", color=MUTED),
            phone_only(rx.text(d["when"], size="1", color=MUTED), rx.text(d["to"], size="1", color=MUTED,
                                                                          word_break="break-all")),
            spacing="0")),
        secondary_cell(rx.vstack(rx.text(d["name"], size="2"), rx.text(d["to"], size="1", color=MUTED),
                                 spacing="0")),
        secondary_cell(d["organization"]),
        rx.table.cell(rx.vstack(
            rx.badge(d["state_label"], color_scheme=d["color"], variant="soft", high_contrast=True),
            rx.text(d["attempts"], size="1", color=MUTED),
            spacing="1")),
        secondary_cell(rx.text(d["error"], size="1"), max_width="20rem"),
        rx.table.cell(_actions(d)),
    )


@rx.page(route=routes.STAFF_NOTICES, title="Notices · OpsPortal", on_load=S.load)
def staff_notices_page() -> rx.Component:
    return app_shell(
        "Notices",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.text("Statements, expiry notices, balance alerts and overdue reminders that did not reach their "
                        "reader. A failed notice is retried by the next run of its job, up to 8 attempts; an "
                        "unconfirmed one was being sent when a run stopped, so it may have gone out: check the "
                        "mail server's log, then say which.", size="2", color=MUTED),
                rx.hstack(
                    _count("Failed, will retry", S.retrying, "the next run tries again", "count-retrying"),
                    _count("Failed, gave up", S.gave_up, "no run tries again unless allowed", "count-gave-up"),
                    _count("Unconfirmed", S.unconfirmed, "may have been sent", "count-unconfirmed"),
                    spacing="3", width="100%", wrap="wrap",
                ),
                rx.box(rx.vstack(
                    rx.el.label("Show", html_for="notices-show", font_size="0.875rem", font_weight="500"),
                    rx.el.select(rx.el.option("Notices needing attention", value="attention"),
                                 rx.el.option("All notices", value="all"),
                                 id="notices-show", value=S.show, on_change=S.choose_show, style=SELECT_STYLE),
                    spacing="1"), width="100%", max_width="20rem"),
                error_callout(S.error),
                ok_callout(S.notice, id="notices-notice"),
                rx.card(rx.vstack(
                    rx.text(S.total, " notices", size="2", id="notices-total"),
                    rx.cond(
                        S.rows.length() > 0,
                        rx.box(rx.table.root(
                            hidden_caption("Notice deliveries, latest attempt first"),
                            rx.table.header(rx.table.row(
                                secondary_header("Last attempt"),
                                rx.table.column_header_cell("Notice"),
                                *[secondary_header(h) for h in ("To", "Organization")],
                                rx.table.column_header_cell("Status"),
                                secondary_header("Last error"),
                                rx.table.column_header_cell("Action"))),
                            rx.table.body(rx.foreach(S.rows, _row)),
                            width="100%", id="notices-list",
                        ), overflow_x="auto", width="100%"),
                        rx.text("Nothing needs attention: every notice reached its reader or is on its way.",
                                size="2", color=MUTED),
                    ),
                    pager(S),
                    spacing="3", width="100%",
                ), width="100%"),
                spacing="4", width="100%",
            ),
        ),
    )
