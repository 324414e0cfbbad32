"""The Activity page (the audit log) in Chromium: the owner allocates credits, then finds it on the Activity page with
where it came from, filters it and downloads it; on a phone the key columns stay; members do not see the page; staff
read it for any organization.

Set ``OPSPORTAL_E2E_SHOTS`` to a directory to keep screenshots of the page (to look at it).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import credits
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import MEMBER, OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("OPSPORTAL_E2E_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"activity-{name}.png"), full_page=True)


def _allocate_first_lot_to_logistics(page: Page, base_url: str) -> tuple[int, int | None]:
    """Allocates the first lot the owner may move to Northwind Logistics; (its id, whom it served before)."""
    page.get_by_role("link", name="Hours & Credits").click()
    button = page.locator("#credit-list").get_by_role("button", name="Allocate lot").first
    lot_id = int(button.get_attribute("aria-label").rsplit(" ", 1)[-1])
    holdings = resolve_id(OPERATOR, "Northwind Holdings")
    before = next(lot for lot in credits_of(holdings) if lot.id == lot_id).serves_org_id
    button.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Northwind Logistics").click()
    dialog.get_by_role("button", name="Allocate").click()
    expect(dialog.get_by_role("status")).to_contain_text("is now allocated to Northwind Logistics.")
    dialog.get_by_role("button", name="Close").click()
    return lot_id, before


def credits_of(org_id: int):
    from opsportal.services import credit_views

    return credit_views.credit_list(OPERATOR, org_id, page_size=100).items


def test_the_owner_allocates_credits_and_finds_it_on_the_activity_page_filters_and_exports_it(page: Page,
                                                                                              base_url):
    sign_in(page, base_url, OWNER)
    lot_id, served_before = _allocate_first_lot_to_logistics(page, base_url)
    try:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
        expect(page.get_by_role("heading", level=1, name="Activity")).to_be_visible()
        listing = page.locator("#activity-list")
        newest = listing.get_by_role("row").nth(1)
        expect(newest).to_contain_text("Allocated credits")
        expect(newest).to_contain_text("Olivia Hart")
        expect(newest).to_contain_text(f"(lot {lot_id}) to Northwind Logistics")
        expect(newest).to_contain_text("127.0.0.1")

        page.get_by_label("Action").select_option(label="Allocated credits")
        expect(page.locator("#activity-total")).not_to_have_text("0 events")
        expect(listing.get_by_role("row").filter(has_text="Signed in")).to_have_count(0)
        page.get_by_label("Person").select_option(label="Olivia Hart")
        expect(listing.get_by_role("row").nth(1)).to_contain_text(f"lot {lot_id}")
        assert axe_violations(page) == []
        _shot(page, "owner-desktop")

        with page.expect_download() as info:
            page.get_by_role("link", name="Download CSV").click()
        rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
        assert rows[0][0].startswith("When (") and rows[0][1:] == ["Who", "What", "Details", "From", "Organization"]
        assert {r[2] for r in rows[1:]} == {"Allocated credits"}
        assert rows[1][1] == "Olivia Hart" and f"(lot {lot_id}) to Northwind Logistics" in rows[1][3]

        page.set_viewport_size(PHONE)
        page.reload()
        expect(listing.get_by_role("row").nth(1)).to_be_visible()
        _shot(page, "owner-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for name in ("When", "Who", "What"):
            box = page.get_by_role("columnheader", name=name, exact=True).bounding_box()
            assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"] + 1, name
        expect(page.get_by_role("columnheader", name="Details", exact=True)).to_be_hidden()
    finally:
        credits.allocate(OPERATOR, lot_id=lot_id, to_org_id=served_before)


def test_a_member_has_no_activity_link_and_the_page_refuses_them(page: Page, base_url, backend_url):
    sign_in(page, base_url, MEMBER)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")).to_have_count(0)
    page.goto(base_url + routes.ACTIVITY)
    expect(page.get_by_role("alert")).to_contain_text("Only the organization's owners and administrators")
    expect(page.locator("#activity-list")).to_have_count(0)
    assert page.request.get(f"{backend_url}{routes.ACTIVITY_CSV}").status == 403


def test_staff_read_an_organizations_activity_chosen_by_its_name(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", level=1, name="Activity")).to_be_visible()
    page.get_by_label("Organization").select_option(label="Northwind Holdings")
    listing = page.locator("#activity-list")
    expect(listing.get_by_role("row").nth(1)).to_be_visible()
    expect(listing.get_by_role("columnheader", name="Organization")).to_be_visible()
    organizations = listing.get_by_role("row").locator("td:last-child").all_inner_texts()
    assert organizations and set(organizations) == {"Northwind Holdings"}
    _shot(page, "staff-desktop")
