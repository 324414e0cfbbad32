"""Services: the catalog of services bought with service credits, requesting one, and the organization's requests.
Every handler asks who is calling again; ``services.services_catalog`` decides what is allowed."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.services_catalog import NOTE_MAX, RequestState, shortfall
from opsportal.services import services_catalog
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.services_catalog import RequestPublic, ServicePublic
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

REQUEST_PAGE = 10
STATE_COLORS = {RequestState.in_play: "blue", RequestState.used: "green", RequestState.cancelled: "gray"}


def service_card(s: ServicePublic, available: int) -> dict[str, str]:
    missing = shortfall(available, s.price_credits)
    return {"id": str(s.id), "name": s.name, "description": s.description, "category": s.category,
            "price": formats.credits(s.price_credits), "affordable": "" if missing else "yes",
            "short": (f"Not enough service credits: {formats.credits(available)} available, this service costs "
                      f"{formats.credits(s.price_credits)} ({formats.count(missing)} short).") if missing else "",
            "ask": f"Ask to buy {formats.credits(missing)}" if missing else "",
            "after": formats.credits(available - s.price_credits) if not missing else ""}


def request_row(r: RequestPublic, time_zone: str) -> dict[str, str]:
    return {"id": str(r.id), "service": r.service, "category": r.category, "credits": formats.credits(r.credits),
            "state": r.state.label, "color": STATE_COLORS[r.state], "when": formats.instant(r.requested_at, time_zone),
            "task": f"#{r.ticket_id}", "task_url": routes.task(r.ticket_id)}


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

    def _refresh(self, actor: Actor, page: int | None = None) -> None:
        view = services_catalog.catalog_for(actor, actor.organization_id or 0)
        self.org_name, self.may_request = view.organization, view.may_request
        self.available = formats.credits(view.available)
        self.services = [service_card(s, view.available) for s in view.services]
        listing = services_catalog.requests_of(actor, actor.organization_id or 0, page=page or self.page,
                                               page_size=REQUEST_PAGE)
        self.requests = [request_row(r, actor.time_zone) for r in listing.items]
        self.page, self.pages, self.total_requests = listing.page, listing.pages, listing.total

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
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error, self.services, self.requests = str(exc), [], []
        self.loaded = True

    async def _load_page(self, page: int):
        result, redirect = await self._run(self._refresh, page)
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)

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

    @rx.event
    async def ask_for_credits(self, service_id: str):
        if self.busy or not str(service_id).isdigit():
            return
        self.busy, self.error, self.notice, self.notice_url = True, "", "", ""

        def work(actor: Actor):
            return services_catalog.ask_for_credits(actor, service_id=int(service_id))

        try:
            result, redirect = await self._run(work)
        finally:
            self.busy = False
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)
            return
        self.notice = f"Asked the support team for more service credits: task #{result}."
        self.notice_url = routes.task(result)
