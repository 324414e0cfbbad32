"""The roll-up's filters live in its address: what an address asks for, and the address of what is shown."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from opsportal import routes
from opsportal.state.rollup_views import RollupFilters, csv_url, filters_from_query, rollup_url


def test_the_default_roll_up_has_a_bare_address():
    assert rollup_url(RollupFilters()) == routes.ROLLUP
    assert csv_url(RollupFilters(page=3)) == routes.ROLLUP_CSV


def test_an_address_round_trips_the_filters_it_names():
    shown = RollupFilters(org="7", sub="12", period="custom", start="2026-11-01", end="2026-11-30", tab="all",
                          search="vpn", status="closed", category="Networking", sort="title", page=2)
    query = dict(parse_qsl(urlsplit(rollup_url(shown)).query))
    assert filters_from_query(query) == shown
    assert "page" not in dict(parse_qsl(urlsplit(csv_url(shown)).query))


def test_unknown_or_malformed_values_fall_back_to_the_defaults():
    wanted = filters_from_query({"org": "-3", "sub": "12x", "period": "forever", "from": "2026-11-01",
                                 "tab": "deleted", "status": "exploded", "category": "Gardening", "sort": "random",
                                 "page": "0"})
    assert wanted == RollupFilters()
    assert filters_from_query({"tab": "open", "status": "closed"}).status == ""  # a closed status on the open tab
    assert filters_from_query({"period": "custom", "from": "2026-13-01", "to": "2026-11-30"}).start == ""


@given(st.dictionaries(st.sampled_from(["org", "sub", "period", "from", "to", "tab", "q", "status", "category",
                                        "sort", "page"]), st.text(max_size=30)))
def test_any_address_yields_usable_filters(query):
    wanted = filters_from_query(query)
    assert wanted.tab in ("open", "closed", "all") and wanted.page >= 1 and len(wanted.search) <= 100
    assert wanted.org_id is None or wanted.org_id > 0
    assert filters_from_query(dict(parse_qsl(urlsplit(rollup_url(wanted)).query))) == wanted
