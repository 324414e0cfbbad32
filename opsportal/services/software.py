"""Software assurance for customers: their products (licences, versions and what supports them) and downloads.

Who may do what: every user of an organization (members too) sees its products and downloads the releases its
coverage allows (seed 001: Gold "gives customers access to all hotfixes, updates and major releases of the K2
software products they have purchased"); buying the cover is for its billing roles on the Plans page. Staff see and
download everything (to help a customer). Every download is logged (who, what, when) before the first byte goes
out, and the gating is asked again on every download, not only when the page was drawn. Another organization's
release or licence reads as a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.gold_scope import GoldElsewhere
from opsportal.domain.software import Access, Remedy, support_cover
from opsportal.models import ProductLicence, ProductRelease, ProductVersion, ReleaseDownload, SoftwareProduct
from opsportal.services import changes, file_storage, gold_scope, orgtree
from opsportal.services import software_store as store
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.pagination import Page, clamp
from opsportal.services.software_store import LicenceView, ReleaseView, VersionView

RELEASE_NOT_FOUND = "That release was not found or you do not have access to it."
MAX_LISTED = 200  # licences and versions of one organization's products: a page is far below this


class DownloadRefused(PermissionDenied):
    """The organization's cover does not include this release today; ``access`` says what to renew."""

    def __init__(self, access: Access):
        super().__init__(access.reason)
        self.access = access


def change_topics(actor: Actor, org_id: int) -> list[str]:
    """What an open Products or Downloads page follows on the change feed: the organization (its licences, its
    plan) and the catalog (releases, versions and their lifecycle, products)."""
    require_view_organization(actor, org_id)
    return [changes.org_topic(org_id), changes.CATALOG_TOPIC]


@dataclass(frozen=True)
class ProductsView:
    organization: str
    today: date
    gold_active: bool
    extended_versions: list[str]
    licences: list[LicenceView]
    versions: list[VersionView]  # every version of the products it holds, newest GA first


def my_products(actor: Actor, org_id: int, at: datetime | None = None) -> ProductsView:
    """The organization's licences with their version's lifecycle today and what supports them."""
    require_view_organization(actor, org_id)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        held = store.holdings(session, org_id, at)
        rows = session.exec(select(ProductLicence, ProductVersion, SoftwareProduct)
                            .join(ProductVersion, ProductVersion.id == ProductLicence.version_id)
                            .join(SoftwareProduct, SoftwareProduct.id == ProductLicence.product_id)
                            .where(ProductLicence.organization_id == org_id)
                            .order_by(SoftwareProduct.name, ProductLicence.id).limit(MAX_LISTED)).all()
        licences = []
        for licence, version, product in rows:
            view = store.version_view(version, product, held.today)
            cover = support_cover(view.status, gold_active=held.gold_active,
                                  extended_term=held.extended_term_for(product.name, version.number))
            licences.append(LicenceView(licence.id, org_id, view, licence.region_code, licence.quantity,
                                        licence.purchased_on, licence.note, cover))
        versions = session.exec(select(ProductVersion, SoftwareProduct)
                                .join(SoftwareProduct, SoftwareProduct.id == ProductVersion.product_id)
                                .where(ProductVersion.product_id.in_(list(held.product_ids) or [-1]))
                                .order_by(SoftwareProduct.name, ProductVersion.ga_date.desc())
                                .limit(MAX_LISTED)).all()
        return ProductsView(org.name, held.today, held.gold_active, list(held.extended_versions), licences,
                            [store.version_view(v, p, held.today) for v, p in versions])


@dataclass(frozen=True)
class DownloadsView:
    organization: str
    gold_active: bool
    has_licences: bool
    releases: Page[ReleaseView]
    needs: list[Remedy]  # what the organization would renew to download every listed release (this page's)
    eol_versions: list[str]  # versions past end of life on this page that no Extended-Term names
    gold_elsewhere: GoldElsewhere | None = None  # without Gold while an ancestor holds it (Gold is per organization)


def downloads(actor: Actor, org_id: int, *, page: int = 1, page_size: int = 20,
              at: datetime | None = None) -> DownloadsView:
    """A page of the releases of the organization's products, newest first, each with whether it may be
    downloaded today and, if not, what to renew."""
    require_view_organization(actor, org_id)
    page, page_size = clamp(page, page_size)
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        org = orgtree.require_org(session, org_id)
        held = store.holdings(session, org_id, at)
        elsewhere = None if held.gold_active else gold_scope.gold_elsewhere_notice(session, actor, org_id, at)
        products = list(held.product_ids) or [-1]
        total = session.exec(select(func.count(ProductRelease.id))
                             .join(ProductVersion, ProductVersion.id == ProductRelease.version_id)
                             .where(ProductVersion.product_id.in_(products))).one()
        rows = session.exec(store.releases_query().where(ProductVersion.product_id.in_(products))
                            .offset((page - 1) * page_size).limit(page_size)).all()
        items = []
        for release, version, product in rows:
            view = store.version_view(version, product, held.today)
            items.append(store.release_view(release, view, held.access(product.id, product.name, version.number,
                                                                       view.status)))
    needs = list(dict.fromkeys(r.access.remedy for r in items if r.access and r.access.remedy))
    eol = list(dict.fromkeys(r.version.label for r in items if r.access and r.access.remedy is Remedy.extended_term))
    return DownloadsView(org.name, held.gold_active, bool(held.product_ids),
                         Page(items, page, page_size, int(total)), needs, eol, elsewhere)


def _release(session, release_id: int) -> tuple[ProductRelease, ProductVersion, SoftwareProduct] | None:
    if not 0 < release_id < 2**31:
        return None
    return session.exec(store.releases_query().where(ProductRelease.id == release_id)).first()


def open_release(actor: Actor, release_id: int, at: datetime | None = None) -> tuple[ReleaseView, Iterator[bytes]]:
    """The release file's bytes for someone whose organization's cover includes it today, logged first.

    NotFound alike for a missing release and one of a product the organization holds no licence of;
    ``DownloadRefused`` (with what to renew) when it holds a licence but not the cover."""
    at = at or clock.coverage_now()
    with unit_of_work(write=False) as session:
        found = _release(session, release_id)
        if found is None:
            raise NotFound(RELEASE_NOT_FOUND)
        release, version, product = found
        org_id = None if actor.is_staff else actor.organization_id
        if actor.is_staff:
            view = store.version_view(version, product, at.date())
            access = Access(True, "", covered_by="Staff")
        else:
            if org_id is None:
                raise NotFound(RELEASE_NOT_FOUND)
            held = store.holdings(session, org_id, at)
            if product.id not in held.product_ids:
                raise NotFound(RELEASE_NOT_FOUND)
            view = store.version_view(version, product, held.today)
            access = held.access(product.id, product.name, version.number, view.status)
            if not access.allowed:
                raise DownloadRefused(access)
        public = store.release_view(release, view, access)
        storage_name, key = release.storage, release.storage_key
    try:
        chunks = file_storage.storage(storage_name).open(key)
    except file_storage.FileMissing as exc:
        raise file_storage.FileMissing(RELEASE_NOT_FOUND) from exc
    with unit_of_work() as session:
        session.add(ReleaseDownload(release_id=public.id, organization_id=org_id, user_id=actor.user_id or None,
                                    user_name=actor.full_name or actor.email, user_email=actor.email,
                                    downloaded_at=clock.now()))
    return public, chunks
