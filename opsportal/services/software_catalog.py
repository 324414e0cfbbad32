"""Staff keep the software catalog: products, their versions and lifecycle days, and release files.

Staff administrators change it; every staff user reads it. Each change is checked by ``domain.software`` before
anything is written, and is one transaction: a release's file and its row are committed together (object storage
removes the file when the transaction fails). Organizations' licences and the download log are
``services.software_licences``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.attachments import sanitize_file_name
from opsportal.domain.audit import AuditAction
from opsportal.domain.software import (
    MAX_NOTES,
    MAX_PRODUCT_NAME,
    MAX_RELEASE_TITLE,
    MAX_VERSION_NUMBER,
    Lifecycle,
    ReleaseKind,
    lifecycle_problem,
    name_problem,
)
from opsportal.models import ProductRelease, ProductVersion, SoftwareProduct
from opsportal.services import file_storage
from opsportal.services import software_store as store
from opsportal.services.authz import Actor, require_staff, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence
from opsportal.services.pagination import Page, clamp
from opsportal.services.software_store import ReleaseView, VersionView
from opsportal.settings import get_settings

MAX_PRODUCTS = 200
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class ProductView:
    id: int
    name: str
    description: str
    versions: list[VersionView]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _check(problem: str | None) -> None:
    if problem:
        raise InvalidInput(sentence(problem))


def release_text(kind: str, title: str, notes: str | None) -> tuple[ReleaseKind, str, str]:
    """A release's kind, title and notes as staff typed them, checked (``InvalidInput`` with the reason)."""
    try:
        release_kind = ReleaseKind(str(kind))
    except ValueError:
        raise InvalidInput("Choose whether it is a major release, an update or a hotfix.") from None
    title, notes = _clean(title), (notes or "").strip()
    _check(name_problem(title, what="release's title", limit=MAX_RELEASE_TITLE))
    if len(notes) > MAX_NOTES:
        raise InvalidInput(f"Keep the release notes under {MAX_NOTES} characters.")
    return release_kind, title, notes


def _day(value: date | None, what: str, *, required: bool = False) -> date | None:
    if value is None:
        if required:
            raise InvalidInput(f"Give the {what} as a date.")
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"Give the {what} as a date.")
    return value


def _days(lifecycle: Lifecycle) -> str:
    return (f"GA {formats.day(lifecycle.ga)}, sunset {formats.day(lifecycle.sunset, empty='not announced')}, "
            f"end of life {formats.day(lifecycle.end_of_life, empty='not announced')}")


def catalog(actor: Actor, at: datetime | None = None) -> list[ProductView]:
    """Every product with its versions (newest GA first) and their lifecycle today."""
    require_staff(actor)
    today = (at or clock.coverage_now()).date()
    with unit_of_work(write=False) as session:
        products = session.exec(select(SoftwareProduct).order_by(SoftwareProduct.name).limit(MAX_PRODUCTS)).all()
        ids = [p.id for p in products] or [-1]
        versions = session.exec(select(ProductVersion).where(ProductVersion.product_id.in_(ids))
                                .order_by(ProductVersion.ga_date.desc(), ProductVersion.id.desc())).all()
        return [ProductView(p.id, p.name, p.description,
                            [store.version_view(v, p, today) for v in versions if v.product_id == p.id])
                for p in products]


def create_product(actor: Actor, name: str, description: str = "") -> ProductView:
    require_staff_admin(actor)
    name, description = _clean(name), _clean(description)
    _check(name_problem(name, what="product's name", limit=MAX_PRODUCT_NAME))
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"Keep the description under {MAX_DESCRIPTION} characters.")
    with unit_of_work() as session:
        key = name.casefold()
        if session.exec(select(SoftwareProduct.id).where(SoftwareProduct.name_key == key)).first() is not None:
            raise Conflict(f"There is already a product named {name}.")
        row = SoftwareProduct(name=name, name_key=key, description=description, created_at=clock.now())
        session.add(row)
        session.flush()
        store.record(session, actor, AuditAction.product_added, name)
        return ProductView(row.id, row.name, row.description, [])


def add_version(actor: Actor, product_id: int, number: str, *, ga: date | None, sunset: date | None = None,
                end_of_life: date | None = None, at: datetime | None = None) -> VersionView:
    """A new version of a product with its lifecycle days (sunset and end of life may be announced later)."""
    require_staff_admin(actor)
    number = _clean(number)
    _check(name_problem(number, what="version number", limit=MAX_VERSION_NUMBER))
    lifecycle = Lifecycle(_day(ga, "general availability day", required=True), _day(sunset, "sunset day"),
                          _day(end_of_life, "end-of-life day"))
    _check(lifecycle_problem(lifecycle))
    with unit_of_work() as session:
        product = session.get(SoftwareProduct, product_id) if 0 < product_id < 2**31 else None
        if product is None:
            raise NotFound("That product was not found.")
        key = number.casefold()
        if session.exec(select(ProductVersion.id).where(ProductVersion.product_id == product.id,
                                                        ProductVersion.number_key == key)).first() is not None:
            raise Conflict(f"{product.name} already has a version {number}.")
        row = ProductVersion(product_id=product.id, number=number, number_key=key, ga_date=lifecycle.ga,
                             sunset_date=lifecycle.sunset, eol_date=lifecycle.end_of_life)
        session.add(row)
        session.flush()
        view = store.version_view(row, product, (at or clock.coverage_now()).date())
        store.record(session, actor, AuditAction.version_added, f"{view.label}: {_days(lifecycle)}")
        return view


def set_lifecycle(actor: Actor, version_id: int, *, ga: date | None, sunset: date | None,
                  end_of_life: date | None, at: datetime | None = None) -> VersionView:
    """Staff change a version's lifecycle days (e.g. announce its sunset and end of life)."""
    require_staff_admin(actor)
    lifecycle = Lifecycle(_day(ga, "general availability day", required=True), _day(sunset, "sunset day"),
                          _day(end_of_life, "end-of-life day"))
    _check(lifecycle_problem(lifecycle))
    with unit_of_work() as session:
        row = session.get(ProductVersion, version_id) if 0 < version_id < 2**31 else None
        if row is None:
            raise NotFound("That version was not found.")
        first = session.exec(select(func.min(ProductRelease.released_on))
                             .where(ProductRelease.version_id == row.id)).one()
        if first is not None and first < lifecycle.ga:
            raise InvalidInput(f"A release of this version came out on {formats.day(first)}: general availability "
                               f"cannot be later.")
        row.ga_date, row.sunset_date, row.eol_date = lifecycle.ga, lifecycle.sunset, lifecycle.end_of_life
        session.add(row)
        session.flush()
        view = store.version_view(row, session.get(SoftwareProduct, row.product_id),
                                  (at or clock.coverage_now()).date())
        store.record(session, actor, AuditAction.version_lifecycle_changed, f"{view.label}: {_days(lifecycle)}")
        return view


class _Hashing:
    """A readable stream that hashes what is read through it (the storage reads a chunk at a time)."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        self.digest.update(block)
        self.size += len(block)
        return block


def _stream_size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def add_release(actor: Actor, version_id: int, *, kind: str, title: str, notes: str = "",
                released_on: date | None, file_name: str, stream: BinaryIO,
                at: datetime | None = None) -> ReleaseView:
    """Staff upload a release file (major release, update or hotfix) of a version, with its notes; its size and
    SHA-256 checksum are computed from the bytes stored."""
    require_staff_admin(actor)
    release_kind, title, notes = release_text(kind, title, notes)
    released_on = _day(released_on, "release day", required=True)
    limit = get_settings().release_max_bytes
    size = _stream_size(stream)
    if size == 0:
        raise InvalidInput("Choose the release file: the file sent is empty.")
    if size > limit:
        raise InvalidInput(f"The file is {formats.byte_size(size)}; release files may be up to "
                           f"{formats.byte_size(limit)}.")
    name = sanitize_file_name(file_name, fallback="release.bin")
    backend = file_storage.storage()
    put: list[str] = []
    try:
        with unit_of_work() as session:
            version = session.get(ProductVersion, version_id) if 0 < version_id < 2**31 else None
            if version is None:
                raise NotFound("That version was not found.")
            if released_on < version.ga_date:
                raise InvalidInput(f"A release cannot come out before its version's general availability "
                                   f"({formats.day(version.ga_date)}).")
            hashing = _Hashing(stream)
            stored = backend.put(hashing, session=session)
            put.append(stored.key)
            row = ProductRelease(version_id=version.id, kind=release_kind.value, title=title, notes=notes,
                                 released_on=released_on, file_name=name, size_bytes=stored.size,
                                 sha256=hashing.digest.hexdigest(), storage=backend.name, storage_key=stored.key,
                                 uploaded_by_name=actor.full_name or actor.email, created_at=clock.now())
            session.add(row)
            session.flush()
            product = session.get(SoftwareProduct, version.product_id)
            store.record(session, actor, AuditAction.release_added,
                         f"{title} ({name}) of {product.name} {version.number}")
            return store.release_view(row, store.version_view(version, product,
                                                              (at or clock.coverage_now()).date()))
    except BaseException:
        file_storage.discard(backend, put)
        raise


def releases(actor: Actor, *, page: int = 1, page_size: int = 20, at: datetime | None = None) -> Page[ReleaseView]:
    """Every release, newest first (staff)."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    today = (at or clock.coverage_now()).date()
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count(ProductRelease.id))).one()
        rows = session.exec(store.releases_query().offset((page - 1) * page_size).limit(page_size)).all()
        items = [store.release_view(r, store.version_view(v, p, today)) for r, v, p in rows]
    return Page(items, page, page_size, int(total))
