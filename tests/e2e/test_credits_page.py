"""The Hours & Credits page in Chromium, on the demo ledger."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from opsportal.domain.ledger.products import format_quantity
from opsportal.services import credit_views
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import MEMBER, OWNER, sign_in


def _open_credits(page: Page, base_url: str, email: str) -> None:
    sign_in(page, base_url, email)
    page.get_by_role("link", name="Hours & Credits").click()
    expect(page.get_by_role("heading", name="Hours & Credits")).to_be_visible()


def test_summary_cards_show_the_ledgers_figures_for_the_organization(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    org_id = resolve_id(OPERATOR, "Northwind Holdings")
    hours = next(s for s in credit_views.summary(OPERATOR, org_id) if s.product == "support_hours")
    expect(page.locator("#card-available")).to_have_text(format_quantity(hours.available, "minute"))
    expect(page.locator("#card-in-play")).to_have_text(format_quantity(hours.in_play, "minute"))
    expect(page.locator("#card-used")).to_have_text(format_quantity(hours.used_30d, "minute"))
    expect(page.locator("#card-expiring")).to_have_text(format_quantity(hours.expiring_30d, "minute"))


def test_in_play_and_used_categories_drill_down_to_tickets_and_a_ticket_snapshot(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    page.get_by_role("button", name="Show tickets with credit in play for Infrastructure").click()
    drill = page.locator("#drilldown")
    expect(drill.get_by_role("heading", name="In play: Infrastructure")).to_be_visible()
    expect(drill.get_by_text("Backup job failing on SQL01")).to_be_visible()
    drill.get_by_role("button", name="Show ticket").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Backup job failing on SQL01")
    expect(dialog).to_contain_text("2 h 00 min")
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("button", name="Show tickets that used credit for Networking").click()
    expect(drill.get_by_role("heading", name="Used: Networking")).to_be_visible()
    expect(drill.get_by_text("Firewall rules for the new branch office")).to_be_visible()


def test_owner_allocates_a_lot_to_one_subsidiary(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    table = page.locator("#credit-list")
    button = table.get_by_role("button", name="Allocate lot").first
    lot_label = button.get_attribute("aria-label")
    lot_id = int(lot_label.rsplit(" ", 1)[-1])
    button.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Northwind Logistics").click()
    dialog.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("status")).to_have_text(f"Lot {lot_id} is now allocated to Northwind Logistics.")
    row = table.get_by_role("row").filter(has_text=f"#{lot_id}")
    expect(row).to_contain_text("Northwind Logistics")


def test_member_sees_credits_but_has_no_allocate_action(page: Page, base_url):
    _open_credits(page, base_url, MEMBER)
    expect(page.locator("#credit-list").get_by_role("row").nth(1)).to_be_visible()
    expect(page.get_by_role("button", name="Allocate lot")).to_have_count(0)


def test_history_lists_entries_with_reasons_and_downloads_as_csv(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    history = page.locator("#history")
    expect(history.get_by_text("1st choice: own credit").first).to_be_visible()
    with page.expect_download() as info:
        history.get_by_role("link", name="Download CSV").click()
    body = open(info.value.path(), encoding="utf-8").read().splitlines()
    assert body[0].startswith("Entry,At (") and ",Kind,Product,Quantity,Minutes or credits,Lot," in body[0]
    assert any(",Granted,Support hours," in line for line in body[1:])
    assert all(",Support hours," in line for line in body[1:])


def test_csv_download_refuses_another_organizations_history(page: Page, base_url, backend_url):
    sign_in(page, base_url, "fiona.walsh@fabrikam.example")
    northwind = resolve_id(OPERATOR, "Northwind Holdings")
    response = page.request.get(f"{backend_url}/api/credits/history.csv?org={northwind}")
    assert response.status == 403
    assert "Northwind" not in response.text()


def test_staff_admin_grants_hours_and_the_organizations_balance_rises_by_exactly_that(page: Page, base_url):
    from tests.e2e.browser import STAFF

    logistics = resolve_id(OPERATOR, "Northwind Logistics")
    before = credit_views.balance(OPERATOR, logistics).available
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Northwind Logistics").click()
    form = page.get_by_role("form", name="Grant credits")
    form.get_by_label("Product").select_option("support_hours")
    form.get_by_label("Quantity").fill("7:30")
    form.get_by_label("Last usable day").fill("2099-12-31")
    form.get_by_role("button", name="Grant").click()
    expect(page.get_by_role("status")).to_contain_text("7 h 30 min of Support hours")
    assert credit_views.balance(OPERATOR, logistics).available == before + 450
    form.get_by_label("Quantity").fill("7:75")
    form.get_by_role("button", name="Grant").click()
    expect(page.get_by_role("alert")).to_have_text("Minutes must be below 60.")
    assert credit_views.balance(OPERATOR, logistics).available == before + 450
    page.get_by_role("link", name="Hours & Credits of this organization").click()
    expect(page.locator("#card-available")).to_have_text(format_quantity(before + 450, "minute"))


def test_grant_form_is_not_offered_to_customers(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.get_by_role("link", name="Organization").click()
    expect(page.locator("#organization-name")).to_be_visible()
    expect(page.get_by_role("form", name="Grant credits")).to_have_count(0)
