"""/community/[category]: one category's threads, most recently active first (search within it)."""

import reflex as rx

from opsportal import routes
from opsportal.components.community import MUTED, join_offer, link_button
from opsportal.components.layout import app_shell, error_callout
from opsportal.pages.community import threads
from opsportal.state.community import CommunityState


@rx.page(route=routes.COMMUNITY_CATEGORY, title="K2 Community · OpsPortal", on_load=CommunityState.load)
def community_category_page() -> rx.Component:
    s = CommunityState
    return app_shell(
        rx.cond(s.category_name != "", s.category_name, "K2 Community"),
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("K2 Community"),
                          spacing="1", align="center"), href=routes.COMMUNITY),
        error_callout(s.error),
        rx.cond(
            s.access,
            rx.cond(s.category_name != "", rx.vstack(
                rx.text(s.category_description, size="3", color=MUTED),
                link_button("Ask a question here", routes.COMMUNITY_ASK + "?category=" + s.category, "plus"),
                rx.form(rx.hstack(
                    rx.input(name="q", type="search", default_value=s.query, aria_label="Search this category",
                             placeholder="Search this category", width="100%"),
                    rx.button("Search", type="submit"), width="100%", spacing="2"),
                    on_submit=s.search, reset_on_submit=False, role="search", aria_label="This category",
                    width="100%"),
                threads(),
                spacing="4", width="100%",
            )),
            join_offer(),
        ),
    )
