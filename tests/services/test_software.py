"""Software assurance on a real database (SQLite and PostgreSQL): customers' products and downloads gated by Gold and
Extended-Term, every download logged, another organization's releases and licences refused, and the staff's
catalog refusing bad input without writing anything."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest

from opsportal.domain.software import LifecycleStatus, Remedy
from opsportal.services import software, software_catalog, software_licences
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.db import row_counts
from tests.utils.plans import GOLD_START, WEDNESDAY_10AM, set_up_gold

AT = WEDNESDAY_10AM
TODAY = AT.date()
HOTFIX = b"PK\x03\x04 hotfix bytes " * 100
OLD = b"PK\x03\x04 old hotfix " * 50


def _release(version_id: int, title: str, data: bytes, *, kind: str = "hotfix", on: date | None = None):
    return software_catalog.add_release(OPERATOR, version_id, kind=kind, title=title, notes="Fixes things.",
                                        released_on=on or TODAY - timedelta(days=5), file_name=f"{title}.zip",
                                        stream=io.BytesIO(data), at=AT)


@pytest.fixture
def shop(world):
    """K2 Five 5.4 (supported) and K2 blackpearl 4.7 (past end of life), a hotfix of each; Holdings (Gold in EMEA)
    and Retail (no Gold) hold licences of both, Fabrikam of none."""
    five = software_catalog.create_product(OPERATOR, "K2 Five")
    bp = software_catalog.create_product(OPERATOR, "K2 blackpearl")
    v54 = software_catalog.add_version(OPERATOR, five.id, "5.4", ga=TODAY - timedelta(days=200),
                                       sunset=TODAY + timedelta(days=300), end_of_life=TODAY + timedelta(days=900),
                                       at=AT)
    v47 = software_catalog.add_version(OPERATOR, bp.id, "4.7", ga=TODAY - timedelta(days=2000),
                                       sunset=TODAY - timedelta(days=900), end_of_life=TODAY - timedelta(days=100),
                                       at=AT)
    set_up_gold(world.holdings)
    for org in (world.holdings, world.retail):
        for version in (v54, v47):
            software_licences.add_licence(OPERATOR, org.id, version.id, region="EMEA", quantity=2,
                                          purchased_on=TODAY - timedelta(days=150), at=AT)
    world.v54, world.v47 = v54, v47
    world.hotfix = _release(v54.id, "Hotfix 5.4.1.2", HOTFIX)
    world.old_hotfix = _release(v47.id, "Hotfix 4.7.0.31", OLD, on=TODAY - timedelta(days=400))
    return world


def _bytes(actor, release_id: int) -> bytes:
    _view, chunks = software.open_release(actor, release_id, at=AT)
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------- gating


def test_a_member_of_an_organization_with_gold_downloads_a_hotfix_and_gets_its_exact_bytes(shop):
    view, chunks = software.open_release(shop.actor("holdings_member"), shop.hotfix.id, at=AT)
    data = b"".join(chunks)
    assert data == HOTFIX
    assert view.sha256 == hashlib.sha256(HOTFIX).hexdigest() == shop.hotfix.sha256
    assert view.size_bytes == len(HOTFIX)


def test_every_download_is_logged_with_who_what_and_when_and_staff_read_the_log(shop):
    _bytes(shop.actor("holdings_member"), shop.hotfix.id)
    log = software_licences.download_log(shop.actor("agent"))
    assert log.total == 1
    row = log.items[0]
    assert (row.user, row.email, row.organization) == ("Mark Osei", "mark@northwind.example", "Northwind Holdings")
    assert "K2 Five 5.4" in row.release and "Hotfix 5.4.1.2" in row.release
    assert software_licences.download_log(shop.actor("agent"), organization_id=shop.fabrikam.id).total == 0


def test_a_customer_cannot_read_the_download_log(shop):
    with pytest.raises(PermissionDenied):
        software_licences.download_log(shop.actor("holdings_owner"))


def test_a_member_cannot_download_a_hotfix_without_gold_and_is_told_to_renew_gold(shop):
    with pytest.raises(software.DownloadRefused) as refused:
        software.open_release(shop.actor("retail_member"), shop.hotfix.id, at=AT)
    assert refused.value.access.remedy is Remedy.gold
    assert "renew Gold Support" in str(refused.value)
    assert row_counts()["release_download"] == 0


def test_a_version_past_end_of_life_needs_extended_term_even_with_gold(shop):
    with pytest.raises(software.DownloadRefused) as refused:
        software.open_release(shop.actor("holdings_owner"), shop.old_hotfix.id, at=AT)
    assert refused.value.access.remedy is Remedy.extended_term
    assert "K2 blackpearl 4.7 is past end of life" in str(refused.value)


def test_an_extended_term_naming_the_version_opens_its_downloads(shop):
    from opsportal.services import plan_catalog

    plan_catalog.grant_entitlement(OPERATOR, shop.holdings.id, "extended_term", GOLD_START,
                                   versions=["K2 blackpearl 4.7"], at=AT)
    assert _bytes(shop.actor("holdings_member"), shop.old_hotfix.id) == OLD


def test_an_extended_term_naming_another_version_does_not_open_this_one(shop):
    from opsportal.services import plan_catalog

    plan_catalog.grant_entitlement(OPERATOR, shop.holdings.id, "extended_term", GOLD_START, versions=["4.6"], at=AT)
    with pytest.raises(software.DownloadRefused):
        software.open_release(shop.actor("holdings_member"), shop.old_hotfix.id, at=AT)


def test_gold_that_has_ended_no_longer_opens_downloads(shop):
    a_year_later = AT + timedelta(days=400)
    with pytest.raises(software.DownloadRefused) as refused:
        software.open_release(shop.actor("holdings_member"), shop.hotfix.id, at=a_year_later)
    assert refused.value.access.remedy is Remedy.gold


def test_another_organization_s_release_reads_as_a_missing_one(shop):
    with pytest.raises(NotFound) as refused:
        software.open_release(shop.actor("fabrikam_owner"), shop.hotfix.id, at=AT)
    assert str(refused.value) == software.RELEASE_NOT_FOUND
    with pytest.raises(NotFound) as missing:
        software.open_release(shop.actor("fabrikam_owner"), 999_999, at=AT)
    assert str(missing.value) == str(refused.value)


def test_staff_download_any_release_and_it_is_logged_without_an_organization(shop):
    assert _bytes(shop.actor("agent"), shop.old_hotfix.id) == OLD
    assert software_licences.download_log(OPERATOR).items[0].organization == ""


# --------------------------------------------------------------------------------------------- pages' reads


def test_the_downloads_page_lists_the_organization_s_releases_with_what_each_needs(shop):
    view = software.downloads(shop.actor("holdings_member"), shop.holdings.id, at=AT)
    assert view.gold_active and view.releases.total == 2
    by_title = {r.title: r.access for r in view.releases.items}
    assert by_title["Hotfix 5.4.1.2"].allowed
    assert by_title["Hotfix 4.7.0.31"].remedy is Remedy.extended_term
    assert view.needs == [Remedy.extended_term] and view.eol_versions == ["K2 blackpearl 4.7"]


def test_an_organization_without_licences_sees_no_releases(shop):
    view = software.downloads(shop.actor("fabrikam_owner"), shop.fabrikam.id, at=AT)
    assert (view.has_licences, view.releases.total, view.releases.items) == (False, 0, [])


def test_the_products_page_shows_each_licence_s_lifecycle_and_cover(shop):
    view = software.my_products(shop.actor("holdings_member"), shop.holdings.id, at=AT)
    shown = {lic.version.label: (lic.version.status, lic.cover) for lic in view.licences}
    assert shown["K2 Five 5.4"] == (LifecycleStatus.supported, "Gold Support")
    assert shown["K2 blackpearl 4.7"][0] is LifecycleStatus.end_of_life
    assert "Extended-Term" in shown["K2 blackpearl 4.7"][1]
    retail = software.my_products(shop.actor("retail_member"), shop.retail.id, at=AT)
    assert all(lic.cover.startswith("Not covered") for lic in retail.licences)


def test_another_organization_s_products_and_downloads_are_refused(shop):
    with pytest.raises(PermissionDenied):
        software.my_products(shop.actor("fabrikam_owner"), shop.holdings.id, at=AT)
    with pytest.raises(PermissionDenied):
        software.downloads(shop.actor("retail_owner"), shop.holdings.id, at=AT)


def test_a_customer_cannot_read_or_change_another_organization_s_licences(shop):
    with pytest.raises(PermissionDenied):
        software_licences.org_licences(shop.actor("holdings_owner"), shop.retail.id, at=AT)
    with pytest.raises(PermissionDenied):
        software_licences.add_licence(shop.actor("holdings_owner"), shop.holdings.id, shop.v54.id, region="EMEA",
                                      quantity=1, purchased_on=TODAY, at=AT)


# --------------------------------------------------------------------------------------------- staff catalog


def test_customers_and_agents_cannot_change_the_catalog(shop):
    for who in ("holdings_owner", "agent"):
        with pytest.raises(PermissionDenied):
            software_catalog.create_product(shop.actor(who), "K2 Cloud")
        with pytest.raises(PermissionDenied):
            _release_by(shop.actor(who), shop.v54.id)


def _release_by(actor, version_id):
    return software_catalog.add_release(actor, version_id, kind="hotfix", title="HF", released_on=TODAY,
                                        file_name="hf.zip", stream=io.BytesIO(b"x"), at=AT)


def test_a_product_needs_a_name_that_is_not_taken(world):
    with pytest.raises(InvalidInput, match="Give the product's name"):
        software_catalog.create_product(OPERATOR, "   ")
    software_catalog.create_product(OPERATOR, "K2 Five")
    with pytest.raises(Conflict):
        software_catalog.create_product(OPERATOR, "k2  five")
    assert row_counts()["software_product"] == 1


def test_a_version_with_bad_lifecycle_days_is_refused_and_nothing_is_written(world):
    product = software_catalog.create_product(OPERATOR, "K2 Five")
    ga = date(2025, 1, 10)
    with pytest.raises(InvalidInput, match="must be after general availability"):
        software_catalog.add_version(OPERATOR, product.id, "5.5", ga=ga, end_of_life=ga - timedelta(days=1), at=AT)
    with pytest.raises(InvalidInput, match="cannot come before the sunset"):
        software_catalog.add_version(OPERATOR, product.id, "5.5", ga=ga, sunset=date(2026, 1, 1),
                                     end_of_life=date(2025, 6, 1), at=AT)
    with pytest.raises(InvalidInput, match="Give the version number"):
        software_catalog.add_version(OPERATOR, product.id, " ", ga=ga, at=AT)
    with pytest.raises(InvalidInput, match="general availability day as a date"):
        software_catalog.add_version(OPERATOR, product.id, "5.5", ga=None, at=AT)
    assert row_counts()["product_version"] == 0


def test_a_version_number_is_unique_within_its_product(world):
    product = software_catalog.create_product(OPERATOR, "K2 Five")
    software_catalog.add_version(OPERATOR, product.id, "5.5", ga=date(2025, 1, 10), at=AT)
    with pytest.raises(Conflict):
        software_catalog.add_version(OPERATOR, product.id, "5.5", ga=date(2025, 2, 10), at=AT)


def test_changing_a_version_s_lifecycle_checks_the_days_too(shop):
    with pytest.raises(InvalidInput):
        software_catalog.set_lifecycle(OPERATOR, shop.v54.id, ga=TODAY, sunset=TODAY - timedelta(days=1),
                                       end_of_life=None, at=AT)
    moved = software_catalog.set_lifecycle(OPERATOR, shop.v54.id, ga=shop.v54.ga, sunset=TODAY - timedelta(days=1),
                                           end_of_life=TODAY, at=AT)
    assert moved.status is LifecycleStatus.end_of_life


def test_an_oversized_release_file_is_refused_and_nothing_is_written(shop, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_RELEASE_MAX_BYTES", "1000")
    get_settings.cache_clear()
    before = row_counts()
    with pytest.raises(InvalidInput, match="release files may be up to 1 kB"):
        _release(shop.v54.id, "Too big", b"x" * 1001)
    assert row_counts() == before


def test_a_release_needs_a_title_a_kind_a_file_and_a_day_not_before_its_version_s_general_availability(shop):
    before = row_counts()
    with pytest.raises(InvalidInput, match="Give the release's title"):
        _release(shop.v54.id, " ", b"data")
    with pytest.raises(InvalidInput, match="major release, an update or a hotfix"):
        _release(shop.v54.id, "HF", b"data", kind="patch")
    with pytest.raises(InvalidInput, match="empty"):
        _release(shop.v54.id, "HF", b"")
    with pytest.raises(InvalidInput, match="before its version's general availability"):
        _release(shop.v54.id, "HF", b"data", on=shop.v54.ga - timedelta(days=1))
    assert row_counts() == before


def test_a_licence_needs_a_known_region_a_positive_quantity_and_a_past_purchase_day(shop):
    before = row_counts()
    bad = [dict(region="MARS", quantity=1, purchased_on=TODAY), dict(region="EMEA", quantity=0, purchased_on=TODAY),
           dict(region="EMEA", quantity=1, purchased_on=TODAY + timedelta(days=1)),
           dict(region="EMEA", quantity=1, purchased_on=None)]
    for values in bad:
        with pytest.raises(InvalidInput):
            software_licences.add_licence(OPERATOR, shop.fabrikam.id, shop.v54.id, at=AT, **values)
    assert row_counts() == before


def test_a_licence_s_version_changes_only_to_a_version_of_the_same_product(shop):
    licence = software_licences.org_licences(OPERATOR, shop.retail.id, at=AT)[0]
    other = shop.v47 if licence.version.id == shop.v54.id else shop.v54
    with pytest.raises(InvalidInput):
        software_licences.set_licence_version(OPERATOR, licence.id, other.id, at=AT)


def test_the_demo_software_loads_once_and_gives_northwind_holdings_its_licences(world):
    from opsportal.services.demo_products import DEMO_LICENCES, load_demo_products

    assert load_demo_products(OPERATOR, at=AT) > 0
    before = row_counts()
    assert load_demo_products(OPERATOR, at=AT) == 0
    assert row_counts() == before
    held = software_licences.org_licences(OPERATOR, world.holdings.id, at=AT)
    assert len(held) == len(DEMO_LICENCES["Northwind Holdings"])
