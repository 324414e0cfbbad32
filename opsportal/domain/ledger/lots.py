"""Credit lots: one grant of a product to an organization, and when a lot may be used."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum


class LotKind(StrEnum):
    purchased = "purchased"
    complimentary = "complimentary"


class Scope(StrEnum):
    # Usable by the holder and every descendant ("All organizations").
    shared = "shared"
    # Usable by one organization only: the holder, or the one it was allocated to.
    org = "org"


class Origin(StrEnum):
    hour_block = "hour_block"
    plan_period = "plan_period"
    complimentary_grant = "complimentary_grant"
    purchase = "purchase"
    adjustment = "adjustment"


def end_of_day(day: date) -> datetime:
    """The instant a lot expiring on ``day`` stops being usable: usable through that whole UTC day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def last_usable_day(expires_at: datetime) -> date:
    """The calendar day (UTC) shown as a lot's expiry date."""
    return (expires_at.astimezone(UTC) - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Lot:
    id: int
    product: str
    holder_org_id: int
    kind: LotKind
    quantity: int
    granted_at: datetime
    expires_at: datetime | None
    scope: Scope
    # For scope ``org``: the one organization that may use the lot (the holder by default).
    assigned_org_id: int | None
    # Not yet consumed or expired: free plus held.
    remaining: int
    # Reserved for open tickets ("in play").
    held: int = 0

    def __post_init__(self) -> None:
        # Rows store kind and scope as plain strings; the rules compare enum members, so a lot
        # built straight from a row must hold members (an "org" string would otherwise read as shared).
        object.__setattr__(self, "kind", LotKind(self.kind))
        object.__setattr__(self, "scope", Scope(self.scope))

    @property
    def free(self) -> int:
        return self.remaining - self.held

    def is_expired(self, at: datetime) -> bool:
        return self.expires_at is not None and at >= self.expires_at

    def is_live(self, at: datetime) -> bool:
        """Granted by ``at`` and not yet expired: only then may it be drawn."""
        return self.granted_at <= at and not self.is_expired(at)

    def usable_by(self) -> int | None:
        """The single organization an individually allocated lot serves, else None."""
        if self.scope is not Scope.org:
            return None
        return self.holder_org_id if self.assigned_org_id is None else self.assigned_org_id

    @property
    def owner_org_id(self) -> int:
        """Whose loss an expiry is: the one organization the lot serves, else its holder."""
        target = self.usable_by()
        return self.holder_org_id if target is None else target

    def with_balance(self, *, remaining: int | None = None, held: int | None = None) -> Lot:
        return replace(self, remaining=self.remaining if remaining is None else remaining,
                       held=self.held if held is None else held)
