"""Credit packs as pure rules: which packs cover a shortfall, and when a customer may still cancel a request."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.hour_blocks import (
    MAX_PACKS_OFFERED,
    SERVICE_CREDITS,
    BlockTerms,
    block_problem,
    packs_covering,
    per_unit_minor,
)
from opsportal.domain.services_catalog import WORK_STARTED, customer_cancel_problem, work_started
from opsportal.domain.tasks import TaskStatus

PACKS = {1: 25, 2: 50, 3: 100}


def test_the_smallest_pack_that_covers_the_shortfall_alone_is_offered():
    assert packs_covering(8, PACKS) == [1]
    assert packs_covering(25, PACKS) == [1]
    assert packs_covering(26, PACKS) == [2]
    assert packs_covering(100, PACKS) == [3]


def test_a_shortfall_larger_than_every_pack_takes_the_largest_then_the_smallest_covering_the_rest():
    assert packs_covering(130, PACKS) == [3, 2]
    assert packs_covering(200, PACKS) == [3, 3]
    assert packs_covering(201, PACKS) == [3, 3, 1]


def test_nothing_missing_or_nothing_on_sale_offers_no_pack():
    assert packs_covering(0, PACKS) == [] and packs_covering(-5, PACKS) == []
    assert packs_covering(10, {}) == []


def test_a_shortfall_needing_more_than_ten_packs_is_not_offered_as_packs():
    assert len(packs_covering(MAX_PACKS_OFFERED * 100, PACKS)) == MAX_PACKS_OFFERED
    assert packs_covering(MAX_PACKS_OFFERED * 100 + 1, PACKS) == []


@given(st.integers(1, 5_000), st.dictionaries(st.integers(1, 50), st.integers(1, 500), min_size=1, max_size=6))
def test_the_packs_offered_cover_the_shortfall_and_none_is_bought_for_nothing(missing, packs):
    chosen = packs_covering(missing, packs)
    if not chosen:  # only when it would take too many packs
        assert missing > MAX_PACKS_OFFERED * max(packs.values()) / 2
        return
    total = sum(packs[i] for i in chosen)
    assert total >= missing
    assert all(i in packs for i in chosen)
    # Dropping the last pack bought would leave credits missing: no pack is bought for nothing.
    assert total - packs[chosen[-1]] < missing


@given(st.integers(1, 5_000), st.dictionaries(st.integers(1, 50), st.integers(1, 500), min_size=1, max_size=6))
def test_when_one_pack_covers_the_shortfall_exactly_one_pack_the_smallest_such_is_offered(missing, packs):
    covering = [c for c in packs.values() if c >= missing]
    chosen = packs_covering(missing, packs)
    if covering:
        assert len(chosen) == 1 and packs[chosen[0]] == min(covering)


def test_a_pack_sells_whole_credits_priced_per_credit():
    assert block_problem(BlockTerms(50, 475_000, 365, SERVICE_CREDITS)) is None
    assert block_problem(BlockTerms(0, 475_000, 365, SERVICE_CREDITS)) == "a pack has 1 to 100,000 credits"
    assert block_problem(BlockTerms(50, 475_000, 365, "kaizen_offer")) == \
        "a block sells support hours or service credits"
    assert per_unit_minor(BlockTerms(50, 475_000, 365, SERVICE_CREDITS)) == 9_500


def test_work_has_started_once_the_task_leaves_open_or_time_is_logged():
    assert not work_started(TaskStatus.open, 0)
    assert work_started(TaskStatus.open, 15)
    assert all(work_started(s, 0) for s in TaskStatus if s is not TaskStatus.open)


def test_the_customer_may_cancel_only_an_open_untouched_request():
    assert customer_cancel_problem(status=TaskStatus.open, cancelled=False, minutes_logged=0) is None
    assert customer_cancel_problem(status=TaskStatus.in_progress, cancelled=False, minutes_logged=0) == WORK_STARTED
    assert customer_cancel_problem(status=TaskStatus.open, cancelled=False, minutes_logged=1) == WORK_STARTED
    assert "already cancelled" in customer_cancel_problem(status=TaskStatus.closed, cancelled=True, minutes_logged=0)
    assert "already closed" in customer_cancel_problem(status=TaskStatus.resolved, cancelled=False, minutes_logged=0)
