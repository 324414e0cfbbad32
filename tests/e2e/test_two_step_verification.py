"""Two-step verification from the Account page (set up with the code an authenticator app would show, recovery
codes shown once, turned off with the password) and the organization owners' requirement switch."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.components.account_mfa import QR_ALT
from opsportal.services import auth as auth_service
from opsportal.services import mfa
from opsportal.services.demo import DEMO_PASSWORD
from tests.e2e.browser import MEMBER, sign_in
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
