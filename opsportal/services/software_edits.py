"""Staff correct the software catalog: rename and delete products and versions, edit and delete releases.

Staff administrators only (the operator's command line too). The rules are ``domain.software``'s: a deletion is
refused, saying what refers to it, unless nothing does; a rename carries the new name into the Extended-Terms in
force or to come (and plan orders waiting for payment) that named the old one, so their cover stays on the same
version. Each change is one transaction with its audit event; open Products and Downloads pages follow the catalog
topic of the change feed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.audit import AuditAction
from opsportal.domain.software import (
    MAX_PRODUCT_NAME,
    MAX_VERSION_NUMBER,
    carried_version_names,
    name_problem,
    product_delete_problem,
    release_delete_problem,
    version_delete_problem,
    version_label,
)
from opsportal.models import ProductLicence, ProductRelease, ProductVersion, ReleaseDownload, SoftwareProduct
from opsportal.services import file_storage
from opsportal.services import software_store as store
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence
from opsportal.services.software_catalog import release_text
from opsportal.services.software_store import ReleaseView, VersionView


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _check(problem: str | None, error=InvalidInput) -> None:
    if problem:
        raise error(sentence(problem))


def _get(session, model, row_id: int, what: str):
    row = session.get(model, row_id) if isinstance(row_id, int) and 0 < row_id < 2**31 else None
    if row is None:
        raise NotFound(f"That {what} was not found.")
    return row


def _count(session, column, *where) -> int:
    return int(session.exec(select(func.count(column)).where(*where)).one())


def _today(at: datetime | None) -> date:
    return (at or clock.coverage_now()).date()


def rename_product(actor: Actor, product_id: int, name: str, at: datetime | None = None) -> str:
    """A product's new name (unique, any case); Extended-Terms naming its versions by full name follow it.
    Returns the new name."""
    require_staff_admin(actor)
    name = _clean(name)
    _check(name_problem(name, what="product's name", limit=MAX_PRODUCT_NAME))
    with unit_of_work() as session:
        product = _get(session, SoftwareProduct, product_id, "product")
        old = product.name
        key = name.casefold()
        taken = session.exec(select(SoftwareProduct.id).where(SoftwareProduct.name_key == key,
                                                              SoftwareProduct.id != product.id)).first()
        if taken is not None:
            raise Conflict(f"There is already a product named {name}.")
        if name == old:
            return name
        for version in session.exec(select(ProductVersion).where(ProductVersion.product_id == product.id)).all():
            store.carry_names(session, lambda names, n=version.number: carried_version_names(
                names, old_product=old, old_number=n, new_product=name, new_number=n, number_elsewhere=True), at)
        product.name, product.name_key = name, key
        session.add(product)
        store.record(session, actor, AuditAction.product_renamed, f"{old} → {name}")
        return name


def delete_product(actor: Actor, product_id: int) -> str:
    """Deletes a product nothing refers to (no versions, no licences); returns its name."""
    require_staff_admin(actor)
    with unit_of_work() as session:
        product = _get(session, SoftwareProduct, product_id, "product")
        _check(product_delete_problem(
            product.name, versions=_count(session, ProductVersion.id, ProductVersion.product_id == product.id),
            licences=_count(session, ProductLicence.id, ProductLicence.product_id == product.id)), Conflict)
        session.delete(product)
        store.record(session, actor, AuditAction.product_deleted, product.name)
        return product.name


def rename_version(actor: Actor, version_id: int, number: str, at: datetime | None = None) -> VersionView:
    """A version's new number (unique within its product); the Extended-Terms in force or to come that named it
    name it by its new name, so their cover stays on it."""
    require_staff_admin(actor)
    number = _clean(number)
    _check(name_problem(number, what="version number", limit=MAX_VERSION_NUMBER))
    with unit_of_work() as session:
        version = _get(session, ProductVersion, version_id, "version")
        product = session.get(SoftwareProduct, version.product_id)
        key = number.casefold()
        taken = session.exec(select(ProductVersion.id).where(ProductVersion.product_id == product.id,
                                                             ProductVersion.number_key == key,
                                                             ProductVersion.id != version.id)).first()
        if taken is not None:
            raise Conflict(f"{product.name} already has a version {number}.")
        old = version.number
        if number != old:
            elsewhere = session.exec(select(ProductVersion.id).where(ProductVersion.number_key == version.number_key,
                                                                     ProductVersion.id != version.id)).first()
            carried = store.carry_names(session, lambda names: carried_version_names(
                names, old_product=product.name, old_number=old, new_product=product.name, new_number=number,
                number_elsewhere=elsewhere is not None), at)
            version.number, version.number_key = number, key
            session.add(version)
            note = f" ({formats.count(carried)} Extended-Term(s) follow)" if carried else ""
            store.record(session, actor, AuditAction.version_renamed,
                         f"{version_label(product.name, old)} → {version_label(product.name, number)}{note}")
        return store.version_view(version, product, _today(at))


def delete_version(actor: Actor, version_id: int, at: datetime | None = None) -> str:
    """Deletes a version nothing refers to (no licences run it, no release files, no Extended-Term names it);
    returns its name."""
    require_staff_admin(actor)
    with unit_of_work() as session:
        version = _get(session, ProductVersion, version_id, "version")
        product = session.get(SoftwareProduct, version.product_id)
        label = version_label(product.name, version.number)
        _check(version_delete_problem(
            label, licences=_count(session, ProductLicence.id, ProductLicence.version_id == version.id),
            releases=_count(session, ProductRelease.id, ProductRelease.version_id == version.id),
            extended_terms=store.naming_organizations(session, product.name, version.number, at)), Conflict)
        session.delete(version)
        store.record(session, actor, AuditAction.version_deleted, label)
        return label


def edit_release(actor: Actor, release_id: int, *, kind: str, title: str, notes: str = "",
                 released_on: date | None, at: datetime | None = None) -> ReleaseView:
    """Corrects a release's kind, title, notes and day (not its file: upload a new release for that)."""
    require_staff_admin(actor)
    release_kind, title, notes = release_text(kind, title, notes)
    if released_on is None or isinstance(released_on, datetime) or not isinstance(released_on, date):
        raise InvalidInput("Give the release day as a date.")
    with unit_of_work() as session:
        release = _get(session, ProductRelease, release_id, "release")
        version = session.get(ProductVersion, release.version_id)
        if released_on < version.ga_date:
            raise InvalidInput(f"A release cannot come out before its version's general availability "
                               f"({formats.day(version.ga_date)}).")
        release.kind, release.title, release.notes, release.released_on = (release_kind.value, title, notes,
                                                                           released_on)
        session.add(release)
        product = session.get(SoftwareProduct, version.product_id)
        store.record(session, actor, AuditAction.release_edited,
                     f"{title} ({release.file_name}) of {version_label(product.name, version.number)}")
        return store.release_view(release, store.version_view(version, product, _today(at)))


def delete_release(actor: Actor, release_id: int) -> str:
    """Deletes a release nobody downloaded (with its file); returns its title."""
    require_staff_admin(actor)
    with unit_of_work() as session:
        release = _get(session, ProductRelease, release_id, "release")
        _check(release_delete_problem(release.title, downloads=_count(
            session, ReleaseDownload.id, ReleaseDownload.release_id == release.id)), Conflict)
        version = session.get(ProductVersion, release.version_id)
        product = session.get(SoftwareProduct, version.product_id)
        storage_name, key = release.storage, release.storage_key
        session.delete(release)
        store.record(session, actor, AuditAction.release_deleted,
                     f"{release.title} ({release.file_name}) of {version_label(product.name, version.number)}")
        title = release.title
        if storage_name == "database":  # its bytes go with the row, in the same transaction
            file_storage.storage(storage_name).delete(key, session=session)
    if storage_name != "database":  # object storage: once the row is gone for good (best effort)
        file_storage.discard(file_storage.storage(storage_name), [key])
    return title
