"""The services catalog for staff: staff administrators add, change, retire and offer again services; the support
team reads the requests in play and cancels one (its credits go back). The services decide what is allowed."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain import services_catalog as rules
from opsportal.domain.roles import Role
from opsportal.domain.tasks import CATEGORIES
from opsportal.services import services_catalog
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.services_catalog import InvalidService
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.catalog_editor import CatalogEditorMixin
from opsportal.state.paging import PagedState

REQUEST_PAGE = 20


def read_service(form: dict) -> tuple[dict, dict[str, str]]:
    """The dialog's fields as save_service's arguments, and what is wrong with them by field."""
    raw_price = str(form.get("price", "")).strip().replace(",", "")
    price = int(raw_price) if raw_price.isascii() and raw_price.isdigit() and len(raw_price) <= 9 else 0
    values = {"name": str(form.get("name", "")), "description": str(form.get("description", "")),
              "category": str(form.get("category", "")), "price_credits": price,
              "active": form.get("active") in ("on", True, "true")}
    problems = rules.service_problems(rules.ServiceTerms(values["name"], values["description"], values["category"],
                                                         price))
    return values, problems


class StaffServicesState(CatalogEditorMixin, PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    is_admin: bool = False
    rows: list[dict[str, str]] = []
    requests: list[dict[str, str]] = []
    total_requests: int = 0
    categories: list[str] = list(CATEGORIES)

    def _blank(self) -> dict[str, str]:
        return {"id": "", "name": "", "description": "", "category": CATEGORIES[0], "price": "",
                "title": "Add a service"}

    def _from_row(self, row: dict[str, str]) -> dict[str, str]:
        return {"id": row["id"], "name": row["name"], "description": row["description"], "category": row["category"],
                "price": row["price_input"], "title": f"Change {row['name']}"}

    def _missing(self) -> str:
        return "That service was not found; reload the page."

    def _refresh(self, actor: Actor, page: int | None = None) -> None:
        self.is_admin = actor.role is Role.staff_admin
        self.rows = [{"id": str(s.id), "name": s.name, "description": s.description, "category": s.category,
                      "price": formats.credits(s.price_credits), "price_input": str(s.price_credits),
                      "active": "yes" if s.active else "", "status": "On offer" if s.active else "Retired"}
                     for s in services_catalog.all_services(actor)]
        listing = services_catalog.requests_in_play(actor, page=page or self.page, page_size=REQUEST_PAGE)
        self.requests = [{"id": str(r.id), "organization": r.organization, "service": r.service,
                          "credits": formats.credits(r.credits), "when": formats.instant(r.requested_at,
                                                                                         actor.time_zone),
                          "task": f"#{r.ticket_id}", "task_url": routes.staff_task(r.ticket_id)}
                         for r in listing.items]
        self.page, self.pages, self.total_requests = listing.page, listing.pages, listing.total

    async def _call(self, work):
        """(result or ServiceError, redirect): ``work(actor)`` off the event loop, then the page read again."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return None, redirect

        def run():
            result = work(actor)
            self._refresh(actor)
            return result

        try:
            return await offload.run(run), None
        except ServiceError as exc:
            return exc, None

    @rx.event
    async def load(self):
        self.error = self.notice = self.denied = ""
        self.edit_open, self.page = False, 1
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(self._refresh, actor)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows, self.requests = False, str(exc), [], []
            return
        self.allowed = True

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        try:
            await offload.run(self._refresh, actor, page)
        except ServiceError as exc:
            self.error = str(exc)

    @rx.event
    async def save(self, form: dict):
        self.edit_error = ""
        values, problems = read_service({**form, "active": self.edit_active})
        self.problems = problems
        if problems:
            return
        service_id = self._edit_id()
        result, redirect = await self._call(
            lambda actor: services_catalog.save_service(actor, service_id=service_id, **values))
        if redirect is not None:
            return redirect
        if isinstance(result, InvalidService):
            self.problems = result.problems
            return
        if isinstance(result, ServiceError):
            self.edit_error = str(result)
            return
        self.edit_open = False
        verb = "Added" if service_id is None else "Saved"
        self.notice = (f"{verb} {result.name}: {formats.credits(result.price_credits)}, {result.category}, "
                       f"{'on offer' if result.active else 'retired'}.")

    @rx.event
    async def toggle_active(self, service_id: str):
        self.error = self.notice = ""
        row = next((r for r in self.rows if r["id"] == str(service_id)), None)
        if row is None:
            self.error = "That service was not found; reload the page."
            return
        offer = row["active"] != "yes"
        result, redirect = await self._call(
            lambda actor: services_catalog.set_active(actor, int(service_id), offer))
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)
            return
        self.notice = (f"{result.name} is on offer again." if result.active else
                       f"{result.name} is retired: customers no longer see it; requests already made go on.")

    @rx.event
    async def cancel_request(self, request_id: str):
        self.error = self.notice = ""
        if not str(request_id).isdigit():
            return
        result, redirect = await self._call(
            lambda actor: services_catalog.cancel_request(actor, int(request_id)))
        if redirect is not None:
            return redirect
        if isinstance(result, ServiceError):
            self.error = str(result)
            return
        self.notice = (f"Cancelled {result.organization}'s request for {result.service}: task #{result.ticket_id} is "
                       f"closed and its {formats.credits(result.credits)} were released.")
