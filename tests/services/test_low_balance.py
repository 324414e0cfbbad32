"""The low support-hours alert (``services/low_balance.py``): once per fall below the threshold, in the
recipient's zone, and who sets the threshold (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import low_balance
from opsportal.services.errors import InvalidInput, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, consume, grant
from tests.utils.mail import HOURS, PUBLIC_URL, WINTER_AFTERNOON, html_of, set_zone, text_of, to


def test_a_low_balance_alert_goes_out_once_per_fall_below_the_threshold(world, inbox):
    owner = world.actor("holdings_owner")
    low_balance.set_low_balance_threshold(owner, world.holdings.id, 10 * 60)
    grant(world.holdings, 11 * 60, product=HOURS, at=NOW - timedelta(days=1))

    above = low_balance.run_low_balance(OPERATOR, at=NOW)
    consume(world.holdings, 3 * 60 + 30, product=HOURS, at=NOW + timedelta(hours=1))
    below = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=2))
    still_below = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=3))
    first = inbox.new()
    grant(world.holdings, 5 * 60, product=HOURS, at=NOW + timedelta(hours=4))
    recovered = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=5))
    consume(world.holdings, 6 * 60, product=HOURS, at=NOW + timedelta(hours=6))
    again = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=7))

    assert [o.reason for o in above.skipped] == ["not below the threshold: 11 h available, threshold 10 h"]
    assert sorted(o.email for o in below.sent) == ["adam@northwind.example", "olivia@northwind.example"]
    assert [o.reason for o in still_below.outcomes] == ["already sent", "already sent"]
    assert recovered.sent == [] and len(again.sent) == 2
    assert sorted(to(m) for m in first) == ["adam@northwind.example", "olivia@northwind.example"]
    assert first[0]["Subject"] == "Support hours running low at Northwind Holdings: 7 h 30 min left"
    assert ("At 10 Mar 2025, 11:30 UTC, Northwind Holdings had 7 h 30 min of support hours available, below its "
            "alert threshold of 10 h." in text_of(first[0]))
    assert f"{PUBLIC_URL}/billing/hours" in text_of(first[0]) and f'href="{PUBLIC_URL}/billing/hours"' in html_of(
        first[0])
    assert [m["Subject"] for m in inbox.new()] == [
        "Support hours running low at Northwind Holdings: 6 h 30 min left"] * 2


def test_the_low_balance_alert_says_when_the_balance_was_read_in_the_recipients_zone(world, inbox):
    set_zone("olivia@northwind.example", "America/New_York")
    low_balance.set_low_balance_threshold(world.actor("holdings_owner"), world.holdings.id, 2 * 60)
    grant(world.holdings, 90, product=HOURS, at=WINTER_AFTERNOON - timedelta(days=1))

    low_balance.run_low_balance(OPERATOR, at=WINTER_AFTERNOON)

    body = text_of(next(m for m in inbox.new() if to(m) == "olivia@northwind.example"))
    assert ("At 3 Dec 2026, 09:05 EST, Northwind Holdings had 1 h 30 min of support hours available, below its "
            "alert threshold of 2 h.") in body


def test_only_owners_and_admins_set_the_low_balance_threshold_of_their_own_organization(world, inbox):
    with pytest.raises(PermissionDenied):
        low_balance.set_low_balance_threshold(world.actor("holdings_member"), world.holdings.id, 60)
    with pytest.raises(PermissionDenied):
        low_balance.set_low_balance_threshold(world.actor("fabrikam_owner"), world.holdings.id, 60)
    with pytest.raises(PermissionDenied):
        low_balance.low_balance_threshold(world.actor("fabrikam_owner"), world.holdings.id)
    with pytest.raises(InvalidInput, match="positive number of hours"):
        low_balance.set_low_balance_threshold(world.actor("holdings_admin"), world.holdings.id, 0)
    low_balance.set_low_balance_threshold(world.actor("holdings_admin"), world.holdings.id, 90)
    assert low_balance.low_balance_threshold(world.actor("holdings_member"), world.holdings.id) == 90
