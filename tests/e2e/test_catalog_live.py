"""The software catalog, live, in Chromium: staff rename a version and upload a release on /staff/products, and a
customer's open Downloads page shows both without a reload (the catalog topic of the change feed); a deletion that
something depends on is refused with its reason by the form."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal import clock, routes
from opsportal.services import software_catalog, software_edits, software_licences
from opsportal.services.errors import ServiceError
from opsportal.services.operator import OPERATOR
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_community import with_gold
from tests.e2e.test_tasks_customer import assert_not_reloaded, remember_page


@pytest.fixture
def live_product():
    """A customer of its own (Gold) holding a licence of a product of its own with one release, so other files'
    catalog and this test's changes leave each other alone; all removed afterwards."""
    customer = with_gold("Catalog live")
    today = clock.coverage_now().date()
    product = software_catalog.create_product(OPERATOR, f"K2 Live {uuid.uuid4().hex[:6]}")
    version = software_catalog.add_version(OPERATOR, product.id, "1.0", ga=today - timedelta(days=90))
    release = software_catalog.add_release(OPERATOR, version.id, kind="major", title="K2 Live 1.0",
                                           released_on=today - timedelta(days=60), file_name="k2live-1.0.zip",
                                           stream=io.BytesIO(b"PK\x03\x04 major release " * 20))
    licence = software_licences.add_licence(OPERATOR, customer.org_id, version.id, region="EMEA", quantity=1,
                                            purchased_on=today - timedelta(days=30))
    yield customer, product, version, release
    for cleanup in (lambda: software_licences.remove_licence(OPERATOR, licence.id),
                    *[lambda r=r: software_edits.delete_release(OPERATOR, r.id)
                      for r in software_catalog.releases(OPERATOR, page_size=100).items if r.version.id == version.id],
                    lambda: software_edits.delete_version(OPERATOR, version.id),
                    lambda: software_edits.delete_product(OPERATOR, product.id)):
        try:
            cleanup()
        except ServiceError:
            pass


def test_a_version_renamed_and_a_release_uploaded_by_staff_show_on_an_open_downloads_page_without_reload(
        page: Page, browser: Browser, base_url: str, live_product, tmp_path: Path):
    customer, product, version, release = live_product
    sign_in(page, base_url, customer.email)
    page.goto(base_url + routes.DOWNLOADS)
    shown = page.locator(f"#release-{release.id}")
    expect(shown).to_contain_text(f"{product.name} 1.0")
    remember_page(page)

    context = browser.new_context()
    try:
        staff = context.new_page()
        sign_in(staff, base_url, STAFF)
        staff.goto(base_url + routes.STAFF_PRODUCTS)
        main = staff.locator("main")
        # A version with a release and a licence cannot be deleted: the refusal says why.
        row = main.locator("#catalog-versions tr").filter(has_text=f"{product.name} 1.0")
        row.get_by_role("button", name=f"Delete {product.name} 1.0").click()
        row.get_by_role("button", name=f"Delete {product.name} 1.0").filter(has_text="Confirm delete").click()
        expect(main.locator("#versions-error")).to_contain_text("1 licence runs it")

        rename = main.locator("#rename-version-form")
        rename.get_by_label("Version", exact=True).select_option(label=f"{product.name} 1.0")
        rename.get_by_label("New version number").fill("1.0 LTS")
        rename.get_by_role("button", name="Rename version").click()
        expect(main.locator("#products-notice")).to_contain_text(f"Renamed the version: {product.name} 1.0 LTS")

        file = tmp_path / "k2live-1.0.1-hotfix.zip"
        file.write_bytes(b"PK\x03\x04" + b"hotfix 1.0.1 " * 40)
        form = main.locator("#release-form")
        form.get_by_label("Version", exact=True).select_option(label=f"{product.name} 1.0 LTS")
        form.get_by_label("Kind").select_option(label="Hotfix")
        form.get_by_label("Title").fill("Hotfix 1.0.1")
        form.get_by_label("Released on").fill((clock.coverage_now().date() - timedelta(days=1)).isoformat())
        form.locator("input[type=file]").set_input_files(str(file))
        expect(form.locator(".release-chosen")).to_have_text(file.name)
        form.get_by_role("button", name="Upload release").click()
        expect(main.locator("#products-notice")).to_contain_text(f"Uploaded {file.name}")
        staff.screenshot(path="/tmp/products-staff-products.png", full_page=True)
    finally:
        context.close()

    expect(shown).to_contain_text(f"{product.name} 1.0 LTS")
    hotfix = page.locator("li.release").filter(has=page.get_by_role("heading", name="Hotfix 1.0.1", exact=True))
    expect(hotfix).to_contain_text(f"{product.name} 1.0 LTS")
    expect(hotfix.get_by_role("link", name=f"Download {file.name}")).to_be_visible()
    assert_not_reloaded(page)
    page.screenshot(path="/tmp/products-downloads-live.png", full_page=True)
