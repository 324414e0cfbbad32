"""The support terms and conditions, public: the current version (or ``?version=N``), markdown rendered without raw
HTML as the knowledge base renders articles."""

import reflex as rx

from opsportal import routes
from opsportal.components.public import public_page
from opsportal.pages.kb_article import article_body
from opsportal.state.terms import TermsState as S

MUTED = rx.color("gray", 11)


@rx.page(route=routes.TERMS, title="Support terms and conditions · OpsPortal", on_load=S.load)
def terms_page() -> rx.Component:
    return public_page(
        rx.cond(S.loaded, S.title, "Support terms and conditions"),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", role="alert",
                                          width="100%")),
        rx.cond(S.loaded, rx.vstack(
            rx.text("Version ", S.version.to_string(), ", published ", S.published, size="2", color=MUTED,
                    id="terms-version"),
            rx.cond(~S.current, rx.callout(rx.text("This is an earlier version. ",
                                                   rx.link("Read the current terms", href=routes.TERMS,
                                                           underline="always"), "."),
                                           icon="info", color_scheme="amber", width="100%")),
            rx.cond(S.summary != "", rx.text("Changes in this version: ", S.summary, size="2", color=MUTED)),
            rx.el.article(article_body(S.body), width="100%"),
            spacing="3", width="100%",
        )),
        rx.link("Back to the portal", href=routes.DASHBOARD, underline="always", size="2"),
        max_width="50rem",
    )
