"""How time entries, tasks and comments read on the customer's pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from opsportal.services.tasks import MAX_COMMENT_WINDOW, CommentPublic, TaskRow, TimeEntryPublic, TimeTotals
from opsportal.state import task_views


def _entry(prepaid: int, payg: int, amount: int = 0, *, currency: str = "USD", revisions: int = 0,
           billed: bool = False) -> TimeEntryPublic:
    return TimeEntryPublic(id=1, work_date=date(2026, 11, 20), agent="Alex Kim", minutes=prepaid + payg,
                           prepaid_minutes=prepaid, payg_minutes=payg, payg_amount_minor=amount, currency=currency,
                           after_hours=False, note="", billed=billed, paid_by="", revisions=revisions)


def test_time_covered_by_prepaid_hours_says_prepaid_hours_and_has_no_value():
    view = task_views.time_entry(_entry(90, 0))
    assert (view["time"], view["paid_by"], view["value"]) == ("1 h 30 min", "Prepaid hours", "—")


def test_time_no_prepaid_hours_covered_says_pay_as_you_go_with_its_value():
    view = task_views.time_entry(_entry(0, 30, 6000))
    assert (view["paid_by"], view["value"]) == ("Pay-as-you-go", "USD 60.00")


def test_time_split_between_prepaid_hours_and_pay_as_you_go_shows_the_split():
    view = task_views.time_entry(_entry(60, 30, 6000))
    assert view["paid_by"] == "Prepaid hours 1 h + pay-as-you-go 30 min"
    assert view["value"] == "USD 60.00"


def test_a_corrected_entry_is_marked_corrected_and_an_untouched_one_is_not():
    assert task_views.time_entry(_entry(10, 0, revisions=2))["corrected"] == "yes"
    assert task_views.time_entry(_entry(10, 0))["corrected"] == ""


def test_totals_add_time_and_value_per_currency():
    totals = task_views.time_totals(TimeTotals(minutes=115, prepaid_minutes=60, payg_minutes=55,
                                               payg_amount_by_currency=(("USD", 9000), ("EUR", 2000))))
    assert totals == {"time": "1 h 55 min", "prepaid": "1 h", "payg": "55 min",
                      "value": "EUR 20.00 + USD 90.00", "written_off": ""}


def test_totals_name_written_off_time_apart_from_prepaid_and_pay_as_you_go():
    totals = task_views.time_totals(TimeTotals(minutes=105, prepaid_minutes=60, payg_minutes=0,
                                               written_off_minutes=45))
    assert (totals["payg"], totals["written_off"]) == ("0 min", ", 45 min written off")


def test_totals_without_pay_as_you_go_time_have_no_value():
    assert task_views.time_totals(TimeTotals())["value"] == "—"


def test_the_earlier_messages_button_counts_the_comments_not_shown():
    assert task_views.earlier_label(60, 50) == "Show earlier messages (10 more)"
    assert task_views.earlier_label(1_250, 50) == "Show earlier messages (1,200 more)"


def test_there_is_no_earlier_messages_button_when_every_comment_is_shown():
    assert task_views.earlier_label(50, 50) == ""
    assert task_views.earlier_label(0, 0) == ""


def test_at_its_bound_the_window_offers_no_more_and_says_how_many_it_shows():
    assert task_views.earlier_label(MAX_COMMENT_WINDOW + 10, MAX_COMMENT_WINDOW) == ""
    assert task_views.window_note(510, 500) == "Showing the latest 500 of 510 messages."
    assert task_views.window_note(60, 50) == ""


def test_showing_earlier_messages_widens_the_window_by_fifty_up_to_its_bound():
    assert task_views.wider_window(50) == 100
    assert task_views.wider_window(MAX_COMMENT_WINDOW - 10) == MAX_COMMENT_WINDOW
    assert task_views.wider_window(MAX_COMMENT_WINDOW) == MAX_COMMENT_WINDOW
    assert task_views.wider_window(-1_000) == 1


def test_a_task_row_links_to_its_page_and_says_unassigned_without_an_agent():
    row = TaskRow(id=7, organization="Northwind", title="VPN down", status="waiting_on_customer",
                  status_label="Waiting on you", category="Networking", priority="high", agent=None,
                  minutes_logged=125, updated_at=datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    view = task_views.task_row(row)
    assert view["href"] == "/tasks/7"
    assert (view["agent"], view["priority"], view["time"]) == ("Unassigned", "High", "2 h 5 min")
    assert view["updated"] == "20 Nov 2026, 09:05 UTC"


def test_comments_from_the_support_team_and_from_the_customer_are_told_apart():
    at = datetime(2026, 11, 20, tzinfo=UTC)
    staff = task_views.comment(CommentPublic(id=1, author="Alex Kim", from_staff=True, body="Hi", created_at=at))
    customer = task_views.comment(CommentPublic(id=2, author="Olivia", from_staff=False, body="Hi", created_at=at))
    assert (staff["side"], staff["who"]) == ("support", "Support team")
    assert (customer["side"], customer["who"]) == ("customer", "Customer")


def test_a_task_and_its_comments_are_timed_in_the_readers_zone_with_the_zone_named():
    row = TaskRow(id=7, organization="Northwind", title="VPN down", status="in_progress", status_label="In progress",
                  category="Networking", priority="urgent", agent="Alex Kim", minutes_logged=0,
                  updated_at=datetime(2026, 12, 3, 14, 5, tzinfo=UTC))
    assert task_views.task_row(row, "America/New_York")["updated"] == "3 Dec 2026, 09:05 EST"
    assert task_views.task_row(row, "Europe/London")["updated"] == "3 Dec 2026, 14:05 GMT"
    said = CommentPublic(id=1, author="Alex Kim", from_staff=True, body="On it.",
                         created_at=datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    assert task_views.comment(said, "America/New_York")["when"] == "2 Dec 2026, 22:00 EST"


def test_a_time_entry_reads_its_work_day_as_a_calendar_day():
    assert task_views.time_entry(_entry(10, 0))["date"] == "20 Nov 2026"


def test_a_written_off_entry_reads_written_off_with_no_value():
    entry = TimeEntryPublic(id=1, work_date=date(2026, 11, 20), agent="Alex Kim", minutes=45, prepaid_minutes=0,
                            payg_minutes=0, payg_amount_minor=0, currency="USD", after_hours=False, note="",
                            billed=False, paid_by="Written off", revisions=0, written_off=True)
    view = task_views.time_entry(entry)
    assert (view["paid_by"], view["value"], view["time"]) == ("Written off", "—", "45 min")
