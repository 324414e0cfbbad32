"""Service-level words on an open page follow the clock (domain.sla_live): at every later minute they are exactly
what services.sla would say then, counted in the same business hours, without reading the ticket again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain import formats
from opsportal.domain.regions import DEFAULT_REGIONS as REGIONS
from opsportal.domain.sla import ClockMode, SlaClock, Standing, business_minutes_between
from opsportal.domain.sla_live import HORIZON, capture, words

EMEA = SlaClock(ClockMode.business, ("EMEA",))
ALWAYS = SlaClock(ClockMode.always, ("EMEA",))
READ = datetime(2025, 4, 17, 15, 37, 12, 345678, tzinfo=UTC)  # Thursday before Easter, 16:37 BST


def _server(clock, due: datetime, now: datetime, what: str, style: str) -> tuple[str, str]:
    """What services.sla words at ``now`` (mark_of for "in", view_of's running line for "by")."""
    if due <= now:
        return f"{what} overdue by {formats.duration(business_minutes_between(clock, REGIONS, due, now))}", "breached"
    left = business_minutes_between(clock, REGIONS, now, due)
    tone = Standing.near.value if left < 60 else Standing.due.value
    return (f"{what} due in {formats.duration(left)}" if style == "in" else "due words"), tone


def test_an_overdue_response_keeps_counting_only_business_minutes_over_the_long_weekend():
    due = READ - timedelta(minutes=50)
    target = capture(EMEA, REGIONS, what="Response", style="in", due=due, since=READ)
    assert words(target, READ + timedelta(minutes=10))[0] == "Response overdue by 1 h"
    # Good Friday to Easter Monday are closed: the count resumes on Tuesday morning.
    tuesday = datetime(2025, 4, 22, 7, 5, tzinfo=UTC)
    assert words(target, tuesday) == _server(EMEA, due, tuesday, "Response", "in")


def test_a_due_target_turns_overdue_at_its_instant_and_the_by_style_keeps_its_instant_until_then():
    due = READ + timedelta(minutes=20)
    target = capture(ALWAYS, REGIONS, what="Resolution", style="by", due=due, since=READ,
                     due_words="Resolution due by Thu 17 Apr, 16:57 BST")
    assert words(target, READ + timedelta(minutes=5)) == ("Resolution due by Thu 17 Apr, 16:57 BST", "near")
    assert words(target, due) == ("Resolution overdue by 0 min", "breached")
    assert words(target, due + timedelta(minutes=61)) == ("Resolution overdue by 1 h 1 min", "breached")


def test_past_the_horizon_the_words_ask_for_a_fresh_read():
    target = capture(EMEA, REGIONS, what="Response", style="in", due=READ, since=READ)
    assert words(target, READ + HORIZON) is None


@settings(max_examples=60, deadline=None)
@given(due_offset=st.integers(-60 * 24 * 20, 60 * 24 * 20), later=st.integers(0, 60 * 24 * 7 - 1),
       seconds=st.integers(0, 59), always=st.booleans())
def test_the_words_at_any_later_minute_are_what_the_server_would_say_then(due_offset, later, seconds, always):
    clock = ALWAYS if always else EMEA
    due = READ + timedelta(minutes=due_offset, seconds=seconds)
    now = READ + timedelta(minutes=later, seconds=seconds)
    target = capture(clock, REGIONS, what="Response", style="in", due=due, since=READ)
    assert words(target, now) == _server(clock, due, now, "Response", "in")
