"""Attachments in Chromium: a customer attaches a screenshot to a new ticket (the browser refusing a file it may
not send, with a clear message) and the agent sees the preview on the task and opens the file through the
authorized route, which answers another organization's customer as if it did not exist."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal import routes
from opsportal.services import attachments, tasks
from opsportal.services.operator import OPERATOR
from tests.e2e.browser import OTHER_CUSTOMER, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_tasks_customer import AGENT_EMAIL, new_customer
from tests.utils.files import png_bytes

SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"attachments-{name}.png"), full_page=True)


def _image_loaded(page: Page, alt: str) -> bool:
    return page.locator(f'img.attachment-preview[alt="{alt}"]').first.evaluate(
        "img => img.complete && img.naturalWidth > 0")


@pytest.fixture
def screenshot(tmp_path: Path) -> Path:
    path = tmp_path / "login-error.png"
    path.write_bytes(png_bytes(1600, 900, (200, 60, 60)))
    return path


def test_a_customer_attaches_a_screenshot_to_a_new_ticket_and_the_agent_opens_it(
        page: Page, base_url: str, backend_url: str, browser: Browser, screenshot: Path, tmp_path: Path):
    customer = new_customer("Attach Co")
    sign_in(page, base_url, customer.email)
    page.goto(base_url + routes.NEW_TICKET)
    form = page.get_by_role("form", name="Submit a ticket")
    form.get_by_label("Subject").fill("Login page shows an error")
    form.get_by_label("Category").select_option("End-user support")
    form.get_by_label("Description").fill("Since this morning the login page shows the error in the screenshot.")
    picker = form.locator(".file-picker input[type=file]")

    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    picker.set_input_files([str(program)])
    expect(form.get_by_role("alert")).to_contain_text("setup.exe: not an accepted type")

    notes = tmp_path / "steps.txt"
    notes.write_text("1. open the login page\n2. type the password\n3. error\n")
    picker.set_input_files([str(screenshot), str(notes)])
    chosen = form.get_by_role("list", name="Files chosen")
    expect(chosen).to_contain_text("login-error.png")
    expect(chosen).to_contain_text("steps.txt")
    _shot(page, "new-ticket-files-chosen")
    assert axe_violations(page) == []

    form.get_by_role("button", name="Submit ticket").click()
    expect(page.locator("#ticket-submitted")).to_be_visible(timeout=15_000)
    task_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(page.locator('img.attachment-preview[alt="login-error.png"]')).to_be_visible()
    page.wait_for_function("() => [...document.querySelectorAll('img.attachment-preview')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    expect(page.get_by_role("link", name="steps.txt")).to_be_visible()
    _shot(page, "task-with-preview")
    assert axe_violations(page) == []

    (png, txt) = attachments.ticket_files(OPERATOR, task_id)
    assert (png.name, png.is_image, txt.name) == ("login-error.png", True, "steps.txt")

    agent = browser.new_context().new_page()
    try:
        sign_in(agent, base_url, AGENT_EMAIL)
        agent.goto(base_url + routes.staff_task(task_id))
        expect(agent.locator("#task-title")).to_contain_text("Login page shows an error")
        preview = agent.locator('img.attachment-preview[alt="login-error.png"]')
        expect(preview).to_be_visible()
        # The preview is a real thumbnail (at most 480 x 320), not the full image scaled down by CSS.
        agent.wait_for_function("() => { const i = document.querySelector('img.attachment-preview');"
                                " return i && i.complete && i.naturalWidth === 480; }")
        assert "thumb=1" in preview.get_attribute("src")
        href = agent.get_by_role("link", name="Open login-error.png").get_attribute("href")
        opened = agent.request.get(href)
        assert opened.status == 200
        assert opened.headers["content-type"] == "image/png"
        assert opened.headers["content-disposition"].startswith("inline")
        assert opened.headers["x-content-type-options"] == "nosniff"
        assert opened.body() == screenshot.read_bytes()
        text_href = agent.get_by_role("link", name="steps.txt").get_attribute("href")
        assert agent.request.get(text_href).headers["content-disposition"].startswith("attachment")
        assert axe_violations(agent) == []

        # The agent answers with a file; the customer's open page shows it under the reply, without a reload.
        log = tmp_path / "fix.log"
        log.write_text("cleared the cached credentials\n")
        conversation = agent.locator("#conversation")
        conversation.get_by_label("Comment (visible to the customer)").fill("Fixed: see the log.")
        conversation.locator(".file-picker input[type=file]").set_input_files([str(log)])
        expect(conversation.get_by_role("list", name="Files chosen")).to_contain_text("fix.log")
        conversation.get_by_role("button", name="Add comment").click()
        expect(conversation.get_by_role("link", name="fix.log")).to_be_visible(timeout=15_000)
        expect(conversation.get_by_role("list", name="Files chosen")).to_have_count(0)
        _shot(agent, "staff-task-with-preview")
    finally:
        agent.context.close()

    reply = page.locator("li.comment", has_text="Fixed: see the log.")
    expect(reply.get_by_role("link", name="fix.log")).to_be_visible(timeout=15_000)

    stranger = browser.new_context().new_page()
    try:
        sign_in(stranger, base_url, OTHER_CUSTOMER)
        refused = stranger.request.get(href)
        missing = stranger.request.get(backend_url + f"/api/files/{png.id + 100000}/login-error.png")
        assert (refused.status, refused.text()) == (missing.status, missing.text()) == (
            404, attachments.ATTACHMENT_NOT_FOUND)
    finally:
        stranger.context.close()
    assert tasks.get_task(OPERATOR, task_id).row.title == "Login page shows an error"
