import reflex as rx
from reflex_base.vars.base import Var

from opsportal import routes
from opsportal.components.backend import BACKEND_ORIGIN
from opsportal.components.layout import error_callout
from opsportal.state.email_links import LoginNoticeState
from opsportal.state.login import LoginState

# Fills the hidden ``next`` field from the page's own ?next= as the form is sent: the page is prerendered, and the
# form can be sent before the page's load event has run (the sign-in route checks the value: same-site paths only).
_NEXT_FROM_ADDRESS = Var(_js_expr="((e) => { const f = e.currentTarget.elements.namedItem('next'); "
                                  "if (f) f.value = new URLSearchParams(window.location.search).get('next') ?? ''; })")


def _step_card(icon: str, title: str, intro: str, *fields: rx.Component, submit: str, action: str,
               back: rx.Component, form_name: str) -> rx.Component:
    """One step of signing in: a plain HTML form the browser POSTs to ``action`` (a sign-in route, which sets or
    hands on HttpOnly cookies and answers with the next page: a full page load). Nothing typed enters Reflex state."""
    return rx.center(
        rx.card(
            rx.el.form(
                rx.el.input(type="hidden", name="next", default_value=""),
                rx.vstack(
                    rx.hstack(
                        rx.icon(icon, size=26, color=rx.color("accent", 11), aria_hidden="true"),
                        rx.heading(title, size="6", as_="h1"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text(intro, size="2", color=rx.color("gray", 11)),
                    *fields,
                    rx.button(submit, type="submit", size="3", width="100%", margin_top="0.5rem"),
                    back,
                    spacing="2",
                    width="100%",
                ),
                action=BACKEND_ORIGIN + action,
                method="post",
                on_submit=None,  # no Reflex handler: the browser sends the form itself,
                custom_attrs={"onSubmit": _NEXT_FROM_ADDRESS},  # with ?next= of the address bar
                aria_label=form_name,
            ),
            size="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )


def _label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_size="0.875rem", font_weight="500")


@rx.page(route=routes.LOGIN, title="Sign in · OpsPortal",
         on_load=[LoginState.redirect_if_signed_in, LoginNoticeState.load])
def login_page() -> rx.Component:
    return _step_card(
        "life-buoy", "Sign in to OpsPortal", "Follow your support tasks, hours and invoices.",
        error_callout(LoginState.error),
        rx.cond(LoginNoticeState.notice != "", rx.callout(LoginNoticeState.notice, icon="check", color_scheme="green",
                                                          high_contrast=True, role="status", id="login-notice")),
        _label("E-mail address", "email"),
        rx.input(id="email", name="email", type="email", auto_complete="username", required=True, size="3",
                 width="100%", auto_focus=True),
        _label("Password", "password"),
        rx.input(id="password", name="password", type="password", auto_complete="current-password", required=True,
                 size="3", width="100%"),
        submit="Sign in",
        action=routes.SIGN_IN_ACTION,
        form_name="Sign in",
        back=rx.link("Forgot your password?", href=routes.FORGOT_PASSWORD, size="2", margin_top="0.25rem"),
    )


@rx.page(route=routes.LOGIN_CODE, title="Two-step verification · OpsPortal", on_load=LoginState.redirect_if_signed_in)
def login_code_page() -> rx.Component:
    """The second step for users with two-step verification: the code goes to the verify route with the HttpOnly
    challenge cookie the password step set."""
    return _step_card(
        "shield-check", "Two-step verification",
        "Enter the 6-digit code your authenticator app shows now. Lost your phone? Enter one of your recovery "
        "codes instead.",
        error_callout(LoginState.error),
        _label("Code", "code"),
        rx.input(id="code", name="code", auto_complete="one-time-code", required=True, size="3", width="100%",
                 auto_focus=True, max_length=64, spell_check=False),
        submit="Verify",
        action=routes.VERIFY_CODE_ACTION,
        form_name="Two-step verification",
        back=rx.link("Back to sign in", href=routes.LOGIN, size="2", margin_top="0.25rem"),
    )
