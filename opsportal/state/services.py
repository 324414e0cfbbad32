"""Services: the catalog of services bought with service credits, requesting one, the credit packs that cover a
shortfall, and the organization's requests (cancelled here until work starts). Every handler asks who is calling
again; ``services.services_catalog`` decides what is allowed. The page follows its organization on the change feed
(``state.live``): a request cancelled or completed by staff, or credits bought in another tab, show without a
reload."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.hour_blocks import packs_covering
from opsportal.domain.services_catalog import NOTE_MAX, RequestState, shortfall
from opsportal.services import changes, services_catalog
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import ServiceError
from opsportal.services.pagination import Page
from opsportal.services.services_catalog import CatalogView, RequestPublic, ServicePublic
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

REQUEST_PAGE = 10
STATE_COLORS = {RequestState.in_play: "blue", RequestState.used: "green", RequestState.cancelled: "gray"}


def service_card(s: ServicePublic, available: int, packs: dict[int, int] | None = None) -> dict[str, str]:
    """A service as its card shows it; short of credits, the packs on sale that cover what is missing."""
    missing = shortfall(available, s.price_credits)
    picks = packs_covering(missing, packs or {})
    bought = sum((packs or {})[i] for i in picks)
    return {"id": str(s.id), "name": s.name, "description": s.description, "category": s.category,
            "price": formats.credits(s.price_credits), "affordable": "" if missing else "yes",
            "short": (f"Not enough service credits: {formats.credits(available)} available, this service costs "
                      f"{formats.credits(s.price_credits)} — {formats.credits(missing)} missing.") if missing else "",
            "buy": f"Buy {formats.credits(bought)}" if picks else "",
            "buy_url": routes.buy_packs(picks, missing) if picks else "",
            "ask": f"Ask to buy {formats.credits(missing)}" if missing and not picks else "",
            "after": formats.credits(available - s.price_credits) if not missing else ""}


def request_row(r: RequestPublic, time_zone: str) -> dict[str, str]:
    return {"id": str(r.id), "service": r.service, "category": r.category, "credits": formats.credits(r.credits),
            "state": r.state.label, "color": STATE_COLORS[r.state], "when": formats.instant(r.requested_at, time_zone),
            "task": f"#{r.ticket_id}", "task_url": routes.task(r.ticket_id),
            "may_cancel": "yes" if r.may_cancel else ""}


def read_page(actor: Actor, page: int) -> tuple[CatalogView, Page[RequestPublic]]:
    """What the page shows: the catalog with the organization's credits, and one page of its requests."""
    org_id = actor.organization_id or 0
    return (services_catalog.catalog_for(actor, org_id),
            services_catalog.requests_of(actor, org_id, page=page, page_size=REQUEST_PAGE))


def _topics(actor: Actor, _page: int) -> list[str]:
    """The organization's topic: its tasks, holds, credit lots and payments."""
    require_view_organization(actor, actor.organization_id or 0)
    return [changes.org_topic(actor.organization_id or 0)]


class ServicesState(PagedState, rx.State):
    loaded: bool = False
    error: str = ""
    notice: str = ""
    notice_url: str = ""
    org_name: str = ""
    available: str = ""
    may_request: bool = False
    services: list[dict[str, str]] = []
    requests: list[dict[str, str]] = []
    total_requests: int = 0
    # The request dialog: the service asked for, the customer's notes, and what went wrong.
    dialog_open: bool = False
    chosen: dict[str, str] = {}
    request_error: str = ""
    dialog_key: int = 0
    busy: bool = False
    _time_zone: str = formats.DEFAULT_TIME_ZONE
    # The change-feed follower (``state.live``): the page of requests shown, the feed position it was read at.
    _shown: int = 0
    _cursor: int = 0
    _watch_id: str = ""

    def _refresh(self, actor: Actor, page: int | None = None) -> None:
        self._time_zone = actor.time_zone
        self._apply(read_page(actor, page or self.page))

    def _apply(self, data: tuple[CatalogView, Page[RequestPublic]]) -> None:
        view, listing = data
        self.org_name, self.may_request = view.organization, view.may_request
        self.available = formats.credits(view.available)
        packs = {p.id: p.credits for p in view.packs}
        self.services = [service_card(s, view.available, packs) for s in view.services]
        self.requests = [request_row(r, self._time_zone) for r in listing.items]
        self.page, self.pages, self.total_requests = listing.page, listing.pages, listing.total
        self._shown = listing.page

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    @rx.event(background=True)
    async def watch(self):
        async for event in live.follow(self, key="_shown", topics=_topics, read=read_page):
            yield event

    async def _run(self, work, *args):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return None, redirect
        try:
            return await offload.run(work, actor, *args), None
        except ServiceError as exc:
            return exc, None

    @rx.event
    async def load(self):
        self.error = self.notice = self.notice_url = self.request_error = ""
        self.dialog_open, self.page = False, 1
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF_SERVICES)
        self._watch_id = ""
        self._cursor = live.start_position()  # before reading: a change meanwhile wakes the follower
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error, self.services, self.requests = str(exc), [], []
            self.loaded = True
            return
        self.loaded = True
        return ServicesState.watch

    async def _load_page(self, page: int):
        self._cursor = live.start_position()
        result, redirect = await self._run(self._refresh, page)
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)
            return
        return ServicesState.watch  # follows the page now shown

    @rx.event
    def open_request(self, service_id: str):
        self.notice = self.notice_url = self.request_error = ""
        chosen = next((s for s in self.services if s["id"] == str(service_id)), None)
        if chosen is None or not self.may_request:
            self.error = "That service is not in the catalog; reload the page."
            return
        self.chosen, self.dialog_open = chosen, True
        self.dialog_key += 1

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    @rx.event
    async def submit_request(self, form: dict):
        if self.busy or not self.chosen.get("id", "").isdigit():
            return
        note = str(form.get("note", ""))
        if len(note) > NOTE_MAX:
            self.request_error = f"Keep the notes under {formats.count(NOTE_MAX)} characters."
            return
        service_id = int(self.chosen["id"])
        self.busy, self.request_error = True, ""

        def work(actor: Actor):
            made = services_catalog.request_service(actor, service_id=service_id, note=note)
            self._refresh(actor, 1)
            return made

        try:
            result, redirect = await self._run(work)
        finally:
            self.busy = False
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.request_error = str(result)
            return
        self.dialog_open = False
        self.notice = (f"Requested {result.service}: task #{result.ticket_id} is open and "
                       f"{formats.credits(result.credits)} are in play for it under {result.category}.")
        self.notice_url = routes.task(result.ticket_id)

    async def _act(self, work):
        """A page action (not the request dialog): ``work(actor) -> (notice, task id)`` off the loop while the page
        is busy; the notice links to the task, or the refusal shows in ``error``."""
        self.busy, self.error, self.notice, self.notice_url = True, "", "", ""
        try:
            result, redirect = await self._run(work)
        finally:
            self.busy = False
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)
            return None
        self.notice, task_id = result
        self.notice_url = routes.task(task_id)
        return None

    @rx.event
    async def ask_for_credits(self, service_id: str):
        if self.busy or not str(service_id).isdigit():
            return None

        def work(actor: Actor) -> tuple[str, int]:
            task_id = services_catalog.ask_for_credits(actor, service_id=int(service_id))
            return f"Asked the support team for more service credits: task #{task_id}.", task_id

        return await self._act(work)

    @rx.event
    async def cancel_request(self, request_id: str):
        """The customer cancels their own request before work starts: its credits come back."""
        if self.busy or not str(request_id).isdigit():
            return None

        def work(actor: Actor) -> tuple[str, int]:
            done = services_catalog.cancel_own_request(actor, int(request_id))
            self._refresh(actor)
            return (f"Cancelled your request for {done.service}: task #{done.ticket_id} is closed and its "
                    f"{formats.credits(done.credits)} are available again.", done.ticket_id)

        return await self._act(work)
