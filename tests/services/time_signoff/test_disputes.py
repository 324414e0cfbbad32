"""The support team resolves disputed time (``services/time_disputes.py``): kept, corrected through the time
correction's audit trail, or written off (prepaid minutes back to their lots), each with an answer the customer
reads in the bell; refusals and bad input write nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.domain.time_signoff import ReviewState
from opsportal.services import agent_work, time_disputes, time_signoff
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.services.time_signoff.conftest import IN_WINDOW, mar, notifications_of, review_of
from tests.utils.db import dump_tables
from tests.utils.ledger import cache_mismatches, lot_balances
from tests.utils.tasks import entry_row, hours, log, new_task, revisions_of

LATER = IN_WINDOW + timedelta(hours=1)


def _disputed(march, key="vpn", who="retail_owner"):
    time_signoff.dispute(march.world.actor(who), march.entries[key], "We had no VPN trouble that day",
                         at=IN_WINDOW)
    return march.entries[key]


def test_the_queue_lists_open_disputes_of_every_organization_oldest_first(march, world):
    entry = _disputed(march)
    other = log(new_task(world.fabrikam), 20, work_date=mar(6)).id
    time_signoff.dispute(world.actor("fabrikam_owner"), other, "Who is this?", at=LATER)

    page = time_disputes.disputes(world.actor("agent"))

    assert [(r.entry_id, r.organization, r.reason, r.disputed_by) for r in page.items] == [
        (entry, "Northwind Retail", "We had no VPN trouble that day", "Rita Alvarez"),
        (other, "Fabrikam Clinics", "Who is this?", "Fiona Walsh")]
    assert page.total == 2


def test_keeping_an_entry_resolves_it_and_tells_the_disputer_the_answer(march):
    entry = _disputed(march)

    row = time_disputes.resolve(march.world.actor("agent"), entry, "kept", "The tunnel logs show two resets.",
                                at=LATER)

    assert (row.state, row.answer, row.resolved_by) == (ReviewState.resolved_kept,
                                                        "The tunnel logs show two resets.", "Alex Kim")
    assert entry_row(entry)["minutes"] == 45
    [bell] = notifications_of(march.world.users["retail_owner"].id)
    assert (bell.kind, bell.text) == ("dispute_answer", "The tunnel logs show two resets.")
    assert time_disputes.disputes(march.world.actor("agent")).total == 0


def test_correcting_an_entry_goes_through_the_audit_trail_and_prices_it_again(march):
    entry = _disputed(march)

    time_disputes.resolve(march.world.actor("agent"), entry, "corrected", "Right, it was 15 minutes.", minutes=15,
                          note="Tunnel check", at=LATER)

    row = entry_row(entry)
    assert (row["minutes"], row["payg_minutes"], row["payg_amount_minor"], row["note"]) == (
        15, 15, 3_000, "Tunnel check")
    [revision] = revisions_of(entry)
    assert (revision["old_minutes"], revision["new_minutes"]) == (45, 15)
    assert revision["reason"] == "Dispute by Rita Alvarez: We had no VPN trouble that day"
    assert review_of(entry).state == "resolved_corrected"


def test_writing_off_a_pay_as_you_go_entry_makes_it_cost_nothing(march):
    entry = _disputed(march)

    time_disputes.resolve(march.world.actor("agent"), entry, "written_off", "Sorry, our mistake.", at=LATER)

    row = entry_row(entry)
    assert (row["minutes"], row["prepaid_minutes"], row["payg_amount_minor"]) == (45, 0, 0)
    assert review_of(entry).state == "written_off"


def test_writing_off_a_prepaid_entry_gives_its_minutes_back_to_the_lots_they_came_from(world):
    lot = hours(world.retail, 60)
    task = new_task(world.retail)
    drawn = log(task, 60, work_date=mar(3)).id
    later = log(task, 30, work_date=mar(4)).id  # nothing prepaid left: pay-as-you-go
    assert lot_balances()[lot.id] == (0, 0)
    time_signoff.dispute(world.actor("retail_owner"), drawn, "Not ours", at=IN_WINDOW)

    time_disputes.resolve(world.actor("agent"), drawn, "written_off", "Written off, sorry.", at=LATER)

    # The hour came back; the later entry, drawn again as a correction draws it, now uses 30 minutes of it.
    assert lot_balances()[lot.id] == (30, 0)
    assert (entry_row(drawn)["prepaid_minutes"], entry_row(drawn)["payg_amount_minor"]) == (0, 0)
    assert (entry_row(later)["prepaid_minutes"], entry_row(later)["payg_minutes"]) == (30, 0)
    assert cache_mismatches() == []


def test_a_written_off_entry_is_not_drawn_again_by_a_later_correction_of_an_earlier_entry(world):
    lot = hours(world.retail, 120)
    task = new_task(world.retail)
    first = log(task, 30, work_date=mar(3)).id
    second = log(task, 60, work_date=mar(4)).id
    time_signoff.dispute(world.actor("retail_owner"), second, "Not ours", at=IN_WINDOW)
    time_disputes.resolve(world.actor("agent"), second, "written_off", "Written off.", at=LATER)

    agent_work.correct_time(world.actor("agent"), first, minutes=40, work_date=mar(3), note="", reason="Typo",
                            at=LATER + timedelta(minutes=5))

    assert lot_balances()[lot.id] == (80, 0)
    assert entry_row(second)["prepaid_minutes"] == 0
    assert cache_mismatches() == []
    with pytest.raises(Conflict, match="written off"):
        agent_work.correct_time(world.actor("agent"), second, minutes=10, work_date=mar(4), note="", reason="x",
                                at=LATER + timedelta(minutes=6))


def test_a_dispute_cannot_be_resolved_twice(march):
    entry = _disputed(march)
    time_disputes.resolve(march.world.actor("agent"), entry, "kept", "Kept.", at=LATER)
    before = dump_tables()

    with pytest.raises(InvalidInput, match="already resolved"):
        time_disputes.resolve(march.world.actor("agent"), entry, "written_off", "Written off.", at=LATER)

    assert dump_tables() == before


def test_an_entry_nobody_disputed_cannot_be_resolved(march):
    with pytest.raises(NotFound, match="not disputed"):
        time_disputes.resolve(march.world.actor("agent"), march.entries["vpn"], "kept", "Kept.", at=LATER)
    time_signoff.approve(march.world.actor("retail_owner"), march.world.retail.id, "2025-03", at=IN_WINDOW)
    with pytest.raises(InvalidInput, match="not disputed"):
        time_disputes.resolve(march.world.actor("agent"), march.entries["vpn"], "kept", "Kept.", at=LATER)


@pytest.mark.parametrize(("resolution", "answer", "extra", "message"), [
    ("kept", "", {}, "Write the answer the customer will read."),
    ("kept", "x" * 1001, {}, "Keep the answer under 1000 characters."),
    ("ignored", "Fine.", {}, "Choose how the dispute is resolved"),
    ("corrected", "Fixed.", {}, "Give the corrected minutes."),
    ("corrected", "Fixed.", {"minutes": 0}, "minute"),
])
def test_a_bad_resolution_is_refused_with_a_clear_message_and_writes_nothing(march, resolution, answer, extra,
                                                                              message):
    entry = _disputed(march)
    before = dump_tables()

    with pytest.raises(InvalidInput, match=message):
        time_disputes.resolve(march.world.actor("agent"), entry, resolution, answer, at=LATER, **extra)

    assert dump_tables() == before


@pytest.mark.parametrize("customer", ["retail_owner", "fabrikam_owner"])
def test_customers_cannot_see_the_queue_or_resolve_disputes(march, customer):
    entry = _disputed(march)
    before = dump_tables()

    with pytest.raises(PermissionDenied):
        time_disputes.disputes(march.world.actor(customer))
    with pytest.raises(PermissionDenied):
        time_disputes.resolve(march.world.actor(customer), entry, "written_off", "Gone.", at=LATER)

    assert dump_tables() == before
