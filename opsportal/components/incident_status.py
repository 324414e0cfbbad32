"""On a task raised by a pay-per-incident request (customer and staff pages): awaiting payment or scheduled."""

from __future__ import annotations

import reflex as rx


def incident_status(incident) -> rx.Component:
    """``incident``: a state var holding ``state.task_incident.incident_fields``."""
    def box(icon: str, color: str) -> rx.Component:
        return rx.hstack(
            rx.icon(icon, size=20, aria_hidden="true", color=rx.color(color, 11), flex_shrink="0"),
            rx.vstack(
                rx.text(rx.text.strong(incident["kind"], ": ", incident["status"]), size="3", id="incident-status"),
                rx.text(incident["text"], size="2", id="incident-text"),
                rx.text("Prepaid: ", incident["units"], " · invoice ",
                        rx.link(incident["invoice"], href=incident["invoice_href"], id="incident-invoice"),
                        rx.cond(incident["pay"] != "", rx.fragment(" — ", rx.link(
                            "pay it now", href=incident["invoice_href"]))),
                        size="2"),
                spacing="1",
            ),
            spacing="3", align="start", width="100%", padding="0.75rem",
            background=rx.color(color, 3), border=f"1px solid {rx.color(color, 6)}", border_radius="6px",
        )

    return rx.cond(
        incident.contains("status"),
        rx.box(
            rx.match(incident["color"], ("green", box("calendar-check", "green")),
                     ("amber", box("receipt", "amber")), box("calendar-x", "gray")),
            id="incident", width="100%", role="status",
        ),
    )
