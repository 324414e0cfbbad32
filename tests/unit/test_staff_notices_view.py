"""How one notice delivery reads on the staff Notices page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from opsportal.domain.notifications import DeliveryState
from opsportal.services.deliveries import DeliveryRow
from opsportal.state.staff_notices import delivery_row

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def row(state: DeliveryState, attempts: int, *, organization: str = "Northwind Holdings") -> DeliveryRow:
    return DeliveryRow(1, "monthly_statement", "Monthly credit statement", "2026-10", "Your statement",
                       "olivia@northwind.example", "Olivia Hart", organization, state, attempts, "552 Mailbox full",
                       AT, AT, None)


def test_attempts_are_counted_in_words_singular_and_plural():
    assert delivery_row(row(DeliveryState.unconfirmed, 1))["attempts"] == "1 attempt"
    assert delivery_row(row(DeliveryState.gave_up, 8))["attempts"] == "8 attempts"


def test_a_delivery_shows_its_state_in_words_with_a_colour_and_when_it_was_last_tried():
    shown = delivery_row(row(DeliveryState.gave_up, 8))
    assert (shown["state_label"], shown["color"], shown["when"]) == ("Failed, gave up", "red", "2 Nov 2026, 09:00 UTC")


def test_a_delivery_is_dated_in_the_readers_zone_with_the_zone_named():
    assert delivery_row(row(DeliveryState.gave_up, 8), "America/New_York")["when"] == "2 Nov 2026, 04:00 EST"


@pytest.mark.parametrize(("kind", "key", "shown"), [
    ("monthly_statement", "2026-10", "October 2026"),
    ("weekly_expiry", "2026-W47", "Week of 16 Nov 2026"),
    ("overdue_reminder", "invoice-12-day-7", "7 days after the due date"),
    ("overdue_reminder", "invoice-12-day-1", "1 day after the due date"),
    ("low_balance", "below-2026-11-02T09:00:00.000000Z", "Below the threshold since 2 Nov 2026, 04:00 EST"),
])
def test_a_deliverys_period_is_shown_in_words_not_as_its_key(kind, key, shown):
    delivery = replace(row(DeliveryState.sent, 1), kind=kind, period_key=key)
    assert delivery_row(delivery, "America/New_York")["period"] == shown


def test_a_notice_to_staff_without_an_organization_shows_a_dash():
    assert delivery_row(row(DeliveryState.sent, 1, organization=""))["organization"] == "—"
