"""Every page passes axe-core's WCAG 2.1 A/AA rules (names, contrast, landmarks) and works by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import list_organizations
from opsportal.settings import PROJECT_ROOT
from tests.e2e.browser import OWNER, STAFF, open_login, sign_in

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh", pytrace=False)
    # Colours are measured as drawn: wait until fade-ins (dialogs) have finished.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect.getTiming().iterations === Infinity)"
    )
    # From the page's own origin: the portal's Content-Security-Policy refuses inline scripts it did not build.
    axe_url = page.evaluate("location.origin") + "/__e2e__/axe.min.js"
    page.route(axe_url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=axe_url)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def test_login_page_has_no_accessibility_violations(page: Page, base_url):
    open_login(page, base_url)
    assert axe_violations(page) == []


def test_customer_pages_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    expect(page.locator("#org-name")).to_have_text("Northwind Holdings")
    assert axe_violations(page) == [], "dashboard"
    page.get_by_role("link", name="Organization").click()
    expect(page.locator("#organization-name")).to_be_visible()
    assert axe_violations(page) == [], "organization"
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    assert axe_violations(page) == [], "account"


def test_staff_pages_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    expect(page.get_by_role("link", name="Fabrikam Clinics")).to_be_visible()
    assert axe_violations(page) == [], "customers"
    page.get_by_role("link", name="Fabrikam Clinics").click()
    expect(page.get_by_role("form", name="Grant credits")).to_be_visible()
    assert axe_violations(page) == [], "organization with the grant form"


def test_access_denied_page_has_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, "fiona.walsh@fabrikam.example")
    northwind = list_organizations(OPERATOR, search="Northwind Holdings").items[0].id
    page.goto(f"{base_url}/organizations/{northwind}")
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []


def test_signing_in_works_with_the_keyboard_alone(page: Page, base_url):
    open_login(page, base_url)
    page.get_by_label("E-mail address").focus()
    page.keyboard.type(OWNER)
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused in {"A", "BUTTON"}


def test_the_accessibility_check_reports_an_unnamed_button_and_low_contrast_text(page: Page, base_url):
    open_login(page, base_url)
    page.evaluate(
        """() => {
            const b = document.createElement('button'); document.querySelector('main, body').appendChild(b);
            const p = document.createElement('p'); p.textContent = 'faint'; p.style.color = '#ddd';
            document.body.appendChild(p);
        }"""
    )
    found = " ".join(axe_violations(page))
    assert "button-name" in found and "color-contrast" in found


def test_credits_page_and_its_dialogs_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.get_by_role("link", name="Hours & Credits").click()
    expect(page.locator("#card-available")).to_be_visible()
    expect(page.locator("#history").get_by_role("row").nth(1)).to_be_visible()
    assert axe_violations(page) == [], "credits page"
    page.get_by_role("button", name="Allocate lot").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == [], "allocate dialog"


def test_notifications_page_and_its_dialogs_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("#organization-subscriptions")).to_be_visible()
    assert axe_violations(page) == [], "notifications page"
    page.get_by_role("switch", name="Weekly credit expiry notice").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    assert axe_violations(page) == [], "last-subscriber dialog"
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    page.get_by_role("link", name="Organization").click()
    page.get_by_role("button", name="Invite a user").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == [], "organization page with the invite dialog"


def test_pages_opened_from_e_mail_links_have_no_accessibility_violations(page: Page, base_url):
    from opsportal.services import subscriptions
    from opsportal.services.users import list_members

    lena = next(u for u in list_members(OPERATOR, list_organizations(OPERATOR, search="Northwind Logistics")
                                        .items[0].id).items if u.email.startswith("lena."))
    page.goto(f"{base_url}/unsubscribe?token={subscriptions.unsubscribe_token(lena.id, 'weekly_expiry')}")
    expect(page.locator("#unsubscribe-detail")).to_be_visible()
    assert axe_violations(page) == [], "unsubscribe page"
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("button", name="Unsubscribe again")).to_be_visible()
    page.goto(f"{base_url}/unsubscribe?token=not-a-token")
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == [], "unsubscribe page, invalid link"
    page.goto(f"{base_url}/forgot-password")
    page.get_by_label("E-mail address").fill("nobody@example.com")
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.locator("#forgot-answer")).to_be_visible()
    assert axe_violations(page) == [], "forgot password"
    page.goto(f"{base_url}/reset-password?token=not-a-token")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert axe_violations(page) == [], "reset password"
    page.goto(f"{base_url}/invitation?token=not-a-token")
    expect(page.get_by_role("heading", name="Join your team on OpsPortal")).to_be_visible()
    assert axe_violations(page) == [], "invitation"


def test_staff_outbox_has_no_accessibility_violations(page: Page, base_url):
    from opsportal.services import account_links

    account_links.request_password_reset("fiona.walsh@fabrikam.example")
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Mail").click()
    expect(page.locator("#mail-list")).to_be_visible()
    assert axe_violations(page) == [], "mail list"
    page.get_by_role("link", name="Reset your OpsPortal password").first.click()
    expect(page.locator("#mail-html")).to_be_visible()
    assert axe_violations(page) == [], "message with its HTML version"
    page.get_by_role("tab", name="Text").click()
    expect(page.locator("#mail-text")).to_be_visible()
    assert axe_violations(page) == [], "message text"
