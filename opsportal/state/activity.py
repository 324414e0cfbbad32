"""Activity: who in the organization did what, when and from where (the audit log), newest first, a page at a time,
filtered by action and person, and exported as CSV. Owners and administrators read their organization's; staff every
organization's, filtered by organization (the service checks who asks)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.audit import AuditAction
from opsportal.services import audit
from opsportal.services.audit import AuditFilters, EventRow
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25


def event_row(e: EventRow, time_zone: str) -> dict[str, str]:
    """One event as the table shows it, its instant in the reader's zone with the zone named."""
    return {"id": str(e.id), "when": formats.instant(e.occurred_at, time_zone), "who": e.actor_name,
            "what": e.action_label, "details": e.target, "from": e.client_address,
            "organization": e.organization or "Support team"}


def _id(value: str) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


class ActivityState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    is_staff_view: bool = False
    rows: list[dict[str, str]] = []
    total: int = 0
    action_filter: str = ""
    person_filter: str = ""
    org_filter: str = ""  # staff: "" every organization, else an organization's id
    people: list[dict[str, str]] = []
    organizations: list[dict[str, str]] = []
    csv_url: str = ""

    def _organization_id(self, actor: Actor) -> int | None:
        return _id(self.org_filter) if actor.is_staff else actor.organization_id

    def _filters(self) -> AuditFilters:
        return AuditFilters(action=self.action_filter, person_id=_id(self.person_filter))

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int, *, choices: bool = False) -> None:
        org_id = self._organization_id(actor)
        try:
            if choices:
                offered = audit.filter_choices(actor, org_id)
                self.people = [{"value": str(i), "label": n} for i, n in offered.people]
                self.organizations = [{"value": str(i), "label": n} for i, n in offered.organizations]
            listing = audit.list_events(actor, org_id, page, self._filters(), page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows, self.total = False, str(exc), [], 0
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.is_staff_view = actor.is_staff
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [event_row(e, actor.time_zone) for e in listing.items]
        query = {"org": org_id or "", "action": self.action_filter, "person": self.person_filter}
        self.csv_url = f"{routes.ACTIVITY_CSV}?{urlencode({k: v for k, v in query.items() if v})}"

    async def _reload(self, *, choices: bool = False):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, 1, choices=choices)

    @rx.event
    async def load(self):
        self.error = ""
        self.action_filter = self.person_filter = ""
        self.org_filter = str(_id(self.router.url.query_parameters.get("org", "")) or "")
        return await self._reload(choices=True)

    @rx.event
    async def refresh(self):
        return await self._load_page(self.page)

    @rx.event
    async def set_action(self, value: str):
        self.action_filter = value if value in AuditAction.__members__ else ""
        return await self._reload()

    @rx.event
    async def set_person(self, value: str):
        self.person_filter = str(_id(value) or "")
        return await self._reload()

    @rx.event
    async def set_organization(self, value: str):
        self.org_filter = str(_id(value) or "")
        self.person_filter = ""
        return await self._reload(choices=True)
