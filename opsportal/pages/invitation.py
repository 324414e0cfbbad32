"""The invitation e-mail's link: the invited person chooses their name and password, then is signed in."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import error_callout
from opsportal.components.public import MUTED, password_field, public_page, text_field
from opsportal.state.email_links import PASSWORD_HINT
from opsportal.state.email_links import InvitationState as S


@rx.page(route=routes.INVITATION, title="Accept your invitation · OpsPortal", on_load=S.load)
def invitation_page() -> rx.Component:
    return public_page(
        "Join your team on OpsPortal",
        rx.text("You were invited to follow your organization's support tasks, hours and invoices. Choose the name "
                "your colleagues see and a password; you sign in with the e-mail address the invitation was sent to.",
                size="2", color=MUTED),
        error_callout(S.error),
        rx.cond(
            S.link_problem,
            rx.text("Ask the person who invited you to send a new invitation.", size="2"),
            rx.vstack(
                rx.cond(S.link_organization != "", rx.text(
                    rx.text.strong(S.link_organization), " invites ", rx.text.strong(S.link_email), " to join as ",
                    rx.text.strong(S.link_role), ".", size="2", id="invite-offer")),
                rx.form(
                    rx.vstack(
                        # A message about what was typed goes as soon as a field is changed.
                        text_field("Full name", "full_name", "invite-full-name", required=True, auto_complete="name",
                                   max_length=200, on_change=S.edited),
                        password_field("Password", "password", "invite-password", hint=PASSWORD_HINT,
                                       on_change=lambda _value: S.edited("")),
                        password_field("Repeat the password", "confirm_password", "invite-confirm-password",
                                       on_change=lambda _value: S.edited("")),
                        rx.button("Create my account", type="submit", size="3", width="100%"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=S.submit,
                    reset_on_submit=False,
                    aria_label="Accept the invitation",
                    width="100%",
                ),
                spacing="3", width="100%",
            ),
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN, underline="always"), size="2"),
    )
