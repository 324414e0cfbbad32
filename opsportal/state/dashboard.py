from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain.ledger.products import format_quantity
from opsportal.services import credit_views, organizations
from opsportal.services.errors import ServiceError
from opsportal.state.auth import actor_or_redirect


class DashboardState(rx.State):
    org_id: int = 0
    org_name: str = ""
    parent_name: str = ""
    customer_since: str = ""
    children: list[str] = []
    member_count: int = 0
    role_counts: list[dict[str, str]] = []
    balances: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            return rx.redirect(routes.STAFF)
        try:
            overview = organizations.get_overview(actor, actor.organization_id)
            summary = credit_views.summary(actor, actor.organization_id)
        except ServiceError as exc:
            self.error = str(exc)
            return
        org = overview.organization
        self.error = ""
        self.org_id = org.id
        self.org_name = org.name
        self.parent_name = org.parent_name or ""
        self.customer_since = org.created_at.strftime("%d %B %Y")
        self.children = overview.children
        self.member_count = overview.member_count
        self.balances = [
            {"label": f"{s.name} available", "value": format_quantity(s.available, s.unit),
             "hint": f"{format_quantity(s.expiring_30d, s.unit)} expire within 30 days"}
            for s in summary if s.product in ("support_hours", "service_credits")
        ]
        self.role_counts = [
            {"role": role.capitalize(), "count": str(n)} for role, n in overview.members_by_role.items()
        ]
