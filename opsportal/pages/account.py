import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.state.account import AccountState
from opsportal.state.auth import AuthState


def _field(label: str, name: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.875rem", font_weight="500"),
        rx.input(id=name, name=name, type="password", auto_complete=autocomplete, required=True, width="100%"),
        spacing="1",
        width="100%",
    )


@rx.page(route=routes.ACCOUNT, title="Account · OpsPortal", on_load=AccountState.load)
def account_page() -> rx.Component:
    return app_shell(
        "Account",
        rx.card(
            rx.vstack(
                rx.text(AuthState.user_name, weight="medium"),
                rx.text(AuthState.user_email, size="2"),
                rx.badge(AuthState.role_label, variant="surface"),
                spacing="1",
            ),
            width="100%",
            max_width="32rem",
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Change password", size="4", as_="h2"),
                    error_callout(AccountState.error),
                    rx.cond(AccountState.message != "",
                            rx.callout(AccountState.message, icon="check", color_scheme="green", role="status")),
                    _field("Current password", "current_password", "current-password"),
                    _field("New password (at least 10 characters)", "new_password", "new-password"),
                    _field("Repeat the new password", "confirm_password", "new-password"),
                    rx.button("Change password", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AccountState.change_password,
                reset_on_submit=True,
                aria_label="Change password",
            ),
            width="100%",
            max_width="32rem",
        ),
    )
