import reflex as rx

from opsportal import routes
from opsportal.components.kb_article_form import article_fields
from opsportal.components.layout import app_shell, error_callout
from opsportal.state.kb import KbArticleState

MUTED = rx.color("gray", 11)


def _code_block(value, **_props) -> rx.Component:
    # Plain preformatted text: no syntax highlighter to ship for a few command lines.
    return rx.el.pre(value, background=rx.color("gray", 3), color=rx.color("gray", 12), padding="0.75rem",
                     border_radius="6px", overflow_x="auto", font_size="0.875rem", margin_y="0.75rem")


def article_body(markdown: rx.Var) -> rx.Component:
    """Markdown as the page shows it: no raw HTML, no math, no embedded images unwrapped."""
    return rx.markdown(
        markdown,
        use_raw=False,
        use_math=False,
        use_katex=False,
        use_unwrap_images=False,
        # Links in running text are underlined: colour alone does not set them apart (WCAG 1.4.1).
        component_map={"pre": _code_block, "a": lambda value: rx.link(value, underline="always")},
        width="100%",
        id="kb-article-body",
    )


def _meta() -> rx.Component:
    s = KbArticleState
    return rx.hstack(
        rx.badge(s.category, variant="soft", color_scheme="indigo", high_contrast=True),
        rx.cond(~s.published, rx.badge("Draft: not visible to customers", variant="soft", color_scheme="orange",
                                      high_contrast=True)),
        rx.text("Updated ", s.updated, rx.cond(s.author != "", " by " + s.author, ""), size="2", color=MUTED),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _staff_actions() -> rx.Component:
    s = KbArticleState
    return rx.cond(
        s.can_edit & ~s.editing,
        rx.hstack(
            rx.button(rx.icon("pencil", size=16, aria_hidden="true"), "Edit article",
                      on_click=s.set_editing(True)),
            rx.button(rx.cond(s.published, "Unpublish", "Publish"), on_click=s.toggle_published, variant="outline"),
            spacing="3",
        ),
    )


def _editor() -> rx.Component:
    s = KbArticleState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Edit article", size="4", as_="h2"),
                rx.cond(s.problems.contains("form"), error_callout(s.problems["form"])),
                article_fields("edit-article", s.problems, title=s.title, slug=s.slug, category=s.category,
                               body=s.body),
                rx.hstack(
                    rx.button("Save changes", type="submit"),
                    rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                              on_click=s.set_editing(False)),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.save,
            reset_on_submit=False,
            aria_label="Edit article",
        ),
        width="100%",
    )


@rx.page(route=routes.KB_ARTICLE, title="Knowledge base · OpsPortal", on_load=KbArticleState.load)
def kb_article_page() -> rx.Component:
    s = KbArticleState
    return app_shell(
        rx.cond(s.found, s.title, "Knowledge base"),
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("All articles"),
                          spacing="1", align="center"), href=routes.KB),
        error_callout(s.error),
        rx.cond(s.notice != "", rx.callout(s.notice, icon="check", color_scheme="green", role="status",
                                           width="100%")),
        rx.cond(
            s.found,
            rx.vstack(
                _meta(),
                _staff_actions(),
                rx.cond(s.editing, _editor(), rx.el.article(article_body(s.body), width="100%", max_width="48rem")),
                rx.cond(~s.can_edit, rx.card(rx.text(
                    "Still stuck? ", rx.link("Submit a ticket", href=routes.NEW_TICKET, underline="always"),
                    " and tell us what you already tried.", size="2"), width="100%", max_width="48rem")),
                spacing="4",
                width="100%",
            ),
        ),
    )
