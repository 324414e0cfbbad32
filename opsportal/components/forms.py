"""Form fields that say what is wrong next to themselves (and to screen readers, via aria-describedby)."""

from __future__ import annotations

import reflex as rx

from opsportal.state.picked_day import PickedDayState

# Native controls (``<select>``, ``<textarea>``) take the theme's tokens, so they hold AA in light and dark alike:
# the solid panel colour (white in light) with the theme's text colour. A hard-coded white background under the
# dark appearance's inherited light text made every select unreadable there.
CONTROL_COLORS = {"background": "var(--color-panel-solid)", "color": rx.color("gray", 12)}
SELECT_STYLE = {"padding": "0.45rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 8)}",
                **CONTROL_COLORS, "width": "100%", "font_size": "0.9375rem"}
ERROR_COLOR = rx.color("red", 11)


def labelled(label: str, control_id: str, control: rx.Component) -> rx.Component:
    """A control with its visible label above it (the label names the control for screen readers)."""
    return rx.vstack(rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"), control,
                     spacing="1", width="100%")


def options(choices) -> list[rx.Component]:
    """``<option>`` elements for a fixed list of ``{"value": …, "label": …}`` choices."""
    return [rx.el.option(o["label"], value=o["value"]) for o in choices]


def field_error(problems: rx.Var, name: str, control_id: str) -> rx.Component:
    """The message for ``name`` (always rendered, so aria-describedby always points at something)."""
    return rx.text(problems.get(name, ""), id=f"{control_id}-error", size="2", color=ERROR_COLOR,
                   weight="medium")


def field(label: str, control_id: str, control: rx.Component, problems: rx.Var, name: str,
          hint: str = "", hint_after: bool = False) -> rx.Component:
    hints = [rx.text(hint, id=f"{control_id}-hint", size="1", color=rx.color("gray", 11))] if hint else []
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        *([] if hint_after else hints),
        control,
        *(hints if hint_after else []),
        field_error(problems, name, control_id),
        spacing="1",
        width="100%",
    )


def described_by(control_id: str, hint: bool = False) -> str:
    return f"{control_id}-hint {control_id}-error" if hint else f"{control_id}-error"


def invalid(problems: rx.Var, name: str) -> rx.Var:
    return rx.cond(problems.contains(name), "true", "false")


def problem_summary(items: rx.Var, title: str) -> rx.Component:
    """A list of every problem, each linking to its field; announced when it appears."""
    return rx.cond(
        items.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", aria_hidden="true")),
            rx.vstack(
                rx.callout.text(title, weight="bold"),
                rx.el.ul(rx.foreach(items, lambda p: rx.el.li(
                    rx.link(p["label"], ": ", p["message"], href="#" + p["field_id"], color=ERROR_COLOR,
                            underline="always"),
                )), padding_left="1.25rem", margin="0"),
                spacing="1",
            ),
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )


def day_picker(control_id: str, name: str, default_value: rx.Var | str = "", **props) -> rx.Component:
    """A native date picker with the chosen day repeated in the portal's words under it (``#<id>-words``):
    the picker writes the day the browser's way. ``props`` go to the input (``key``, ``max``, ``width``...)."""
    words = control_id + "-words"
    return rx.vstack(
        rx.input(id=control_id, name=name, type="date", default_value=default_value, aria_describedby=words,
                 on_change=lambda value: PickedDayState.pick(control_id, value),
                 on_mount=PickedDayState.pick(control_id, default_value), **props),
        rx.text(PickedDayState.words[control_id], id=words, size="1", aria_live="polite", min_height="1.25em"),
        spacing="1", width="100%",
    )
