"""What the end-to-end tests do in the browser, named once."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page, expect

from opsportal.services.demo import DEMO_PASSWORD

# sqlite (embedded defaults) or postgresql (the scale-out run, with Redis)
E2E_DATABASE = os.environ.get("OPSPORTAL_E2E_DATABASE", "sqlite")

OWNER = "olivia.hart@northwind.example"
MEMBER = "mark.osei@northwind.example"
STAFF = "sam.taylor@opsportal.example"
OTHER_CUSTOMER = "fiona.walsh@fabrikam.example"


def open_login(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page.get_by_label("E-mail address")).to_be_visible()


def submit_login(page: Page, email: str, password: str) -> None:
    """Fills and sends the login form: the browser POSTs it to the sign-in route, whose 303 loads the next page."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_in_with_form(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Types the credentials into the login form: a session of its own, shared with no other test.

    For tests about signing in, signing out and ending sessions; the others call :func:`sign_in`.
    """
    open_login(page, base_url)
    submit_login(page, email, password)
    # The landing page is a fresh page load: its shell (and the Sign out button) shows at once, the page's heading
    # once its load event found the session (components/layout.py app_shell), i.e. once the user is known.
    expect(page.locator("main h1")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@dataclass
class _Stored:
    storage_state: dict  # Playwright's storage state: the HttpOnly session cookie the sign-in route set, localStorage
    landing: str  # where the login form sent this user (their dashboard, or the staff console)


@dataclass
class StoredSignIns:
    """One sign-in per user and password for the whole test session, reused through the browser's storage state.

    The portal's session is the HttpOnly cookie the sign-in route sets (api/session_routes.py); a browser context
    that holds it is signed in: its socket handshake sends the cookie and the page's ``require_login`` finds the
    session live. The store lives as long as the pytest process, which starts the
    portal once (``portal`` is session-scoped in conftest.py).
    """

    _states: dict[tuple[str, str, str], _Stored] = field(default_factory=dict)
    typed: int = 0  # sign-ins through the form
    reused: int = 0  # sign-ins from a stored state

    def remember(self, page: Page, base_url: str, email: str, password: str) -> None:
        page.wait_for_url(lambda url: "/login" not in url)  # the landing page, not the form the redirect leaves
        self.typed += 1
        self._states[(base_url, email, password)] = _Stored(page.context.storage_state(), page.url)

    def forget(self, base_url: str, email: str, password: str) -> None:
        self._states.pop((base_url, email, password), None)

    def restore(self, page: Page, base_url: str, email: str, password: str) -> bool:
        """Signs ``page`` in from the stored state and opens the user's landing page; False if none or it ended."""
        stored = self._states.get((base_url, email, password))
        if stored is None:
            return False
        _apply(page.context, stored.storage_state)
        page.goto(stored.landing)
        # A new tab knows its user once its load event found the session: the page shell then shows the page's
        # heading (components/layout.py app_shell; the header and its Sign out button are there from the start).
        shell = page.locator("main h1")
        login_form = page.get_by_label("E-mail address")
        expect(shell.or_(login_form).first).to_be_visible()
        if "/login" in page.url or login_form.is_visible():  # the stored session ended (signed out, password
            self.forget(base_url, email, password)           # changed): sign in anew
            return False
        self.reused += 1
        return True


def _apply(context: BrowserContext, storage_state: dict) -> None:
    """What ``browser.new_context(storage_state=...)`` does, on a context pytest-playwright already opened."""
    context.add_cookies(storage_state.get("cookies", []))
    for origin in storage_state.get("origins", []):
        items = {item["name"]: item["value"] for item in origin.get("localStorage", [])}
        if items:
            context.add_init_script(
                f"if (location.origin === {json.dumps(origin['origin'])}) "
                f"for (const [k, v] of Object.entries({json.dumps(items)})) localStorage.setItem(k, v);"
            )


SIGN_INS = StoredSignIns()


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """``page`` signed in as ``email`` on their landing page; the form is used once per user per test session.

    Every test that signs in as the same user shares that one session, so tests that sign out or end sessions
    use :func:`sign_in_with_form` instead.
    """
    if not SIGN_INS.restore(page, base_url, email, password):
        sign_in_with_form(page, base_url, email, password)
        SIGN_INS.remember(page, base_url, email, password)


def path_is(page: Page, base_url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(base_url + path) + r"/?(\?.*)?$"))
