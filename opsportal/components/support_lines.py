"""The customer's support phone lines with their open/closed status (the Contact support and new-ticket pages)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.state.support import SupportState as S

MUTED = rx.color("gray", 11)


def _phone(p: rx.Var, code) -> rx.Component:
    return rx.cond(p["region"] == code, rx.el.li(
        rx.hstack(rx.icon("phone", size=16, aria_hidden="true"),
                  rx.text(p["label"], ": ", size="2"),
                  rx.link(p["number"], href=p["href"], size="3", weight="medium", underline="always",
                          aria_label=p["label"] + " " + p["number"]),
                  spacing="2", align="center", wrap="wrap"),
        style={"listStyle": "none"}))


def _region(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(r["name"], " (", r["code"], ")", size="3", as_="h3"),
                  rx.badge(r["role"], variant="soft", high_contrast=True), spacing="2", align="center", wrap="wrap"),
        rx.hstack(
            rx.cond(r["open"] != "",
                    rx.badge(rx.icon("phone-call", size=14, aria_hidden="true"), r["status"], color_scheme="green",
                             variant="soft", high_contrast=True, size="2"),
                    rx.badge(rx.icon("phone-off", size=14, aria_hidden="true"), r["status"], color_scheme="gray",
                             variant="soft", high_contrast=True, size="2")),
            rx.cond(r["basis"] != "", rx.text("under ", r["basis"], size="1", color=MUTED)),
            spacing="2", align="center", wrap="wrap", id="phone-status-" + r["code"]),
        rx.cond(r["has_phones"] != "",
                rx.el.ul(rx.foreach(S.phones, lambda p: _phone(p, r["code"])),
                         aria_label="Support numbers for " + r["name"],
                         style={"padding": "0", "margin": "0", "display": "grid", "gap": "0.4rem"}),
                rx.text("No number is listed for this region yet; open a ticket instead.", size="2")),
        rx.text("Business hours: ", r["hours"], size="1", color=MUTED),
        spacing="2", width="100%",
    ), width="100%", id="phone-region-" + r["code"], role="group", aria_label="Phone support in " + r["name"])


def _no_gold() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("info", aria_hidden="true")),
        rx.vstack(
            rx.text(S.message, size="2", weight="medium"),
            rx.cond(S.may_buy,
                    rx.link("Buy Gold Support on the Support plan page", href=routes.PLANS + "#offer-gold",
                            size="2", underline="always", id="phone-buy-gold"),
                    rx.text("Your organization's owners, administrators and billing contacts can buy Gold Support.",
                            size="2")),
            spacing="1"),
        color_scheme="amber", high_contrast=True, width="100%", id="phone-needs-gold",
    )


def phone_lines(*, heading_size: str = "4") -> rx.Component:
    """Phone support for the signed-in customer's regions (``SupportState.load`` must run on the page)."""
    return rx.cond(S.loaded, rx.vstack(
        rx.heading("Phone support", size=heading_size, as_="h2"),
        rx.cond(
            S.gold,
            rx.vstack(
                rx.text("Call during the hours your plan covers; times are shown in your time zone, ", S.time_zone,
                        ".", size="2", color=MUTED),
                rx.grid(rx.foreach(S.regions, _region), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                        width="100%"),
                rx.cond(S.other_regions != "",
                        rx.text("Your teams in ", S.other_regions, " call your home region's numbers during its "
                                "hours; Multi-Regional adds their own region's line.", size="2", color=MUTED)),
                spacing="3", width="100%"),
            rx.cond(S.message != "", _no_gold()),
        ),
        spacing="3", width="100%", id="phone-support",
    ))
