"""The support line's words on an open page follow the clock without reading the database: what the page captured
at its read says, at any later instant within the horizon, exactly what a fresh read would say then."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain import phone_live
from opsportal.domain.incidents import ScheduledWindow
from opsportal.domain.regions import DEFAULT_REGIONS
from opsportal.domain.support_phone import line_status, phone_regions, status_words
from tests.unit.test_support_phone_rules import BDAH, EVERYDAY, GOLD, MULTI, instants, plan, utc

ZONES = ("Europe/London", "America/New_York", "Asia/Hong_Kong", "Europe/Paris", "UTC")


def fresh(org, code: str, zone: str, now):
    """What the server says at ``now`` when it reads the lines then."""
    status = line_status(org, DEFAULT_REGIONS, code, now)
    return status_words(status, zone, now), status.open, status.basis


def test_the_words_turn_from_open_to_closed_when_the_clock_passes_closing_time():
    live = phone_live.capture(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 12, 17, 50))  # Wednesday, GMT
    assert phone_live.words(live, "Europe/London", utc(2025, 3, 12, 17, 59)) == (
        "Open now — until 18:00 GMT", True, "Gold business hours")
    assert phone_live.words(live, "Europe/London", utc(2025, 3, 12, 18, 0, 30)) == (
        "Closed — opens tomorrow at 08:00 GMT", False, "")


def test_on_friday_evening_the_words_say_the_line_opens_on_monday():
    live = phone_live.capture(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 14, 17, 30))
    assert phone_live.words(live, "Europe/London", utc(2025, 3, 14, 18, 1))[0] == "Closed — opens Monday at 08:00 GMT"


def test_past_the_horizon_the_page_keeps_its_last_words():
    since = utc(2025, 3, 12, 10)
    live = phone_live.capture(plan(GOLD), DEFAULT_REGIONS, "EMEA", since)
    assert phone_live.words(live, "UTC", since + phone_live.HORIZON) is None
    assert phone_live.words(live, "UTC", since - timedelta(seconds=1)) is None


plans = st.sampled_from([
    plan(GOLD), plan(GOLD, BDAH), plan(GOLD, EVERYDAY), plan(GOLD, MULTI, multi=("APAC", "AMER")),
    plan(GOLD, home="AMER"), plan(GOLD, BDAH, home="AMER"), plan(GOLD, EVERYDAY, end=date(2025, 12, 24)),
    plan(GOLD, home="APAC", start=date(2025, 6, 1)), plan(EVERYDAY),
    plan(GOLD, scheduled=(ScheduledWindow(utc(2025, 3, 15, 20), utc(2025, 3, 16, 1)),)),
])
# Later instants: seconds up to the horizon, weighted towards the first hours (an open page is watched for minutes).
offsets = st.one_of(st.integers(0, 6 * 3600), st.integers(0, int(phone_live.HORIZON.total_seconds()) - 1)).map(
    lambda s: timedelta(seconds=s))


@settings(max_examples=200, deadline=None)
@given(org=plans, since=instants, later=offsets, zone=st.sampled_from(ZONES), data=st.data())
def test_the_ticked_words_equal_what_a_fresh_read_says_at_that_instant(org, since, later, zone, data):
    code = data.draw(st.sampled_from(phone_regions(org, DEFAULT_REGIONS, since)))
    live = phone_live.capture(org, DEFAULT_REGIONS, code, since)
    now = since + later
    assert phone_live.words(live, zone, now) == fresh(org, code, zone, now)


@settings(max_examples=60, deadline=None)
@given(org=plans, since=instants, zone=st.sampled_from(ZONES), data=st.data())
def test_at_each_captured_change_the_ticked_words_equal_a_fresh_read_on_both_sides(org, since, zone, data):
    code = data.draw(st.sampled_from(phone_regions(org, DEFAULT_REGIONS, since)))
    live = phone_live.capture(org, DEFAULT_REGIONS, code, since)
    for start, _basis in live.states[1:4]:
        for now in (start - timedelta(seconds=1), start, start + timedelta(seconds=1)):
            if now < live.until:
                assert phone_live.words(live, zone, now) == fresh(org, code, zone, now)


def test_the_contact_pages_tick_rewords_each_region_row_and_leaves_the_rest_as_read():
    from opsportal.state.support import ticked

    since = utc(2025, 3, 12, 17, 50)
    lines = {"EMEA": phone_live.capture(plan(GOLD), DEFAULT_REGIONS, "EMEA", since)}
    rows = [{"code": "EMEA", "name": "Europe", "status": "Open now — until 18:00 GMT", "open": "yes",
             "basis": "Gold business hours", "hours": "Mon-Fri 08:00-18:00 GMT"},
            {"code": "AMER", "name": "Americas", "status": "read", "open": "", "basis": "", "hours": "h"}]
    later = ticked(rows, lines, "Europe/London", utc(2025, 3, 12, 18, 0, 30))
    assert later[0] == {**rows[0], "status": "Closed — opens tomorrow at 08:00 GMT", "open": "", "basis": ""}
    assert later[1] == rows[1]  # no states captured for it: as read
    assert ticked(rows, lines, "Europe/London", since + phone_live.HORIZON) == rows  # past the horizon: as read
