"""The frame of the pages an e-mail link opens without signing in (unsubscribe, password reset, invitation)."""

from __future__ import annotations

import reflex as rx

MUTED = rx.color("gray", 11)


def public_page(title, *children: rx.Component, max_width: str = "30rem") -> rx.Component:
    return rx.el.main(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.icon("life-buoy", size=26, color=rx.color("accent", 11), aria_hidden="true"),
                        rx.text("OpsPortal", weight="bold", size="4"),
                        align="center",
                        spacing="2",
                    ),
                    rx.heading(title, size="6", as_="h1"),
                    *children,
                    spacing="3",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width=max_width,
            ),
            min_height="100vh",
            padding="1rem",
        ),
        background=rx.color("gray", 2),
    )


def status_callout(message, color: str = "green", icon: str = "check", **props) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon=icon, color_scheme=color, high_contrast=True,
                                             role="status", width="100%", **props))


def password_field(label: str, name: str, control_id: str, autocomplete: str = "new-password",
                   hint: str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        rx.input(id=control_id, name=name, type="password", auto_complete=autocomplete, required=True, size="3",
                 width="100%", **({"aria_describedby": control_id + "-hint"} if hint else {}), **props),
        *([rx.text(hint, id=control_id + "-hint", size="1", color=MUTED)] if hint else []),
        spacing="1",
        width="100%",
    )


def text_field(label: str, name: str, control_id: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        rx.input(id=control_id, name=name, size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )
