"""Table helpers: Radix puts ``aria-label`` on the wrapper, so a table is named by a caption instead."""

import reflex as rx

VISUALLY_HIDDEN = {"position": "absolute", "width": "1px", "height": "1px", "padding": "0", "margin": "-1px",
                   "overflow": "hidden", "clip": "rect(0, 0, 0, 0)", "white_space": "nowrap", "border": "0"}


def hidden_caption(text: str) -> rx.Component:
    """The table's accessible name, read by screen readers and not shown (the section heading says it)."""
    return rx.el.caption(text, style=VISUALLY_HIDDEN)


# Phones (below 30em, where the sidebar is long gone) show a table's key columns only: the row's name, its status,
# the amount due. Secondary columns appear from 30em up; a wide table then scrolls inside its own box.
SECONDARY = {"display": ["none", "table-cell"]}


def secondary_header(label: str, **props) -> rx.Component:
    """A column header of a column phones leave out."""
    return rx.table.column_header_cell(label, **SECONDARY, **props)


def secondary_cell(*children, **props) -> rx.Component:
    """A cell of a column phones leave out (pair it with ``secondary_header``)."""
    return rx.table.cell(*children, **SECONDARY, **props)


def wide(min_width: str) -> list[str]:
    """A table's minimum width from 30em up; on a phone its key columns fit the screen."""
    return ["0", min_width]


# What only phones show: a secondary column's facts under the row's name, a row's actions in a menu.
PHONE_ONLY = {"display": ["block", "none"]}
WIDE_ONLY = {"display": ["none", "block"]}


def phone_only(*children, **props) -> rx.Component:
    """Shown below 30em only, e.g. a secondary column's value under the row's name (the column shows it wider)."""
    return rx.box(*children, **PHONE_ONLY, **props)


def wide_only(*children, **props) -> rx.Component:
    """Shown from 30em up only (pair it with ``phone_only``)."""
    return rx.box(*children, **WIDE_ONLY, **props)


def row_menu(label, items: list[tuple[str | rx.Var, object]]) -> rx.Component:
    """A row's actions behind one named button (``label``, e.g. "Actions for Standard block"), for phones:
    Radix opens it with Enter or Space, the arrow keys move through ``items`` ((text, event handler) pairs)."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis", size=16, aria_hidden="true"), size="1",
                                                variant="soft", aria_label=label)),
        rx.dropdown_menu.content(*[rx.dropdown_menu.item(text, on_select=handler) for text, handler in items]),
    )
