"""Knowledge-base rules without a database: articles, addresses, and turning typed text into a search."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.kb import (
    KB_CATEGORIES,
    MAX_TERMS,
    article_problems,
    clean_text,
    fts5_match,
    parse_query,
    plain_excerpt,
    slugify,
    tsquery,
)

VALID = {"title": "Reset your password", "slug": "reset-password", "category": KB_CATEGORIES[0],
         "body_md": "Open the sign-in page and choose Forgot password."}


def test_a_complete_article_has_no_problems():
    assert article_problems(**VALID) == {}


def test_an_address_is_lower_case_ascii_words_joined_by_hyphens():
    assert slugify("Café Wi-Fi: *won't* connect!") == "cafe-wi-fi-won-t-connect"
    assert slugify("???") == ""
    assert len(slugify("word " * 100)) <= 80


def test_words_phrases_and_excluded_words_are_read_from_a_search():
    query = parse_query('VPN "slow network" -printer')
    assert (query.terms, query.excluded) == ((("vpn",), ("slow", "network")), ("printer",))


def test_stop_words_single_letters_and_repeats_are_dropped():
    assert parse_query("how do I fix the VPN? the vpn can't connect").terms == (("fix",), ("vpn",), ("connect",))


def test_hyphenated_words_become_phrases():
    assert parse_query("wi-fi drops").terms == (("wi", "fi"), ("drops",))


def test_while_typing_quotes_and_minus_signs_are_plain_punctuation_and_the_last_word_is_a_prefix():
    query = parse_query('"VPN -disconn', as_typed=True)
    assert (query.terms, query.excluded, query.prefix_last) == ((("vpn",), ("disconn",)), (), True)
    assert parse_query("vpn disconn ", as_typed=True).prefix_last is False
    assert parse_query("vpn di", as_typed=True).prefix_last is False


def test_queries_render_with_every_word_quoted_for_sqlite_and_as_plain_words_for_postgresql():
    query = parse_query('wi-fi "slow network" -printer')
    assert fts5_match(query) == '("wi fi" AND "slow network") NOT "printer"'
    assert tsquery(query) == "((wi <-> fi) & (slow <-> network)) & !printer"
    typed = parse_query("vpn disconn", as_typed=True)
    assert fts5_match(typed, any_term=True) == '"vpn" OR "disconn"*'
    assert tsquery(typed, any_term=True) == "vpn | disconn:*"


@given(st.text(max_size=300))
def test_any_text_becomes_a_query_of_letters_digits_and_our_own_operators_only(typed):
    for as_typed in (False, True):
        query = parse_query(typed, as_typed=as_typed)
        assert len(query.terms) <= MAX_TERMS
        assert all(re.fullmatch(r"[^\W_]+", word) for word in query.words + query.excluded)
        sqlite = re.sub(r'"[^"]*"\*?', "", fts5_match(query, any_term=as_typed))
        assert set(sqlite) <= set("() ANDORT")
        postgres = re.sub(r"[^\W_]+(:\*)?", "", tsquery(query, any_term=as_typed))
        assert set(postgres) <= set("()<->&|! ")


@pytest.mark.parametrize("typed", ["", "   ", "the of and", "-vpn", '""', "!!!"])
def test_text_without_a_usable_word_is_an_empty_query(typed):
    assert parse_query(typed).empty


def test_stored_text_has_no_control_characters_or_windows_line_ends():
    assert clean_text("a\x00b\x02c\r\nd\re\tf") == "abc\nd\ne\tf"


def test_snippets_show_markdown_as_plain_text():
    assert plain_excerpt("## Steps\n\n1. Open **Settings** → [Printers](https://x)\n- run `services.msc`") == \
        "Steps: Open Settings → Printers run services.msc"
    assert plain_excerpt("## Still stuck?\nCall us.") == "Still stuck? Call us."
    assert plain_excerpt("check [your Wi-Fi](http://") == "check your Wi-Fi"
