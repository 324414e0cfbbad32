"""Customers' Products (licences, versions and their lifecycle, what supports them) and Downloads (a page of
releases, each downloadable or saying what to renew) pages. Staff are sent to the catalog."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.software import LifecycleStatus, Remedy
from opsportal.services import plans, software
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.software_store import ReleaseView, VersionView
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
STATUS_COLORS = {LifecycleStatus.upcoming: "gray", LifecycleStatus.supported: "green",
                 LifecycleStatus.sunset: "amber", LifecycleStatus.end_of_life: "red"}
# Where each cover is bought: its card on the Plans page.
OFFER_LINKS = {Remedy.gold: routes.PLANS + "#offer-gold", Remedy.extended_term: routes.PLANS + "#offer-extended_term"}
OFFER_NAMES = {Remedy.gold: "Renew Gold Support", Remedy.extended_term: "Get Extended-Term"}


def version_fields(v: VersionView) -> dict[str, str]:
    return {"label": v.label, "ga": formats.day(v.ga), "sunset": formats.day(v.sunset, empty="Not announced"),
            "eol": formats.day(v.end_of_life, empty="Not announced"), "status": v.status.label,
            "color": STATUS_COLORS[v.status]}


def release_fields(r: ReleaseView, *, may_buy: bool = True) -> dict[str, str]:
    """``may_buy``: the reader buys plans (owners, administrators, billing contacts): a refusal links to the offer."""
    access = r.access
    remedy = access.remedy if access is not None and may_buy else None
    return {"id": str(r.id), "version": r.version.label, "status": r.version.status.label,
            "color": STATUS_COLORS[r.version.status], "kind": r.kind.label, "title": r.title, "notes": r.notes,
            "released": formats.day(r.released_on), "size": formats.byte_size(r.size_bytes), "sha256": r.sha256,
            "file": r.file_name, "href": routes.release_file(r.id, r.file_name),
            "allowed": "yes" if access is not None and access.allowed else "",
            "reason": access.reason if access is not None else "",
            "offer": OFFER_NAMES.get(remedy, "") if remedy else "", "offer_href": OFFER_LINKS.get(remedy, "")
            if remedy else ""}


def _topics(actor: Actor, _shown: str) -> list[str]:
    return software.change_topics(actor, actor.organization_id or 0)


def _read_products(actor: Actor, _shown: str) -> software.ProductsView:
    return software.my_products(actor, actor.organization_id or 0)


def _read_downloads(actor: Actor, shown: str) -> tuple[software.DownloadsView, bool]:
    page = int(shown.split("|")[1])
    return (software.downloads(actor, actor.organization_id or 0, page=page, page_size=PAGE_SIZE),
            plans.may_buy(actor.role))


class ProductsState(rx.State):
    organization: str = ""
    gold_active: bool = False
    extended: str = ""
    licences: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False
    # The page follows its organization and the catalog on the change feed (``state.live``): a licence, a release or
    # a version's new name or lifecycle shows without a reload.
    _shown: str = ""
    _cursor: int = 0
    _watch_id: str = ""

    def _read(self, actor: Actor):
        try:
            view = _read_products(actor, "")
        except ServiceError as exc:
            self._refresh_failed(str(exc))
            return None
        self._apply(view)
        self._shown = str(actor.organization_id or 0)
        return ProductsState.watch

    def _refresh_failed(self, message: str) -> None:
        self.error, self.licences, self.versions = message, [], []

    def _apply(self, view: software.ProductsView) -> None:
        self.error = ""
        self.organization, self.gold_active = view.organization, view.gold_active
        self.extended = ", ".join(view.extended_versions)
        self.licences = [{**version_fields(lic.version), "id": str(lic.id), "region": lic.region,
                          "quantity": formats.count(lic.quantity), "purchased": formats.day(lic.purchased_on),
                          "cover": lic.cover, "covered": "" if lic.cover.startswith("Not") else "yes"}
                         for lic in view.licences]
        self.versions = [version_fields(v) for v in view.versions]
        self.loaded = True

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_PRODUCTS)
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change meanwhile wakes the follower
        return await offload.run(self._read, actor)

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_shown", topics=_topics, read=_read_products):
            yield event


class DownloadsState(PagedState, rx.State):
    organization: str = ""
    gold_active: bool = False
    has_licences: bool = False
    rows: list[dict[str, str]] = []
    total: int = 0
    needs_gold: bool = False
    eol_versions: str = ""
    gold_elsewhere: str = ""  # an ancestor holds Gold, which does not cover this organization (``domain.gold_scope``)
    gold_elsewhere_buy: bool = False
    may_buy: bool = False  # owners, administrators and billing contacts buy the cover; the others are told who does
    error: str = ""
    loaded: bool = False
    # Follows the organization and the catalog on the change feed (``state.live``): "<org>|<page>".
    _shown: str = ""
    _cursor: int = 0
    _watch_id: str = ""

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_PRODUCTS)
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change meanwhile wakes the follower
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int):
        shown = f"{actor.organization_id or 0}|{page}"
        try:
            data = _read_downloads(actor, shown)
        except ServiceError as exc:
            self._refresh_failed(str(exc))
            return None
        self._apply(data)
        self._shown = f"{actor.organization_id or 0}|{self.page}"
        return DownloadsState.watch

    def _refresh_failed(self, message: str) -> None:
        self.error, self.rows, self.total = message, [], 0

    def _apply(self, data: tuple[software.DownloadsView, bool]) -> None:
        view, may_buy = data
        self.error = ""
        self.organization, self.gold_active, self.has_licences = view.organization, view.gold_active, \
            view.has_licences
        self.page, self.pages, self.total = view.releases.page, view.releases.pages, view.releases.total
        self.may_buy = may_buy
        self.rows = [release_fields(r, may_buy=self.may_buy) for r in view.releases.items]
        self.needs_gold = Remedy.gold in view.needs
        self.eol_versions = ", ".join(view.eol_versions)
        notice = view.gold_elsewhere
        self.gold_elsewhere, self.gold_elsewhere_buy = (notice.message, notice.buy_link) if notice else ("", False)
        self.loaded = True

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_shown", topics=_topics, read=_read_downloads):
            yield event
