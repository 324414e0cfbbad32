"""The K2 Community in Chromium, authors and moderators: an author edits their answer and the asker's open page
shows the new text marked "edited" without a reload; search finds the thread through that answer; staff hide an
answer with a reason, lock the thread and move it while the asker watches."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect

from opsportal.services import forum_posts
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_community import with_gold
from tests.e2e.test_tasks_customer import assert_not_reloaded, remember_page

QUESTION = "Licence server loses its activation after a restart"
BODY = "After every restart of the host the K2 licence server asks for activation again. Why?"


def _thread(asker, answerer, answer: str) -> tuple[int, int]:
    question = forum_posts.ask(asker.actor, category="servers-installation", title=QUESTION, body=BODY)
    return question, forum_posts.answer(answerer.actor, question, answer)


def _open(browser: Browser, base_url: str, email: str, path: str):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base_url, email)
    page.goto(base_url + path)
    return context, page


def test_an_author_edits_their_answer_and_the_askers_open_page_shows_it_edited_live(
        page: Page, browser: Browser, base_url):
    asker, answerer = with_gold("Edit Asker Co"), with_gold("Edit Answer Co")
    question, _ = _thread(asker, answerer, "Restart the service twice.")
    path = f"/community/questions/{question}"
    sign_in(page, base_url, asker.email)
    page.goto(base_url + path)
    main = page.locator("main")
    expect(main.get_by_text("Restart the service twice.")).to_be_visible()
    expect(main.get_by_role("button", name="Edit your answer")).to_have_count(0)  # not the asker's to edit
    remember_page(page)

    context, author = _open(browser, base_url, answerer.email, path)
    try:
        own = author.locator("main li").filter(has_text="Restart the service twice.")
        own.get_by_role("button", name="Edit your answer").click()
        own.get_by_role("textbox", name="Edit your answer").fill(
            "Keep the **activation cache** on a disk that survives restarts.")
        own.get_by_role("button", name="Save answer").click()
        expect(author.locator("main").get_by_text("Your edit is saved.")).to_be_visible()
    finally:
        context.close()

    edited = main.locator("li").filter(has_text="activation cache")
    expect(edited).to_be_visible()  # via the change feed
    expect(edited.get_by_text("edited", exact=False)).to_contain_text("edited ")
    expect(main.get_by_text("Restart the service twice.")).to_have_count(0)
    assert_not_reloaded(page)
    page.screenshot(path="/tmp/community-edited-answer.png", full_page=True)
    assert axe_violations(page) == []

    page.goto(base_url + "/community")
    main.get_by_label("Search the community").fill("activation cache")
    main.get_by_role("button", name="Search").click()
    result = main.locator("li").filter(has_text=QUESTION)
    expect(result).to_be_visible()
    expect(result.get_by_text("From an answer:")).to_be_visible()
    expect(result.locator("mark").first).to_be_visible()
    page.screenshot(path="/tmp/community-search.png", full_page=True)


def test_the_asker_cannot_delete_a_question_with_answers_and_is_told_why(page: Page, base_url):
    asker, answerer = with_gold("Delete Asker Co"), with_gold("Delete Answer Co")
    question, _ = _thread(asker, answerer, "Check the activation cache.")
    sign_in(page, base_url, asker.email)
    page.goto(base_url + f"/community/questions/{question}")
    main = page.locator("main")
    main.get_by_role("button", name="Delete this question").click()
    main.get_by_role("button", name="Yes, delete this question").click()
    expect(main.get_by_text("This question has an answer, so it cannot be deleted")).to_be_visible()
    expect(main.get_by_role("heading", name=QUESTION)).to_be_visible()


def test_staff_hide_an_answer_with_a_reason_lock_the_thread_and_move_it(page: Page, browser: Browser, base_url):
    asker, answerer = with_gold("Moderated Asker Co"), with_gold("Moderated Answer Co")
    question, _ = _thread(asker, answerer, "Buy cheap licence keys from our partner shop!")
    path = f"/community/questions/{question}"
    sign_in(page, base_url, asker.email)
    page.goto(base_url + path)
    main = page.locator("main")
    spam = main.locator("li").filter(has_text="cheap licence keys")
    expect(spam).to_be_visible()
    expect(main.get_by_label("Your answer")).to_be_visible()
    remember_page(page)

    context, staff = _open(browser, base_url, STAFF, path)
    try:
        desk = staff.locator("main")
        row = desk.locator("li").filter(has_text="cheap licence keys")
        row.get_by_label("Hide this answer: reason").fill("Advertising")
        row.get_by_role("button", name="Hide this answer").click()
        expect(row.get_by_text("Hidden from customers: Advertising")).to_be_visible()
        expect(spam).to_have_count(0)  # gone from the asker's open page

        desk.get_by_role("button", name="Lock thread").click()
        expect(desk.get_by_role("button", name="Unlock thread")).to_be_visible()
        expect(main.get_by_text("This thread is locked: it takes no new answers.")).to_be_visible()
        expect(main.get_by_label("Your answer")).to_have_count(0)
        expect(main.get_by_text("Locked: no new answers")).to_be_visible()

        desk.get_by_label("Move to category").select_option(label="Upgrades & hotfixes")
        desk.get_by_role("button", name="Move thread").click()
        expect(desk.get_by_text("Thread moved.")).to_be_visible()
        expect(main.get_by_role("link", name="Upgrades & hotfixes")).to_be_visible()
        staff.screenshot(path="/tmp/community-moderated-staff.png", full_page=True)
    finally:
        context.close()
    assert_not_reloaded(page)
    page.screenshot(path="/tmp/community-moderated-customer.png", full_page=True)

    author_context, author = _open(browser, base_url, answerer.email, path)
    try:  # hidden posts are shown to staff only, their author included (domain.forum.may_see_hidden)
        expect(author.locator("main").get_by_role("heading", name=QUESTION)).to_be_visible()
        expect(author.locator("main").get_by_text("cheap licence keys")).to_have_count(0)
    finally:
        author_context.close()
    page.goto(base_url + "/community/upgrades-hotfixes")
    expect(main.get_by_role("link", name=QUESTION)).to_be_visible()


def test_a_subsidiary_member_whose_parent_holds_gold_is_told_gold_is_per_organization_on_both_pages(
        page: Page, base_url):
    parent = with_gold("Gold Parent Co")
    suffix = uuid.uuid4().hex[:8]
    child = create_organization(OPERATOR, name=f"Subsidiary Co {suffix}", parent_name=parent.org_name)
    create_user(OPERATOR, email=f"owner.{suffix}@sub.example", role="owner", organization_name=child.name,
                password=DEMO_PASSWORD, full_name="Olga Owner")
    member = f"member.{suffix}@sub.example"
    create_user(OPERATOR, email=member, role="member", organization_name=child.name, password=DEMO_PASSWORD,
                full_name="Max Member")
    sign_in(page, base_url, member)
    page.goto(base_url + "/community")
    notice = page.locator("main #community-gold-elsewhere")
    expect(notice).to_contain_text(f"Gold Support is held per organization: {parent.org_name} holds Gold Support, "
                                   f"but it covers {parent.org_name} only, not {child.name}.")
    expect(notice).to_contain_text("Ask your organization's owner (Olga Owner) to buy Gold Support")
    expect(notice.get_by_role("link")).to_have_count(0)
    page.screenshot(path="/tmp/community-subsidiary.png", full_page=True)
    page.goto(base_url + "/downloads")
    expect(page.locator("main #downloads-gold-elsewhere")).to_contain_text(
        f"it covers {parent.org_name} only, not {child.name}.")
