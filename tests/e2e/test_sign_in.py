"""Signing in and out in Chromium, and what each role may open."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth as auth_service
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization, list_organizations
from opsportal.services.users import create_user
from tests.e2e.browser import (
    MEMBER,
    OTHER_CUSTOMER,
    OWNER,
    SIGN_INS,
    STAFF,
    open_login,
    path_is,
    sign_in,
    sign_in_with_form,
    submit_login,
)

pytestmark = pytest.mark.scale_out  # sessions in cookies and Reflex state: run again on PostgreSQL + Redis


def test_a_browser_given_a_stored_sign_in_opens_a_protected_page_signed_in_without_the_form(
        browser: Browser, base_url):
    first = browser.new_context()
    sign_in_with_form(first.new_page(), base_url, MEMBER)
    stored = first.storage_state()
    first.close()
    later = browser.new_context(storage_state=stored)
    page = later.new_page()
    page.goto(f"{base_url}/account")
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    path_is(page, base_url, "/account")
    expect(page.get_by_role("banner")).to_contain_text("Mark Osei")
    later.close()


def test_signing_in_again_as_the_same_user_reuses_the_stored_session_and_lands_on_the_same_page(
        page: Page, browser: Browser, base_url):
    sign_in(page, base_url, STAFF)
    token = _session_cookie(page)
    reused = SIGN_INS.reused
    again = browser.new_context().new_page()
    sign_in(again, base_url, STAFF)
    assert SIGN_INS.reused == reused + 1
    assert _session_cookie(again) == token
    path_is(again, base_url, "/staff")
    expect(again.get_by_role("table")).to_be_visible()
    again.context.close()


def _session_cookie(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE and c["value"])


def test_wrong_password_shows_an_error_and_keeps_the_user_on_the_login_page(page: Page, base_url):
    open_login(page, base_url)
    submit_login(page, OWNER, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Incorrect e-mail or password.")
    path_is(page, base_url, "/login")
    assert not [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE and c["value"]]


def test_demo_owner_signs_in_and_sees_their_organizations_dashboard(page: Page, base_url):
    sign_in_with_form(page, base_url, OWNER)
    path_is(page, base_url, "")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#org-name")).to_have_text("Northwind Holdings")
    expect(page.locator("#header-organization")).to_have_text("Northwind Holdings")
    expect(page.get_by_text("Olivia Hart")).to_be_visible()
    team = page.get_by_text("Team members").locator("..")
    expect(team).to_contain_text("4")
    expect(page.get_by_role("listitem").filter(has_text="Northwind Retail")).to_be_visible()


def test_opening_a_protected_page_signed_out_leads_to_login_and_back(page: Page, base_url):
    page.goto(f"{base_url}/account")
    path_is(page, base_url, "/login")
    submit_login(page, OWNER, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    path_is(page, base_url, "/account")


def test_a_signed_in_user_opening_the_login_page_with_a_next_page_is_sent_to_that_page(page: Page, base_url):
    sign_in_with_form(page, base_url, OWNER)
    page.goto(f"{base_url}/login?next=%2Faccount")
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    path_is(page, base_url, "/account")


def test_member_cannot_open_the_staff_area(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    expect(page.get_by_role("link", name="Customers")).to_have_count(0)
    page.goto(f"{base_url}/staff")
    expect(page.get_by_role("alert")).to_have_text("This area is for the support team only.")
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_text("Fabrikam Clinics")).to_have_count(0)


def test_staff_admin_sees_every_customer_organization(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    path_is(page, base_url, "/staff")
    table = page.get_by_role("table")
    search = page.get_by_label("Search organizations")
    # Other files' organizations share the portal and come first by name: find each rather than read page one.
    for name in ("Fabrikam Clinics", "Northwind Holdings", "Northwind Logistics", "Northwind Retail"):
        search.fill(name)
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    search.fill("fabri")
    expect(table.get_by_role("row")).to_have_count(2)
    table.get_by_role("link", name="Fabrikam Clinics").click()
    expect(page.locator("#organization-name")).to_have_text("Fabrikam Clinics")
    expect(page.get_by_role("cell", name="fiona.walsh@fabrikam.example")).to_be_visible()


def test_sign_out_returns_to_login_and_the_old_session_no_longer_opens_pages(page: Page, base_url):
    sign_in_with_form(page, base_url, OWNER)
    page.get_by_role("button", name="Sign out").click()
    path_is(page, base_url, "/login")
    page.goto(f"{base_url}/")
    path_is(page, base_url, "/login")


def test_customer_cannot_read_another_organization_by_changing_the_id(page: Page, base_url):
    sign_in(page, base_url, OTHER_CUSTOMER)
    page.get_by_role("link", name="Organization").click()
    expect(page.locator("#organization-name")).to_have_text("Fabrikam Clinics")
    northwind_id = list_organizations(OPERATOR, search="Northwind Holdings").items[0].id
    page.goto(f"{base_url}/organizations/{northwind_id}")
    expect(page.get_by_role("alert")).to_have_text(
        "That organization was not found or you do not have access to it."
    )
    expect(page.get_by_text("olivia.hart@northwind.example")).to_have_count(0)
    expect(page.locator("#organization-name")).to_have_count(0)


def test_an_event_handler_refuses_a_caller_whose_session_was_revoked(page: Page, base_url):
    sign_in_with_form(page, base_url, STAFF)
    expect(page.get_by_role("table")).to_be_visible()
    token = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    auth_service.sign_out(token)  # e.g. signed out in another browser
    page.get_by_label("Search organizations").fill("north")
    path_is(page, base_url, "/login")


def test_repeated_wrong_passwords_are_slowed_down_with_a_clear_message(page: Page, base_url):
    create_organization(OPERATOR, name="Throttle Test Org")
    create_user(OPERATOR, email="throttled@example.com", role="member", organization_name="Throttle Test Org",
                password="correct-horse-battery")
    open_login(page, base_url)
    for _ in range(3):
        submit_login(page, "throttled@example.com", "wrong-password-1")
        expect(page.get_by_role("alert")).to_be_visible()
    submit_login(page, "throttled@example.com", "correct-horse-battery")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins. Wait")
    path_is(page, base_url, "/login")


def test_changing_the_password_keeps_this_browser_signed_in_and_ends_other_sessions(page: Page, base_url):
    create_organization(OPERATOR, name="Password Change Org")
    create_user(OPERATOR, email="changer@example.com", role="owner", organization_name="Password Change Org",
                password="old-password-123")
    other = auth_service.sign_in(email="changer@example.com", password="old-password-123")
    sign_in_with_form(page, base_url, "changer@example.com", "old-password-123")
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Current password").fill("old-password-123")
    page.get_by_label("New password", exact=True).fill("new-password-456")
    page.get_by_label("Repeat new password").fill("new-password-456")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#org-name")).to_have_text("Password Change Org")
    try:
        auth_service.authenticate(other.token)
    except auth_service.AuthenticationFailed:
        pass
    else:
        raise AssertionError("the other session's token still works after the password change")


def test_the_session_cookie_is_httponly_and_strict_so_page_scripts_never_see_the_token(page: Page, base_url):
    sign_in_with_form(page, base_url, OWNER)
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    visible = page.evaluate("document.cookie")
    assert SESSION_COOKIE not in visible and cookie["value"] not in visible
    storage = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert cookie["value"] not in storage


def _frames_received(page: Page) -> list[str]:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    return frames


def test_a_client_token_copied_into_a_browser_without_the_session_cookie_receives_no_user_data(
        page: Page, browser: Browser, base_url):
    signed_in_frames = _frames_received(page)
    sign_in_with_form(page, base_url, OWNER)
    page.goto(f"{base_url}/account")
    expect(page.get_by_role("main")).to_contain_text(OWNER)
    assert any(OWNER in frame for frame in signed_in_frames)  # what the check below looks for does travel
    client_token = page.evaluate("sessionStorage.getItem('token')")
    assert client_token
    # The tab closes (Reflex hands a token that is still connected elsewhere a new one): its state stays stored
    # under the client token, as after any closed tab, for whoever presents that token next.
    page.close()

    thief = browser.new_context()  # no cookies
    thief.add_init_script(f"sessionStorage.setItem('token', {client_token!r});")
    stolen = thief.new_page()
    stolen.wait_for_timeout(1500)  # the backend notices the closed socket
    stolen_frames = _frames_received(stolen)
    stolen.goto(f"{base_url}/account")
    path_is(stolen, base_url, "/login")
    expect(stolen.get_by_label("E-mail address")).to_be_visible()
    assert stolen.evaluate("sessionStorage.getItem('token')") == client_token  # the same Reflex client
    assert stolen_frames, "the stolen tab never talked to the backend"
    for frame in stolen_frames:
        assert OWNER not in frame and "Olivia Hart" not in frame and "Northwind" not in frame
    thief.close()


def test_a_user_ends_another_of_their_sessions_from_the_account_page_and_that_browser_is_signed_out(
        page: Page, browser: Browser, base_url):
    create_organization(OPERATOR, name="Session List Org")
    create_user(OPERATOR, email="lister@example.com", role="owner", organization_name="Session List Org",
                password="list-password-123")
    other_browser = browser.new_context().new_page()
    sign_in_with_form(other_browser, base_url, "lister@example.com", "list-password-123")
    sign_in_with_form(page, base_url, "lister@example.com", "list-password-123")
    page.get_by_role("link", name="Account").click()
    sessions = page.locator("#sessions")
    expect(sessions.get_by_role("row")).to_have_count(3)  # the header and two sessions
    if os.environ.get("OPSPORTAL_E2E_SCREENSHOTS"):
        page.screenshot(path=os.environ["OPSPORTAL_E2E_SCREENSHOTS"] + "/account-sessions.png", full_page=True)
    expect(sessions.get_by_text("This device")).to_have_count(1)
    end = sessions.get_by_role("button", name=re.compile(r"^End session: Chrome on Linux, signed in "))
    expect(end).to_have_count(1)  # the session in use has no button
    end.click()
    expect(page.locator("#sessions-result")).to_have_text("That session has ended.")
    expect(sessions.get_by_role("row")).to_have_count(2)
    other_browser.goto(f"{base_url}/tasks")
    path_is(other_browser, base_url, "/login")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#org-name")).to_have_text("Session List Org")  # this browser stays signed in
    other_browser.context.close()
