"""What happens on a ticket that the people on it hear about: who hears (the requester and the followers, never
the one who did it) and how each kind of update reads in a notification list or an e-mail subject."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

TEXT_MAX = 500


class UpdateKind(StrEnum):
    reply = "reply"  # an agent answered on the ticket
    status = "status"  # the ticket's status changed
    dispute_answer = "dispute_answer"  # staff answered a disputed time entry of the ticket
    time_corrected = "time_corrected"  # staff corrected an approved time entry: it awaits review again

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    UpdateKind.reply: "New reply",
    UpdateKind.status: "Status changed",
    UpdateKind.dispute_answer: "Dispute answered",
    UpdateKind.time_corrected: "Time corrected",
}


def audience(requester_id: int | None, follower_ids: Iterable[int], actor_id: int | None) -> list[int]:
    """The users told of an update: the requester, then followers in the order given, each once, never the actor."""
    seen: list[int] = []
    for user_id in (requester_id, *follower_ids):
        if user_id and user_id != actor_id and user_id not in seen:
            seen.append(user_id)
    return seen


def excerpt(text: str, limit: int = TEXT_MAX) -> str:
    """One line of at most ``limit`` characters of ``text`` (whitespace collapsed, an ellipsis when cut)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
