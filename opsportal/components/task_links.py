"""Small pieces the customer's task pages and the dashboard share."""

from __future__ import annotations

import reflex as rx

from opsportal import routes


def submit_ticket_button(**props) -> rx.Component:
    return rx.button(
        rx.link(rx.icon("plus", size=16, aria_hidden="true"), "Submit a ticket", href=routes.NEW_TICKET,
                underline="none"),
        as_child=True,
        **props,
    )


def status_badge(label, color, **props) -> rx.Component:
    return rx.badge(label, color_scheme=color, variant="soft", high_contrast=True, **props)
