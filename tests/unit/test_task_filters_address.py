"""The task list's filters live in its address: what is written there reads back the same, nothing else leaks in."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.tasks import CATEGORIES
from opsportal.services.tasks import SORTS
from opsportal.state.tasks import STATUS_OPTIONS, TABS, TaskFilters, filters_from_query, tasks_url


@st.composite
def filters(draw) -> TaskFilters:
    tab = draw(st.sampled_from(TABS))
    return TaskFilters(
        tab=tab,
        search=draw(st.text(max_size=100)),
        status=draw(st.sampled_from(["", *[o["value"] for o in STATUS_OPTIONS[tab]]])),
        category=draw(st.sampled_from(["", *CATEGORIES])),
        sort=draw(st.sampled_from(sorted(SORTS))),
        page=draw(st.integers(1, 99_999)),
    )


def _read(url: str) -> TaskFilters:
    return filters_from_query(dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)))


@given(filters())
def test_any_filters_written_to_the_address_read_back_the_same(wanted):
    assert _read(tasks_url(wanted)) == wanted


def test_the_default_list_has_a_bare_address():
    assert tasks_url(TaskFilters()) == "/tasks"


def test_an_address_names_only_what_differs_from_the_defaults():
    assert tasks_url(TaskFilters(tab="closed", search="vpn & co", page=2)) == "/tasks?tab=closed&q=vpn+%26+co&page=2"


def test_unknown_or_mismatched_values_in_an_address_fall_back_to_the_defaults():
    read = filters_from_query({"tab": "archived", "status": "resolved", "category": "Gardening", "sort": "random",
                               "page": "-3"})
    assert read == TaskFilters()


def test_a_closed_status_is_kept_only_on_the_closed_tab():
    assert filters_from_query({"tab": "closed", "status": "resolved"}).status == "resolved"
    assert filters_from_query({"status": "resolved"}).status == ""


def test_a_page_that_is_not_a_small_positive_number_is_the_first_page():
    for raw in ("0", "abc", "1e3", "9999999", ""):
        assert filters_from_query({"page": raw}).page == 1
