"""In Chromium: a task or invoice page opened with another organization's id reads exactly like one opened with
an id that does not exist (same alert, same page text)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import auth as auth_service
from opsportal.services import invoice_staff, tasks
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.invoice_views import INVOICE_NOT_FOUND
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.tasks import TASK_NOT_FOUND
from opsportal.services.users import create_user
from tests.e2e.browser import sign_in

OWNER = "olivia.hart@northwind.example"
MISSING = 99_999_999


def other_organizations_ids() -> tuple[int, int]:
    """A task and an issued invoice of a fresh organization nobody else belongs to."""
    suffix = uuid.uuid4().hex[:8]
    org = create_organization(OPERATOR, name=f"Victim Co {suffix}")
    email = f"victim.{suffix}@customers.example"
    create_user(OPERATOR, email=email, role="owner", organization_name=org.name, password=DEMO_PASSWORD)
    actor = auth_service.sign_in(email=email, password=DEMO_PASSWORD).actor
    task = tasks.create_ticket(actor, subject="Payroll server credentials rotated", category="End-user support",
                               priority="normal", description="Payroll server credentials rotated this morning.").id
    invoice = invoice_staff.create_pre_service_invoice(OPERATOR, org.id, [ItemInput("Payroll audit", 1, 7_900)]).id
    return task, invoice


def page_text(page: Page, url: str, alert: str) -> str:
    page.goto(url)
    expect(page.get_by_role("alert")).to_have_text(alert)
    return page.locator("main").inner_text()


def test_another_organizations_task_and_invoice_pages_read_exactly_like_missing_ones(page: Page, base_url):
    task, invoice = other_organizations_ids()
    sign_in(page, base_url, OWNER)

    foreign = page_text(page, base_url + routes.task(task), TASK_NOT_FOUND)
    missing = page_text(page, base_url + routes.task(MISSING), TASK_NOT_FOUND)
    assert foreign.replace(str(task), "<id>") == missing.replace(str(MISSING), "<id>")
    assert "Payroll" not in foreign

    foreign = page_text(page, base_url + routes.invoice(invoice), INVOICE_NOT_FOUND)
    missing = page_text(page, base_url + routes.invoice(MISSING), INVOICE_NOT_FOUND)
    assert foreign.replace(str(invoice), "<id>") == missing.replace(str(MISSING), "<id>")
    assert "Payroll" not in foreign
