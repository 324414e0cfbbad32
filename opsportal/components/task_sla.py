"""A task's service levels (customer and staff task pages): "First response due by …", "Responded in …",
"Resolution due by …" / "Resolved in …" / "… overdue by …", each with a worded badge."""

from __future__ import annotations

import reflex as rx


def _line(fields, key: str, icon: str) -> rx.Component:
    return rx.cond(
        fields.contains(key),
        rx.hstack(
            rx.icon(icon, size=18, aria_hidden="true", color=rx.color("gray", 11), flex_shrink="0"),
            rx.text(fields[key], size="2", id=f"sla-{key}"),
            rx.badge(fields[f"{key}_badge"], color_scheme=fields[f"{key}_color"], variant="soft",
                     high_contrast=True, id=f"sla-{key}-badge"),
            spacing="2", align="center", wrap="wrap",
        ),
    )


def task_sla(fields) -> rx.Component:
    """``fields``: a state var holding ``state.task_sla.sla_fields``."""
    return rx.cond(
        fields.contains("policy"),
        rx.card(
            rx.vstack(
                rx.heading("Service level", size="4", as_="h2"),
                _line(fields, "first", "message-circle-reply"),
                _line(fields, "resolution", "circle-check-big"),
                rx.text(fields["policy"], size="1", color=rx.color("gray", 11), id="sla-policy"),
                spacing="2", width="100%",
            ),
            id="task-sla", width="100%",
        ),
    )
