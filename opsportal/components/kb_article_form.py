"""The fields of a knowledge-base article, shared by the "new article" and "edit article" forms."""

from __future__ import annotations

import reflex as rx

from opsportal.components.forms import SELECT_STYLE, described_by, field, invalid
from opsportal.domain.kb import KB_CATEGORIES


def article_fields(prefix: str, problems: rx.Var, *, title="", slug="", category="", body="") -> rx.Component:
    """Title, address, category and Markdown body; ``prefix`` keeps the ids unique on a page."""

    def control_id(name: str) -> str:
        return f"{prefix}-{name}"

    return rx.vstack(
        field("Title", control_id("title"), rx.input(
            id=control_id("title"), name="title", default_value=title, width="100%",
            aria_describedby=described_by(control_id("title")), aria_invalid=invalid(problems, "title")),
            problems, "title"),
        rx.grid(
            field("Address", control_id("slug"), rx.input(
                id=control_id("slug"), name="slug", default_value=slug, width="100%",
                aria_describedby=described_by(control_id("slug"), hint=True), aria_invalid=invalid(problems, "slug")),
                problems, "slug", hint="Shown after /kb/ in the link: lower-case words and hyphens. "
                                       "Left blank, it is made from the title."),
            field("Category", control_id("category"), rx.el.select(
                rx.el.option("Choose a category", value=""),
                *[rx.el.option(c, value=c) for c in KB_CATEGORIES],
                id=control_id("category"), name="category", default_value=category, style=SELECT_STYLE,
                aria_describedby=described_by(control_id("category")), aria_invalid=invalid(problems, "category")),
                problems, "category"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        field("Article (Markdown)", control_id("body"), rx.text_area(
            id=control_id("body"), name="body", default_value=body, rows="18", width="100%",
            font_family="ui-monospace, SFMono-Regular, Menlo, monospace",
            aria_describedby=described_by(control_id("body"), hint=True), aria_invalid=invalid(problems, "body_md")),
            problems, "body_md",
            hint="Use ## for headings, - for lists, **bold**, and [text](https://…) for links. HTML is shown as text."),
        spacing="3",
        width="100%",
    )
