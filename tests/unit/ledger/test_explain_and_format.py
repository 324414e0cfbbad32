"""What the customer reads: why a lot was drawn, and quantities in their unit."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from opsportal.domain.formats import quantity as format_quantity
from opsportal.domain.ledger.lots import LotKind, Scope
from opsportal.domain.ledger.order import Candidate, explain, ordered_candidates
from opsportal.domain.ledger.products import SERVICE_CREDITS, SUPPORT_HOURS, Unit
from tests.unit.ledger.builders import ANCESTORS, CHILD_A, GRANDCHILD, NOW, PRODUCT, ROOT, make_lot


def reason_for(lot, org, **kwargs):
    [candidate] = ordered_candidates([lot], org, ANCESTORS[org], PRODUCT, NOW)
    return explain(candidate, **kwargs)


def test_an_own_lot_is_explained_as_own_credit():
    text = reason_for(make_lot(1, holder=CHILD_A), CHILD_A)
    assert "own credit" in text and "shared by" not in text


def test_a_lot_allocated_to_the_organization_alone_says_so():
    text = reason_for(make_lot(1, holder=ROOT, scope=Scope.org, assigned=CHILD_A), CHILD_A)
    assert "allocated to this organization alone" in text and "shared by" not in text


def test_a_parents_shared_lot_is_explained_as_shared_by_the_parent_after_own_credit():
    text = reason_for(make_lot(1, holder=ROOT), CHILD_A)
    assert "shared by parent organization 1" in text and "after own credit" in text


def test_a_grandparents_shared_lot_says_how_many_levels_up_it_comes_from():
    assert "shared by ancestor (2 levels up) organization 1" in reason_for(make_lot(1, holder=ROOT), GRANDCHILD)


def test_the_explanation_uses_the_holders_name_when_given():
    assert "shared by parent Contoso" in reason_for(make_lot(1, holder=ROOT), CHILD_A, holder_name="Contoso")


def test_the_explanation_gives_the_last_usable_day_as_the_expiry_date():
    assert "expires 31 Mar 2025" in reason_for(make_lot(1, expires=date(2025, 3, 31)), ROOT)


def test_the_explanation_of_a_lot_without_expiry_says_no_expiry():
    text = reason_for(make_lot(1, expires=None), ROOT)
    assert "no expiry" in text and "expires 2" not in text


@pytest.mark.parametrize("kind", list(LotKind))
def test_the_explanation_names_the_kind_of_credit(kind):
    assert f"; {kind.value};" in reason_for(make_lot(1, kind=kind), ROOT)


def test_the_explanation_gives_the_utc_grant_date():
    lot = make_lot(1, granted=datetime(2025, 2, 1, 1, 0, tzinfo=timezone(timedelta(hours=5))))  # Jan 31st UTC
    assert "granted 31 Jan 2025" in reason_for(lot, ROOT)


@pytest.mark.parametrize(("rank", "ordinal"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
    (22, "22nd"), (101, "101st"), (111, "111th"), (112, "112th")])
def test_the_explanation_starts_with_the_lots_rank_as_an_ordinal(rank, ordinal):
    assert explain(Candidate(lot=make_lot(1), tier=0, rank=rank)).startswith(f"{ordinal} choice: ")


@pytest.mark.parametrize(("minutes", "text"), [
    (725, "12 h 5 min"), (0, "0 min"), (59, "59 min"), (60, "1 h"), (6000, "100 h"),
    (-90, "−1 h 30 min")])
def test_minutes_are_shown_as_hours_and_minutes(minutes, text):
    assert format_quantity(minutes, Unit.minute) == text


@pytest.mark.parametrize(("credits", "text"), [
    (1, "1 credit"), (0, "0 credits"), (2, "2 credits"), (-1, "-1 credit"), (1500, "1,500 credits")])
def test_credits_are_counted_with_singular_and_plural(credits, text):
    assert format_quantity(credits, Unit.credit) == text


def test_a_product_formats_in_its_own_unit():
    assert format_quantity(725, SUPPORT_HOURS.unit) == "12 h 5 min"
    assert format_quantity(1, SERVICE_CREDITS.unit) == "1 credit"


def test_the_unit_may_be_given_as_its_stored_string():
    assert format_quantity(90, "minute") == "1 h 30 min"
    assert format_quantity(3, "credit") == "3 credits"


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        format_quantity(3, "parsec")
