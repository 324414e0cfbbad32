"""The parent-company roll-up in Chromium: Northwind Holdings' owner opens "Subsidiaries' support" from the
navigation, reads the totals per subsidiary, filters the list to one subsidiary, downloads it, and opens one of its
tasks read-only (no comment box); a subsidiary's owner is refused the parent's roll-up and has no link to one.

Set ``OPSPORTAL_SCREENSHOT_DIR`` to a directory to keep screenshots of the pages (to look at them).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import agent_work, rollup
from opsportal.services import auth as auth_service
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import OWNER, sign_in
from tests.e2e.test_accessibility import axe_violations

SUBSIDIARY_OWNER = "rita.alvarez@retail.northwind.example"
AGENT = "alex.kim@opsportal.example"
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")
LIVE = 10_000


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"rollup-{name}.png"), full_page=True)


def test_a_parents_owner_filters_the_roll_up_to_one_subsidiary_and_reads_its_task_without_a_comment_box(
        page: Page, base_url):
    retail = resolve_id(OPERATOR, "Northwind Retail")
    owner = auth_service.sign_in(email=OWNER, password=DEMO_PASSWORD).actor
    expected = rollup.totals(owner)

    sign_in(page, base_url, OWNER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subsidiaries").click()
    expect(page.get_by_role("heading", name="Subsidiaries' support")).to_be_visible()
    totals = page.locator("#rollup-totals")
    for row in expected.rows:
        line = totals.get_by_role("row").filter(has=page.get_by_role("link", name=f"Tasks of {row.name}"))
        expect(line).to_contain_text(str(row.open_tasks))
    expect(page.locator("#rollup-total-row")).to_contain_text("All organizations")
    expect(page.locator("#rollup-task-table").get_by_role("row").nth(1)).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "owner-desktop")

    page.get_by_label("Organization", exact=True).select_option(value=str(retail))
    page.get_by_label("Show", exact=True).select_option(value="all")
    listing = page.locator("#rollup-task-table")
    expect(page).to_have_url(re.compile(rf"sub={retail}"))
    expect(listing.get_by_role("row").nth(1)).to_contain_text("Northwind Retail")
    count = rollup.list_tasks(owner, subsidiary_id=retail, tab="all").total
    expect(page.locator("#rollup-count")).to_have_text(f"{count} tasks")
    cells = listing.locator("tbody tr td:nth-of-type(1)")
    assert set(cells.all_inner_texts()) == {"Northwind Retail"}
    _shot(page, "owner-one-subsidiary")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert rows[0][:3] == ["Task", "Title", "Organization"] and len(rows) == count + 1
    assert {r[2] for r in rows[1:]} == {"Northwind Retail"}

    first = listing.get_by_role("row").nth(1).get_by_role("link")
    task_id = int(first.inner_text().split(" ", 1)[0].lstrip("#"))
    first.click()
    expect(page).to_have_url(re.compile(rf"{routes.rollup_task(task_id)}$"))
    expect(page.locator("#read-only-note")).to_contain_text("Read-only")
    expect(page.locator("#task-organization")).to_have_text("Northwind Retail")
    expect(page.get_by_role("heading", name="Conversation")).to_be_visible()
    expect(page.get_by_label("Add a comment")).to_have_count(0)
    expect(page.get_by_role("button", name="Send comment")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    assert axe_violations(page) == []
    _shot(page, "read-only-task")

    # The subsidiary's task is not the parent's own: its ordinary page refuses them as if missing.
    page.goto(base_url + routes.task(task_id))
    expect(page.get_by_role("alert")).to_contain_text("not found")


def test_a_totals_row_opens_that_subsidiarys_list_which_follows_time_an_agent_logs_without_a_reload(
        page: Page, base_url):
    logistics = resolve_id(OPERATOR, "Northwind Logistics")
    owner = auth_service.sign_in(email=OWNER, password=DEMO_PASSWORD).actor
    agent = auth_service.sign_in(email=AGENT, password=DEMO_PASSWORD).actor
    sign_in(page, base_url, OWNER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organization").click()
    page.locator("#rollup-link").click()
    expect(page.get_by_role("heading", name="Subsidiaries' support")).to_be_visible()
    page.get_by_role("link", name="Tasks of Northwind Logistics").click()
    expect(page).to_have_url(re.compile(rf"sub={logistics}"))
    expect(page.get_by_label("Organization", exact=True)).to_have_value(str(logistics))
    expect(page.locator("#rollup-task-table").get_by_role("row").nth(1)).to_contain_text("Northwind Logistics")

    page.evaluate("window.__no_reload = true")
    task_id = rollup.list_tasks(owner, subsidiary_id=logistics).items[0].id
    agent_work.log_time(agent, task_id, minutes=25, note="Checked the roll-up follows")
    after = next(r for r in rollup.totals(owner).rows if r.organization_id == logistics)
    line = page.locator("#rollup-totals").get_by_role("row").filter(
        has=page.get_by_role("link", name="Tasks of Northwind Logistics"))
    expect(line).to_contain_text(formats.duration(after.minutes), timeout=LIVE)
    assert page.evaluate("window.__no_reload === true"), "the page was reloaded"

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#rollup-task-table").get_by_role("row").nth(1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "owner-phone")


def test_a_subsidiarys_owner_has_no_roll_up_link_and_is_refused_the_parents(page: Page, base_url, backend_url):
    holdings = resolve_id(OPERATOR, "Northwind Holdings")
    sign_in(page, base_url, SUBSIDIARY_OWNER)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Subsidiaries")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organization").click()
    expect(page.locator("#organization-name")).to_have_text("Northwind Retail")
    expect(page.locator("#rollup-link")).to_have_count(0)
    page.goto(f"{base_url}{routes.ROLLUP}?org={holdings}")
    expect(page.get_by_role("alert")).to_contain_text("not found")
    expect(page.locator("#rollup-totals")).to_have_count(0)
    assert page.request.get(f"{backend_url}{routes.ROLLUP_CSV}?org={holdings}").status == 404
