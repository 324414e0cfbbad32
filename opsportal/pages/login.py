import reflex as rx
from reflex_base.vars.base import Var

from opsportal import routes
from opsportal.components.backend import BACKEND_ORIGIN
from opsportal.components.layout import error_callout
from opsportal.state.email_links import LoginNoticeState
from opsportal.state.login import LoginCodeState, LoginState

# Fills the hidden ``next`` field from the page's own ?next= as the form is sent: the page is prerendered, and the
# form can be sent before the page's load event has run (the sign-in route checks the value: same-site paths only).
_NEXT_FROM_ADDRESS = Var(_js_expr="((e) => { const f = e.currentTarget.elements.namedItem('next'); "
                                  "if (f) f.value = new URLSearchParams(window.location.search).get('next') ?? ''; })")


@rx.page(route=routes.LOGIN, title="Sign in · OpsPortal",
         on_load=[LoginState.redirect_if_signed_in, LoginNoticeState.load])
def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            # A plain HTML form: the browser POSTs it to the sign-in route, which sets the HttpOnly session cookie and
            # answers with the next page (a full page load). The password never enters Reflex state.
            rx.el.form(
                rx.el.input(type="hidden", name="next", default_value=""),
                rx.vstack(
                    rx.hstack(
                        rx.icon("life-buoy", size=26, color=rx.color("accent", 11), aria_hidden="true"),
                        rx.heading("Sign in to OpsPortal", size="6", as_="h1"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text("Follow your support tasks, hours and invoices.", size="2", color=rx.color("gray", 11)),
                    error_callout(LoginState.error),
                    rx.cond(LoginNoticeState.notice != "", rx.callout(LoginNoticeState.notice, icon="check",
                                                                      color_scheme="green", high_contrast=True,
                                                                      role="status", id="login-notice")),
                    rx.el.label("E-mail address", html_for="email", font_size="0.875rem", font_weight="500"),
                    rx.input(id="email", name="email", type="email", auto_complete="username", required=True,
                             size="3", width="100%", auto_focus=True),
                    rx.el.label("Password", html_for="password", font_size="0.875rem", font_weight="500"),
                    rx.input(id="password", name="password", type="password", auto_complete="current-password",
                             required=True, size="3", width="100%"),
                    rx.button("Sign in", type="submit", size="3", width="100%", margin_top="0.5rem"),
                    rx.link("Forgot your password?", href=routes.FORGOT_PASSWORD, size="2", margin_top="0.25rem"),
                    spacing="2",
                    width="100%",
                ),
                action=BACKEND_ORIGIN + routes.SIGN_IN_ACTION,
                method="post",
                on_submit=None,  # no Reflex handler: the browser sends the form itself,
                custom_attrs={"onSubmit": _NEXT_FROM_ADDRESS},  # with ?next= of the address bar
                aria_label="Sign in",
            ),
            size="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )


@rx.page(route=routes.LOGIN_CODE, title="Two-step verification · OpsPortal", on_load=LoginCodeState.load)
def login_code_page() -> rx.Component:
    """The second step of signing in for users with two-step verification: the code goes to the verify route."""
    return rx.center(
        rx.card(
            rx.el.form(
                rx.el.input(type="hidden", name="next", default_value=""),
                rx.vstack(
                    rx.hstack(
                        rx.icon("shield-check", size=26, color=rx.color("accent", 11), aria_hidden="true"),
                        rx.heading("Two-step verification", size="6", as_="h1"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text("Enter the 6-digit code your authenticator app shows now. Lost your phone? Enter one "
                            "of your recovery codes instead.", size="2", color=rx.color("gray", 11)),
                    error_callout(LoginCodeState.error),
                    rx.el.label("Code", html_for="code", font_size="0.875rem", font_weight="500"),
                    rx.input(id="code", name="code", auto_complete="one-time-code", input_mode="text",
                             required=True, size="3", width="100%", auto_focus=True, max_length=64,
                             spell_check=False),
                    rx.button("Verify", type="submit", size="3", width="100%", margin_top="0.5rem"),
                    rx.link("Back to sign in", href=routes.LOGIN, size="2", margin_top="0.25rem"),
                    spacing="2",
                    width="100%",
                ),
                action=BACKEND_ORIGIN + routes.VERIFY_CODE_ACTION,
                method="post",
                on_submit=None,
                custom_attrs={"onSubmit": _NEXT_FROM_ADDRESS},
                aria_label="Two-step verification",
            ),
            size="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )
