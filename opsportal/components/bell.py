"""The bell in the header: a named button with the unread count, and a popover with the newest lines.

Radix's popover gives the keyboard behaviour: Enter/Space opens it, focus moves into it, Tab walks the lines
(links to their tasks) and the buttons, Escape closes it and gives focus back to the bell.
"""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.state.bell import BellState as B

MUTED = rx.color("gray", 11)
_VISUALLY_HIDDEN = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                    "clip": "rect(0 0 0 0)", "white_space": "nowrap"}


def _badge() -> rx.Component:
    # The count is in the button's name: the badge is for the eye only.
    return rx.cond(
        B.unread > 0,
        # Red 11 under red 1: AA in the light and the dark appearance alike.
        rx.el.span(B.badge_text, aria_hidden="true", id="bell-badge", position="absolute", top="-0.3rem",
                   right="-0.3rem", min_width="1.15rem", height="1.15rem", padding_x="0.3rem",
                   border_radius="999px", background=rx.color("red", 11), color=rx.color("red", 1),
                   font_size="0.7rem", font_weight="700", line_height="1.15rem", text_align="center",
                   pointer_events="none", box_sizing="border-box"),
    )


def _line(line: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.hstack(
                rx.box(
                    rx.cond(line["new"] != "", rx.box(width="0.5rem", height="0.5rem", border_radius="999px",
                                                      background=rx.color("accent", 11), margin_top="0.4rem")),
                    width="0.5rem", min_width="0.5rem",
                ),
                rx.vstack(
                    rx.text(rx.cond(line["new"] != "", rx.el.span("New: ", style=_VISUALLY_HIDDEN)),
                            line["title"], size="2", weight=rx.cond(line["new"] != "", "bold", "medium"),
                            color=rx.color("gray", 12)),
                    rx.cond(line["text"] != "", rx.text(line["text"], size="1", color=MUTED,
                                                        style={"display": "-webkit-box", "WebkitLineClamp": "2",
                                                               "WebkitBoxOrient": "vertical", "overflow": "hidden"})),
                    rx.text(line["when"], size="1", color=MUTED),
                    spacing="1", min_width="0", align="start",
                ),
                spacing="2", align="start", width="100%",
            ),
            href=line["link"],
            underline="none",
            display="block",
            padding="0.5rem",
            border_radius="0.375rem",
            _hover={"background": rx.color("accent", 3)},
            _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}", "outline_offset": "-2px"},
            class_name="bell-line",
        ),
        list_style="none",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Updates", as_="h2", size="3"),
            rx.spacer(),
            rx.button("Mark all as read", on_click=B.mark_all_read, variant="ghost", size="1",
                      disabled=B.unread == 0, id="bell-mark-all"),
            align="center", width="100%",
        ),
        rx.cond(B.error != "", rx.text(B.error, size="2", color=rx.color("red", 11), role="alert")),
        rx.cond(
            B.loading & (B.lines.length() == 0),
            rx.center(rx.spinner(size="2"), aria_label="Loading updates", width="100%", padding="1rem"),
            rx.cond(
                B.lines.length() > 0,
                rx.el.ul(rx.foreach(B.lines, _line), aria_label="Latest updates", margin="0", padding="0",
                         width="100%", id="bell-list"),
                rx.text("Nothing yet. Replies, status changes and dispute answers on your tickets show here.",
                        size="2", color=MUTED, id="bell-empty"),
            ),
        ),
        rx.separator(size="4"),
        rx.link("See all updates", href=routes.UPDATES, size="2", weight="medium", color=rx.color("accent", 11),
                underline="always", id="bell-see-all"),
        spacing="2", width="100%",
    )


def bell() -> rx.Component:
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(rx.icon("bell", size=18, aria_hidden="true"), variant="ghost", color_scheme="gray",
                               high_contrast=True, size="2", aria_label=B.label, id="bell-button"),
            ),
            rx.popover.content(_list(), align="end", width="24rem", max_width="calc(100vw - 1rem)",
                               max_height="min(32rem, calc(100vh - 5rem))", overflow_y="auto",
                               aria_label="Updates"),
            on_open_change=B.set_open,
        ),
        _badge(),
        position="relative", display="inline-flex",
    )


def bell_starter() -> rx.Component:
    """Nothing to see: reads the count when the header mounts (the first time in a tab) and follows it live."""
    return rx.fragment(rx.box(on_mount=B.start, display="none"))
