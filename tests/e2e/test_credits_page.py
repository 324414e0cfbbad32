"""The Hours & Credits page in Chromium, on the demo ledger."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from opsportal.domain import formats
from opsportal.services import agent_work, bank_payments, credit_views, credits, incidents, plan_catalog, support_terms
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import MEMBER, OWNER, sign_in
from tests.e2e.plans_clock import CLOCK_OVERRIDE

LOGISTICS_OWNER = "lena.fischer@logistics.northwind.example"


def _open_credits(page: Page, base_url: str, email: str) -> None:
    sign_in(page, base_url, email)
    page.get_by_role("link", name="Hours & Credits").click()
    expect(page.get_by_role("heading", name="Hours & Credits")).to_be_visible()


def test_summary_cards_show_the_ledgers_figures_for_the_organization(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    org_id = resolve_id(OPERATOR, "Northwind Holdings")
    hours = next(s for s in credit_views.summary(OPERATOR, org_id) if s.product == "support_hours")
    expect(page.locator("#card-available")).to_have_text(formats.quantity(hours.available, "minute"))
    expect(page.locator("#card-in-play")).to_have_text(formats.quantity(hours.in_play, "minute"))
    expect(page.locator("#card-used")).to_have_text(formats.quantity(hours.used_30d, "minute"))
    expect(page.locator("#card-expiring")).to_have_text(formats.quantity(hours.expiring_30d, "minute"))


def test_in_play_and_used_categories_drill_down_to_tickets_and_a_ticket_snapshot(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    page.get_by_role("button", name="Show tickets with credit in play for Infrastructure").click()
    drill = page.locator("#drilldown")
    expect(drill.get_by_role("heading", name="In play: Infrastructure")).to_be_visible()
    expect(drill.get_by_text("Backup job failing on SQL01")).to_be_visible()
    drill.get_by_role("button", name="Show ticket").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Backup job failing on SQL01")
    expect(dialog).to_contain_text("2 h")
    expect(dialog).not_to_contain_text("00 min")
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("button", name="Show tickets that used credit for Networking").click()
    expect(drill.get_by_role("heading", name="Used: Networking")).to_be_visible()
    expect(drill.get_by_text("Firewall rules for the new branch office")).to_be_visible()


def _holdings_lot(*, product: str, quantity: int):
    """The demo's lot of Northwind Holdings with that product and granted quantity, as the service reads it now."""
    org_id = resolve_id(OPERATOR, "Northwind Holdings")
    lots = credit_views.credit_list(OPERATOR, org_id, page_size=100).items
    return next(lot for lot in lots if lot.holder_id == org_id and lot.product == product and lot.quantity == quantity)


def _turn(page: Page, direction: str) -> bool:
    """Turns the credit list one page (``Previous``/``Next``); False when there is no such page."""
    table = page.locator("#credit-list")
    button = table.get_by_role("button", name=f"{direction} page of lots")
    if not button.count() or not button.is_enabled():
        return False
    where = table.get_by_text(re.compile(r"^Page \d+ of \d+$"))
    shown = where.inner_text()
    button.click()
    expect(where).not_to_have_text(shown)
    return True


def _lot_row(page: Page, lot_id: int):
    """The credit list's row of the lot, paging from the first page to it."""
    table = page.locator("#credit-list")
    expect(table.get_by_role("row").nth(1)).to_be_visible()
    while _turn(page, "Previous"):
        pass
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=f"#{lot_id}", exact=True))
    while not row.count() and _turn(page, "Next"):
        pass
    return row


def _allocate_button(page: Page, lot_id: int):
    return _lot_row(page, lot_id).get_by_role("button", name=f"Allocate lot {lot_id}", exact=True)


def test_owner_allocates_a_whole_lot_to_one_subsidiary_and_sees_it_confirmed_in_the_dialog(page: Page, base_url):
    _open_credits(page, base_url, OWNER)
    table = page.locator("#credit-list")
    button = table.get_by_role("button", name="Allocate lot").first
    lot_id = int(button.get_attribute("aria-label").rsplit(" ", 1)[-1])
    button.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Northwind Logistics").click()
    dialog.get_by_role("button", name="Allocate").click()
    expect(dialog.get_by_role("status")).to_contain_text(f"Lot {lot_id} (")
    expect(dialog.get_by_role("status")).to_contain_text("is now allocated to Northwind Logistics.")
    dialog.get_by_role("button", name="Close").click()
    row = table.get_by_role("row").filter(has_text=f"#{lot_id}")
    expect(row).to_contain_text("Northwind Logistics")


def test_the_allocate_dialog_starts_from_where_each_lot_is_allocated_now(page: Page, base_url):
    holdings, retail = resolve_id(OPERATOR, "Northwind Holdings"), resolve_id(OPERATOR, "Northwind Retail")
    lots = {where: credits.grant(OPERATOR, org_id=holdings, product="service_credits", quantity=quantity,
                                 kind="complimentary", expires=date(2099, 12, 31), shared=where == "All organizations")
            for where, quantity in (("All organizations", 7), ("Northwind Holdings", 8), ("Northwind Retail", 9))}
    credits.allocate(OPERATOR, lot_id=lots["Northwind Retail"].id, to_org_id=retail)
    _open_credits(page, base_url, OWNER)
    for where, lot in lots.items():
        _allocate_button(page, lot.id).click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("radio", name=where)).to_be_checked()
        expect(dialog.get_by_role("radio", checked=True)).to_have_count(1)
        expect(dialog.get_by_label("How much")).to_have_value(str(lot.quantity))
        dialog.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_have_count(0)


@pytest.mark.scale_out
def test_owner_allocates_part_of_a_lot_and_the_dialog_confirms_it_next_to_the_action(page: Page, base_url):
    lot = _holdings_lot(product="service_credits", quantity=200)
    logistics = resolve_id(OPERATOR, "Northwind Logistics")
    logistics_before = credit_views.balance(OPERATOR, logistics, product="service_credits").available
    _open_credits(page, base_url, OWNER)
    _allocate_button(page, lot.id).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Northwind Logistics").click()
    quantity = dialog.get_by_label("How much")

    quantity.fill("2.5")
    dialog.get_by_role("button", name="Allocate").click()
    expect(dialog.locator("#allocate-quantity-error")).to_have_text(
        "Enter a whole number of credits greater than zero.")
    quantity.fill(str(lot.free + 1))
    expect(dialog.locator("#allocate-quantity-error")).to_have_text("")  # the message goes as the field changes
    dialog.get_by_role("button", name="Allocate").click()
    expect(dialog.get_by_role("alert")).to_contain_text(f"Only {formats.credits(lot.free)} of lot {lot.id}")

    quantity.fill("50")
    expect(dialog.get_by_role("alert")).to_have_count(0)
    dialog.get_by_role("button", name="Allocate").click()
    status = dialog.get_by_role("status")
    expect(status).to_contain_text(f"50 credits of lot {lot.id} now allocated to Northwind Logistics, as lot ")
    new_id = int(status.inner_text().rsplit(" ", 1)[-1].rstrip("."))
    dialog.get_by_role("button", name="Close").click()

    expect(_lot_row(page, lot.id).get_by_role("cell").nth(7)).to_have_text(formats.credits(lot.free - 50))
    part = _lot_row(page, new_id)
    expect(part).to_contain_text("Northwind Logistics")
    expect(part.get_by_role("cell").nth(7)).to_have_text(formats.credits(50))
    assert credit_views.balance(OPERATOR, logistics, product="service_credits").available == logistics_before + 50


def test_the_credit_list_shows_each_lots_free_and_held_quantities_apart(page: Page, base_url):
    org_id = resolve_id(OPERATOR, "Northwind Holdings")
    held = next(lot for lot in credit_views.credit_list(OPERATOR, org_id, page_size=10).items if lot.held > 0)
    _open_credits(page, base_url, OWNER)
    table = page.locator("#credit-list")
    headers = table.get_by_role("columnheader")
    expect(headers.nth(7)).to_have_text("Free")
    expect(headers.nth(8)).to_have_text("Held")
    row = _lot_row(page, held.id)
    expect(row.get_by_role("cell").nth(7)).to_have_text(formats.quantity(held.free, held.unit))
    expect(row.get_by_role("cell").nth(8)).to_have_text(formats.quantity(held.held, held.unit))
    expect(table).not_to_contain_text("Remaining")


def test_drill_downs_and_the_ticket_snapshot_show_status_words_not_codes(page: Page, base_url):
    org_id = resolve_id(OPERATOR, "Northwind Holdings")
    [ticket] = credit_views.in_play_tickets(OPERATOR, org_id, product="support_hours", category="Identity & access")
    agent_work.set_status(OPERATOR, ticket.ticket_id, "waiting_on_customer")
    _open_credits(page, base_url, OWNER)
    page.get_by_role("button", name="Show tickets with credit in play for Identity & access").click()
    row = page.locator("#drilldown").get_by_role("row").filter(has_text=ticket.title)
    expect(row.get_by_role("cell").nth(2)).to_have_text("Waiting on you")
    row.get_by_role("button", name="Show ticket").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Waiting on you")
    for code in ("waiting_on_customer", "Waiting_on_customer"):
        expect(page.locator("#drilldown")).not_to_contain_text(code)
        expect(dialog).not_to_contain_text(code)


def test_a_lot_held_for_a_paid_incident_window_offers_no_allocate_and_says_why(page: Page, base_url):
    logistics = resolve_id(OPERATOR, "Northwind Logistics")
    gold = plan_catalog.grant_entitlement(OPERATOR, logistics, "gold", CLOCK_OVERRIDE.date() - timedelta(days=30),
                                          note="End-to-end test: Gold for a scheduled window")
    # Next Saturday 20:00-22:00 UTC: outside EMEA business hours, within Gold.
    window = CLOCK_OVERRIDE + timedelta(days=7, hours=17)
    request = incidents.request_incident(OPERATOR, logistics, "scheduled", window, 2, "Warehouse network upgrade",
                                         "Replace the core switch in the warehouse overnight.",
                                         accepted_terms=support_terms.read_terms().version, at=CLOCK_OVERRIDE)
    bank_payments.record_offline_payment(OPERATOR, request.invoice_id, at=CLOCK_OVERRIDE + timedelta(hours=1))
    # The paid window keeps its hold; Logistics goes back to no Gold, as the plan tests expect of it.
    plan_catalog.revoke_entitlement(OPERATOR, gold.id, reason="End of the end-to-end test")
    [lot] = [lot for lot in credit_views.credit_list(OPERATOR, logistics, page_size=100).items if lot.held_for_window]
    other = credits.grant(OPERATOR, org_id=logistics, product="support_hours", quantity=60, kind="complimentary",
                          expires=date(2099, 12, 31))
    sign_in(page, base_url, LOGISTICS_OWNER)
    page.get_by_role("link", name="Hours & Credits").click()
    row = _lot_row(page, lot.id)
    expect(row).to_contain_text("Held for a pay-per-incident window")
    expect(row.get_by_role("cell").nth(8)).to_have_text(formats.quantity(120, "minute"))
    expect(row.get_by_role("button")).to_have_count(0)
    expect(_allocate_button(page, other.id)).to_be_visible()  # an ordinary lot of the same owner is offered


def test_at_390_px_the_page_does_not_scroll_sideways_and_lots_are_cards_with_free_and_held(page: Page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base_url, OWNER)
    page.goto(f"{base_url}/credits")
    lots = page.locator("#credit-list")
    button = lots.get_by_role("button", name="Allocate lot").first
    expect(button).to_be_visible()
    expect(lots.get_by_role("table")).to_be_hidden()
    expect(lots.get_by_text(re.compile(r"^Free \S.* · Held \S")).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    button.click()
    expect(page.get_by_role("dialog").get_by_label("How much")).to_be_visible()


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


@pytest.mark.scale_out
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
    expect(page.locator("#card-available")).to_have_text(formats.quantity(before + 450, "minute"))


def test_grant_form_is_not_offered_to_customers(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.get_by_role("link", name="Organization").click()
    expect(page.locator("#organization-name")).to_be_visible()
    expect(page.get_by_role("form", name="Grant credits")).to_have_count(0)


def test_kaizen_credits_show_usage_period_offers_and_all_organizations_with_no_allocate_for_platform_credits(
        page: Page, base_url):
    holdings = resolve_id(OPERATOR, "Northwind Holdings")
    lots = {lot.product: lot for lot in credit_views.credit_list(OPERATOR, holdings, page_size=100).items
            if lot.holder_id == holdings}
    jumpstart, enterprise, tokens = lots["kaizen_jumpstart"], lots["kaizen_enterprise"], lots["network_offer_7_tokens"]
    _open_credits(page, base_url, OWNER)
    headers = page.locator("#credit-list").get_by_role("columnheader")
    expect(headers.nth(3)).to_have_text("Credit holder")
    expect(headers.nth(5)).to_have_text("Service usage period")
    expect(headers.nth(9)).to_have_text("Offers")

    row = _lot_row(page, jumpstart.id)
    cells = row.get_by_role("cell")
    expect(cells.nth(3)).to_have_text("All organizations")
    expect(cells.nth(5)).to_have_text("—")  # Jumpstart credits show no usage period
    expect(row).to_contain_text("Shared with all organizations: no allocation needed")
    expect(row.get_by_role("button")).to_have_count(0)

    row = _lot_row(page, enterprise.id)
    expect(row.get_by_role("cell").nth(3)).to_have_text("All organizations")
    expect(row.get_by_role("cell").nth(5)).to_have_text(re.compile(r"^From .+, no end$"))
    expect(row.get_by_role("button")).to_have_count(0)

    row = _lot_row(page, tokens.id)
    cells = row.get_by_role("cell")
    expect(cells.nth(3)).to_have_text("Northwind Holdings")
    expect(cells.nth(5)).to_have_text(re.compile(
        r" – " + re.escape(formats.day(tokens.usage_period.last_day)) + "$"))
    expect(cells.nth(9)).to_have_text(f"{formats.count(tokens.offers_free)} tokens (7 a credit)")
    expect(row.get_by_role("button", name=f"Allocate lot {tokens.id}", exact=True)).to_be_visible()


def test_a_subsidiarys_platform_credit_names_all_organizations_as_its_holder(page: Page, base_url):
    retail = resolve_id(OPERATOR, "Northwind Retail")
    [demo] = [lot for lot in credit_views.credit_list(OPERATOR, retail, page_size=100).items
              if lot.product == "kaizen_demo"]
    _open_credits(page, base_url, "rita.alvarez@retail.northwind.example")
    row = _lot_row(page, demo.id)
    expect(row.get_by_role("cell").nth(3)).to_have_text("All organizations")
    expect(row.get_by_role("cell").nth(4)).to_have_text("All organizations")
    expect(row.get_by_role("button")).to_have_count(0)
