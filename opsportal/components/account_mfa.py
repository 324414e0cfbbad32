"""Two-step verification: the Account page's section and the organization page's requirement switch."""

import reflex as rx

from opsportal.components.layout import error_callout
from opsportal.state.account_mfa import REGENERATE, TURN_OFF
from opsportal.state.account_mfa import AccountMfaState as S
from opsportal.state.org_mfa import OrgMfaState as O

MUTED = rx.color("gray", 11)
QR_ALT = "QR code for adding OpsPortal to your authenticator app"


def _ok(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="check", color_scheme="green", high_contrast=True,
                                             role="status", width="100%"))


def _labelled(label: str, control_id: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        *([rx.text(hint, id=control_id + "-hint", size="1", color=MUTED)] if hint else []),
        control,
        spacing="1", width="100%",
    )


def _status() -> rx.Component:
    return rx.box(
        rx.cond(
            S.enabled,
            rx.text(rx.badge("On", color_scheme="green", high_contrast=True), " since ", S.since, ". ",
                    S.codes_left, rx.cond(S.codes_left == 1, " recovery code left.", " recovery codes left."),
                    size="2"),
            rx.text(rx.badge("Off", color_scheme="gray", high_contrast=True),
                    " Signing in asks only for your password.", size="2"),
        ),
        rx.cond(S.required, rx.text("Two-step verification is required for your account.", size="2",
                                    weight="medium", margin_top="0.25rem")),
        id="mfa-status",
    )


def _set_up() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("1. Scan this QR code with an authenticator app (for example Google Authenticator, Microsoft "
                    "Authenticator or 1Password).", size="2"),
            rx.image(src=S.qr, alt=QR_ALT, width="205px", height="205px", id="mfa-qr"),
            rx.text("Cannot scan it? Add an account in the app by hand with this key (time-based):", size="2"),
            rx.code(S.secret_grouped, id="mfa-secret", size="3", variant="outline", high_contrast=True,
                    aria_label="Set-up key", style={"letter_spacing": "0.05em", "word_break": "break-word"}),
            rx.text("2. Enter the 6-digit code the app shows for OpsPortal.", size="2"),
            _labelled("Code from the app", "mfa-code", rx.input(
                id="mfa-code", name="code", required=True, auto_complete="one-time-code", input_mode="numeric",
                max_length=12, width="12rem", aria_describedby="mfa-code-hint"), hint="6 digits, e.g. 123 456"),
            rx.hstack(
                rx.button("Confirm", type="submit", id="mfa-confirm"),
                rx.button("Cancel", type="button", variant="soft", color_scheme="gray", high_contrast=True,
                          on_click=S.cancel),
                spacing="3",
            ),
            spacing="3", width="100%",
        ),
        on_submit=S.confirm, reset_on_submit=False, aria_label="Set up two-step verification",
    )


def _codes() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading("Your recovery codes", size="3", as_="h3"),
            rx.text("If you lose your phone, each code signs you in once in place of a code from the app. Save them "
                    "somewhere safe now (download or copy them): they are not shown again.", size="2"),
            rx.el.ul(rx.foreach(S.codes, lambda c: rx.el.li(rx.code(c, size="3", high_contrast=True))),
                     id="mfa-recovery-codes", aria_label="Recovery codes",
                     style={"display": "grid", "grid_template_columns": "repeat(2, max-content)",
                            "gap": "0.5rem 2rem", "list_style": "none", "padding": "0", "margin": "0"}),
            rx.hstack(
                rx.button(rx.icon("download", size=16, aria_hidden="true"), "Download codes", type="button",
                          variant="soft", high_contrast=True, on_click=S.download_codes),
                rx.button(rx.icon("copy", size=16, aria_hidden="true"), "Copy codes", type="button",
                          variant="soft", high_contrast=True, on_click=S.copy_codes),
                rx.button("I have saved my codes", type="button", on_click=S.codes_saved),
                spacing="3", wrap="wrap",
            ),
            spacing="3", width="100%",
        ),
        padding="1rem", border=f"1px solid {rx.color('amber', 8)}", border_radius="8px",
        background=rx.color("amber", 2), width="100%",
    )


def _password_form(title: str, button: str, control_id: str, on_submit, danger: bool = False) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(title, size="2"),
            _labelled("Current password", control_id, rx.input(
                id=control_id, name="password", type="password", required=True, auto_complete="current-password",
                width="100%")),
            rx.hstack(
                rx.button(button, type="submit", color_scheme="red" if danger else None),
                rx.button("Cancel", type="button", variant="soft", color_scheme="gray", high_contrast=True,
                          on_click=S.open_form("")),
                spacing="3", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        on_submit=on_submit, reset_on_submit=True, aria_label=button,
    )


def _manage() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.form == REGENERATE,
            _password_form("New codes replace every earlier one.", "Regenerate recovery codes", "mfa-regen-password",
                           S.regenerate),
            rx.cond(
                S.form == TURN_OFF,
                _password_form("Signing in will ask only for your password.", "Turn off two-step verification",
                               "mfa-off-password", S.turn_off, danger=True),
                rx.hstack(
                    rx.button("Regenerate recovery codes", type="button", variant="soft", high_contrast=True,
                              on_click=S.open_form(REGENERATE)),
                    rx.cond(~S.required, rx.button("Turn off", type="button", variant="soft", color_scheme="red",
                                                   aria_label="Turn off two-step verification",
                                                   on_click=S.open_form(TURN_OFF))),
                    spacing="3", wrap="wrap",
                ),
            ),
        ),
        width="100%",
    )


def two_step_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Two-step verification", size="4", as_="h2", id="two-step"),
            rx.text("Signing in asks for a code from an app on your phone as well as your password, so a stolen "
                    "password alone does not open your account.", size="2", color=MUTED),
            error_callout(S.error),
            _ok(S.message),
            rx.cond(S.loaded, _status()),
            rx.cond(S.codes.length() > 0, _codes()),
            rx.cond(
                S.setting_up, _set_up(),
                rx.cond(S.enabled, _manage(),
                        rx.cond(S.loaded, rx.button("Set up two-step verification", type="button", id="mfa-begin",
                                                    on_click=S.begin))),
            ),
            spacing="3", width="100%",
        ),
        width="100%", max_width="32rem",
    )


def org_requirement_section() -> rx.Component:
    """For the organization's owners: the switch requiring two-step verification of everyone in it."""
    return rx.cond(
        O.allowed,
        rx.card(rx.vstack(
            rx.heading("Two-step verification", size="4", as_="h2"),
            error_callout(O.error),
            _ok(O.message),
            rx.hstack(
                rx.switch(id="require-mfa", checked=O.required, on_change=O.set_required,
                          aria_label="Require two-step verification for everyone in " + O.name),
                rx.el.label("Require two-step verification for everyone in ", O.name, html_for="require-mfa",
                            font_size="0.875rem", font_weight="500"),
                spacing="3", align="center",
            ),
            rx.text("Users who have not set it up are asked to at their next sign-in, and nobody can turn it off "
                    "while this is on.", size="2", color=MUTED),
            spacing="3", width="100%",
        ), width="100%"),
    )
