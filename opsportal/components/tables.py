"""Table helpers: Radix puts ``aria-label`` on the wrapper, so a table is named by a caption instead."""

import reflex as rx

VISUALLY_HIDDEN = {"position": "absolute", "width": "1px", "height": "1px", "padding": "0", "margin": "-1px",
                   "overflow": "hidden", "clip": "rect(0, 0, 0, 0)", "white_space": "nowrap", "border": "0"}


def hidden_caption(text: str) -> rx.Component:
    """The table's accessible name, read by screen readers and not shown (the section heading says it)."""
    return rx.el.caption(text, style=VISUALLY_HIDDEN)
