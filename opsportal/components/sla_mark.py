"""The staff queue's service-level cell: the next target in words ("Response due in 40 min", "Resolution overdue by
2 h") and, near breach or breached, a worded badge; colour only repeats what the words say."""

from __future__ import annotations

import reflex as rx


def sla_cell(row) -> rx.Component:
    """``row``: a queue row with ``sla`` (the words), ``sla_badge`` ("Breached", "Due soon" or "") and
    ``sla_color``."""
    return rx.table.cell(
        rx.hstack(
            rx.cond(row["sla_badge"] != "",
                    rx.badge(row["sla_badge"], color_scheme=row["sla_color"], variant="solid", high_contrast=True)),
            rx.text(row["sla"], size="2", white_space="nowrap"),
            spacing="2", align="center", wrap="wrap",
        ),
        class_name="sla-cell sla-" + row["sla_tone"],
    )
