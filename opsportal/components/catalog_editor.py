"""The dialog that edits one catalog row (``state.catalog_editor.CatalogEditorMixin``): a title from the state's
``edit``, an explanation, the page's fields, an "on sale / on offer" checkbox, Cancel and Save."""

from __future__ import annotations

import reflex as rx

from opsportal.components.forms import CONTROL_COLORS, described_by, field_error, invalid
from opsportal.components.layout import error_callout

MUTED = rx.color("gray", 11)
SELECT_STYLE = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "width": "100%",
                "border": f"1px solid {rx.color('gray', 7)}", **CONTROL_COLORS}


def editor_aria(state, name: str, control_id: str, *, hint: bool = False) -> dict:
    """A control's description (hint, error) and invalid flag from the state's ``problems``."""
    return {"aria_describedby": described_by(control_id, hint=hint), "aria_invalid": invalid(state.problems, name)}


def editor_field(state, label: str, name: str, control_id: str, control: rx.Component,
                 hint: str = "") -> rx.Component:
    """A labelled control with its hint and, when the state has one, the field's problem under it."""
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        control,
        *([rx.text(hint, id=f"{control_id}-hint", size="1", color=MUTED)] if hint else []),
        field_error(state.problems, name, control_id),
        spacing="1", width="100%",
    )


def catalog_editor(state, *, description: str, fields: list[rx.Component], noun: str, save_label: str,
                   save_id: str, active_label: str, active_id: str, max_width: str = "34rem") -> rx.Component:
    """The edit dialog: ``fields`` inside one form submitted to ``state.save``; ``noun`` names the form."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(state.edit["title"]),
            rx.dialog.description(description, size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(state.edit_error),
                    *fields,
                    rx.el.label(rx.hstack(rx.checkbox(name="active", id=active_id, checked=state.edit_active,
                                                      on_change=state.set_edit_active, aria_label=active_label),
                                          rx.text(active_label, size="2"), spacing="2", align="center")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button(save_label, type="submit", id=save_id),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=state.save, reset_on_submit=False, aria_label=noun,
                key=state.edit_key.to_string(),
            ),
            max_width=max_width,
        ),
        open=state.edit_open,
        on_open_change=state.set_edit_open,
    )
