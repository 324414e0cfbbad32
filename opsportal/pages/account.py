import reflex as rx

from opsportal import routes
from opsportal.components.account_mfa import two_step_section
from opsportal.components.forms import SELECT_STYLE, described_by, field, invalid
from opsportal.components.layout import app_shell, error_callout
from opsportal.state.account import ORGANIZATION_DEFAULT, AccountState
from opsportal.state.account_mfa import AccountMfaState
from opsportal.state.account_sessions import AccountSessionsState
from opsportal.state.auth import AuthState

MUTED = rx.color("gray", 11)


def _password(label: str, name: str, autocomplete: str, hint: str = "") -> rx.Component:
    s = AccountState
    return field(label, name, rx.input(
        id=name, name=name, type="password", auto_complete=autocomplete, required=True, width="100%",
        # The message goes as the field is edited; the value itself is not sent until the form is.
        on_change=lambda _value: s.password_edited(name),
        aria_describedby=described_by(name, hint=bool(hint)), aria_invalid=invalid(s.password_problems, name)),
        s.password_problems, name, hint=hint)


def _time_zone() -> rx.Component:
    s = AccountState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Time zone", size="4", as_="h2"),
                rx.text("Every date and time in the portal is shown in this zone, with the zone named. Now: ",
                        rx.el.strong(s.zone_current, id="current-time-zone"), ".", size="2", color=MUTED),
                rx.el.label("Time zone", html_for="time-zone", font_size="0.875rem", font_weight="500"),
                rx.el.select(
                    rx.el.option(s.zone_default_label, value=ORGANIZATION_DEFAULT),
                    rx.foreach(s.zone_options, lambda z: rx.el.option(z["label"], value=z["value"])),
                    id="time-zone", name="time_zone", value=s.zone_value, on_change=s.choose_zone,
                    style=SELECT_STYLE, aria_describedby="time-zone-hint time-zone-result",
                ),
                rx.text("Type the first letters of a city to jump to it, e.g. “America/New_York”.",
                        id="time-zone-hint", size="1", color=MUTED),
                rx.flex(
                    rx.button("Save time zone", type="submit"),
                    rx.box(
                        rx.cond(s.zone_error != "", rx.text(s.zone_error, color=rx.color("red", 11), size="2",
                                                             weight="medium")),
                        rx.cond(s.zone_message != "", rx.text(rx.icon("check", size=14, aria_hidden="true"), " ",
                                                               s.zone_message, color=rx.color("green", 11),
                                                               size="2")),
                        id="time-zone-result", role="status", aria_live="polite",
                    ),
                    align="center",
                    gap="3",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.save_zone,
            reset_on_submit=False,
        ),
        width="100%",
        max_width="32rem",
    )


def _change_password() -> rx.Component:
    s = AccountState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4", as_="h2"),
                error_callout(s.error),
                rx.cond(s.message != "", rx.callout(s.message, icon="check", color_scheme="green", role="status")),
                _password("Current password", "current_password", "current-password"),
                _password("New password", "new_password", "new-password", hint="At least 10 characters."),
                _password("Repeat new password", "confirm_password", "new-password"),
                rx.button("Change password", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.change_password,
            reset_on_submit=False,
            aria_label="Change password",
        ),
        width="100%",
        max_width="32rem",
    )


def _session_row(row) -> rx.Component:
    s = AccountSessionsState
    return rx.table.row(
        rx.table.row_header_cell(row["device"],
                                 rx.cond(row["current"] != "", rx.badge("This device", color_scheme="green",
                                                                        variant="surface", margin_left="0.5rem"))),
        rx.table.cell(row["signed_in"]),
        rx.table.cell(row["address"]),
        rx.table.cell(rx.cond(
            row["current"] != "",
            rx.text("In use", size="2", color=MUTED),
            rx.button("End session", size="1", variant="soft", color_scheme="red", on_click=s.revoke(row["handle"]),
                      aria_label=row["revoke_label"]),
        )),
    )


def _sessions() -> rx.Component:
    s = AccountSessionsState
    return rx.card(
        rx.vstack(
            rx.heading("Where you are signed in", size="4", as_="h2"),
            rx.text("End a session you do not recognise; changing your password also ends every other one.",
                    size="2", color=MUTED),
            error_callout(s.sessions_error),
            rx.box(rx.cond(s.sessions_message != "", rx.text(rx.icon("check", size=14, aria_hidden="true"), " ",
                                                                  s.sessions_message, color=rx.color("green", 11),
                                                                  size="2")),
                   role="status", aria_live="polite", id="sessions-result"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Device"),
                    rx.table.column_header_cell("Signed in"),
                    rx.table.column_header_cell("Address"),
                    rx.table.column_header_cell(rx.el.span("Action", class_name="rt-visually-hidden",
                                                           style={"position": "absolute", "width": "1px",
                                                                  "height": "1px", "overflow": "hidden",
                                                                  "clip": "rect(0 0 0 0)"})),
                )),
                rx.table.body(rx.foreach(s.sessions, _session_row)),
                id="sessions",
                aria_label="Where you are signed in",
                width="100%",
                variant="surface",
            ),
            rx.cond(s.sessions.length() > 1,
                    rx.button("End all other sessions", variant="outline", color_scheme="red",
                              on_click=s.sign_out_elsewhere)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="48rem",
    )


@rx.page(route=routes.ACCOUNT, title="Account · OpsPortal",
         on_load=[AccountState.load, AccountMfaState.load, AccountSessionsState.load_sessions])
def account_page() -> rx.Component:
    return app_shell(
        "Account",
        rx.cond(AuthState.mfa_setup_due, rx.callout(
            "Two-step verification is required for your account. Set it up below to go on using the portal.",
            icon="shield-alert", color_scheme="amber", high_contrast=True, role="alert", id="mfa-required",
            width="100%", max_width="32rem")),
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
        _time_zone(),
        _change_password(),
        two_step_section(),
        _sessions(),
    )
