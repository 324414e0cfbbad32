"""Background jobs' rules: keys, progress, when a running job counts as dead, and what the refusal says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsportal.domain import jobs as rules

AT = datetime(2026, 11, 3, 10, 2, tzinfo=UTC)
KEY = "billing:2026-10"


def test_a_billing_run_is_keyed_by_its_month_so_one_run_of_a_month_runs_at_a_time():
    assert rules.billing_key("2026-10") == KEY
    assert rules.billing_key(" 2026-10 ") == KEY
    with pytest.raises(ValueError):
        rules.billing_key("October")


@pytest.mark.parametrize(("done", "total", "percent"), [
    (0, 0, 0), (5, 0, 0), (0, 2_400, 0), (1_234, 2_400, 51), (2_399, 2_400, 99), (2_400, 2_400, 100),
    (3_000, 2_400, 100)])
def test_progress_is_a_whole_percent_rounded_down_and_reaches_100_only_when_everything_is_done(done, total, percent):
    assert rules.percent_done(done, total) == percent


def test_the_progress_line_names_the_month_and_counts_organizations_with_thousands_separated():
    assert rules.progress_text("billing", KEY, 1_234, 2_400) == "Billing October 2026: 1,234 of 2,400 organizations"
    assert rules.progress_text("billing", KEY, 0, 0) == "Billing October 2026: starting"


def test_a_running_job_is_dead_once_its_heartbeat_is_ten_minutes_old_and_alive_before():
    assert not rules.is_stale(AT, AT + timedelta(minutes=9, seconds=59))
    assert rules.is_stale(AT, AT + rules.STALE_AFTER)
    assert rules.is_stale(AT, AT + timedelta(hours=3))
    assert not rules.is_stale(AT, AT + timedelta(minutes=2), stale_after=timedelta(minutes=5))


def test_a_second_start_is_refused_saying_who_started_the_run_when_and_how_far_it_is():
    text = rules.already_running("billing", KEY, "Sam Taylor", AT, 960, 2_400, AT + timedelta(minutes=3))
    assert text == ("A billing run for October 2026 is already running, started by Sam Taylor at 10:02 UTC; "
                    "it is 40% done.")


def test_the_refusal_dates_a_run_started_on_another_day_and_says_when_it_is_still_counting():
    text = rules.already_running("billing", KEY, "Operator", AT, 0, 0, AT + timedelta(days=1))
    assert text == ("A billing run for October 2026 is already running, started by Operator at 3 Nov 2026, 10:02 UTC; "
                    "it is just starting.")


def test_the_refusal_gives_the_start_in_the_askers_zone_with_the_zone_named():
    text = rules.already_running("billing", KEY, "Sam Taylor", AT, 960, 2_400, AT + timedelta(minutes=3),
                                 "America/New_York")
    assert "started by Sam Taylor at 05:02 EST;" in text
    late = rules.already_running("billing", KEY, "Sam Taylor", AT, 960, 2_400, AT + timedelta(hours=20),
                                 "Asia/Hong_Kong")  # 18:02 on the 3rd there, asked on the 4th
    assert "started by Sam Taylor at 3 Nov 2026, 18:02 GMT+08:00;" in late


def test_a_replaced_dead_job_says_when_it_was_last_heard_from():
    assert rules.stale_summary(AT) == ("Stopped answering (last heartbeat 10:02 UTC, nothing for 10 minutes); "
                                       "considered dead and replaced by a new run.")


def test_a_long_result_is_clipped_with_an_ellipsis_and_a_short_one_kept():
    assert rules.clip("Billed 2026-10: 2 invoice(s).") == "Billed 2026-10: 2 invoice(s)."
    long = rules.clip("x" * 5_000, 100)
    assert len(long) == 100 and long.endswith("…")


def test_the_throttle_lets_one_update_through_per_interval_and_always_a_forced_one():
    throttle = rules.Throttle(timedelta(milliseconds=250))
    assert throttle.due(AT)
    assert not throttle.due(AT + timedelta(milliseconds=100))
    assert throttle.due(AT + timedelta(milliseconds=120), force=True)
    assert not throttle.due(AT + timedelta(milliseconds=300))
    assert throttle.due(AT + timedelta(milliseconds=370))


def test_a_billing_jobs_key_names_its_month():
    assert rules.billing_period_of(rules.billing_key("2026-10")) == "2026-10"


def test_a_key_of_another_kind_names_no_billing_month():
    with pytest.raises(ValueError, match="not a billing job key"):
        rules.billing_period_of("reminders:2026-10")
