"""Pieces the K2 Community pages share: the Gold offer shown to customers without it, thread rows, post bodies."""

from __future__ import annotations

import reflex as rx

from opsportal import routes

MUTED = rx.color("gray", 11)


def badge(text, color: str) -> rx.Component:
    return rx.badge(text, variant="soft", color_scheme=color, high_contrast=True)


def link_button(label: str, href, icon: str, **props) -> rx.Component:
    """A link that looks like a button (one control: the link itself)."""
    return rx.button(rx.link(rx.icon(icon, size=16, aria_hidden="true"), label, href=href, underline="none"),
                     as_child=True, **props)


def join_offer() -> rx.Component:
    """What a customer without Gold reads instead of the threads: what the community is and how to get in."""
    return rx.card(
        rx.vstack(
            rx.heading("Join the K2 Community with Gold Support", size="4", as_="h2"),
            rx.text("The K2 Community is where K2 customers ask each other and our support engineers how-to "
                    "questions, share workflows and find answers that others have accepted. Reading and posting "
                    "are part of Gold Support, with software assurance, hotfixes and phone support.", size="3"),
            rx.text("Your organization has no active Gold Support term right now.", size="2", color=MUTED),
            link_button("See Gold Support and plans", routes.PLANS, "shield-check", id="community-gold-offer"),
            spacing="3",
        ),
        width="100%",
        max_width="48rem",
    )


def gold_elsewhere(message: rx.Var, buy_link: rx.Var, element_id: str = "community-gold-elsewhere") -> rx.Component:
    """Gold is held per organization: a subsidiary whose parent holds Gold reads why that does not cover it and who
    can buy it (``domain.gold_scope``); those who may buy get the Support plan page."""
    return rx.cond(message != "", rx.callout(
        rx.vstack(
            rx.text(message, size="2"),
            rx.cond(buy_link, rx.link("Buy Gold Support on the Support plan page", href=routes.PLANS + "#offer-gold",
                                      underline="always", weight="bold")),
            spacing="2"),
        icon="info", color_scheme="amber", high_contrast=True, role="status", width="100%", max_width="48rem",
        id=element_id))


def post_body(markdown: rx.Var, element_id=None) -> rx.Component:
    """A post's Markdown (made safe by the service): no raw HTML, no math; links underlined."""
    return rx.markdown(
        markdown,
        use_raw=False,
        use_math=False,
        use_katex=False,
        use_unwrap_images=False,
        component_map={"a": lambda value: rx.link(value, underline="always"),
                       "pre": lambda value, **_p: rx.el.pre(value, background=rx.color("gray", 3),
                                                            color=rx.color("gray", 12), padding="0.75rem",
                                                            border_radius="6px", overflow_x="auto")},
        width="100%",
        **({"id": element_id} if element_id is not None else {}),
    )


def thread_item(row) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.heading(rx.link(row.title, href=row.href), size="4", as_="h3"),
                rx.hstack(
                    rx.link(badge(row.category, "indigo"), href=row.category_href),
                    rx.cond(row.answered, badge("Answered", "green")),
                    rx.cond(row.locked, badge("Locked", "gray")),
                    rx.cond(row.hidden, badge("Hidden from customers", "orange")),
                    rx.text(row.answers, " · ", row.votes, " up-votes · asked by ", row.author, " · active ",
                            row.active, size="1", color=MUTED),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.cond(row.parts.length() > 0, rx.text(rx.cond(row.from_answer, rx.text.strong("From an answer: ")),
                                                        rx.foreach(row.parts, lambda p: rx.cond(
                    p.hit, rx.el.mark(p.text, background=rx.color("amber", 4), color=rx.color("gray", 12),
                                      font_weight="600"),
                    rx.text.span(p.text))), size="2")),
                spacing="2", width="100%",
            ),
            width="100%",
        ),
        list_style="none",
        width="100%",
    )
