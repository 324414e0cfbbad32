"""Staff: the software catalog (products, versions and lifecycle days, release files), organizations' licences and
the download log. Every form's input is checked by the services; a refusal shows next to its form."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.software import ReleaseKind
from opsportal.services import software_catalog, software_edits, software_licences
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.software import release_fields, version_fields

PAGE_SIZE = 20
KINDS = [{"value": k.value, "label": k.label} for k in ReleaseKind]


def form_day(form: dict, name: str, what: str, *, required: bool = False) -> date | None:
    """A date field of a form (``YYYY-MM-DD``); empty is None unless required."""
    text = str(form.get(name, "") or "").strip()
    if not text:
        if required:
            raise ValueError(f"Give the {what}.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Give the {what} as a date (YYYY-MM-DD), not {text[:20]!r}.") from None


def form_id(form: dict, name: str, what: str) -> int:
    text = str(form.get(name, "") or "").strip()
    if not text.isdigit():
        raise ValueError(f"Choose the {what}.")
    return int(text)


class StaffProductsState(rx.State):
    allowed: bool = False
    denied: str = ""
    products: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []  # every version, for the forms' choices and the catalog table
    releases: list[dict[str, str]] = []
    release_page: int = 1
    release_pages: int = 1
    organizations: list[dict[str, str]] = []
    regions: list[str] = []
    org_id: str = ""
    licences: list[dict[str, str]] = []
    log: list[dict[str, str]] = []
    log_page: int = 1
    log_pages: int = 1
    log_total: int = 0
    # One message per form: "product", "version", "lifecycle", "release", "licence".
    errors: dict[str, str] = {}
    notice: str = ""
    form_key: int = 0  # part of the forms' keys: a new value clears them after a save
    uploading: bool = False
    # Renaming and deleting: the release being edited (its id), and the delete asked once and waiting for a second
    # click ("product:<id>", "version:<id>", "release:<id>").
    editing_release: str = ""
    confirming: str = ""

    async def _actor(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is not None and not actor.is_staff:
            return None, rx.redirect(routes.DASHBOARD)
        return actor, redirect

    def _refresh(self, actor: Actor) -> None:
        catalog = software_catalog.catalog(actor)
        self.products = [{"id": str(p.id), "name": p.name, "description": p.description} for p in catalog]
        self.versions = [{**version_fields(v), "id": str(v.id), "ga_input": formats.date_input(v.ga),
                          "sunset_input": formats.date_input(v.sunset), "eol_input": formats.date_input(v.end_of_life)}
                         for p in catalog for v in p.versions]
        releases = software_catalog.releases(actor, page=self.release_page, page_size=PAGE_SIZE)
        self.release_page, self.release_pages = releases.page, releases.pages
        self.releases = [{**release_fields(r), "kind_value": r.kind.value,
                          "released_input": formats.date_input(r.released_on)} for r in releases.items]
        found = software_licences.choices(actor)
        self.organizations = [{"id": str(i), "name": n} for i, n in found.organizations]
        self.regions = found.regions
        if not self.org_id and found.organizations:
            self.org_id = str(found.organizations[0][0])
        self._refresh_org(actor)

    def _refresh_org(self, actor: Actor) -> None:
        org = int(self.org_id) if self.org_id.isdigit() else None
        self.licences = [] if org is None else [
            {**version_fields(lic.version), "id": str(lic.id), "region": lic.region,
             "quantity": formats.count(lic.quantity), "purchased": formats.day(lic.purchased_on), "note": lic.note}
            for lic in software_licences.org_licences(actor, org)]
        log = software_licences.download_log(actor, organization_id=org, page=self.log_page, page_size=PAGE_SIZE)
        self.log_page, self.log_pages, self.log_total = log.page, log.pages, log.total
        self.log = [{"id": str(r.id), "at": formats.instant(r.at, actor.time_zone), "user": r.user, "email": r.email,
                     "organization": r.organization or "Staff", "release": r.release} for r in log.items]

    @rx.event
    async def load(self):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.errors, self.notice = {}, ""
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.allowed, self.denied = False, str(exc)
            return
        self.allowed, self.denied = True, ""

    @rx.event
    async def choose_org(self, value: str):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.org_id, self.log_page = (value if value.isdigit() else ""), 1
        await offload.run(self._refresh_org, actor)

    @rx.event
    async def log_to(self, page: int):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.log_page = max(1, min(int(page), self.log_pages))
        await offload.run(self._refresh_org, actor)

    @rx.event
    async def releases_to(self, page: int):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.release_page = max(1, min(int(page), self.release_pages))
        await offload.run(self._refresh, actor)

    async def _save(self, which: str, work):
        """Runs ``work(actor)`` (a service call) off the loop; its refusal shows by its form, else the notice."""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.errors, self.notice, self.confirming = {}, "", ""  # a delete asked for earlier is asked again

        def run():
            notice = work(actor)
            self._refresh(actor)
            return notice

        try:
            notice = await offload.run(run)
        except (ValueError, ServiceError) as exc:
            self.errors = {which: str(exc)}
            return None
        self.notice, self.form_key = notice, self.form_key + 1
        return None

    @rx.event
    async def add_product(self, form: dict):
        def work(actor):
            p = software_catalog.create_product(actor, str(form.get("name", "")), str(form.get("description", "")))
            return f"Added the product {p.name}."
        return await self._save("product", work)

    @rx.event
    async def add_version(self, form: dict):
        def work(actor):
            v = software_catalog.add_version(actor, form_id(form, "product", "product"), str(form.get("number", "")),
                                             ga=form_day(form, "ga", "general availability day", required=True),
                                             sunset=form_day(form, "sunset", "sunset day"),
                                             end_of_life=form_day(form, "eol", "end-of-life day"))
            return f"Added {v.label}."
        return await self._save("version", work)

    @rx.event
    async def set_lifecycle(self, form: dict):
        def work(actor):
            v = software_catalog.set_lifecycle(actor, form_id(form, "version", "version"),
                                               ga=form_day(form, "ga", "general availability day", required=True),
                                               sunset=form_day(form, "sunset", "sunset day"),
                                               end_of_life=form_day(form, "eol", "end-of-life day"))
            return f"Saved the lifecycle of {v.label}: {v.status.label.lower()} today."
        return await self._save("lifecycle", work)

    @rx.event
    async def upload_release(self, form: dict, files: list[rx.UploadFile]):
        self.uploading = False
        if not files:
            self.errors, self.notice = {"release": "Choose the release file."}, ""
            return None
        upload = files[0]

        def work(actor):
            r = software_catalog.add_release(
                actor, form_id(form, "version", "version"), kind=str(form.get("kind", "")),
                title=str(form.get("title", "")), notes=str(form.get("notes", "")),
                released_on=form_day(form, "released_on", "release day", required=True),
                file_name=str(upload.name or upload.filename or "release.bin"), stream=upload.file)
            return f"Uploaded {r.file_name} ({formats.byte_size(r.size_bytes)}, SHA-256 {r.sha256})."
        return await self._save("release", work)

    @rx.event
    def upload_refused(self, _rejected: list):
        self.errors = {"release": "That file is too big for a release (or more than one file was chosen)."}

    @rx.event
    async def add_licence(self, form: dict):
        def work(actor):
            text = str(form.get("quantity", "")).strip()
            if not text.isdigit():
                raise ValueError("Give the number of licences as a whole number.")
            lic = software_licences.add_licence(actor, int(self.org_id or 0), form_id(form, "version", "version"),
                                                region=str(form.get("region", "")), quantity=int(text),
                                                purchased_on=form_day(form, "purchased_on", "purchase day",
                                                                      required=True),
                                                note=str(form.get("note", "")))
            return f"Recorded {formats.count(lic.quantity)} licence(s) of {lic.version.label}."
        return await self._save("licence", work)

    @rx.event
    async def remove_licence(self, licence_id: str):
        def work(actor):
            software_licences.remove_licence(actor, int(licence_id) if licence_id.isdigit() else 0)
            return "Licence removed."
        return await self._save("licence", work)

    # --- renaming and deleting (``services.software_edits``) ----------------------------------------------------------

    def _confirmed(self, key: str) -> bool:
        """A delete happens on the second click of the same button; the first asks."""
        if self.confirming == key:
            self.confirming = ""
            return True
        self.confirming, self.errors, self.notice = key, {}, ""
        return False

    @rx.event
    async def rename_product(self, form: dict):
        def work(actor):
            name = software_edits.rename_product(actor, form_id(form, "product", "product"),
                                                 str(form.get("name", "")))
            return f"Renamed the product: {name}."
        return await self._save("rename_product", work)

    @rx.event
    async def delete_product(self, product_id: str):
        if not self._confirmed(f"product:{product_id}"):
            return None

        def work(actor):
            return f"Deleted the product {software_edits.delete_product(actor, _id(product_id))}."
        return await self._save("products", work)

    @rx.event
    async def rename_version(self, form: dict):
        def work(actor):
            v = software_edits.rename_version(actor, form_id(form, "version", "version"), str(form.get("number", "")))
            return f"Renamed the version: {v.label}."
        return await self._save("rename_version", work)

    @rx.event
    async def delete_version(self, version_id: str):
        if not self._confirmed(f"version:{version_id}"):
            return None

        def work(actor):
            return f"Deleted {software_edits.delete_version(actor, _id(version_id))}."
        return await self._save("versions", work)

    @rx.event
    def start_edit_release(self, release_id: str):
        self.editing_release, self.errors, self.notice = release_id, {}, ""

    @rx.event
    def cancel_edit_release(self):
        self.editing_release = ""

    @rx.event
    async def edit_release(self, form: dict):
        def work(actor):
            r = software_edits.edit_release(actor, _id(self.editing_release), kind=str(form.get("kind", "")),
                                            title=str(form.get("title", "")), notes=str(form.get("notes", "")),
                                            released_on=form_day(form, "released_on", "release day", required=True))
            self.editing_release = ""
            return f"Saved the release {r.title}."
        return await self._save("edit_release", work)

    @rx.event
    async def delete_release(self, release_id: str):
        if not self._confirmed(f"release:{release_id}"):
            return None

        def work(actor):
            return f"Deleted the release {software_edits.delete_release(actor, _id(release_id))}."
        return await self._save("releases", work)


def _id(text: str) -> int:
    return int(text) if str(text).isdigit() else 0
