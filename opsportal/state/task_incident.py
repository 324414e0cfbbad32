"""A customer task raised by a pay-per-incident request: its status on the task page.

``read_task`` is ``tasks.get_task`` plus the incident behind the task (``incidents.incident_of_ticket``), so the
task page's live refresh shows "Scheduled" as soon as the invoice is paid.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.incidents import IncidentStatus
from opsportal.services import attachments, incidents, tasks
from opsportal.services.attachments import AttachmentPublic
from opsportal.services.authz import Actor
from opsportal.services.incidents import IncidentRow
from opsportal.services.tasks import TaskDetail


@dataclass(frozen=True)
class TaskWithIncident(TaskDetail):
    incident: IncidentRow | None = None
    files: tuple[AttachmentPublic, ...] = ()  # the ticket's own files and the shown comments'


def read_task(actor: Actor, task_id: int, **window: int) -> TaskWithIncident:
    """``window``: ``comments`` and ``entry_page`` as ``tasks.get_task`` takes them."""
    detail = tasks.get_task(actor, task_id, **window)
    values = {f.name: getattr(detail, f.name) for f in fields(detail)}
    files = attachments.ticket_files(actor, task_id, [c.id for c in detail.comments])
    return TaskWithIncident(**values, incident=incidents.incident_of_ticket(actor, task_id), files=tuple(files))


def incident_fields(detail: TaskDetail, time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    """What the customer's task page shows of the incident request; {} for an ordinary task."""
    return incident_view(getattr(detail, "incident", None), time_zone=time_zone)


def incident_view(row: IncidentRow | None, *, staff: bool = False,
                  time_zone: str = formats.DEFAULT_TIME_ZONE) -> dict[str, str]:
    """The incident box's fields; for staff the invoice opens in the staff console and there is no pay link,
    and an unpaid request reminds the agent that work starts once it is paid."""
    if row is None:
        return {}
    window = incidents.window_text(row.window_start, row.window_end, time_zone=time_zone)
    if row.status == IncidentStatus.awaiting_payment:
        invoice = f"invoice {row.invoice_number} ({row.total})"
        text = (f"Awaiting payment of {invoice}: work starts once it is paid." if staff
                else f"Awaiting payment — pay {invoice} to have it scheduled.")
        color = "amber"
    elif row.status == IncidentStatus.scheduled:
        text = f"Scheduled for {window}."
        color = "green"
    else:
        text = f"Cancelled: invoice {row.invoice_number} was voided before it was paid."
        color = "gray"
    return {"kind": row.kind_label, "status": row.status_label, "text": text, "color": color,
            "units": f"{row.expected_units} × {row.unit}", "invoice": row.invoice_number,
            "invoice_href": routes.staff_invoice(row.invoice_id) if staff else routes.invoice(row.invoice_id),
            "pay": "yes" if row.status == IncidentStatus.awaiting_payment and not staff else ""}
