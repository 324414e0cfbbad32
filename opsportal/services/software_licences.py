"""Staff record organizations' licences (product, version in use, region of purchase, quantity) and read the
download log (who downloaded which release, when).

Staff administrators change licences; every staff user reads them and the log. Customers read their own licences
through ``services.software.my_products``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.audit import AuditAction
from opsportal.models import (
    Organization,
    ProductLicence,
    ProductRelease,
    ProductVersion,
    ReleaseDownload,
    SoftwareProduct,
    SupportRegion,
)
from opsportal.services import orgtree
from opsportal.services import software_store as store
from opsportal.services.authz import Actor, require_staff, require_staff_admin
from opsportal.services.errors import InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp
from opsportal.services.software_store import LicenceView

MAX_LICENCES = 200
MAX_QUANTITY = 100_000


def _licence_view(licence: ProductLicence, version: ProductVersion, product: SoftwareProduct,
                  today: date) -> LicenceView:
    return LicenceView(licence.id, licence.organization_id, store.version_view(version, product, today),
                       licence.region_code, licence.quantity, licence.purchased_on, licence.note)


def _what(view: LicenceView) -> str:
    return f"{formats.count(view.quantity)} × {view.version.label} in {view.region}"


def _org_name(session, org_id: int) -> str:
    org = session.get(Organization, org_id)
    return org.name if org is not None else "?"


def org_licences(actor: Actor, org_id: int, at: datetime | None = None) -> list[LicenceView]:
    require_staff(actor)
    today = (at or clock.coverage_now()).date()
    with unit_of_work(write=False) as session:
        orgtree.require_org(session, org_id)
        rows = session.exec(select(ProductLicence, ProductVersion, SoftwareProduct)
                            .join(ProductVersion, ProductVersion.id == ProductLicence.version_id)
                            .join(SoftwareProduct, SoftwareProduct.id == ProductLicence.product_id)
                            .where(ProductLicence.organization_id == org_id)
                            .order_by(SoftwareProduct.name, ProductLicence.id).limit(MAX_LICENCES)).all()
        return [_licence_view(lic, v, p, today) for lic, v, p in rows]


def add_licence(actor: Actor, org_id: int, version_id: int, *, region: str, quantity: int,
                purchased_on: date | None, note: str = "", at: datetime | None = None) -> LicenceView:
    """Records licences an organization bought of a version's product (the version it runs), in a region."""
    require_staff_admin(actor)
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise InvalidInput("Keep the note under 300 characters.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"The number of licences is a whole number from 1 to {formats.count(MAX_QUANTITY)}.")
    if purchased_on is None or isinstance(purchased_on, datetime) or not isinstance(purchased_on, date):
        raise InvalidInput("Give the day the licences were bought as a date.")
    today = (at or clock.coverage_now()).date()
    if purchased_on > today:
        raise InvalidInput("The purchase day cannot be in the future.")
    region = (region or "").strip().upper()
    with unit_of_work() as session:
        org = orgtree.require_org(session, org_id)
        version = session.get(ProductVersion, version_id) if 0 < version_id < 2**31 else None
        if version is None:
            raise NotFound("That version was not found.")
        if session.get(SupportRegion, region) is None:
            raise InvalidInput(f"Choose the region the licences were bought in (not {region or 'none'}).")
        product = session.get(SoftwareProduct, version.product_id)
        row = ProductLicence(organization_id=org.id, product_id=product.id, version_id=version.id,
                             region_code=region, quantity=quantity, purchased_on=purchased_on, note=note,
                             created_at=clock.now())
        session.add(row)
        session.flush()
        view = _licence_view(row, version, product, today)
        store.record(session, actor, AuditAction.licence_granted, f"{_what(view)} for {org.name}", org.id)
        return view


def set_licence_version(actor: Actor, licence_id: int, version_id: int, at: datetime | None = None) -> LicenceView:
    """The organization upgraded (or went back): the version in use, of the same product."""
    require_staff_admin(actor)
    with unit_of_work() as session:
        row = session.get(ProductLicence, licence_id) if 0 < licence_id < 2**31 else None
        if row is None:
            raise NotFound("That licence was not found.")
        version = session.get(ProductVersion, version_id) if 0 < version_id < 2**31 else None
        if version is None or version.product_id != row.product_id:
            raise InvalidInput("Choose a version of the licensed product.")
        before = session.get(ProductVersion, row.version_id).number
        row.version_id = version.id
        session.add(row)
        session.flush()
        view = _licence_view(row, version, session.get(SoftwareProduct, version.product_id),
                             (at or clock.coverage_now()).date())
        store.record(session, actor, AuditAction.licence_changed,
                     f"{_what(view)} for {_org_name(session, row.organization_id)}: version {before} → "
                     f"{version.number}", row.organization_id)
        return view


def remove_licence(actor: Actor, licence_id: int) -> LicenceView:
    require_staff_admin(actor)
    with unit_of_work() as session:
        row = session.get(ProductLicence, licence_id) if 0 < licence_id < 2**31 else None
        if row is None:
            raise NotFound("That licence was not found.")
        view = _licence_view(row, session.get(ProductVersion, row.version_id),
                             session.get(SoftwareProduct, row.product_id), clock.coverage_now().date())
        session.delete(row)
        store.record(session, actor, AuditAction.licence_revoked,
                     f"{_what(view)} for {_org_name(session, row.organization_id)}", row.organization_id)
        return view


@dataclass(frozen=True)
class DownloadRow:
    id: int
    at: datetime
    user: str
    email: str
    organization: str  # "" for staff
    release: str  # "K2 Five 5.4 — Hotfix 5.4.0.2 (k2five-5.4-hf2.zip)"


def download_log(actor: Actor, *, organization_id: int | None = None, page: int = 1,
                 page_size: int = 20) -> Page[DownloadRow]:
    """Who downloaded which release file, newest first; one organization's or everyone's (staff)."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    where = [] if organization_id is None else [ReleaseDownload.organization_id == organization_id]
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count(ReleaseDownload.id)).where(*where)).one()
        rows = session.exec(
            select(ReleaseDownload, ProductRelease, ProductVersion, SoftwareProduct, Organization.name)
            .join(ProductRelease, ProductRelease.id == ReleaseDownload.release_id)
            .join(ProductVersion, ProductVersion.id == ProductRelease.version_id)
            .join(SoftwareProduct, SoftwareProduct.id == ProductVersion.product_id)
            .outerjoin(Organization, Organization.id == ReleaseDownload.organization_id)
            .where(*where).order_by(ReleaseDownload.downloaded_at.desc(), ReleaseDownload.id.desc())
            .offset((page - 1) * page_size).limit(page_size)).all()
        items = [DownloadRow(d.id, d.downloaded_at, d.user_name, d.user_email, org_name or "",
                             f"{p.name} {v.number} — {r.title} ({r.file_name})")
                 for d, r, v, p, org_name in rows]
    return Page(items, page, page_size, int(total))


@dataclass(frozen=True)
class Choices:
    organizations: list[tuple[int, str]]
    regions: list[str]


def choices(actor: Actor) -> Choices:
    """The organizations and regions the staff's licence form offers."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        orgs = session.exec(select(Organization.id, Organization.name).order_by(Organization.name_key)
                            .limit(1000)).all()
        regions = session.exec(select(SupportRegion.code).order_by(SupportRegion.code)).all()
        return Choices([(i, n) for i, n in orgs], list(regions))
