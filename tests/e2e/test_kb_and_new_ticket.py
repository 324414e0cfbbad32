"""The knowledge base and "Submit a ticket" in Chromium, on the demo articles."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from opsportal.services import kb, tasks
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import MEMBER, STAFF, path_is, sign_in
from tests.e2e.test_accessibility import axe_violations

VPN_ARTICLE = "VPN disconnects or will not connect"


def _open_new_ticket(page: Page, base_url: str, email: str = MEMBER) -> None:
    sign_in(page, base_url, email)
    page.goto(f"{base_url}/tasks/new")
    expect(page.get_by_role("heading", name="Submit a ticket", level=1)).to_be_visible()


def _customer_page(browser: Browser, base_url: str) -> Page:
    """A second, separate browser session (its own cookies) for a customer."""
    page = browser.new_context().new_page()
    sign_in(page, base_url, MEMBER)
    return page


def _tickets_of_northwind() -> int:
    return tasks.list_tasks(OPERATOR, resolve_id(OPERATOR, "Northwind Holdings"), tab="all").total


def test_typing_a_subject_suggests_a_matching_article_that_opens_in_the_knowledge_base(page: Page, base_url):
    _open_new_ticket(page, base_url)
    page.get_by_label("Subject").fill("VPN disconnects every few minutes")
    suggestions = page.locator("#ticket-suggestions")
    expect(suggestions.get_by_role("heading", name="These articles may already answer your question")).to_be_visible()
    link = suggestions.get_by_role("link", name=VPN_ARTICLE)
    expect(link).to_be_visible()
    assert 1 <= suggestions.get_by_role("link").count() <= 3
    with page.expect_popup() as opened:
        link.first.click()
    article = opened.value
    expect(article.get_by_role("heading", name=VPN_ARTICLE, level=1)).to_be_visible()
    expect(article.get_by_role("heading", name="3. Stop the VPN from dropping every few minutes")).to_be_visible()
    path_is(article, base_url, "/kb/vpn-disconnects-or-will-not-connect")


def test_an_empty_ticket_is_refused_with_a_message_next_to_each_field_and_a_summary(page: Page, base_url):
    before = _tickets_of_northwind()
    _open_new_ticket(page, base_url)
    page.get_by_role("button", name="Submit ticket").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The ticket was not submitted")
    expect(summary.get_by_role("link")).to_have_count(3)
    for field, message in (("Subject", "Give the ticket a subject."), ("Category", "Choose a category."),
                           ("Description", "Describe the problem in a sentence or two (at least 10 characters).")):
        control = page.get_by_label(field, exact=True)
        expect(control).to_have_attribute("aria-invalid", "true")
        error_id = f"ticket-{field.lower()}-error"
        expect(control).to_have_attribute("aria-describedby", re.compile(error_id))
        expect(page.locator(f"#{error_id}")).to_have_text(message)
    expect(page.get_by_label("Priority")).to_have_attribute("aria-invalid", "false")
    path_is(page, base_url, "/tasks/new")
    assert _tickets_of_northwind() == before


def test_a_valid_ticket_is_created_for_the_customers_organization_and_opens_its_page(page: Page, base_url):
    subject = f"Laptop will not charge {uuid.uuid4().hex[:6]}"
    _open_new_ticket(page, base_url)
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Category").select_option("End-user support")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Description", exact=True).fill("The charger light stays off since this morning.")
    page.get_by_role("button", name="Submit ticket").click()
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/tasks/(\d+)/?$"))
    ticket_id = int(re.search(r"/tasks/(\d+)", page.url).group(1))
    created = tasks.get_task(OPERATOR, ticket_id)
    assert (created.row.title, created.row.category, created.row.priority, created.row.status) == (
        subject, "End-user support", "high", "open")
    assert (created.row.organization, created.created_by) == ("Northwind Holdings", "Mark Osei")
    assert created.description == "The charger light stays off since this morning."


def test_staff_are_pointed_to_the_staff_queue_instead_of_the_ticket_form(page: Page, base_url):
    _open_new_ticket(page, base_url, STAFF)
    expect(page.get_by_role("link", name="staff queue")).to_have_attribute("href", "/staff/queue")
    expect(page.get_by_role("form", name="Submit a ticket")).to_have_count(0)


def test_a_customer_searches_the_knowledge_base_and_narrows_it_by_category(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    page.get_by_role("link", name="Knowledge base").click()
    expect(page.get_by_role("heading", name="Knowledge base", level=1)).to_be_visible()
    results = page.get_by_role("list", name="Articles")
    expect(results.get_by_role("listitem")).to_have_count(10)
    expect(page.get_by_role("link", name="Moving to the new VPN gateway")).to_have_count(0)  # a draft

    page.get_by_label("Search the knowledge base").fill("invoice")
    expect(results.get_by_role("heading").first).to_have_text("Pay an invoice online")
    expect(results.locator("mark").first).to_have_text(re.compile("invoice", re.I))
    expect(page.locator("#kb-summary")).to_contain_text("for “invoice”")

    page.get_by_label("Category").select_option("Hours & credits")
    expect(results).not_to_contain_text("Pay an invoice online")
    expect(results.get_by_role("heading")).to_have_count(
        kb.search(OPERATOR, "invoice", category="Hours & credits").total)
    results.get_by_role("link", name="How prepaid hours and service credits work").click()
    expect(page.get_by_role("heading", name="When they expire")).to_be_visible()


def test_staff_edit_an_article_and_a_customer_sees_the_change(page: Page, base_url, browser: Browser):
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/kb/printer-queue-stuck")
    page.get_by_role("button", name="Edit article").click()
    form = page.get_by_role("form", name="Edit article")
    form.get_by_label("Title").fill("Printer queue stuck, offline or printing nothing")
    body = form.get_by_label("Article (Markdown)")
    body.fill(body.input_value() + "\n\n## Still stuck?\n\nCall the front desk on extension **4242**.")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("Article saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Printer queue stuck, offline or printing nothing")

    customer = _customer_page(browser, base_url)
    customer.goto(f"{base_url}/kb/printer-queue-stuck")
    expect(customer.get_by_role("heading", level=1)).to_have_text("Printer queue stuck, offline or printing nothing")
    expect(customer.get_by_role("heading", name="Still stuck?")).to_be_visible()
    expect(customer.locator("#kb-article-body strong", has_text="4242")).to_be_visible()
    expect(customer.get_by_role("button", name="Edit article")).to_have_count(0)
    customer.context.close()


def test_staff_write_a_draft_that_customers_cannot_open_and_html_is_shown_as_text(page: Page, base_url,
                                                                                   browser: Browser):
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("button", name="New article").click()
    form = page.get_by_role("form", name="New article")
    form.get_by_role("button", name="Create article").click()
    expect(form.locator("#new-article-title-error")).to_have_text("Give the article a title of at least 5 characters.")
    expect(form.locator("#new-article-category-error")).to_have_text("Choose a category.")
    expect(form.get_by_label("Title")).to_have_attribute("aria-invalid", "true")

    slug = f"guest-wifi-{uuid.uuid4().hex[:6]}"
    form.get_by_label("Title").fill("Guest Wi-Fi for visitors")
    form.get_by_label("Address").fill(slug)
    form.get_by_label("Category").select_option("Networking & VPN")
    form.get_by_label("Article (Markdown)").fill(
        "Ask reception for the code.\n\n<img src=x onerror=\"window.injected=1\"><b>not bold</b>")
    form.get_by_role("button", name="Create article").click()
    path_is(page, base_url, f"/kb/{slug}")
    expect(page.get_by_text("Draft: not visible to customers")).to_be_visible()
    body = page.locator("#kb-article-body")
    expect(body).to_contain_text("Ask reception for the code.")
    expect(body.locator("img, b")).to_have_count(0)
    assert page.evaluate("window.injected") is None
    assert kb.get_article(OPERATOR, slug).published is False

    customer = _customer_page(browser, base_url)
    customer.goto(f"{base_url}/kb/{slug}")
    expect(customer.get_by_role("alert")).to_have_text(kb.ARTICLE_NOT_FOUND)
    customer.context.close()


def test_knowledge_base_and_ticket_pages_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    page.goto(f"{base_url}/kb")
    expect(page.get_by_role("list", name="Articles").get_by_role("listitem").first).to_be_visible()
    page.get_by_label("Search the knowledge base").fill("vpn")
    expect(page.locator("#kb-summary")).to_contain_text("for “vpn”")
    assert axe_violations(page) == [], "knowledge base with results"
    page.goto(f"{base_url}/kb/consumption-order")
    expect(page.get_by_role("heading", name="The order")).to_be_visible()
    assert axe_violations(page) == [], "article"
    page.goto(f"{base_url}/tasks/new")
    page.get_by_label("Subject").fill("Outlook keeps asking for my password")
    expect(page.get_by_role("heading", name="These articles may already answer your question")).to_be_visible()
    assert axe_violations(page) == [], "new ticket with suggestions"
    page.get_by_label("Subject").fill("")
    page.get_by_role("button", name="Submit ticket").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == [], "new ticket with problems"


def test_staff_knowledge_base_forms_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/kb")
    page.get_by_role("button", name="New article").click()
    page.get_by_role("form", name="New article").get_by_role("button", name="Create article").click()
    expect(page.locator("#new-article-title-error")).not_to_be_empty()
    assert axe_violations(page) == [], "new article form with problems"
    page.goto(f"{base_url}/kb/moving-to-the-new-vpn-gateway")
    page.get_by_role("button", name="Edit article").click()
    expect(page.get_by_role("form", name="Edit article")).to_be_visible()
    assert axe_violations(page) == [], "draft article in the editor"
