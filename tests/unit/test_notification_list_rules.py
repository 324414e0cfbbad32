"""The bell's pure rules: its badge text, its accessible name, and when a read line may be deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.notification_list import BADGE_MAX, badge, bell_label, prune_cutoff

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_nothing_unread_shows_no_badge_and_says_so_in_the_bells_name():
    assert badge(0) == ""
    assert bell_label(0) == "Notifications, none unread"


def test_the_bells_name_carries_the_unread_count():
    assert bell_label(3) == "Notifications, 3 unread"


def test_a_count_past_the_badges_room_is_capped_with_a_plus():
    assert badge(BADGE_MAX) == str(BADGE_MAX)
    assert badge(BADGE_MAX + 1) == f"{BADGE_MAX}+"
    assert bell_label(500) == f"Notifications, {BADGE_MAX}+ unread"


@given(st.integers(min_value=-5, max_value=10_000))
def test_the_badge_and_the_name_always_agree(unread):
    shown = badge(unread)
    assert (shown == "") == (unread <= 0)
    assert bell_label(unread).endswith(f"{shown} unread" if shown else "none unread")


def test_a_line_read_longer_ago_than_the_retention_may_go_and_one_read_since_stays():
    cutoff = prune_cutoff(NOW, 90)
    assert cutoff == NOW - timedelta(days=90)
    assert NOW - timedelta(days=91) < cutoff < NOW - timedelta(days=89)
