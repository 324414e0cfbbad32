"""What a customer does to a ticket from its page: status, follow-up, followers, priority and the satisfaction
rating (``services.ticket_actions``).

``TicketActionsMixin`` is mixed into the task page's state: the page reads the reader's options with the task
(``with_actions``, so the live refresh brings them too) and each action reads the page again afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.ticket_actions import CustomerAction, Satisfaction
from opsportal.services import ticket_actions
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.tasks import InvalidTicket
from opsportal.services.ticket_actions import TicketPanel
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.task_incident import TaskWithIncident
from opsportal.state.task_sla import TaskWithSla

DONE = {
    CustomerAction.solve: "Marked as solved. Tell us how we did below.",
    CustomerAction.close: "Ticket closed.",
    CustomerAction.reopen: "Ticket reopened: the support team sees it in their queue again.",
}


@dataclass(frozen=True)
class TaskWithActions(TaskWithSla):
    actions: TicketPanel | None = None


def with_actions(actor: Actor, detail: TaskWithIncident) -> TaskWithActions:
    """The task as read for its page, with what the reader may do on it."""
    values = {f.name: getattr(detail, f.name) for f in fields(detail)}
    return TaskWithActions(**values, actions=ticket_actions.panel(actor, detail.row.id))


def reopen_note(panel: TicketPanel, time_zone: str) -> str:
    """Until when the reader may reopen a solved or closed ticket, or that a follow-up is the way now."""
    if panel.reopen_until is None:
        return ""
    until = formats.instant(panel.reopen_until, time_zone)
    if CustomerAction.reopen in panel.actions:
        return f"You can reopen it until {until}."
    if CustomerAction.follow_up in panel.actions:
        return f"It could be reopened until {until}; to continue, open a follow-up ticket."
    return ""


def people_fields(panel) -> dict:
    """Followers, candidates and follow-up links of a customer's or the staff's panel (the same ``ta_`` vars)."""
    return {
        "ta_followers": [{"id": str(f.person.id), "name": f.person.name, "email": f.person.email,
                          "removable": "yes" if f.removable else ""} for f in panel.followers],
        "ta_candidates": [{"id": str(p.id), "label": f"{p.name} ({p.email})"} for p in panel.candidates],
        "ta_follow_up_of": str(panel.follow_up_of or ""),
        "ta_follow_ups": [str(i) for i in panel.follow_ups],
    }


def rating_fields(rating, time_zone: str) -> dict[str, str]:
    return {} if rating is None else {
        "score": rating.score, "label": Satisfaction(rating.score).label, "comment": rating.comment,
        "by": rating.rated_by, "when": formats.instant(rating.rated_at, time_zone)}


def panel_fields(panel: TicketPanel | None, time_zone: str) -> dict:
    """The mixin's vars for ``panel`` (an empty panel when there is none)."""
    if panel is None:
        return {"ta_ready": False}
    return {
        "ta_ready": True,
        "ta_may_act": panel.may_act,
        "ta_can": [a.value for a in panel.actions],
        "ta_reopen_note": reopen_note(panel, time_zone),
        "ta_is_open": panel.status in {"open", "in_progress", "waiting_on_customer"},
        "ta_priority": panel.priority,
        "ta_priority_options": [{"value": p, "label": formats.label(p)} for p in panel.priority_options],
        "ta_may_change_priority": panel.may_change_priority,
        "ta_may_request_incident": panel.may_request_incident,
        **people_fields(panel),
        "ta_may_manage": panel.may_manage_followers,
        "ta_following": panel.following,
        "ta_rating": rating_fields(panel.rating, time_zone),
        "ta_may_rate": panel.may_rate,
        "ta_rating_editable": panel.rating_editable,
        "ta_window_days": panel.window_days,
    }


def _then_read(actor: Actor, work: Callable[[Actor], object], view) -> tuple[object, TaskWithActions]:
    from opsportal.state.task import read_view  # the page's own read (it imports this module)

    result = work(actor)
    return result, read_view(actor, view)


class TicketActionsMixin(rx.State, mixin=True):
    ta_ready: bool = False
    ta_may_act: bool = False
    ta_can: list[str] = []
    ta_reopen_note: str = ""
    ta_is_open: bool = True
    ta_priority: str = ""
    ta_priority_options: list[dict[str, str]] = []
    ta_may_change_priority: bool = False
    ta_may_request_incident: bool = False
    ta_followers: list[dict[str, str]] = []
    ta_candidates: list[dict[str, str]] = []
    ta_may_manage: bool = False
    ta_following: bool = False
    ta_follow_up_of: str = ""
    ta_follow_ups: list[str] = []
    ta_rating: dict[str, str] = {}
    ta_may_rate: bool = False
    ta_rating_editable: bool = False
    ta_window_days: int = 7
    ta_error: str = ""
    ta_notice: str = ""
    ta_follow_up_form: bool = False
    ta_follow_up_error: str = ""
    ta_rating_error: str = ""
    _ta_task_id: int = 0  # the task the messages above belong to

    def _apply_actions(self, detail) -> None:
        if detail.row.id != self._ta_task_id:  # another task: its page starts without the last one's messages
            self._ta_task_id = detail.row.id
            self.ta_error = self.ta_notice = self.ta_follow_up_error = self.ta_rating_error = ""
            self.ta_follow_up_form = False
        for name, value in panel_fields(getattr(detail, "actions", None), self._time_zone).items():
            setattr(self, name, value)

    async def _act(self, work: Callable[[Actor], object], notice: str = "", *, error_var: str = "ta_error"):
        """Runs ``work(actor)`` off the loop, then shows the page read again; a refusal is said in ``error_var``."""
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return None, redirect
        self.ta_error = self.ta_notice = self.ta_follow_up_error = self.ta_rating_error = ""
        self._time_zone = actor.time_zone
        try:
            result, detail = await offload.run(_then_read, actor, work, self._view)
        except InvalidTicket as exc:
            setattr(self, error_var, exc.problems.get("description", str(exc)))
            return None, None
        except ServiceError as exc:
            setattr(self, error_var, str(exc))
            return None, None
        self._apply(detail)
        self.ta_notice = notice
        return result, None

    @rx.event
    async def ta_change_status(self, action: str):
        try:
            chosen = CustomerAction(action)
        except ValueError:
            self.ta_error = "Unknown action."
            return
        task_id = self.task_id
        _result, redirect = await self._act(
            lambda actor: ticket_actions.change_status(actor, task_id, chosen), DONE.get(chosen, ""))
        return redirect

    @rx.event
    def ta_toggle_follow_up(self):
        self.ta_follow_up_form = not self.ta_follow_up_form
        self.ta_follow_up_error = ""

    @rx.event
    async def ta_open_follow_up(self, form: dict):
        task_id, text = self.task_id, str((form or {}).get("description", ""))[:20_000]
        new_id, redirect = await self._act(lambda actor: ticket_actions.open_follow_up(actor, task_id, text),
                                           error_var="ta_follow_up_error")
        if redirect is not None:
            return redirect
        if new_id is not None:
            self.ta_follow_up_form = False
            return rx.redirect(routes.task(new_id))

    @rx.event
    async def ta_set_priority(self, form: dict):
        task_id, value = self.task_id, str((form or {}).get("priority", ""))
        _result, redirect = await self._act(lambda actor: ticket_actions.change_priority(actor, task_id, value),
                                            f"Priority set to {formats.label(value)}.")
        return redirect

    @rx.event
    async def ta_add_follower(self, form: dict):
        raw = str((form or {}).get("user", ""))
        if not raw.isdigit() or len(raw) > 11:
            self.ta_notice, self.ta_error = "", "Choose a colleague to add."
            return
        task_id, user_id = self.task_id, int(raw)
        person, redirect = await self._act(lambda actor: ticket_actions.add_follower(actor, task_id, user_id))
        if person is not None:
            self.ta_notice = f"{person.name} now follows this ticket."
        return redirect

    @rx.event
    async def ta_follow(self):
        task_id = self.task_id
        _person, redirect = await self._act(
            lambda actor: ticket_actions.add_follower(actor, task_id, actor.user_id),
            "You follow this ticket: you hear of replies and status changes.")
        return redirect

    @rx.event
    async def ta_remove_follower(self, user_id: str):
        if not str(user_id).isdigit() or len(str(user_id)) > 11:
            return
        task_id, target = self.task_id, int(user_id)
        name = next((f["name"] for f in self.ta_followers if f["id"] == str(user_id)), "The colleague")
        _result, redirect = await self._act(lambda actor: ticket_actions.remove_follower(actor, task_id, target),
                                            f"{name} no longer follows this ticket.")
        return redirect

    @rx.event
    async def ta_rate(self, form: dict):
        task_id = self.task_id
        score, comment = str((form or {}).get("score", "")), str((form or {}).get("comment", ""))[:2_000]
        _view, redirect = await self._act(lambda actor: ticket_actions.rate(actor, task_id, score, comment),
                                          "Thank you: your rating was saved.", error_var="ta_rating_error")
        return redirect
