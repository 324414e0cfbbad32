"""The organization page's invitations and low support-hours alert, for its owners and administrators."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import error_callout
from opsportal.components.tables import hidden_caption
from opsportal.state.org_notifications import THRESHOLD_LABEL
from opsportal.state.org_notifications import OrgNotificationsState as N

MUTED = rx.color("gray", 11)


def _ok(message, **props) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="check", color_scheme="green", high_contrast=True,
                                             role="status", width="100%", **props))


def _labelled(label: str, control_id: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        control,
        *([rx.text(hint, id=control_id + "-hint", size="1", color=MUTED)] if hint else []),
        spacing="1",
        width="100%",
    )


def _invitation_row(i: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i["email"]),
        rx.table.cell(i["role"]),
        rx.table.cell(i["expires"], white_space="nowrap"),
        rx.table.cell(rx.button("Revoke", size="1", variant="soft", color_scheme="red", on_click=N.revoke(i["id"]),
                                aria_label="Revoke the invitation to " + i["email"])),
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite a user"),
            rx.dialog.description("We e-mail them a link to choose their name and password. The link works for "
                                  "7 days; inviting the same address again replaces it.", size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(N.invite_error),
                    _labelled("E-mail address", "invite-email",
                              rx.input(id="invite-email", name="email", type="email", required=True,
                                       auto_complete="off", width="100%", on_change=N.invite_edited)),
                    _labelled("Role", "invite-role", rx.el.select(
                        rx.foreach(N.roles, lambda r: rx.el.option(r["label"], value=r["value"])),
                        id="invite-role", name="role", default_value="member", style=SELECT_STYLE,
                        on_change=N.invite_edited,
                        aria_describedby="invite-role-hint"),
                        hint="Members follow tasks and credits; billing contacts also see invoices; "
                             "administrators and owners also manage the organization."),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                                  high_contrast=True)),
                        rx.button("Send invitation", type="submit", id="invite-send"),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=N.invite, reset_on_submit=False, aria_label="Invite a user",
                key=N.invite_key.to_string(),
            ),
            max_width="30rem",
        ),
        open=N.invite_open,
        on_open_change=N.set_invite_open,
    )


def _invitations() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading("Invitations", size="4", as_="h2"),
            rx.spacer(),
            rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), "Invite a user", on_click=N.open_invite,
                      id="invite-open"),
            align="center", width="100%",
        ),
        error_callout(N.error),
        _ok(N.notice, id="invitations-notice"),
        rx.cond(
            N.invitations.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Pending invitations"),
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    "E-mail", "Role", "Link expires", "")])),
                rx.table.body(rx.foreach(N.invitations, _invitation_row)),
                width="100%",
            ), overflow_x="auto", width="100%"),
            rx.text("No pending invitations.", size="2", color=MUTED),
        ),
        _invite_dialog(),
        spacing="3", width="100%",
    ), width="100%")


def _threshold() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading("Low support-hours alert", size="4", as_="h2"),
            rx.text("Subscribers of the low support-hours alert get one e-mail each time the hours available to "
                    "the organization fall below this. ", rx.text.strong(N.threshold_label, id="threshold-label"),
                    " Who receives it: ", rx.link("Notifications", href=routes.NOTIFICATIONS, underline="always"), ".",
                    size="2"),
            error_callout(N.threshold_error),
            _ok(N.threshold_message),
            rx.hstack(
                rx.vstack(
                    rx.el.label(THRESHOLD_LABEL, html_for="threshold-input", font_size="0.875rem",
                                font_weight="500"),
                    # The hint sits above the field, so the Save button lines up with the field at any width.
                    rx.text("Hours, e.g. 5 or 5:00", id="threshold-input-hint", size="1", color=MUTED),
                    rx.input(id="threshold-input", name="threshold", default_value=N.threshold_input,
                             key=N.threshold_input, required=True, width="100%", on_change=N.threshold_edited,
                             aria_describedby="threshold-input-hint"),
                    spacing="1", width="16rem",
                ),
                rx.button("Save alert", type="submit"),
                rx.cond(N.threshold_set, rx.button("Turn the alert off", type="button", variant="soft",
                                                   color_scheme="gray", high_contrast=True,
                                                   on_click=N.remove_threshold)),
                align="end", spacing="3", wrap="wrap",
            ),
            spacing="3", width="100%",
        ),
        on_submit=N.save_threshold, reset_on_submit=False, aria_label="Low support-hours alert",
    ), width="100%")


def org_notifications_section() -> rx.Component:
    return rx.cond(N.allowed, rx.vstack(_invitations(), _threshold(), spacing="3", width="100%"))
