"""Staff: service-level breaches of a month (``services.sla_report``), per organization, per agent, and listed."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import sla_report
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.services.sla_report import BreachCount, BreachReport
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def _count(c: BreachCount) -> dict[str, str]:
    return {"name": c.name, "first": formats.count(c.first_response), "resolution": formats.count(c.resolution)}


def summary(report: BreachReport) -> str:
    first = f"{formats.count(report.first_response)} first response" + ("" if report.first_response == 1 else "s")
    resolution = f"{formats.count(report.resolution)} resolution" + ("" if report.resolution == 1 else "s")
    return f"{report.month_label}: {first} and {resolution} missed their target."


class StaffSlaState(rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    month: str = ""  # YYYY-MM, the <input type="month"> value
    summary: str = ""
    by_org: list[dict[str, str]] = []
    by_agent: list[dict[str, str]] = []
    breaches: list[dict[str, str]] = []
    more: str = ""

    async def _show(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._read, actor)

    def _read(self, actor: Actor) -> None:
        try:
            report = sla_report.breach_report(actor, self.month or None)
        except PermissionDenied as exc:
            self.allowed, self.denied = False, str(exc)
            self.by_org, self.by_agent, self.breaches = [], [], []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.month, self.summary = report.month, summary(report)
        self.by_org = [_count(c) for c in report.by_organization]
        self.by_agent = [_count(c) for c in report.by_agent]
        self.breaches = [{"id": str(b.ticket_id), "title": b.title, "href": routes.staff_task(b.ticket_id),
                          "organization": b.organization, "agent": b.agent, "target": b.target,
                          "due": formats.instant(b.due_at, actor.time_zone), "late": b.late_by}
                         for b in report.breaches]
        self.more = "" if report.listed_all else f"The first {sla_report.LIST_LIMIT} breached tasks are listed."

    @rx.event
    async def load(self):
        raw = self.router.url.query_parameters.get("month", "")
        self.month, self.error = raw[:7], ""
        return await self._show()

    @rx.event
    async def set_month(self, value: str):
        self.month, self.error = (value or "")[:7], ""
        return await self._show()
