from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.services import organizations
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
        self.role_counts = [
            {"role": role.capitalize(), "count": str(n)} for role, n in overview.members_by_role.items()
        ]
