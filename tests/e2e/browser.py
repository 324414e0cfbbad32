"""What the end-to-end tests do in the browser, named once."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page, expect

from opsportal.services.demo import DEMO_PASSWORD

# sqlite (embedded defaults) or postgresql (the scale-out run, with Redis)
E2E_DATABASE = os.environ.get("OPSPORTAL_E2E_DATABASE", "sqlite")

OWNER = "olivia.hart@northwind.example"
MEMBER = "mark.osei@northwind.example"
STAFF = "sam.taylor@opsportal.example"
OTHER_CUSTOMER = "fiona.walsh@fabrikam.example"


def open_login(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page.get_by_label("E-mail address")).to_be_visible()


def submit_login(page: Page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    open_login(page, base_url)
    submit_login(page, email, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def path_is(page: Page, base_url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(base_url + path) + r"/?(\?.*)?$"))
