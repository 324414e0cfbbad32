"""How the staff console writes times, statuses, durations and money: through domain.formats, instants in the
staff member's zone with the zone named."""

from __future__ import annotations

from datetime import UTC, date, datetime

from opsportal.domain.formats import period
from opsportal.domain.tasks import TaskStatus
from opsportal.services.tasks import TimeEntryPublic
from opsportal.state.staff_invoice import paid_instant
from opsportal.state.staff_queue import staff_label, status_options
from opsportal.state.staff_task import _entry

EVENING = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)  # 4 Dec, 04:00 in Hong Kong; 3 Dec, 15:00 in New York


def test_staff_read_waiting_on_customer_where_customers_read_waiting_on_you_and_no_status_is_a_code():
    assert staff_label("waiting_on_customer") == "Waiting on customer"
    assert staff_label("in_progress") == "In progress"
    labels = [o["label"] for o in status_options("all")]
    assert len(labels) == len(TaskStatus)
    assert all("_" not in label and label[:1].isupper() for label in labels)


def test_a_time_entry_reads_durations_as_hours_and_minutes_and_its_value_as_money():
    entry = TimeEntryPublic(7, date(2026, 12, 3), "Alex Kim", 90, 60, 30, 6000, "USD", False, "", False,
                            "Prepaid hours + pay-as-you-go", 0)
    shown = _entry(entry)
    assert (shown["date"], shown["time"], shown["split"], shown["payg_value"]) == (
        "3 Dec 2026", "1 h 30 min", "prepaid 1 h · pay-as-you-go 30 min", "USD 60.00")
    assert (shown["iso_date"], shown["hours"]) == ("2026-12-03", "1:30")  # what the correction form's fields hold


def test_a_bank_transfer_received_today_is_recorded_now_and_an_earlier_day_at_noon_of_the_staff_members_day():
    assert paid_instant(date(2026, 12, 4), EVENING, "Asia/Hong_Kong") == EVENING  # already the 4th there
    assert paid_instant(date(2026, 12, 3), EVENING, "America/New_York") == EVENING
    assert paid_instant(date(2026, 12, 1), EVENING, "America/New_York") == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert paid_instant(date(2026, 12, 1), EVENING, None) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_billing_period_is_shown_as_its_month_not_its_key():
    assert period("2026-10") == "October 2026"
    assert period(None) == "—"
