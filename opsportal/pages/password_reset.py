"""Forgot password (ask for a link by e-mail) and the link's page (choose a new password), both signed out."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import error_callout
from opsportal.components.public import MUTED, password_field, public_page, status_callout, text_field
from opsportal.state.email_links import PASSWORD_HINT, ForgotPasswordState, ResetPasswordState


def _back_to_sign_in() -> rx.Component:
    return rx.link("Back to sign in", href=routes.LOGIN, size="2")


@rx.page(route=routes.FORGOT_PASSWORD, title="Forgot your password · OpsPortal", on_load=ForgotPasswordState.load)
def forgot_password_page() -> rx.Component:
    return public_page(
        "Forgot your password?",
        rx.text("Enter the e-mail address you sign in with. We will e-mail you a link to choose a new password.",
                size="2", color=MUTED),
        error_callout(ForgotPasswordState.error),
        status_callout(ForgotPasswordState.answer, icon="mail", id="forgot-answer"),
        rx.form(
            rx.vstack(
                text_field("E-mail address", "email", "forgot-email", type="email", auto_complete="username",
                           required=True, auto_focus=True),
                rx.button("E-mail me a link", type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=ForgotPasswordState.submit,
            reset_on_submit=False,
            aria_label="Ask for a password reset link",
            width="100%",
        ),
        _back_to_sign_in(),
    )


@rx.page(route=routes.RESET_PASSWORD, title="Choose a new password · OpsPortal", on_load=ResetPasswordState.load)
def reset_password_page() -> rx.Component:
    return public_page(
        "Choose a new password",
        error_callout(ResetPasswordState.error),
        rx.cond(
            ResetPasswordState.link_problem,
            rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD, size="2", id="reset-new-link"),
            rx.vstack(
                rx.cond(ResetPasswordState.link_email != "",
                        rx.text("For the account ", rx.text.strong(ResetPasswordState.link_email), ".", size="2",
                                id="reset-account")),
                rx.form(
                    rx.vstack(
                        password_field("New password", "new_password", "reset-new-password", hint=PASSWORD_HINT),
                        password_field("Repeat the new password", "confirm_password", "reset-confirm-password"),
                        rx.text("Setting it signs you out on every device.", size="2", color=MUTED),
                        rx.button("Set the new password", type="submit", size="3", width="100%"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=ResetPasswordState.submit,
                    reset_on_submit=True,
                    aria_label="Choose a new password",
                    width="100%",
                ),
                spacing="3", width="100%",
            ),
        ),
        _back_to_sign_in(),
    )
