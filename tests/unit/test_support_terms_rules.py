"""Support terms rules: a purchase goes ahead only with the current version accepted; a version is published only
with a title and a real text. And the wording of "when next" that the phone lines use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opsportal.domain import formats
from opsportal.domain.support_terms import acceptance_problem, terms_problem

BODY = "We support the products you licensed during business hours. " * 5


def test_a_purchase_that_accepted_the_current_version_goes_ahead():
    assert acceptance_problem(3, 3) is None


@pytest.mark.parametrize("accepted, current, message", [
    (None, 2, "Read and accept the support terms (version 2) to buy."),
    (1, 2, "changed to version 2 since you accepted version 1"),
    (3, 2, "changed to version 2"),
    (True, 1, "changed to version 1"),
    (1, None, "not published yet"),
])
def test_a_purchase_without_the_current_version_accepted_is_refused(accepted, current, message):
    assert message in acceptance_problem(accepted, current)


@pytest.mark.parametrize("title, body, summary, message", [
    ("", BODY, "", "title"),
    ("Terms", "Too short.", "", "too short"),
    ("Terms", "x" * 100_001, "", "too long"),
    ("Terms", BODY, "s" * 501, "summary"),
])
def test_a_terms_version_without_a_title_or_a_real_text_is_refused(title, body, summary, message):
    assert message in terms_problem(title, body, summary)
    assert terms_problem("Terms", BODY) is None


NOW = datetime(2025, 3, 14, 17, 0, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize("at, words", [
    (datetime(2025, 3, 14, 17, 30, tzinfo=UTC), "17:30 GMT"),
    (datetime(2025, 3, 15, 8, 0, tzinfo=UTC), "tomorrow at 08:00 GMT"),
    (datetime(2025, 3, 17, 8, 0, tzinfo=UTC), "Monday at 08:00 GMT"),
    (datetime(2025, 3, 24, 8, 0, tzinfo=UTC), "Mon 24 Mar at 08:00 GMT"),
])
def test_the_next_change_is_said_as_people_say_it_in_the_readers_zone(at, words):
    assert formats.next_clock(at, "Europe/London", NOW) == words


def test_the_next_change_counts_days_in_the_readers_zone_not_in_utc():
    # 23:30 UTC Friday is already Saturday 00:30 in Paris: 08:00 UTC Saturday is later today there, not "tomorrow".
    late = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
    assert formats.next_clock(datetime(2025, 3, 15, 8, 0, tzinfo=UTC), "Europe/Paris", late) == "09:00 CET"
