"""The K2 Community in Chromium: a Gold customer asks, the support team answers, the answer appears on the asker's
open page without a reload, the asker accepts it and has been e-mailed about it; a customer without Gold is
offered Gold instead of the threads."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from opsportal import clock
from opsportal.services import plan_catalog
from opsportal.services.operator import OPERATOR
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_notifications import mail_to, text_of
from tests.e2e.test_tasks_customer import assert_not_reloaded, new_customer, remember_page
from tests.e2e.test_ticket_mail import snap

ANSWER = "Check that the backup job uses copy-only snapshots, then restart the K2 service."


def with_gold(label: str):
    customer = new_customer(label)
    today = clock.coverage_now()
    plan_catalog.set_org_regions(OPERATOR, customer.org_id, "EMEA", (), at=today)
    plan_catalog.grant_entitlement(OPERATOR, customer.org_id, "gold", (today - timedelta(days=30)).date(), at=today)
    return customer


def staff_answers(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context()
    try:
        staff = context.new_page()
        sign_in(staff, base_url, STAFF)
        staff.goto(base_url + path)
        main = staff.locator("main")
        expect(main.get_by_role("heading", name="Moderation (staff)")).to_be_visible()
        main.get_by_label("Your answer").fill(ANSWER)
        main.get_by_role("button", name="Post answer").click()
        expect(main.get_by_text("Your answer is posted.")).to_be_visible()
    finally:
        context.close()


def test_a_customer_asks_staff_answer_and_the_asker_accepts_the_answer_and_is_emailed(
        page: Page, browser: Browser, base_url, mail_sink):
    customer = with_gold("Community Co")
    sign_in(page, base_url, customer.email)
    page.goto(base_url + "/community")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Categories")).to_be_visible()
    expect(main.get_by_text("K2 server stops responding after the nightly backup")).to_be_visible()  # the demo's
    snap(page, "community-home")
    assert axe_violations(page) == []
    main.get_by_role("link", name="Ask a question").click()
    expect(page.get_by_role("heading", name="Ask the K2 Community")).to_be_visible()
    main.get_by_label("Category").select_option(label="Servers & installation")
    main.get_by_label("Title").fill("Server hangs every night after the backup")
    main.get_by_label("Your question").fill("Our K2 server stops answering at 02:30 every night. Ideas?")
    main.get_by_role("button", name="Post question").click()

    expect(page.get_by_role("heading", name="Server hangs every night after the backup")).to_be_visible()
    expect(main.get_by_text("Asked by Casey · Community Co")).to_be_visible()
    path = page.url.removeprefix(base_url)
    assert path.startswith("/community/questions/")
    remember_page(page)

    staff_answers(browser, base_url, path)

    answer = main.locator("li").filter(has_text=ANSWER)
    expect(answer).to_be_visible(timeout=15_000)  # via the change feed
    expect(answer.get_by_text("Answered by support")).to_be_visible()
    assert_not_reloaded(page)
    answer.get_by_role("button", name="Accept this answer").click()
    expect(answer.get_by_text("Accepted answer")).to_be_visible()
    snap(page, "community-question")
    assert axe_violations(page) == []

    mail = mail_to(mail_sink, customer.email, "[K2 Community] Server hangs every night after the backup")
    assert ANSWER in text_of(mail)
    assert path in text_of(mail)


def test_a_customer_without_gold_is_offered_gold_instead_of_the_threads(page: Page, base_url):
    customer = new_customer("No Gold Co")
    sign_in(page, base_url, customer.email)
    page.goto(base_url + "/community")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Join the K2 Community with Gold Support")).to_be_visible()
    expect(main.get_by_role("link", name="See Gold Support and plans")).to_have_attribute("href", "/plans")
    expect(main.get_by_role("link", name="Ask a question")).to_have_count(0)
    snap(page, "community-no-gold")
