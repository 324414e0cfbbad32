"""/community: the K2 Community's categories, recent threads and search (Gold customers and staff); what it is
and how to join for everyone else."""

import reflex as rx

from opsportal import routes
from opsportal.components.community import MUTED, gold_elsewhere, join_offer, link_button, thread_item
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.community import CommunityState

INTRO = ("Ask other K2 customers and our support engineers, and find answers others have accepted. "
         "Posts show your first name and your organization's name; never your e-mail address.")


def _search() -> rx.Component:
    s = CommunityState
    return rx.form(
        rx.vstack(
            rx.el.label("Search the community", html_for="community-query", font_size="0.875rem",
                        font_weight="500"),
            rx.hstack(
                rx.input(id="community-query", name="q", type="search", default_value=s.query,
                         placeholder="e.g. server stops after backup", width="100%", size="3"),
                rx.button(rx.icon("search", size=16, aria_hidden="true"), "Search", type="submit", size="3"),
                rx.cond(s.shown_query != "", rx.button("Clear", type="button", variant="soft", size="3",
                                                       on_click=s.clear_search)),
                width="100%", spacing="2",
            ),
            spacing="1", width="100%",
        ),
        on_submit=s.search, reset_on_submit=False, role="search", aria_label="Community", width="100%",
    )


def categories_list() -> rx.Component:
    return rx.el.ul(
        rx.foreach(CommunityState.categories, lambda c: rx.el.li(rx.card(rx.vstack(
            rx.link(rx.text(c.name, weight="bold", size="3"), href=c.href),
            rx.text(c.description, size="2"),
            rx.text(c.questions, size="1", color=MUTED),
            spacing="1"), width="100%", height="100%"), list_style="none")),
        display="grid", grid_template_columns="repeat(auto-fill, minmax(14rem, 1fr))", gap="0.75rem",
        padding="0", margin="0", width="100%", aria_label="Categories",
    )


def threads() -> rx.Component:
    s = CommunityState
    return rx.vstack(
        rx.text(rx.cond(s.shown_query != "", "Questions matching “" + s.shown_query + "”", "Recently active"),
                " · ", s.total, rx.cond(s.total == 1, " question", " questions"), size="2", color=MUTED,
                aria_live="polite", id="community-summary"),
        rx.cond(s.threads.length() > 0,
                rx.el.ul(rx.foreach(s.threads, thread_item), padding="0", margin="0", width="100%",
                         display="flex", flex_direction="column", gap="0.75rem"),
                rx.text("No questions here yet.", size="2")),
        pager(s),
        spacing="3", width="100%",
    )


def _staff_category_form() -> rx.Component:
    s = CommunityState
    return rx.cond(s.is_staff, rx.card(rx.form(rx.vstack(
        rx.heading("Add a category (staff)", size="3", as_="h2"),
        rx.hstack(
            rx.input(name="name", placeholder="Name", aria_label="Category name", width="100%"),
            rx.input(name="description", placeholder="Description", aria_label="Category description",
                     width="100%"),
            rx.button("Add category", type="submit"),
            spacing="2", width="100%",
        ),
        error_callout(s.new_category_error),
        spacing="2", width="100%"), on_submit=s.add_category, reset_on_submit=True, aria_label="Add a category"),
        width="100%"))


@rx.page(route=routes.COMMUNITY, title="K2 Community · OpsPortal", on_load=CommunityState.load)
def community_page() -> rx.Component:
    s = CommunityState
    return app_shell(
        "K2 Community",
        rx.text(INTRO, size="3", color=MUTED),
        error_callout(s.error),
        rx.cond(s.notice != "", rx.callout(s.notice, icon="check", color_scheme="green", role="status",
                                           high_contrast=True)),
        rx.cond(
            s.access,
            rx.vstack(
                link_button("Ask a question", routes.COMMUNITY_ASK, "plus"),
                _search(),
                rx.heading("Categories", size="4", as_="h2"),
                categories_list(),
                _staff_category_form(),
                rx.heading("Questions", size="4", as_="h2"),
                threads(),
                spacing="4", width="100%",
            ),
            rx.vstack(gold_elsewhere(s.gold_elsewhere, s.gold_buy_link), join_offer(),
                      rx.heading("What people talk about", size="4", as_="h2"),
                      rx.el.ul(rx.foreach(s.categories, lambda c: rx.el.li(
                          rx.text(rx.text.strong(c.name), " — ", c.description, size="2"))),
                          padding_left="1.25rem"),
                      spacing="4", width="100%"),
        ),
    )
