"""A tab's stored state belongs to the session it was built for: a client token reused without that session's
cookie finds it reset before anything is sent (state/session_guard.py)."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx
from reflex_base.registry import RegistrationContext

from opsportal import clock
from opsportal.auth.security import SESSION_COOKIE, issue_token, session_token_from_cookie_header
from opsportal.settings import get_settings
from opsportal.state.account import AccountState
from opsportal.state.auth import AuthState
from opsportal.state.session_guard import SessionBinding, bind_to_session
from tests.utils.aio import run_coroutine


def run(scenario):
    """Runs ``scenario()`` on a loop of its own, with the app's state registry this thread sees."""
    registration = RegistrationContext.get()

    async def within():
        RegistrationContext.set(registration)
        return await scenario()

    return run_coroutine(within())


def token_for(session_id: str, user_id: int = 7) -> str:
    settings = get_settings()
    now = clock.now()
    return issue_token(user_id=user_id, session_id=session_id, issued_at=now, expires_at=now + timedelta(hours=1),
                       secret=settings.secret_key, audience=settings.jwt_audience)


def tab() -> rx.State:
    return rx.State(_reflex_internal_init=True)


def connect(root: rx.State, cookie: str) -> None:
    """What Reflex does when the tab's socket connects: the handshake's headers become the router's."""
    root.router_data = root._update_router_vars({"headers": {"cookie": cookie}}, root.router_data or {})


async def shown_after(root: rx.State, cookie: str) -> tuple[bool, str, str, str]:
    """Connects with ``cookie``, runs the middleware as an event would, and reads what the tab would be sent."""
    connect(root, cookie)
    reset = await bind_to_session(root)
    auth = await root.get_state(AuthState)
    account = await root.get_state(AccountState)
    return reset, auth.user_email, account.message, auth._session_id


async def signed_in_tab(session_id: str) -> rx.State:
    root = tab()
    connect(root, f"theme=dark; {SESSION_COOKIE}={token_for(session_id)}")
    await bind_to_session(root)
    auth = await root.get_state(AuthState)
    auth.user_email = "ada@acme.example"
    auth.signed_in = True
    (await root.get_state(AccountState)).message = "Password changed."
    return root


def test_a_tab_reused_without_the_session_cookie_is_reset_before_anything_is_sent():
    async def scenario():
        root = await signed_in_tab("session-a")
        return await shown_after(root, "theme=dark")

    assert run(scenario) == (True, "", "", "")


def test_a_tab_whose_cookie_now_names_another_session_is_reset_and_bound_to_it():
    async def scenario():
        root = await signed_in_tab("session-a")
        return await shown_after(root, f"{SESSION_COOKIE}={token_for('session-b', user_id=8)}")

    assert run(scenario) == (True, "", "", "session-b")


def test_a_tab_that_reconnects_with_its_own_session_keeps_its_state():
    async def scenario():
        root = await signed_in_tab("session-a")
        return await shown_after(root, f"{SESSION_COOKIE}={token_for('session-a')}; other=1")

    assert run(scenario) == (False, "ada@acme.example", "Password changed.", "session-a")


def test_a_forged_token_naming_the_tabs_session_does_not_keep_its_state():
    async def scenario():
        root = await signed_in_tab("session-a")
        forged = token_for("session-a")[:-4] + "AAAA"
        return await shown_after(root, f"{SESSION_COOKIE}={forged}")

    assert run(scenario) == (True, "", "", "")


def test_the_middleware_resets_and_lets_the_event_go_on():
    async def scenario():
        root = await signed_in_tab("session-a")
        connect(root, "")
        outcome = await SessionBinding().preprocess(app=None, state=root, event=None)
        return outcome, (await root.get_state(AuthState)).user_email

    assert run(scenario) == (None, "")


def test_a_new_tab_is_bound_to_its_session_without_a_reset_since_it_holds_nobodys_data():
    async def scenario():
        return await shown_after(tab(), f"{SESSION_COOKIE}={token_for('session-a')}")
    assert run(scenario) == (False, "", "", "session-a")


def test_a_tab_signed_out_since_is_reset_before_it_is_bound_to_the_next_session():
    async def scenario():
        root = await signed_in_tab("session-a")
        await shown_after(root, "")
        return await shown_after(root, f"{SESSION_COOKIE}={token_for('session-b')}")
    assert run(scenario) == (False, "", "", "session-b")


def test_the_session_token_is_read_from_the_cookie_header_among_others():
    assert session_token_from_cookie_header(f'a=1; {SESSION_COOKIE}=tok.en-1; b="x"') == "tok.en-1"
    assert session_token_from_cookie_header('broken="; ' + f"{SESSION_COOKIE}=tok") == "tok"
    assert session_token_from_cookie_header("") == session_token_from_cookie_header("a=1") == ""
