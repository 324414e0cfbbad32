"""Contact support: phone numbers and hours for the customer's regions, tickets, the knowledge base, the terms."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.support_lines import phone_lines
from opsportal.state.support import SupportState as S

MUTED = rx.color("gray", 11)


def _other_ways() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Other ways to get help", size="4", as_="h2"),
        rx.el.ul(
            rx.el.li(rx.link("Submit a ticket", href=routes.NEW_TICKET, underline="always"),
                     " — break-fix support at any time; we answer in the hours your plan covers."),
            rx.el.li(rx.link("Search the knowledge base", href=routes.KB, underline="always"),
                     " — help topics and known fixes."),
            rx.el.li(rx.link("Your support plan", href=routes.PLANS, underline="always"),
                     " — what covers you right now, after-hours add-ons and pay-per-incident support."),
            rx.el.li(rx.link("Support terms and conditions", href=routes.TERMS, underline="always"), "."),
            style={"paddingLeft": "1.25rem", "display": "grid", "gap": "0.4rem"},
        ),
        spacing="2", width="100%",
    ), width="100%")


@rx.page(route=routes.SUPPORT, title="Contact support · OpsPortal", on_load=S.load)
def support_page() -> rx.Component:
    return app_shell(
        "Contact support",
        error_callout(S.error),
        phone_lines(),
        _other_ways(),
    )
