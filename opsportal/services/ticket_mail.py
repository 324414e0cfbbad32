"""E-mail about ticket updates to the people on a ticket (see ticket_updates)."""

from __future__ import annotations

from sqlmodel import Session

from opsportal.models import User


def enqueue(session: Session, update, users: list[User]) -> None:
    """Queues one e-mail per subscribed user for ``update``, in the caller's transaction (built in issue 15's
    e-mail conversation work)."""
    return None
