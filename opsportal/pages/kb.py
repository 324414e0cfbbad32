import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.kb_article_form import article_fields
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.kb import HitView, KbState

MUTED = rx.color("gray", 11)


def _search_form() -> rx.Component:
    return rx.form(
        rx.grid(
            rx.vstack(
                rx.el.label("Search the knowledge base", html_for="kb-query", font_size="0.875rem",
                            font_weight="500"),
                rx.hstack(
                    rx.input(id="kb-query", name="q", type="search", value=KbState.query,
                             on_change=KbState.type_query, placeholder="e.g. VPN keeps disconnecting",
                             width="100%", size="3"),
                    rx.button(rx.icon("search", size=16, aria_hidden="true"), "Search", type="submit", size="3"),
                    width="100%",
                    spacing="2",
                ),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.el.label("Category", html_for="kb-category", font_size="0.875rem", font_weight="500"),
                rx.el.select(
                    rx.el.option("All categories", value=""),
                    rx.foreach(KbState.categories, lambda c: rx.el.option(c["label"], value=c["name"])),
                    id="kb-category", name="category", value=KbState.category, on_change=KbState.choose_category,
                    style={**SELECT_STYLE, "height": "2.5rem"},
                ),
                spacing="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="3fr 1fr"),
            spacing="3",
            width="100%",
            align_items="end",
        ),
        on_submit=KbState.submit_search,
        reset_on_submit=False,
        role="search",
        aria_label="Knowledge base",
        width="100%",
    )


def _snippet(hit: HitView) -> rx.Component:
    return rx.text(
        rx.foreach(hit.parts, lambda part: rx.cond(
            part.hit,
            rx.el.mark(part.text, background=rx.color("amber", 4), color=rx.color("gray", 12), padding_x="1px",
                       border_radius="2px", font_weight="600"),
            rx.text.span(part.text),
        )),
        size="2",
        color=rx.color("gray", 12),
    )


def _hit(hit: HitView) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.heading(rx.link(hit.title, href=hit.href), size="4", as_="h2"),
                rx.hstack(
                    rx.badge(hit.category, variant="soft", color_scheme="indigo", high_contrast=True),
                    rx.cond(hit.draft, rx.badge("Draft", variant="soft", color_scheme="orange", high_contrast=True)),
                    rx.text("Updated ", hit.updated, size="1", color=MUTED),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                _snippet(hit),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        list_style="none",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.box(
        rx.cond(
            KbState.shown_query != "",
            rx.text(
                rx.cond(KbState.total == 1, "1 article", KbState.total.to_string() + " articles"),
                " for “", KbState.shown_query, "”",
                rx.cond(KbState.broadened, " (no article has every word; showing those with some of them)", ""),
                size="2", color=MUTED,
            ),
            rx.text(rx.cond(KbState.category != "", KbState.category, "Recently updated"), " · ",
                    KbState.total, rx.cond(KbState.total == 1, " article", " articles"), size="2", color=MUTED),
        ),
        aria_live="polite",
        id="kb-summary",
    )


def _new_article() -> rx.Component:
    return rx.cond(
        KbState.can_write,
        rx.cond(
            KbState.form_open,
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("New article", size="4", as_="h2"),
                        rx.cond(KbState.problems.contains("form"), error_callout(KbState.problems["form"])),
                        article_fields("new-article", KbState.problems),
                        rx.el.label(rx.hstack(
                            rx.checkbox(name="published", id="new-article-published", aria_label="Publish now"),
                            rx.text("Publish now (otherwise it is saved as a draft)", size="2"),
                            spacing="2", align="center")),
                        rx.hstack(
                            rx.button("Create article", type="submit"),
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                      on_click=KbState.set_form_open(False)),
                            spacing="3",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=KbState.create,
                    reset_on_submit=False,
                    aria_label="New article",
                ),
                width="100%",
            ),
            rx.button(rx.icon("plus", size=16, aria_hidden="true"), "New article",
                      on_click=KbState.set_form_open(True), variant="outline"),
        ),
    )


@rx.page(route=routes.KB, title="Knowledge base · OpsPortal", on_load=KbState.load)
def kb_page() -> rx.Component:
    return app_shell(
        "Knowledge base",
        rx.text("Answers to common IT problems, and how your hours, credits and invoices work.", size="3",
                color=MUTED),
        _search_form(),
        error_callout(KbState.error),
        _new_article(),
        _summary(),
        rx.cond(
            KbState.hits.length() > 0,
            rx.el.ul(rx.foreach(KbState.hits, _hit), display="flex", flex_direction="column", gap="0.75rem",
                     padding="0", margin="0", width="100%", aria_label="Articles"),
            rx.text("No article matches. Try fewer or other words, or choose another category.", size="2",
                    color=MUTED),
        ),
        pager(KbState),
        rx.cond(
            ~KbState.can_write,
            rx.card(rx.hstack(
                rx.icon("message-square-plus", size=20, aria_hidden="true", color=rx.color("accent", 11)),
                rx.text("Didn't find an answer? ",
                        rx.link("Submit a ticket", href=routes.NEW_TICKET, underline="always"),
                        " and our team will help.", size="2"),
                spacing="3", align="center",
            ), width="100%"),
        ),
    )

