"""A task's service levels on its page (customer and staff): first response and resolution, where they stand.

``with_sla`` adds ``sla.task_sla`` to what the page reads, so the live refresh shows "Responded in …" as soon as
an agent replies. Between reads the words follow the clock: the page keeps each running target's
``domain.sla_live.LiveTarget`` (``live_targets``) and its minute tick rewords them (``ticked``), asking nothing of
the database ("… overdue by 1 h 5 min" becomes "… 1 h 6 min" a minute later, in business time as the server counts).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from opsportal import clock
from opsportal.domain.sla_live import LiveTarget, words
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


TICK_SECONDS = 30.0  # the words are right within half a minute of the minute they change


def _worded(prefix: str, text: str, tone: str) -> dict[str, str]:
    badge, color = BADGES.get(tone, ("", "gray"))
    return {prefix: text, f"{prefix}_badge": badge, f"{prefix}_color": color}


def _line(prefix: str, line: SlaLine | None) -> dict[str, str]:
    return {} if line is None else _worded(prefix, line.text, line.tone)


def live_targets(detail: TaskDetail) -> dict[str, LiveTarget]:
    """The running targets of what the page read, by line ("first", "resolution")."""
    view = getattr(detail, "sla", None)
    if view is None:
        return {}
    lines = {"first": view.first_response, "resolution": view.resolution}
    return {key: line.live for key, line in lines.items() if line is not None and line.live is not None}


def ticked(fields: dict[str, str], targets: dict[str, LiveTarget], now: datetime) -> dict[str, str]:
    """``fields`` with each running line reworded for ``now`` (unchanged past a target's horizon)."""
    out = dict(fields)
    for key, target in targets.items():
        said = words(target, now)
        if said is not None and key in out:
            out.update(_worded(key, *said))
    return out


def now_for_tick(_actor: Actor, _value) -> datetime:
    """The tick's read: only the time (the words are worked out from what the page holds)."""
    return clock.now()


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
