"""The services catalog (seed 000): services priced in service credits, and what becomes of a request.

A request opens a task in the service's category with the price held for it ("in play"). The task's fate decides
the credits: a task that completes (solved or closed, by staff or the customer) uses them; a cancelled request
releases them. The support team may cancel while the task is open; the customer only until work has started
(``customer_cancel_problem``). Nothing else moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opsportal.domain.roles import ORG_MANAGER_ROLES, Role
from opsportal.domain.tasks import CATEGORIES, TaskStatus

PRODUCT = "service_credits"
NAME_MAX = 80
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 1_000
NOTE_MAX = 2_000
MAX_PRICE = 10_000
MAX_SERVICES = 60


@dataclass(frozen=True)
class ServiceTerms:
    name: str
    description: str
    category: str
    price_credits: int


def clean_text(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return " ".join((text or "").split())


def service_problems(terms: ServiceTerms) -> dict[str, str]:
    """Field -> what is wrong with it (empty when the service may be offered)."""
    problems = {}
    name = clean_text(terms.name)
    if not 1 <= len(name) <= NAME_MAX:
        problems["name"] = f"Give the service a name of 1 to {NAME_MAX} characters."
    description = (terms.description or "").strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        problems["description"] = (f"Describe the service in {DESCRIPTION_MIN} to {DESCRIPTION_MAX:,} "
                                   "characters.")
    if terms.category not in CATEGORIES:
        problems["category"] = "Choose one of the task categories."
    price = terms.price_credits
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        problems["price"] = f"The price is a whole number of credits from 1 to {MAX_PRICE:,}."
    return problems


def may_request_service(role: Role) -> bool:
    """Spending the organization's service credits: its owners and administrators (who also allocate them)."""
    return role in ORG_MANAGER_ROLES


def shortfall(available: int, price: int) -> int:
    """Credits missing to pay ``price`` from ``available`` (0 when it is enough)."""
    return max(0, price - max(0, available))


class RequestState(StrEnum):
    in_play = "in_play"
    used = "used"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {"in_play": "In play", "used": "Used", "cancelled": "Cancelled"}[self.value]


def request_state(*, task_open: bool, cancelled: bool) -> RequestState:
    """A cancelled request released its credits; otherwise they are in play while the task is open, then used."""
    if cancelled:
        return RequestState.cancelled
    return RequestState.in_play if task_open else RequestState.used


def cancel_problem(*, task_open: bool, cancelled: bool) -> str | None:
    """Why a request cannot be cancelled: only while its credits are still in play."""
    if cancelled:
        return "This request is already cancelled."
    if not task_open:
        return "The task is already closed: its credits are used and cannot be released."
    return None


def work_started(status: TaskStatus, minutes_logged: int) -> bool:
    """The support team has begun on a request's task: it left "Open" (in progress, waiting on the customer, done)
    or time is logged on it."""
    return status is not TaskStatus.open or minutes_logged > 0


WORK_STARTED = ("The support team has started on this request (the task is under way or has time logged), so it "
                "can no longer be cancelled here; write on the task to ask them.")


def customer_cancel_problem(*, status: TaskStatus, cancelled: bool, minutes_logged: int) -> str | None:
    """Why the customer cannot cancel their own request: only while its credits are in play and no work started."""
    problem = cancel_problem(task_open=status.is_open, cancelled=cancelled)
    if problem:
        return problem
    return WORK_STARTED if work_started(status, minutes_logged) else None


def request_subject(service_name: str) -> str:
    return f"Service request: {clean_text(service_name)}"


def request_description(service_description: str, note: str, price_text: str) -> str:
    """The task's description: what was asked for, what it costs, and the customer's own words if any."""
    parts = [f"Requested from the services catalog for {price_text}, held until the task is done.",
             service_description.strip()]
    if note.strip():
        parts.append("Notes from the customer:\n" + note.strip())
    return "\n\n".join(parts)
