"""Staff: each region's support numbers and business hours, the support terms' versions and who accepted them.

Everyone on staff reads; staff administrators add and remove numbers, set hours and publish terms (the services
check who asks). The acceptances are listed a page at a time."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.roles import Role
from opsportal.services import support_phones, support_terms
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.paging import PagedState

PAGE_SIZE = 25
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class StaffSupportState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    may_edit: bool = False
    error: str = ""
    notice: str = ""
    regions: list[dict[str, str]] = []
    phones: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []
    current_version: str = ""
    acceptances: list[dict[str, str]] = []
    total: int = 0

    def _refresh(self, actor: Actor, page: int) -> None:
        try:
            regions = support_phones.region_hours(actor)
            versions = support_terms.terms_versions(actor)
            accepted = support_terms.acceptances(actor, page, page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied = False, str(exc)
            return
        self.allowed, self.denied, self.may_edit = True, "", actor.role is Role.staff_admin
        self.regions = [{"code": r.code, "name": r.name, "hours": r.hours, "start": r.start, "end": r.end,
                         "days": "," + ",".join(str(d) for d in r.days) + ","} for r in regions]
        self.phones = [{"id": str(p.id), "region": r.code, "label": p.label, "number": formats.phone(p.number)}
                       for r in regions for p in r.phones]
        tz = actor.time_zone
        self.versions = [{"version": str(v.version), "title": v.title, "summary": v.summary or "—",
                          "published": formats.instant(v.published_at, tz), "by": v.published_by or "—",
                          "accepted": formats.count(v.acceptances)} for v in versions.items]
        self.current_version = str(versions.items[0].version) if versions.items else ""
        self.page, self.pages, self.total = accepted.page, accepted.pages, accepted.total
        self.acceptances = [{"when": formats.instant(a.accepted_at, tz), "organization": a.organization,
                             "user": a.user, "version": str(a.version), "purchase": a.purchase}
                            for a in accepted.items]

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        await offload.run(self._refresh, actor, page)
        return None

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        return await self._load_page(1)

    async def _change(self, work, done: str):
        """Runs ``work(actor)`` off the loop; the notice is what it returns when that is words, else ``done``."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.error = self.notice = ""
        try:
            said = await offload.run(work, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return None
        self.notice = said if isinstance(said, str) and said else done
        await offload.run(self._refresh, actor, self.page)
        return None

    @rx.event
    async def add_phone(self, form: dict):
        region, label, number = str(form.get("region", "")), str(form.get("label", "")), str(form.get("number", ""))

        def work(actor: Actor) -> str:
            row = support_phones.add_phone(actor, region, label=label, number=number)
            return f"Added {row.label}, {formats.phone(row.number)}, to {region}."

        return await self._change(work, "Number added.")

    @rx.event
    async def remove_phone(self, phone_id: str):
        if not phone_id.isdigit():
            return None
        return await self._change(lambda a: support_phones.remove_phone(a, int(phone_id)), "Number removed.")

    @rx.event
    async def save_hours(self, form: dict):
        region = str(form.get("region", ""))
        days = [d for d in range(7) if form.get(f"day_{d}") in ("on", True, "true")]
        start, end = str(form.get("start", "")), str(form.get("end", ""))
        return await self._change(lambda a: support_phones.set_region_hours(a, region, start=start, end=end,
                                                                            days=days),
                                  f"Business hours of {region} saved.")

    @rx.event
    async def publish(self, form: dict):
        title, body, summary = str(form.get("title", "")), str(form.get("body", "")), str(form.get("summary", ""))
        return await self._change(lambda a: support_terms.publish_terms(a, title=title, body=body, summary=summary),
                                  "New version of the support terms published: purchases now accept it.")
