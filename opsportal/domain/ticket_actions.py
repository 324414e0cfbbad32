"""What customers may do to their own tickets, and the one-question satisfaction rating.

Who acts
    The people on a ticket act on it: the requester (who opened it), its followers (colleagues copied on it) and
    the organization's owners and administrators. Any other user of the organization (a member, a billing contact)
    reads the ticket and comments on it, and may follow it themselves (then they are on it). Staff use the staff
    console, not these rules.

Status (``status_change_problem``)
    - *Mark as solved*: an open ticket (open, in progress, waiting on the customer) becomes ``resolved``.
    - *Close*: an open or resolved ticket becomes ``closed``.
    - *Reopen*: a resolved or closed ticket becomes ``open`` again, but only within the reopen window
      (``OPSPORTAL_REOPEN_WINDOW_DAYS``, default 7 days) counted from the moment it left the open statuses
      (``closed_at``: when it was solved, or closed if it was closed without being solved first). Agents reopen
      a solved or closed ticket at any time from the staff console (``services.agent_work.set_status``).
    - *Open a follow-up ticket*: once a ticket is resolved or closed, a new ticket linked to it ("Follow-up of
      #M") continues the conversation; after the window it is the only way.

Priority (``priority_problem``)
    Customers choose low, normal or high. Urgent is the support team's triage call: a customer never raises a
    ticket to urgent (an emergency goes through the Emergency After-Hours request, which opens an urgent ticket),
    but may lower an urgent ticket. A resolved or closed ticket's priority never changes.

Followers (``follower_change_problem``)
    Only active users of the ticket's own organization follow it. The requester and the organization's owners and
    administrators add and remove anyone; every other user adds or removes only themselves. The requester is never
    a follower (they hear of everything already).

Satisfaction (``rating_problem``)
    Once a ticket is resolved or closed its requester (or, when it has no customer requester or the requester
    left, an owner or administrator) answers one question, "How satisfied are you with the support you
    received?": Good or Bad, as the best help desks ask it, with an optional comment. One rating per ticket, given
    at any time after it is solved and changeable within the reopen window. It is stored with the agent assigned
    at the time of rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from opsportal.domain.roles import ORG_MANAGER_ROLES, Role
from opsportal.domain.tasks import CLOSED_STATUSES, OPEN_STATUSES, Priority, TaskStatus

DEFAULT_REOPEN_WINDOW_DAYS = 7
RATING_QUESTION = "How satisfied are you with the support you received?"
RATING_COMMENT_MAX = 1000
CUSTOMER_PRIORITIES = (Priority.low, Priority.normal, Priority.high)
NOT_ON_TICKET = ("Only the person who opened this ticket, its followers and your organization's owners and "
                 "administrators can change it. Follow the ticket to be one of them.")


class CustomerAction(StrEnum):
    solve = "solve"
    close = "close"
    reopen = "reopen"
    follow_up = "follow_up"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    CustomerAction.solve: "Mark as solved",
    CustomerAction.close: "Close",
    CustomerAction.reopen: "Reopen",
    CustomerAction.follow_up: "Open a follow-up ticket",
}
TARGET_STATUS = {
    CustomerAction.solve: TaskStatus.resolved,
    CustomerAction.close: TaskStatus.closed,
    CustomerAction.reopen: TaskStatus.open,
}


class Satisfaction(StrEnum):
    good = "good"
    bad = "bad"

    @property
    def label(self) -> str:
        return "Good, I'm satisfied" if self is Satisfaction.good else "Bad, I'm unsatisfied"


def reopen_deadline(closed_at: datetime | None, window_days: int) -> datetime | None:
    """The last instant a solved or closed ticket may be reopened (None when it never left the open statuses)."""
    return None if closed_at is None else closed_at + timedelta(days=window_days)


def within_window(closed_at: datetime | None, now: datetime, window_days: int) -> bool:
    """Whether ``now`` is within ``window_days`` of ``closed_at`` (a ticket without ``closed_at`` is within)."""
    deadline = reopen_deadline(closed_at, window_days)
    return deadline is None or now <= deadline


def _days(window_days: int) -> str:
    return "1 day" if window_days == 1 else f"{window_days} days"


def reopen_problem(status: str, closed_at: datetime | None, now: datetime, window_days: int) -> str | None:
    """Why a ticket cannot be reopened now (None when it can): the rule customers and agents share."""
    current = TaskStatus(status)
    if current in OPEN_STATUSES:
        return "This ticket is already open."
    if not within_window(closed_at, now, window_days):
        return (f"This ticket was solved more than {_days(window_days)} ago and can no longer be reopened: "
                "open a follow-up ticket instead.")
    return None


def status_change_problem(action: CustomerAction | str, status: str, closed_at: datetime | None, now: datetime,
                          window_days: int) -> str | None:
    """Why a customer cannot take ``action`` on a ticket in ``status`` now (None when they can)."""
    try:
        action = CustomerAction(action)
    except ValueError:
        return "Unknown action."
    current = TaskStatus(status)
    if action is CustomerAction.solve:
        if current is TaskStatus.resolved:
            return "This ticket is already solved."
        if current is TaskStatus.closed:
            return "This ticket is closed."
        return None
    if action is CustomerAction.close:
        return "This ticket is already closed." if current is TaskStatus.closed else None
    if action is CustomerAction.reopen:
        return reopen_problem(status, closed_at, now, window_days)
    if current in OPEN_STATUSES:
        return "This ticket is still open: add a comment to it instead of opening a follow-up."
    return None


def offered_actions(status: str, closed_at: datetime | None, now: datetime, window_days: int) -> list[CustomerAction]:
    """The status buttons the task page shows: each allowed action, except a follow-up while reopening is still
    possible (one way to continue at a time)."""
    allowed = [a for a in CustomerAction if status_change_problem(a, status, closed_at, now, window_days) is None]
    if CustomerAction.reopen in allowed:
        allowed.remove(CustomerAction.follow_up)
    return allowed


def follow_up_subject(title: str, limit: int = 200) -> str:
    """The follow-up ticket's subject: ``Re: <old subject>`` (once, however many generations), within ``limit``."""
    base = " ".join((title or "").split())
    subject = base if base.lower().startswith("re: ") else f"Re: {base}"
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def priority_options(current: str) -> list[Priority]:
    """The priorities a customer may pick for a ticket now at ``current``: low/normal/high, and urgent only to
    keep it."""
    options = list(CUSTOMER_PRIORITIES)
    if current == Priority.urgent.value:
        options.append(Priority.urgent)
    return options


def priority_problem(status: str, current: str, new: str) -> str | None:
    """Why a customer cannot set the priority of a ticket in ``status`` from ``current`` to ``new``."""
    if new not in {p.value for p in Priority}:
        return "Choose a priority: low, normal or high."
    if TaskStatus(status) in CLOSED_STATUSES:
        return "The priority of a solved or closed ticket cannot change."
    if new == Priority.urgent.value and current != Priority.urgent.value:
        return ("Urgent is set by the support team. For an emergency outside business hours, request "
                "Emergency After-Hours support.")
    return None


def on_ticket(user_id: int, requester_id: int | None, follower_ids: Iterable[int]) -> bool:
    return user_id == requester_id or user_id in set(follower_ids)


def may_act(role: Role, user_id: int, requester_id: int | None, follower_ids: Iterable[int]) -> bool:
    """Whether a customer user may change a ticket's status or priority (see the module's "Who acts")."""
    return not role.is_staff and (role in ORG_MANAGER_ROLES or on_ticket(user_id, requester_id, follower_ids))


def may_manage_followers(role: Role, user_id: int, requester_id: int | None) -> bool:
    """Whether a customer user may add or remove any colleague (not only themselves)."""
    return not role.is_staff and (role in ORG_MANAGER_ROLES or user_id == requester_id)


def follower_change_problem(role: Role, actor_id: int, requester_id: int | None, target_id: int) -> str | None:
    """Why ``actor_id`` may not add or remove ``target_id`` as a follower (membership is the service's check)."""
    if target_id == requester_id:
        return "The person who opened the ticket already hears of everything on it."
    if target_id != actor_id and not may_manage_followers(role, actor_id, requester_id):
        return ("Only the person who opened this ticket and your organization's owners and administrators can add "
                "or remove other people; you can follow or unfollow it yourself.")
    return None


def may_rate(role: Role, user_id: int, requester_id: int | None, requester_active: bool) -> bool:
    """The requester rates; an owner or administrator when the requester is no customer of the organization now."""
    if role.is_staff:
        return False
    if requester_id is not None and requester_active:
        return user_id == requester_id
    return role in ORG_MANAGER_ROLES


def rating_problem(score: str, comment: str, status: str, closed_at: datetime | None, now: datetime,
                   window_days: int, *, already_rated: bool) -> str | None:
    """Why a rating cannot be given (or changed) now; None when it can."""
    if TaskStatus(status) in OPEN_STATUSES:
        return "You can rate the support once the ticket is solved."
    if score not in {s.value for s in Satisfaction}:
        return "Choose Good or Bad."
    if len((comment or "").strip()) > RATING_COMMENT_MAX:
        return f"Keep the comment under {RATING_COMMENT_MAX:,} characters."
    if already_rated and not within_window(closed_at, now, window_days):
        return f"A rating can be changed within {_days(window_days)} of the ticket being solved."
    return None


def satisfied_bp(good: int, total: int) -> int:
    """The share of good ratings in basis points, rounded half up (0 when there are none)."""
    if total <= 0:
        return 0
    return (good * 20_000 + total) // (2 * total)
