"""Origins as the configuration names them."""

from __future__ import annotations

import pytest

from opsportal.domain.origins import origin_of, origin_problem, websocket_origin, with_loopback_twins


@pytest.mark.parametrize(("url", "origin"), [
    ("https://portal.example.com/", "https://portal.example.com"),
    ("https://Portal.Example.com:443/login?x=1", "https://portal.example.com"),
    ("http://localhost:3000", "http://localhost:3000"),
    ("http://[::1]:3000/x", "http://[::1]:3000"),
    ("ftp://portal.example.com", None),
    ("portal.example.com", None),
    ("http://host:99999", None),
])
def test_the_origin_of_a_url_is_its_scheme_host_and_non_default_port(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("entry", ["*", "https://*.example.com", "http://localhost:*"])
def test_a_wildcard_entry_is_not_an_origin(entry):
    assert "wildcard" in origin_problem(entry)


@pytest.mark.parametrize("entry", ["https://portal.example.com/login", "portal.example.com", "null"])
def test_an_entry_with_a_path_or_without_a_scheme_is_not_an_origin(entry):
    assert "is not an origin" in origin_problem(entry)


def test_an_exact_origin_is_accepted():
    assert origin_problem("https://portal.example.com") is None
    assert origin_problem("http://127.0.0.1:3000") is None


def test_loopback_origins_get_their_twin_and_others_do_not():
    assert with_loopback_twins(["http://localhost:3000", "https://portal.example.com"]) == [
        "http://localhost:3000", "http://127.0.0.1:3000", "https://portal.example.com"]


def test_a_websocket_origin_matches_the_page_scheme():
    assert websocket_origin("https://portal.example.com") == "wss://portal.example.com"
    assert websocket_origin("http://localhost:3000") == "ws://localhost:3000"
