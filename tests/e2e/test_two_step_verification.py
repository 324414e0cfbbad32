"""Two-step verification from the Account page (set up with the code an authenticator app would show, recovery
codes shown once, turned off with the password) and the organization owners' requirement switch."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from opsportal import clock, routes
from opsportal.auth.security import SESSION_COOKIE
from opsportal.components.account_mfa import QR_ALT
from opsportal.services import auth as auth_service
from opsportal.services import mfa
from opsportal.services.demo import DEMO_PASSWORD
from tests.e2e.browser import MEMBER, open_login, sign_in, submit_login
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_tasks_customer import new_customer

# Set to a directory to keep screenshots of what these tests see.
SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")


def snap(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def test_a_user_sets_up_two_step_verification_with_the_key_shown_and_turns_it_off_with_the_password(
        page: Page, base_url):
    customer = new_customer("Two Step")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}{routes.ACCOUNT}")
    section = page.locator("#mfa-status")
    expect(section).to_contain_text("Off")
    page.get_by_role("button", name="Set up two-step verification").click()

    expect(page.get_by_role("img", name=QR_ALT)).to_be_visible()
    key = page.locator("#mfa-secret")
    expect(key).to_have_text(re.compile(r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$"))
    snap(page, "mfa-set-up")
    assert axe_violations(page) == [], "set-up"
    secret = key.inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()

    codes = page.locator("#mfa-recovery-codes li")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[a-z2-9]{5}-[a-z2-9]{5}$"))
    expect(page.get_by_role("button", name="Download codes")).to_be_visible()
    snap(page, "mfa-recovery-codes")
    assert axe_violations(page) == [], "recovery codes"
    page.get_by_role("button", name="I have saved my codes").click()
    expect(codes).to_have_count(0)
    expect(section).to_contain_text("10 recovery codes left.")
    assert mfa.status(customer.actor).enabled

    page.get_by_role("button", name="Turn off two-step verification").click()
    form = page.get_by_role("form", name="Turn off two-step verification")
    form.get_by_label("Current password").fill("not-my-password")
    form.get_by_role("button", name="Turn off two-step verification").click()
    expect(page.get_by_role("alert")).to_contain_text("The current password is not correct.")
    assert axe_violations(page) == [], "turn off form"
    form.get_by_label("Current password").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Turn off two-step verification").click()
    expect(page.get_by_role("status").filter(has_text="Two-step verification is off.")).to_be_visible()
    expect(section).to_contain_text("Off")
    assert not mfa.status(customer.actor).enabled


def test_an_owner_requires_two_step_verification_for_everyone_in_the_organization(page: Page, base_url):
    customer = new_customer("Strict Org")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}{routes.organization(customer.org_id)}")
    switch = page.get_by_role("switch", name=f"Require two-step verification for everyone in {customer.org_name}")
    expect(switch).not_to_be_checked()
    switch.click()
    expect(page.get_by_text(f"Everyone in {customer.org_name} must now use two-step verification.")).to_be_visible()
    expect(switch).to_be_checked()
    snap(page, "mfa-org-switch")
    assert axe_violations(page) == [], "organization switch"
    assert mfa.org_requirement(customer.actor, customer.org_id).required

    page.goto(f"{base_url}{routes.ACCOUNT}")
    expect(page.locator("#mfa-status")).to_contain_text("required for your account")


def test_a_member_sees_no_switch_on_the_organization_page(page: Page, base_url):
    member = auth_service.sign_in(email=MEMBER, password=DEMO_PASSWORD).actor
    sign_in(page, base_url, MEMBER)
    page.goto(f"{base_url}{routes.organization(member.organization_id)}")
    expect(page.locator("#organization-name")).to_be_visible()
    expect(page.get_by_role("switch")).to_have_count(0)


def test_a_user_with_two_step_verification_signs_in_with_the_code_from_their_app(page: Page, base_url):
    customer = new_customer("Code Step")
    earlier = clock.now() - timedelta(seconds=60)  # set up a minute ago: today's code is no replay
    secret = mfa.begin_enrolment(customer.actor, now=earlier).secret
    mfa.confirm_enrolment(customer.actor, pyotp.TOTP(secret).at(earlier), now=earlier)

    open_login(page, base_url)
    submit_login(page, customer.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    assert routes.LOGIN_CODE in page.url
    assert not [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]  # the password alone: no session
    snap(page, "mfa-code-step")
    assert axe_violations(page) == [], "code step"

    page.get_by_label("Code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not correct.")

    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert routes.LOGIN not in page.url


def test_a_member_of_an_organization_requiring_it_is_sent_to_set_it_up_before_anything_else(page: Page, base_url):
    customer = new_customer("Must Enrol")
    mfa.set_org_requirement(customer.actor, customer.org_id, True)

    open_login(page, base_url)
    submit_login(page, customer.email, DEMO_PASSWORD)
    expect(page.locator("#mfa-required")).to_contain_text("Two-step verification is required for your account.")
    assert page.url.rstrip("/").endswith(routes.ACCOUNT)
    page.goto(f"{base_url}{routes.TASKS}")
    expect(page.locator("#mfa-required")).to_be_visible()  # every other page sends them back to Account
    assert page.url.rstrip("/").endswith(routes.ACCOUNT)
