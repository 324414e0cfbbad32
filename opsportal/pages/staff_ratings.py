"""Staff: how satisfied customers are, per agent and month, and what they wrote."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.domain.ticket_actions import RATING_QUESTION
from opsportal.state.staff_ratings import StaffRatingsState as S

MUTED = rx.color("gray", 11)


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["month"], white_space="nowrap"),
        rx.table.row_header_cell(r["agent"]),
        rx.table.cell(r["ratings"], text_align="right"),
        secondary_cell(r["good"], text_align="right"),
        secondary_cell(r["bad"], text_align="right"),
        rx.table.cell(r["share"], text_align="right", font_weight="600"),
    )


def _summary() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Per agent and month", size="4", as_="h2"),
        rx.cond(
            S.rows.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Satisfaction ratings per agent and month, newest month first"),
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Month"), rx.table.column_header_cell("Agent"),
                    rx.table.column_header_cell("Ratings", text_align="right"),
                    secondary_header("Good", text_align="right"), secondary_header("Bad", text_align="right"),
                    rx.table.column_header_cell("Satisfied", text_align="right"))),
                rx.table.body(rx.foreach(S.rows, _row)),
                width="100%", id="ratings-by-agent",
            ), overflow_x="auto", width="100%"),
            rx.text("No ratings yet for this period.", size="2", color=MUTED, id="ratings-by-agent"),
        ),
        pager(S),
        spacing="3", width="100%",
    ), width="100%")


def _comment(c: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.badge(c["score"], color_scheme=c["color"], variant="soft", high_contrast=True),
            rx.link(c["ticket"], href=c["href"], size="2", weight="medium"),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.text("“", c["comment"], "”", size="2", white_space="pre-wrap", margin_top="0.25rem"),
        rx.text(c["organization"], " · agent ", c["agent"], " · ", c["when"], size="1", color=MUTED),
        list_style="none", padding="0.75rem 0", border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _comments() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Latest comments", size="4", as_="h2"),
        rx.cond(
            S.comments.length() > 0,
            rx.el.ul(rx.foreach(S.comments, _comment), padding="0", margin="0", width="100%",
                     aria_label="Latest rating comments", id="rating-comments"),
            rx.text("No comments yet for this period.", size="2", color=MUTED, id="rating-comments"),
        ),
        rx.cond(S.comment_pages > 1, rx.hstack(
            rx.button("Previous", on_click=S.previous_comments, disabled=S.comment_page <= 1, variant="soft",
                      aria_label="Previous comments"),
            rx.text("Page ", S.comment_page, " of ", S.comment_pages, size="2", aria_live="polite"),
            rx.button("Next", on_click=S.next_comments, disabled=S.comment_page >= S.comment_pages, variant="soft",
                      aria_label="Next comments"),
            align="center", spacing="3")),
        spacing="3", width="100%",
    ), width="100%")


@rx.page(route=routes.STAFF_RATINGS, title="Ratings · OpsPortal", on_load=S.load)
def staff_ratings_page() -> rx.Component:
    return app_shell(
        "Satisfaction ratings",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.text("Customers answer “", RATING_QUESTION, "” with Good or Bad once a ticket is solved. Each "
                        "rating counts for the agent assigned when it was given, in the month it was given (UTC).",
                        size="2", color=MUTED),
                rx.box(rx.vstack(
                    rx.el.label("Month", html_for="ratings-month", font_size="0.875rem", font_weight="500"),
                    rx.el.select(rx.el.option("All months", value=""),
                                 rx.foreach(S.months, lambda m: rx.el.option(m["label"], value=m["value"])),
                                 id="ratings-month", value=S.month, on_change=S.choose_month, style=SELECT_STYLE),
                    spacing="1"), width="100%", max_width="20rem"),
                error_callout(S.error),
                _summary(),
                _comments(),
                spacing="4", width="100%",
            ),
        ),
    )
