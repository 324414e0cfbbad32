"""The support team's view of notice deliveries, and settling the ones a person must decide about
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.notifications import MAX_ATTEMPTS, DeliveryState
from opsportal.models import NotificationDelivery
from opsportal.services import deliveries
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.utils.db import row_counts

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def delivery(world, who: str, *, status: str, attempts: int = 1, minutes_ago: int = 60,
             kind: str = "monthly_statement", period: str = "2026-10", error: str = "") -> int:
    user = world.users[who]
    with unit_of_work() as session:
        row = NotificationDelivery(user_id=user.id, organization_id=user.organization_id, kind=kind,
                                   period_key=period, status=status, attempts=attempts, last_error=error,
                                   to_address=user.email, subject=f"Statement for {user.email}",
                                   created_at=NOW - timedelta(days=1),
                                   last_attempt_at=NOW - timedelta(minutes=minutes_ago),
                                   sent_at=NOW - timedelta(minutes=minutes_ago) if status == "sent" else None)
        session.add(row)
        session.flush()
        return row.id


def stored(delivery_id: int) -> NotificationDelivery:
    with unit_of_work(write=False) as session:
        return session.exec(select(NotificationDelivery).where(NotificationDelivery.id == delivery_id)).one()


@pytest.fixture
def mixed(world) -> dict[str, int]:
    return {
        "sent": delivery(world, "holdings_owner", status="sent"),
        "retrying": delivery(world, "holdings_billing", status="failed", attempts=2, error="Connection refused",
                             minutes_ago=30),
        "gave_up": delivery(world, "retail_owner", status="failed", attempts=MAX_ATTEMPTS, error="550 No such user",
                            minutes_ago=10),
        "unconfirmed": delivery(world, "fabrikam_owner", status="sending", minutes_ago=120),
        "sending": delivery(world, "logistics_owner", status="sending", minutes_ago=1),
    }


def test_staff_see_the_notices_needing_attention_latest_attempt_first_with_counts(world, mixed):
    found = deliveries.list_deliveries(world.actor("agent"), now=NOW)
    assert [(r.id, r.state) for r in found.page.items] == [
        (mixed["gave_up"], DeliveryState.gave_up), (mixed["retrying"], DeliveryState.retrying),
        (mixed["unconfirmed"], DeliveryState.unconfirmed)]
    assert (found.retrying, found.gave_up, found.unconfirmed, found.needing_attention) == (1, 1, 1, 3)
    gave_up = found.page.items[0]
    assert (gave_up.notice, gave_up.organization, gave_up.user_name, gave_up.last_error) == (
        "Monthly credit statement", "Northwind Retail", "Rita Alvarez", "550 No such user")


def test_all_notices_include_the_sent_and_the_one_being_sent_now(world, mixed):
    found = deliveries.list_deliveries(world.actor("staff_admin"), show="all", now=NOW)
    assert found.page.total == 5
    assert {r.state for r in found.page.items} == set(DeliveryState) - {DeliveryState.pending}


def test_customers_cannot_see_deliveries(world, mixed):
    for who in ("holdings_owner", "holdings_admin", "fabrikam_owner"):
        with pytest.raises(PermissionDenied):
            deliveries.list_deliveries(world.actor(who), now=NOW)


def test_an_unknown_filter_is_refused_with_a_message(world):
    with pytest.raises(InvalidInput, match="needing attention or all"):
        deliveries.list_deliveries(world.actor("agent"), show="everything", now=NOW)


def test_a_staff_administrator_lets_a_given_up_notice_be_tried_again(world, mixed):
    deliveries.allow_retry(world.actor("staff_admin"), mixed["gave_up"], now=NOW)
    row = stored(mixed["gave_up"])
    assert (row.status, row.attempts, row.last_error) == ("failed", 0, "550 No such user")
    assert deliveries.list_deliveries(world.actor("agent"), now=NOW).gave_up == 0


def test_an_unconfirmed_notice_settled_as_sent_is_never_sent_again(world, mixed):
    deliveries.mark_unconfirmed(world.actor("staff_admin"), mixed["unconfirmed"], was_sent=True, now=NOW)
    row = stored(mixed["unconfirmed"])
    assert (row.status, row.sent_at, row.last_error) == ("sent", NOW, "Marked as sent by Sam Taylor")


def test_an_unconfirmed_notice_settled_as_not_sent_is_retried_by_the_next_run(world, mixed):
    deliveries.mark_unconfirmed(world.actor("staff_admin"), mixed["unconfirmed"], was_sent=False, now=NOW)
    row = stored(mixed["unconfirmed"])
    assert (row.status, row.attempts) == ("failed", 1)
    assert deliveries.list_deliveries(world.actor("agent"), now=NOW).retrying == 2


@pytest.mark.parametrize("which", ["sent", "retrying", "sending", "unconfirmed"])
def test_only_a_given_up_notice_can_be_allowed_another_try(world, mixed, which):
    before = row_counts(), stored(mixed[which]).model_dump()
    with pytest.raises(Conflict, match="gave up on"):
        deliveries.allow_retry(world.actor("staff_admin"), mixed[which], now=NOW)
    assert (row_counts(), stored(mixed[which]).model_dump()) == before


@pytest.mark.parametrize("which", ["sent", "retrying", "gave_up", "sending"])
def test_only_an_unconfirmed_notice_can_be_settled(world, mixed, which):
    before = stored(mixed[which]).model_dump()
    with pytest.raises(Conflict, match="Only an unconfirmed notice"):
        deliveries.mark_unconfirmed(world.actor("staff_admin"), mixed[which], was_sent=True, now=NOW)
    assert stored(mixed[which]).model_dump() == before


def test_agents_and_customers_cannot_change_deliveries(world, mixed):
    for who in ("agent", "holdings_owner", "retail_owner"):
        with pytest.raises(PermissionDenied):
            deliveries.allow_retry(world.actor(who), mixed["gave_up"], now=NOW)
        with pytest.raises(PermissionDenied):
            deliveries.mark_unconfirmed(world.actor(who), mixed["unconfirmed"], was_sent=True, now=NOW)
    assert stored(mixed["gave_up"]).attempts == MAX_ATTEMPTS
    assert stored(mixed["unconfirmed"]).status == "sending"


def test_an_unknown_delivery_is_not_found(world):
    with pytest.raises(NotFound):
        deliveries.allow_retry(world.actor("staff_admin"), 999_999, now=NOW)
