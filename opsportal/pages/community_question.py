"""/community/questions/[question_id]: a thread, its answers, answering, accepting, voting, following; staff
moderate on the same page (and see hidden posts, marked)."""

import reflex as rx

from opsportal import routes
from opsportal.components.community import MUTED, badge, join_offer, post_body
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.domain.forum import ANSWER_MAX, QUESTION_MAX, REASON_MAX, TITLE_MAX
from opsportal.state.community_question import AnswerRow, CommunityQuestionState

S = CommunityQuestionState


def _vote_button(votes, voted, on_click, label) -> rx.Component:
    # The accessible name starts with the count the button shows (WCAG 2.5.3), then says what it does.
    return rx.button(rx.icon("thumbs-up", size=14, aria_hidden="true"), votes, on_click=on_click,
                     variant=rx.cond(voted, "solid", "soft"), size="1", aria_label=votes.to_string() + " up-votes: "
                     + label, aria_pressed=voted,
                     high_contrast=True)


def _hide_form(kind: str, post_id, label: str) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="kind", value=kind),
            rx.el.input(type="hidden", name="post_id", value=post_id),
            rx.input(name="reason", placeholder="Reason for hiding", aria_label=label + ": reason",
                     max_length=REASON_MAX, size="1"),
            rx.button("Hide", type="submit", size="1", color_scheme="red", variant="soft", aria_label=label),
            spacing="2", align="center",
        ),
        on_submit=S.hide_post, reset_on_submit=True, aria_label=label,
    )


def _delete_controls(target, what: str, on_delete) -> rx.Component:
    """"Delete" asks once more before the post goes for good."""
    return rx.cond(
        S.confirm_delete == target,
        rx.hstack(
            rx.text(f"Delete this {what} for good?", size="1", weight="medium"),
            rx.button(f"Yes, delete this {what}", size="1", color_scheme="red", on_click=on_delete),
            rx.button("Keep it", size="1", variant="soft", on_click=S.cancel_edit),
            spacing="2", align="center", role="group", aria_label=f"Confirm deleting this {what}",
        ),
        rx.button("Delete", size="1", variant="ghost", color_scheme="red", on_click=S.ask_delete(target),
                  aria_label=f"Delete this {what}"),
    )


def _edit_error() -> rx.Component:
    return rx.cond(S.edit_error != "", rx.text(S.edit_error, id="edit-error", color=rx.color("red", 11), size="2",
                                              role="alert"))


def _save_or_cancel(save: str) -> rx.Component:
    """The buttons under an author's edit form: save it, or leave it as it was."""
    return rx.hstack(rx.button(save, type="submit", size="2"),
                     rx.button("Cancel", type="button", variant="soft", size="2", on_click=S.cancel_edit), spacing="2")


def _edit_answer_form(a: AnswerRow) -> rx.Component:
    return rx.form(rx.vstack(
        rx.el.label("Edit your answer", html_for="edit-answer-body", font_weight="500", font_size="0.875rem"),
        rx.text_area(id="edit-answer-body", name="body", default_value=a.source, rows="6", width="100%",
                     max_length=ANSWER_MAX + 1000, aria_describedby="edit-error"),
        _edit_error(),
        _save_or_cancel("Save answer"),
        spacing="2", width="100%"), on_submit=S.save_answer, reset_on_submit=False, aria_label="Editing your answer",
        width="100%")


def _answer(a: AnswerRow) -> rx.Component:
    return rx.el.li(rx.card(rx.vstack(
        rx.hstack(
            rx.text(a.author, weight="bold", size="2"),
            rx.cond(a.from_staff, badge("Answered by support", "blue")),
            rx.cond(a.staff_pick, badge("Staff pick", "purple")),
            rx.cond(a.accepted, badge("Accepted answer", "green")),
            rx.cond(a.hidden, badge("Hidden from customers: " + a.hidden_reason, "orange")),
            rx.text(a.at, size="1", color=MUTED),
            rx.cond(a.edited != "", rx.text("· ", a.edited, size="1", color=MUTED, class_name="post-edited")),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.cond(S.editing_answer == a.id, _edit_answer_form(a), post_body(a.body)),
        rx.hstack(
            rx.cond(a.may_edit & (S.editing_answer != a.id), rx.fragment(
                rx.button("Edit", size="1", variant="soft", on_click=S.start_edit_answer(a.id),
                          aria_label="Edit your answer"),
                _delete_controls("answer-" + a.id.to_string(), "answer", S.delete_answer(a.id)),
            )),
            rx.cond(a.own, rx.text(a.votes, " up-votes", size="1", color=MUTED),
                    _vote_button(a.votes, a.voted, S.vote_answer(a.id, a.voted), "Up-vote this answer")),
            rx.cond(S.may_accept & ~a.accepted & ~a.hidden,
                    rx.button(rx.icon("check", size=14, aria_hidden="true"), "Accept this answer", size="1",
                              variant="outline", color_scheme="green", on_click=S.accept(a.id))),
            rx.cond(S.may_accept & a.accepted,
                    rx.button("Take acceptance back", size="1", variant="ghost", high_contrast=True,
                              on_click=S.unaccept)),
            rx.cond(S.may_moderate, rx.fragment(
                rx.button(rx.cond(a.staff_pick, "Remove staff pick", "Mark staff pick"), size="1", variant="soft",
                          on_click=S.toggle_pick(a.id, a.staff_pick)),
                rx.cond(a.hidden,
                        rx.button("Show to customers", size="1", variant="soft", on_click=S.unhide_post("answer",
                                                                                                       a.id)),
                        _hide_form("answer", a.id, "Hide this answer")),
            )),
            spacing="3", align="center", wrap="wrap",
        ),
        spacing="3", width="100%",
    ), width="100%", id="answer-" + a.id.to_string(),
        border=rx.cond(a.accepted, f"2px solid {rx.color('green', 9)}", "none")),
        list_style="none", width="100%")


def _moderation() -> rx.Component:
    return rx.cond(S.may_moderate, rx.card(rx.vstack(
        rx.heading("Moderation (staff)", size="3", as_="h2"),
        rx.hstack(
            rx.button(rx.cond(S.locked, "Unlock thread", "Lock thread"), on_click=S.toggle_lock, variant="soft"),
            rx.cond(S.hidden,
                    rx.button("Show thread to customers", variant="soft", on_click=S.unhide_post("question",
                                                                                                 S.question_id)),
                    _hide_form("question", S.question_id, "Hide this thread")),
            rx.form(rx.hstack(
                rx.el.select(rx.foreach(S.categories, lambda c: rx.el.option(c.name, value=c.slug)),
                             name="category", aria_label="Move to category", style={**SELECT_STYLE, "width": "auto"}),
                rx.button("Move thread", type="submit", variant="soft"), spacing="2"),
                on_submit=S.move_to, aria_label="Move thread"),
            spacing="4", wrap="wrap", align="center",
        ),
        spacing="2", width="100%"), width="100%"))


def _edit_question_form() -> rx.Component:
    return rx.form(rx.vstack(
        rx.el.label("Title", html_for="edit-question-title", font_weight="500", font_size="0.875rem"),
        rx.input(id="edit-question-title", name="title", default_value=S.source_title, max_length=TITLE_MAX + 50,
                 width="100%"),
        rx.el.label("Your question", html_for="edit-question-body", font_weight="500", font_size="0.875rem"),
        rx.text_area(id="edit-question-body", name="body", default_value=S.source_body, rows="8", width="100%",
                     max_length=QUESTION_MAX + 1000, aria_describedby="edit-error"),
        _edit_error(),
        _save_or_cancel("Save question"),
        spacing="2", width="100%", max_width="48rem"), on_submit=S.save_question, reset_on_submit=False,
        aria_label="Editing your question", width="100%")


def _question() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(badge(S.category, "indigo"), href=S.category_href),
            rx.cond(S.locked, badge("Locked: no new answers", "gray")),
            rx.cond(S.hidden, badge("Hidden from customers: " + S.hidden_reason, "orange")),
            rx.text("Asked by ", S.author, " · ", S.asked_at, size="2", color=MUTED),
            rx.cond(S.edited != "", rx.text("· ", S.edited, size="2", color=MUTED, class_name="post-edited")),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.cond(S.editing_question, _edit_question_form(),
                rx.el.article(post_body(S.body, "community-question-body"), width="100%", max_width="48rem")),
        rx.hstack(
            rx.cond(S.may_edit & ~S.editing_question, rx.fragment(
                rx.button("Edit", size="1", variant="soft", on_click=S.start_edit_question,
                          aria_label="Edit your question"),
                _delete_controls("question", "question", S.delete_question),
            )),
            rx.cond(S.own, rx.text(S.votes, " up-votes", size="2", color=MUTED),
                    _vote_button(S.votes, S.voted, S.vote_question, "Up-vote this question")),
            rx.button(rx.cond(S.following, "Stop following", "Follow"), on_click=S.toggle_follow, variant="soft",
                      size="1", aria_label=rx.cond(S.following, "Stop following this question",
                                                   "Follow this question by e-mail")),
            rx.cond(S.ticket_href != "", rx.link(S.ticket_label, href=S.ticket_href, underline="always"),
                    rx.cond(S.own & ~S.may_moderate,
                            rx.button("Turn into a support ticket", size="1", variant="outline",
                                      on_click=S.make_ticket))),
            spacing="3", align="center", wrap="wrap",
        ),
        spacing="3", width="100%",
    )


def _answer_form() -> rx.Component:
    return rx.cond(S.locked, rx.callout("This thread is locked: it takes no new answers.", icon="lock",
                                        color_scheme="gray", width="100%"),
                   rx.form(rx.vstack(
                       rx.el.label("Your answer", html_for="answer-body", font_weight="500"),
                       rx.text_area(id="answer-body", name="body", rows="6", width="100%",
                                    max_length=ANSWER_MAX + 1000, aria_describedby="answer-error"),
                       rx.text(S.answer_error, id="answer-error", color=rx.color("red", 11), size="2"),
                       rx.button("Post answer", type="submit"),
                       spacing="2", width="100%", max_width="48rem"),
                       on_submit=S.post_answer, reset_on_submit=False, aria_label="Answer"))


@rx.page(route=routes.COMMUNITY_QUESTION, title="K2 Community · OpsPortal", on_load=S.load)
def community_question_page() -> rx.Component:
    return app_shell(
        rx.cond(S.found, S.title, "K2 Community"),
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("K2 Community"),
                          spacing="1", align="center"), href=routes.COMMUNITY),
        error_callout(S.error),
        error_callout(S.action_error),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", role="status",
                                           high_contrast=True,
                                           width="100%")),
        rx.cond(~S.access, join_offer()),
        rx.cond(S.found, rx.vstack(
            _question(),
            _moderation(),
            rx.heading(S.answer_total, rx.cond(S.answer_total == 1, " answer", " answers"), size="4", as_="h2",
                       id="answers-heading"),
            rx.el.ul(rx.foreach(S.answers, _answer), padding="0", margin="0", width="100%", display="flex",
                     flex_direction="column", gap="0.75rem", aria_labelledby="answers-heading"),
            pager(S),
            _answer_form(),
            spacing="4", width="100%",
        )),
    )
