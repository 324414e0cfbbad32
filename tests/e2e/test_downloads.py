"""Software downloads in Chromium: a member of Northwind Holdings (Gold) reaches Downloads from the navigation and
downloads a hotfix whose bytes match its checksum; the same member is shown Extended-Term as the way to the
release of a version past end of life; a member of Northwind Retail (no Gold) is told to renew Gold Support; staff
upload a release and are told when a version's days are wrong."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.services import plan_catalog
from opsportal.services.demo_products import DEMO_RELEASES, release_zip
from opsportal.services.operator import OPERATOR
from opsportal.services.orgtree import require_by_name
from tests.e2e.browser import MEMBER, OWNER, STAFF, path_is, sign_in
from tests.e2e.plans_clock import CLOCK_OVERRIDE
from tests.e2e.test_accessibility import axe_violations

SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")
RETAIL_MEMBER = "sanjay.patel@retail.northwind.example"
HOTFIX = next(r for r in DEMO_RELEASES if r[3] == "Hotfix 5.4.1.2")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"downloads-{name}.png"), full_page=True)


def _release(page: Page, title: str):
    return page.locator("li.release").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_a_member_with_gold_downloads_a_hotfix_and_its_bytes_match_the_checksum_shown(page: Page, base_url: str):
    sign_in(page, base_url, MEMBER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Downloads").first.click()
    path_is(page, base_url, routes.DOWNLOADS)
    hotfix = _release(page, "Hotfix 5.4.1.2")
    expect(hotfix).to_contain_text("K2 Five 5.4")
    shown = hotfix.locator(".release-sha256").inner_text().strip()
    _shot(page, "member")
    assert axe_violations(page) == [], "downloads"
    with page.expect_download() as info:
        hotfix.get_by_role("link", name=f"Download {HOTFIX[5]}").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    assert download.suggested_filename == HOTFIX[5]
    assert data == release_zip(HOTFIX[5], HOTFIX[3], HOTFIX[6])
    assert hashlib.sha256(data).hexdigest() == shown


def test_an_owner_on_a_version_past_end_of_life_is_offered_extended_term(page: Page, base_url: str):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + routes.PRODUCTS)
    licences = page.locator("#licences")
    expect(licences.get_by_role("row", name="K2 blackpearl 4.7")).to_contain_text("Past end of life")
    expect(licences.get_by_role("row", name="K2 blackpearl 4.7")).to_contain_text("Extended-Term covers it")
    expect(licences.get_by_role("row", name="K2 Five 5.4")).to_contain_text("Gold Support")
    _shot(page, "products")
    assert axe_violations(page) == [], "products"

    page.get_by_role("main").get_by_role("link", name="Downloads").click()
    path_is(page, base_url, routes.DOWNLOADS)
    old = _release(page, "Hotfix 4.7.0.31")
    expect(old.locator(".release-refusal")).to_contain_text("past end of life")
    expect(old.get_by_role("link", name="Download k2bp-4.7.0.31-hotfix.zip", exact=True)).to_have_count(0)
    expect(page.locator("#downloads-need-extended-term")).to_contain_text("K2 blackpearl 4.7")
    _shot(page, "owner")
    page.locator("#extended-term-link").click()
    expect(page).to_have_url(base_url + routes.PLANS + "#offer-extended_term")
    expect(page.locator("#offer-extended_term")).to_be_visible()


@pytest.fixture
def retail_without_gold(portal):
    """Northwind Retail holds no Gold while the test runs (other files grant it one on the shared portal); the
    Gold it held is granted again afterwards."""
    with unit_of_work(write=False) as session:
        org_id = require_by_name(session, "Northwind Retail").id
    held = [e for e in plan_catalog.org_entitlements(OPERATOR, org_id).entitlements
            if e.code == "gold" and not e.revoked]
    for e in held:
        plan_catalog.revoke_entitlement(OPERATOR, e.id, reason="End-to-end test: a customer without Gold")
    yield
    for e in held:
        plan_catalog.grant_entitlement(OPERATOR, org_id, "gold", e.start, note="End-to-end test: Gold again")


@pytest.mark.usefixtures("retail_without_gold")
def test_a_member_without_gold_is_told_gold_support_is_what_to_renew_and_who_renews_it(page: Page, base_url: str):
    sign_in(page, base_url, RETAIL_MEMBER)
    page.goto(base_url + routes.DOWNLOADS)
    expect(page.locator("#downloads-need-gold")).to_contain_text("no active Gold Support")
    hotfix = _release(page, "Hotfix 5.3.0.9")
    expect(hotfix.locator(".release-refusal")).to_contain_text("renew Gold Support")
    expect(page.locator("a.release-download")).to_have_count(0)
    _shot(page, "no-gold")
    assert axe_violations(page) == [], "downloads without gold"
    expect(page.locator("#downloads-need-gold")).to_contain_text("billing contacts can renew Gold Support")
    page.locator("#plans-link").click()
    path_is(page, base_url, routes.PLANS)
    expect(page.locator("#plans-read-only")).to_be_visible()


def test_staff_upload_a_release_and_a_version_ending_before_it_starts_is_refused(page: Page, base_url: str,
                                                                                tmp_path: Path):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.STAFF_PRODUCTS)
    version = page.locator("#version-form")
    version.get_by_label("Product").select_option(label="K2 Five")
    version.get_by_label("Version number").fill("5.5")
    version.get_by_label("Generally available").fill("2027-03-01")  # after its end of life below
    version.get_by_label("End of life (optional)").fill("2027-01-01")
    version.get_by_role("button", name="Add version").click()
    expect(page.locator("#version-error")).to_contain_text("must be after general availability")
    _shot(page, "staff")
    assert axe_violations(page) == [], "staff products"

    file = tmp_path / "k2five-5.4.1.3-hotfix.zip"
    file.write_bytes(b"PK\x03\x04" + b"hotfix 5.4.1.3 " * 40)
    form = page.locator("#release-form")
    form.get_by_label("Version").select_option(label="K2 Five 5.4")
    form.get_by_label("Kind").select_option(label="Hotfix")
    form.get_by_label("Title").fill("Hotfix 5.4.1.3")
    form.get_by_label("Released on").fill((CLOCK_OVERRIDE.date() - timedelta(days=1)).isoformat())
    form.locator("input[type=file]").set_input_files(str(file))
    expect(form.locator(".release-chosen")).to_have_text(file.name)
    form.get_by_role("button", name="Upload release").click()
    notice = page.locator("#products-notice")
    expect(notice).to_contain_text(f"Uploaded {file.name}")
    expect(notice).to_contain_text(hashlib.sha256(file.read_bytes()).hexdigest())
    expect(page.locator("#catalog-releases")).to_contain_text("Hotfix 5.4.1.3")
