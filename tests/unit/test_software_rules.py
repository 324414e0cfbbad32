"""Software assurance rules: a version's lifecycle on a day, the staff's lifecycle checks, and who may download."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.software import (
    Lifecycle,
    LifecycleStatus,
    Remedy,
    download_access,
    lifecycle_problem,
    lifecycle_status,
    name_problem,
    names_version,
    support_cover,
)

GA = date(2025, 3, 1)
LIFE = Lifecycle(GA, sunset=date(2026, 3, 1), end_of_life=date(2027, 3, 1))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
gaps = st.integers(min_value=1, max_value=4000)


def test_a_version_is_not_released_before_its_general_availability():
    assert lifecycle_status(LIFE, GA - timedelta(days=1)) is LifecycleStatus.upcoming


def test_a_version_is_supported_from_its_general_availability_day():
    assert lifecycle_status(LIFE, GA) is LifecycleStatus.supported


def test_a_version_enters_sunset_on_its_sunset_day():
    assert lifecycle_status(LIFE, date(2026, 2, 28)) is LifecycleStatus.supported
    assert lifecycle_status(LIFE, date(2026, 3, 1)) is LifecycleStatus.sunset


def test_a_version_is_past_end_of_life_from_its_end_of_life_day():
    assert lifecycle_status(LIFE, date(2027, 2, 28)) is LifecycleStatus.sunset
    assert lifecycle_status(LIFE, date(2027, 3, 1)) is LifecycleStatus.end_of_life


def test_a_version_without_announced_sunset_or_end_of_life_stays_supported():
    assert lifecycle_status(Lifecycle(GA), date(2099, 1, 1)) is LifecycleStatus.supported


def test_an_end_of_life_without_sunset_goes_straight_from_supported_to_end_of_life():
    life = Lifecycle(GA, end_of_life=date(2026, 1, 1))
    assert lifecycle_status(life, date(2025, 12, 31)) is LifecycleStatus.supported
    assert lifecycle_status(life, date(2026, 1, 1)) is LifecycleStatus.end_of_life


@given(ga=days, to_sunset=gaps, to_eol=st.integers(min_value=0, max_value=4000), day=days)
def test_the_lifecycle_only_moves_forward_and_each_state_starts_on_its_own_day(ga, to_sunset, to_eol, day):
    sunset = ga + timedelta(days=to_sunset)
    life = Lifecycle(ga, sunset, sunset + timedelta(days=to_eol))
    assert lifecycle_problem(life) is None
    order = list(LifecycleStatus)
    status = lifecycle_status(life, day)
    assert order.index(lifecycle_status(life, day + timedelta(days=1))) >= order.index(status)
    expected = (LifecycleStatus.upcoming if day < ga else LifecycleStatus.supported if day < sunset
                else LifecycleStatus.sunset if day < life.end_of_life else LifecycleStatus.end_of_life)
    assert status is expected


@given(ga=days, back=st.integers(min_value=0, max_value=4000))
def test_an_end_of_life_on_or_before_general_availability_is_refused(ga, back):
    problem = lifecycle_problem(Lifecycle(ga, end_of_life=ga - timedelta(days=back)))
    assert problem is not None and "after general availability" in problem


@given(ga=days, back=st.integers(min_value=0, max_value=4000))
def test_a_sunset_on_or_before_general_availability_is_refused(ga, back):
    assert lifecycle_problem(Lifecycle(ga, sunset=ga - timedelta(days=back))) is not None


def test_an_end_of_life_before_the_sunset_is_refused():
    problem = lifecycle_problem(Lifecycle(GA, sunset=date(2026, 3, 1), end_of_life=date(2026, 2, 28)))
    assert problem is not None and "before the sunset" in problem


def test_an_end_of_life_on_the_sunset_day_is_accepted():
    assert lifecycle_problem(Lifecycle(GA, sunset=date(2026, 3, 1), end_of_life=date(2026, 3, 1))) is None


def test_an_empty_or_blank_name_is_refused():
    assert name_problem("  ", what="product's name", limit=10) == "give the product's name"
    assert name_problem("x" * 11, what="product's name", limit=10) is not None
    assert name_problem("K2 Five", what="product's name", limit=10) is None


def test_an_extended_term_names_a_version_by_product_and_number_or_by_number_alone_in_any_case():
    assert names_version(["k2  BLACKPEARL 4.7"], "K2 blackpearl", "4.7")
    assert names_version(["4.7"], "K2 blackpearl", "4.7")
    assert not names_version(["K2 blackpearl 4.6", "4.70"], "K2 blackpearl", "4.7")
    assert not names_version([], "K2 blackpearl", "4.7")


def _access(status, *, licensed=True, gold=True, extended=False):
    return download_access(status, licensed=licensed, gold_active=gold, extended_term=extended, label="K2 Five 5.4")


def test_gold_support_allows_downloads_of_a_supported_version():
    access = _access(LifecycleStatus.supported)
    assert access.allowed and access.covered_by == "Gold Support"


def test_gold_support_still_allows_downloads_of_a_version_in_sunset():
    assert _access(LifecycleStatus.sunset).allowed


def test_a_member_cannot_download_a_hotfix_without_gold_and_is_told_to_renew_gold():
    access = _access(LifecycleStatus.supported, gold=False)
    assert not access.allowed and access.remedy is Remedy.gold and "renew Gold Support" in access.reason


def test_a_version_past_end_of_life_needs_extended_term_naming_it():
    access = _access(LifecycleStatus.end_of_life)
    assert not access.allowed and access.remedy is Remedy.extended_term and "Extended-Term" in access.reason
    allowed = _access(LifecycleStatus.end_of_life, extended=True)
    assert allowed.allowed and allowed.covered_by == "Extended-Term"


def test_extended_term_without_gold_allows_nothing_and_gold_is_what_to_renew():
    access = _access(LifecycleStatus.end_of_life, gold=False, extended=True)
    assert not access.allowed and access.remedy is Remedy.gold


def test_nothing_is_downloadable_without_a_licence_of_the_product():
    access = _access(LifecycleStatus.supported, licensed=False)
    assert not access.allowed and access.remedy is None


def test_a_version_not_yet_released_is_not_downloadable():
    assert not _access(LifecycleStatus.upcoming).allowed


@given(status=st.sampled_from(list(LifecycleStatus)), licensed=st.booleans(), gold=st.booleans(),
       extended=st.booleans())
def test_a_download_is_allowed_exactly_when_licensed_released_gold_and_extended_term_past_end_of_life(
        status, licensed, gold, extended):
    access = _access(status, licensed=licensed, gold=gold, extended=extended)
    expected = (licensed and gold and status is not LifecycleStatus.upcoming
                and (status is not LifecycleStatus.end_of_life or extended))
    assert access.allowed is expected
    assert access.allowed or access.reason
    assert not access.allowed or access.remedy is None


def test_the_products_page_names_what_supports_each_version():
    assert support_cover(LifecycleStatus.supported, gold_active=True, extended_term=False) == "Gold Support"
    assert "Extended-Term" in support_cover(LifecycleStatus.end_of_life, gold_active=True, extended_term=False)
    assert support_cover(LifecycleStatus.end_of_life, gold_active=True, extended_term=True) == \
        "Gold Support and Extended-Term"
    assert support_cover(LifecycleStatus.supported, gold_active=False, extended_term=True).startswith("Not covered")
