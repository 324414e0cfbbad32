"""The e-mail's unsubscribe link: works signed out, says what changed, and offers to undo it."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import error_callout
from opsportal.components.public import MUTED, public_page
from opsportal.state.email_links import UnsubscribeState as S


def _result() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("check", aria_hidden="true")),
            rx.vstack(rx.callout.text(S.headline, weight="bold", size="3", id="unsubscribe-headline"),
                      rx.callout.text(S.detail, size="3", id="unsubscribe-detail"), spacing="1"),
            color_scheme="green", high_contrast=True, role="status", width="100%",
        ),
        rx.cond(S.warning != "", rx.callout(S.warning, icon="triangle-alert", color_scheme="amber",
                                            high_contrast=True, width="100%", id="unsubscribe-warning")),
        rx.cond(
            S.status == "unsubscribed",
            rx.hstack(rx.text("Unsubscribed by mistake?", size="2", color=MUTED),
                      rx.button("Undo", on_click=S.undo, variant="outline", id="unsubscribe-undo"),
                      align="center", spacing="3"),
            rx.button("Unsubscribe again", on_click=S.unsubscribe_again, variant="outline", color_scheme="gray",
                      high_contrast=True),
        ),
        spacing="3",
        width="100%",
    )


@rx.page(route=routes.UNSUBSCRIBE, title="Unsubscribe · OpsPortal", on_load=S.load)
def unsubscribe_page() -> rx.Component:
    return public_page(
        "E-mail notifications",
        rx.cond(
            S.status == "working",
            rx.hstack(rx.spinner(size="2"), rx.text("Unsubscribing…", size="2"), align="center", spacing="2",
                      role="status"),
            rx.cond(S.status == "failed", error_callout(S.error), _result()),
        ),
        rx.text("To choose which e-mails you and your colleagues receive, ",
                rx.link("sign in and open Notifications", href=routes.NOTIFICATIONS, underline="always"), ".",
                size="2", color=MUTED),
    )
