"""A task's service levels on its page (customer and staff): first response and resolution, where they stand.

``with_sla`` adds ``sla.task_sla`` to what the page reads, so the live refresh shows "Responded in …" as soon as
an agent replies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from opsportal.services import sla
from opsportal.services.authz import Actor
from opsportal.services.sla import SlaLine, SlaView
from opsportal.services.tasks import TaskDetail
from opsportal.state.task_incident import TaskWithIncident

# What each standing is called next to its sentence (the words carry it, the colour only repeats them).
BADGES = {"due": ("On track", "gray"), "near": ("Due soon", "amber"), "breached": ("Breached", "red"),
          "paused": ("Paused", "gray"), "met": ("Met", "green"), "missed": ("Missed", "red")}


@dataclass(frozen=True)
class TaskWithSla(TaskWithIncident):
    sla: SlaView | None = None


def with_sla(actor: Actor, detail: TaskDetail) -> TaskWithSla:
    values = {f.name: getattr(detail, f.name) for f in fields(detail)}
    return TaskWithSla(**values, sla=sla.task_sla(actor, detail.row.id))


def _line(prefix: str, line: SlaLine | None) -> dict[str, str]:
    if line is None:
        return {}
    badge, color = BADGES.get(line.tone, ("", "gray"))
    return {prefix: line.text, f"{prefix}_badge": badge, f"{prefix}_color": color}


def staff_sla_fields(actor: Actor, ticket_id: int) -> dict[str, str]:
    """The box's fields for the staff task page (read on its own: that page has no live refresh to join)."""
    return _fields(sla.task_sla(actor, ticket_id))


def sla_fields(detail: TaskDetail) -> dict[str, str]:
    """The service-level box's fields; {} when the page read no service levels."""
    view = getattr(detail, "sla", None)
    return _fields(view) if view is not None else {}


def _fields(view: SlaView) -> dict[str, str]:
    return {"policy": view.policy, "targets": "yes" if view.has_targets else "",
            **_line("first", view.first_response), **_line("resolution", view.resolution)}
