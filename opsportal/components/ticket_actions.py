"""The customer's controls on a task page: status (solve, close, reopen, follow-up), priority, followers and the
satisfaction rating. ``S`` is the page's state (it mixes in ``state.ticket_actions.TicketActionsMixin``).

The staff task page reuses the follow-up links, the followers card and the rating given
(``state.staff_ticket_panel.StaffTicketPanelMixin`` has the same ``ta_`` vars for them)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import error_callout
from opsportal.domain.ticket_actions import RATING_QUESTION

MUTED = rx.color("gray", 11)


def _ok(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="check", color_scheme="green", high_contrast=True,
                                             width="100%", id="ticket-action-notice"))


def _label(text: str, control_id: str) -> rx.Component:
    return rx.el.label(text, html_for=control_id, font_size="0.875rem", font_weight="500")


def _link_to(task_id, prefix: str) -> rx.Component:
    return rx.link("#", task_id, href=prefix + task_id, underline="always")


def follow_up_links(S, prefix: str = routes.TASKS + "/") -> rx.Component:
    """"Follow-up of #N" and "Follow-up: #M", linked to the task pages under ``prefix``."""
    return rx.fragment(
        rx.cond(S.ta_follow_up_of != "",
                rx.text("Follow-up of ", _link_to(S.ta_follow_up_of, prefix), size="2", id="follow-up-of")),
        rx.cond(S.ta_follow_ups.length() > 0,
                rx.text("Follow-up: ", rx.foreach(S.ta_follow_ups, lambda i: rx.fragment(_link_to(i, prefix), " ")),
                        size="2", id="follow-ups")),
    )


def _status_buttons(S) -> rx.Component:
    def button(action: str, text: str, icon: str, **props) -> rx.Component:
        return rx.cond(S.ta_can.contains(action),
                       rx.button(rx.icon(icon, size=16, aria_hidden="true"), text, type="button",
                                 on_click=S.ta_change_status(action), id=f"ticket-{action.replace('_', '-')}",
                                 **props))

    return rx.vstack(
        rx.hstack(
            button("solve", "Mark as solved", "circle-check", color_scheme="green"),
            button("close", "Close", "circle-x", variant="soft", color_scheme="gray"),
            button("reopen", "Reopen", "rotate-ccw", variant="soft"),
            rx.cond(S.ta_can.contains("follow_up"),
                    rx.button(rx.icon("reply", size=16, aria_hidden="true"), "Open a follow-up ticket",
                              type="button", variant="soft", on_click=S.ta_toggle_follow_up,
                              aria_expanded=rx.cond(S.ta_follow_up_form, "true", "false"),
                              aria_controls="follow-up-form", id="ticket-follow-up")),
            spacing="2", wrap="wrap",
        ),
        rx.cond(S.ta_reopen_note != "", rx.text(S.ta_reopen_note, size="2", color=MUTED, id="reopen-note")),
        rx.cond(S.ta_follow_up_form, _follow_up_form(S)),
        spacing="2", width="100%",
    )


def _follow_up_form(S) -> rx.Component:
    return rx.form(
        rx.vstack(
            _label("What do you still need?", "follow-up-description"),
            rx.text("The follow-up keeps this ticket's subject and category, and its followers.", size="1",
                    color=MUTED, id="follow-up-hint"),
            rx.text_area(id="follow-up-description", name="description", rows="3", width="100%",
                         aria_describedby="follow-up-hint"),
            error_callout(S.ta_follow_up_error),
            rx.hstack(rx.button("Open follow-up ticket", type="submit"),
                      rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                on_click=S.ta_toggle_follow_up),
                      spacing="2"),
            spacing="2", width="100%",
        ),
        on_submit=S.ta_open_follow_up, reset_on_submit=False, aria_label="Open a follow-up ticket",
        id="follow-up-form", width="100%",
    )


def _priority(S) -> rx.Component:
    return rx.cond(
        S.ta_may_change_priority,
        rx.form(
            rx.vstack(
                _label("Priority", "ticket-priority-select"),
                rx.hstack(
                    rx.el.select(rx.foreach(S.ta_priority_options,
                                            lambda p: rx.el.option(p["label"], value=p["value"])),
                                 id="ticket-priority-select", name="priority", default_value=S.ta_priority,
                                 key=S.ta_priority, style=SELECT_STYLE | {"width": "12rem"},
                                 aria_describedby="priority-hint"),
                    rx.button("Change priority", type="submit", variant="soft"),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.cond(
                    S.ta_may_request_incident,
                    rx.text("Choose low, normal or high. Urgent is set by the support team; for an emergency outside "
                            "business hours, ", rx.link("request Emergency After-Hours support",
                                                        href=routes.INCIDENT_REQUEST + "?kind=emergency",
                                                        underline="always"), ".",
                            size="1", color=MUTED, id="priority-hint"),
                    rx.text("Choose low, normal or high. Urgent is set by the support team; for an emergency outside "
                            "business hours, ask your organization's owners or administrators.",
                            size="1", color=MUTED, id="priority-hint"),
                ),
                spacing="1", width="100%",
            ),
            on_submit=S.ta_set_priority, reset_on_submit=False, aria_label="Change the priority", width="100%",
        ),
    )


def _manage(S) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Manage this ticket", size="4", as_="h2"),
            follow_up_links(S),
            rx.cond(
                S.ta_may_act,
                rx.vstack(_status_buttons(S), _priority(S), spacing="4", width="100%"),
                rx.text("The person who opened this ticket, its followers and your organization's owners and "
                        "administrators can solve, close or reopen it. Follow it below to be one of them.",
                        size="2", color=MUTED),
            ),
            spacing="3", width="100%",
        ),
        width="100%", id="ticket-manage",
    )


def _follower(S, f: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon("user", size=16, aria_hidden="true", color=MUTED),
            rx.text(f["name"], size="2", weight="medium"),
            rx.text(f["email"], size="1", color=MUTED),
            rx.cond(f["removable"] == "yes",
                    rx.button(rx.icon("x", size=14, aria_hidden="true"), "Remove", size="1", variant="soft",
                              color_scheme="gray", type="button", on_click=S.ta_remove_follower(f["id"]),
                              aria_label="Remove " + f["name"] + " from the followers")),
            spacing="2", align="center", wrap="wrap",
        ),
        list_style="none",
    )


def _add_follower(S, for_staff: bool) -> rx.Component:
    self_button = rx.cond(
        S.ta_candidates.length() > 0,
        rx.button(rx.icon("bell-plus", size=16, aria_hidden="true"), "Follow this ticket", type="button",
                  variant="soft", on_click=S.ta_follow, id="ticket-follow")) if not for_staff else rx.fragment()
    return rx.cond(
        S.ta_may_manage,
        rx.cond(
            S.ta_candidates.length() > 0,
            rx.form(
                rx.vstack(
                    _label("Add someone from the organization" if for_staff else "Add a colleague",
                           "follower-select"),
                    rx.hstack(
                        rx.el.select(
                            rx.el.option("Choose a colleague", value=""),
                            rx.foreach(S.ta_candidates, lambda p: rx.el.option(p["label"], value=p["id"])),
                            id="follower-select", name="user", default_value="", style=SELECT_STYLE
                            | {"width": "auto", "min_width": "16rem", "max_width": "100%"}),
                        rx.button("Add follower", type="submit", variant="soft"),
                        spacing="2", align="center", wrap="wrap",
                    ),
                    spacing="1", width="100%",
                ),
                on_submit=S.ta_add_follower, reset_on_submit=True, aria_label="Add a follower", width="100%",
            ),
            rx.text(rx.cond(S.ta_followers.length() > 0, "Every active colleague already follows this ticket.",
                            "Nobody else in the organization can follow it yet." if for_staff
                            else "Nobody else in your organization can follow it yet."), size="2", color=MUTED),
        ),
        self_button,
    )


def followers_card(S, *, for_staff: bool = False) -> rx.Component:
    """The followers with Remove where the reader may, and the way to add one (a customer who manages no followers
    gets "Follow this ticket"; staff manage them all)."""
    return rx.card(
        rx.vstack(
            rx.heading("Followers", size="4", as_="h2"),
            rx.text("Followers hear of support's replies and status changes, in the portal and by e-mail.",
                    size="2", color=MUTED),
            rx.cond(S.ta_followers.length() > 0,
                    rx.el.ul(rx.foreach(S.ta_followers, lambda f: _follower(S, f)), padding="0", margin="0",
                             display="flex", flex_direction="column", gap="0.5rem", aria_label="Followers",
                             id="followers"),
                    rx.text("Nobody else follows this ticket yet.", size="2", color=MUTED, id="followers")),
            _add_follower(S, for_staff),
            spacing="3", width="100%",
        ),
        width="100%", id="ticket-followers",
    )


def _score_choice(S, value: str, text: str, icon: str) -> rx.Component:
    control_id = f"rating-{value}"
    return rx.el.label(
        rx.el.input(type="radio", name="score", value=value, id=control_id,
                    default_checked=S.ta_rating.get("score", "") == value, key=S.ta_rating.get("score", "") + value),
        rx.icon(icon, size=18, aria_hidden="true"),
        rx.text(text, as_="span", size="2"),
        html_for=control_id, display="flex", align_items="center", gap="0.5rem", padding="0.5rem 0.75rem",
        border=f"1px solid {rx.color('gray', 7)}", border_radius="0.5rem", cursor="pointer",
    )


def _rating_form(S) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.fieldset(
                rx.el.legend(RATING_QUESTION, font_weight="600", font_size="0.9375rem", margin_bottom="0.5rem"),
                rx.hstack(_score_choice(S, "good", "Good, I'm satisfied", "thumbs-up"),
                          _score_choice(S, "bad", "Bad, I'm unsatisfied", "thumbs-down"), spacing="2", wrap="wrap"),
                border="none", padding="0", margin="0",
            ),
            _label("Comment (optional)", "rating-comment"),
            rx.text_area(id="rating-comment", name="comment", rows="3", width="100%",
                         default_value=S.ta_rating.get("comment", ""), key=S.ta_rating.get("when", "new"),
                         placeholder="What went well, or what could we do better?"),
            error_callout(S.ta_rating_error),
            rx.button(rx.cond(S.ta_rating.contains("score"), "Change rating", "Submit rating"), type="submit"),
            spacing="2", width="100%",
        ),
        on_submit=S.ta_rate, reset_on_submit=False, aria_label="Rate the support", width="100%",
    )


def rating_given(S) -> rx.Component:
    """"Rated Good by … on …" and the comment, once given."""
    return rx.cond(
        S.ta_rating.contains("score"),
        rx.box(
            rx.text("Rated ", rx.text.strong(S.ta_rating["label"]), " by ", S.ta_rating["by"], " on ",
                    S.ta_rating["when"], ".", size="2"),
            rx.cond(S.ta_rating["comment"] != "",
                    rx.text("“", S.ta_rating["comment"], "”", size="2", white_space="pre-wrap", color=MUTED)),
            id="rating-given", width="100%",
        ),
    )


def _rating(S) -> rx.Component:
    given = rating_given(S)
    return rx.cond(
        ~S.ta_is_open & (S.ta_may_rate | S.ta_rating.contains("score")),
        rx.card(
            rx.vstack(
                rx.heading("Your rating", size="4", as_="h2"),
                given,
                rx.cond(S.ta_rating_editable, _rating_form(S),
                        rx.cond(S.ta_may_rate, rx.text("The rating can be changed within ", S.ta_window_days,
                                                       " days of the ticket being solved.", size="1",
                                                       color=MUTED))),
                spacing="3", width="100%",
            ),
            width="100%", id="ticket-rating",
        ),
    )


def ticket_actions(S) -> rx.Component:
    """Everything the reader can do on the ticket, with the outcome of the last action said above it."""
    return rx.cond(
        S.ta_ready,
        rx.vstack(
            rx.box(_ok(S.ta_notice), role="status", width="100%"),
            error_callout(S.ta_error),
            _rating(S),
            _manage(S),
            followers_card(S),
            spacing="4", width="100%",
        ),
    )
