"""The staff task page's followers, follow-up links and the customer's rating (``services.staff_ticket_panel``).

``StaffTicketPanelMixin`` is mixed into ``StaffTaskState``: it has the ``ta_`` vars the shared pieces of
``components.ticket_actions`` read, and its handlers go through the page's ``run_as_actor`` (which reads the page
again afterwards, the panel with it).
"""

from __future__ import annotations

import reflex as rx

from opsportal.services import staff_ticket_panel
from opsportal.services.authz import Actor
from opsportal.state.auth import run_as_actor
from opsportal.state.ticket_actions import people_fields, rating_fields


class StaffTicketPanelMixin(rx.State, mixin=True):
    ta_followers: list[dict[str, str]] = []
    ta_candidates: list[dict[str, str]] = []
    ta_may_manage: bool = True  # staff add and remove anyone of the organization
    ta_follow_up_of: str = ""
    ta_follow_ups: list[str] = []
    ta_rating: dict[str, str] = {}
    ta_error: str = ""
    ta_notice: str = ""

    def _refresh_panel(self, actor: Actor, ticket_id: int) -> None:
        """In the page's worker thread, with the rest of the task."""
        panel = staff_ticket_panel.panel(actor, ticket_id)
        for name, value in people_fields(panel).items():
            setattr(self, name, value)
        self.ta_rating = rating_fields(panel.rating, actor.time_zone)

    @rx.event
    async def ta_add_follower(self, form: dict):
        self.ta_error = self.ta_notice = ""
        raw = str((form or {}).get("user", ""))
        if not raw.isdigit() or len(raw) > 11:
            self.ta_error = "Choose someone to add."
            return
        task_id, user_id = self.shown_id, int(raw)

        def work(actor):
            person = staff_ticket_panel.add_follower(actor, task_id, user_id)
            self.ta_notice = f"{person.name} now follows this ticket."
        return await run_as_actor(self, work, on_error="ta_error")

    @rx.event
    async def ta_remove_follower(self, user_id: str):
        self.ta_error = self.ta_notice = ""
        if not str(user_id).isdigit() or len(str(user_id)) > 11:
            return
        task_id, target = self.shown_id, int(user_id)
        name = next((f["name"] for f in self.ta_followers if f["id"] == str(user_id)), "The person")

        def work(actor):
            staff_ticket_panel.remove_follower(actor, task_id, target)
            self.ta_notice = f"{name} no longer follows this ticket."
        return await run_as_actor(self, work, on_error="ta_error")
