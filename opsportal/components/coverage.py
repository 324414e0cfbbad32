"""The support-coverage card: is support available right now, per region, and emergency support when not."""

from __future__ import annotations

import reflex as rx

from opsportal import routes

MUTED = rx.color("gray", 11)


def _region(r: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text.strong(r["name"], " (", r["code"], ")"),
            rx.text(r["role"], size="1", color=MUTED),
            spacing="2", align="baseline", wrap="wrap",
        ),
        rx.text(r["local_time"], " · ", rx.text.strong(r["open"]), " · business hours ", r["hours"], size="2"),
        rx.hstack(
            rx.cond(r["covered"] != "",
                    rx.icon("check", size=16, aria_hidden="true", color=rx.color("green", 11)),
                    rx.icon("x", size=16, aria_hidden="true", color=rx.color("red", 11))),
            rx.text(r["text"], size="2", weight="medium"),
            spacing="1", align="center",
        ),
        rx.cond(r["opens_next"] != "", rx.text(r["opens_next"], size="1", color=MUTED)),
        padding_y="0.4rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style="none",
    )


def _headline(coverage) -> rx.Component:
    def box(icon: str, color: str) -> rx.Component:
        return rx.hstack(
            rx.icon(icon, size=22, aria_hidden="true", color=rx.color(color, 11), flex_shrink="0"),
            rx.text(coverage["headline"], size="3", weight="bold", color=rx.color(color, 12)),
            spacing="2", align="center", width="100%", padding="0.75rem",
            background=rx.color(color, 3), border=f"1px solid {rx.color(color, 6)}", border_radius="6px",
        )

    return rx.box(
        rx.match(coverage["tone"],
                 ("available", box("shield-check", "green")),
                 ("after_hours", box("moon", "blue")),
                 box("shield-alert", "amber")),
        id="coverage-headline", data_tone=coverage["tone"], width="100%",
    )


def coverage_card(coverage, regions, *, plan_link: bool = True) -> rx.Component:
    """``coverage``/``regions``: state vars holding ``state.coverage_view.coverage_dict``/``region_rows``."""
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("Support right now", size="4", as_="h2"), rx.spacer(),
                      *([rx.link("Support plan", href=routes.PLANS, size="2")] if plan_link else []),
                      width="100%", align="center"),
            _headline(coverage),
            rx.cond(
                coverage["emergency_rate"] != "",
                rx.hstack(
                    rx.text("Emergency support: ", rx.text.strong(coverage["emergency_rate"]),
                            ", paid by card before the work starts.",
                            rx.cond(coverage["request_href"] == "",
                                    " Your organization's owners and administrators can request it.", ""),
                            size="2", id="emergency-rate"),
                    rx.cond(coverage["request_href"] != "",
                            rx.button(rx.link(rx.icon("siren", size=16, aria_hidden="true"),
                                              "Request emergency support", href=coverage["request_href"],
                                              id="request-emergency", underline="none"),
                                      as_child=True, color_scheme="red", size="2")),
                    spacing="3", align="center", wrap="wrap", width="100%",
                ),
            ),
            rx.cond(
                regions.length() > 0,
                rx.el.ul(rx.foreach(regions, _region), padding="0", margin="0", width="100%",
                         aria_label="Support by region"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="coverage",
    )
