"""The task page's and the staff queue's service-level words are reworded by the minute tick from what the page
holds (state.task_sla.ticked, state.staff_queue.reworded), badges following the words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opsportal.domain.regions import DEFAULT_REGIONS
from opsportal.domain.sla import ClockMode, SlaClock
from opsportal.domain.sla_live import capture
from opsportal.state.staff_queue import reworded
from opsportal.state.task_sla import ticked

ALWAYS = SlaClock(ClockMode.always, ("EMEA",))
READ = datetime(2025, 3, 12, 10, tzinfo=UTC)


def test_the_task_pages_resolution_line_turns_overdue_with_its_badge_while_the_page_is_open():
    due = READ + timedelta(minutes=30)
    target = capture(ALWAYS, DEFAULT_REGIONS, what="Resolution", style="by", due=due, since=READ,
                     due_words="Resolution due by Wed 12 Mar, 10:30 GMT")
    fields = {"policy": "…", "resolution": "Resolution due by Wed 12 Mar, 10:30 GMT", "resolution_badge": "Due soon",
              "resolution_color": "amber", "first": "Responded in 5 min", "first_badge": "Met", "first_color": "green"}

    later = ticked(fields, {"resolution": target}, due + timedelta(minutes=75))

    assert (later["resolution"], later["resolution_badge"], later["resolution_color"]) == (
        "Resolution overdue by 1 h 15 min", "Breached", "red")
    assert later["first"] == "Responded in 5 min"


def test_the_queue_counts_down_and_rows_without_a_running_target_stay_as_they_were():
    due = READ + timedelta(minutes=90)
    target = capture(ALWAYS, DEFAULT_REGIONS, what="Response", style="in", due=due, since=READ)
    rows = [{"id": "7", "sla": "Response due in 1 h 30 min", "sla_tone": "due", "sla_badge": "", "sla_color": "gray"},
            {"id": "8", "sla": "No SLA", "sla_tone": "", "sla_badge": "", "sla_color": "gray"}]

    later = reworded(rows, {"7": target}, READ + timedelta(minutes=31, seconds=5))

    assert later[0] == {"id": "7", "sla": "Response due in 58 min", "sla_tone": "near", "sla_badge": "Due soon",
                             "sla_color": "amber"}
    assert later[1] == rows[1]
