"""/community/ask: a member asks the K2 Community a question."""

import reflex as rx

from opsportal import routes
from opsportal.components.community import MUTED, join_offer
from opsportal.components.forms import SELECT_STYLE, described_by, field, invalid
from opsportal.components.layout import app_shell, error_callout
from opsportal.domain.forum import QUESTION_MAX, TITLE_MAX
from opsportal.state.community import CommunityAskState


def _form() -> rx.Component:
    s = CommunityAskState
    return rx.form(
        rx.vstack(
            error_callout(s.problems.get("form", "")),
            field("Category", "ask-category", rx.el.select(
                rx.el.option("Choose a category", value=""),
                rx.foreach(s.categories, lambda c: rx.el.option(c.name, value=c.slug)),
                id="ask-category", name="category", value=s.chosen, on_change=s.choose,
                aria_invalid=invalid(s.problems, "category"), aria_describedby=described_by("ask-category"),
                style=SELECT_STYLE), s.problems, "category"),
            field("Title", "ask-title", rx.input(
                id="ask-title", name="title", max_length=TITLE_MAX + 50, width="100%",
                placeholder="e.g. Server stops answering after the nightly backup",
                aria_invalid=invalid(s.problems, "title"), aria_describedby=described_by("ask-title", True)),
                s.problems, "title", hint="One sentence that says what you need to know."),
            field("Your question", "ask-body", rx.text_area(
                id="ask-body", name="body", rows="10", max_length=QUESTION_MAX + 1000, width="100%",
                aria_invalid=invalid(s.problems, "body"), aria_describedby=described_by("ask-body", True)),
                s.problems, "body",
                hint="What you tried and what happened. Markdown works for lists, code and links. "
                     "Leave out passwords and customer data: every Gold customer can read it."),
            rx.hstack(
                rx.button("Post question", type="submit"),
                rx.link("Cancel", href=routes.COMMUNITY, underline="always"),
                spacing="4", align="center",
            ),
            spacing="4", width="100%", max_width="48rem",
        ),
        on_submit=s.submit, reset_on_submit=False, aria_label="Ask a question",
    )


@rx.page(route=routes.COMMUNITY_ASK, title="Ask the K2 Community · OpsPortal", on_load=CommunityAskState.load)
def community_ask_page() -> rx.Component:
    s = CommunityAskState
    return app_shell(
        "Ask the K2 Community",
        rx.text("Your post shows your first name and your organization's name.", size="2", color=MUTED),
        rx.cond(s.access, _form(), join_offer()),
    )
