"""E-mail addresses and passwords as the portal accepts them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.identity import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    email_key,
    normalize_email,
    password_problem,
)


def test_normalizing_an_address_trims_it_and_lowercases_the_domain_only():
    assert normalize_email("  Ada.Lovelace@Example.COM \n") == "Ada.Lovelace@example.com"


def test_the_uniqueness_key_ignores_case():
    assert email_key("Ada.Lovelace@Example.COM") == "ada.lovelace@example.com"
    assert email_key("ADA.LOVELACE@example.com") == email_key(" ada.lovelace@EXAMPLE.com ")


def test_addresses_that_differ_in_more_than_case_have_different_keys():
    assert email_key("ada@example.com") != email_key("ada2@example.com")


@pytest.mark.parametrize(
    "address",
    ["", "   ", "ada", "ada@", "@example.com", "ada@@example.com", "ada lovelace@example.com",
     "ada@example", "ada@exa mple.com", "ada@example..com", "ada@localhost"],
)
def test_a_malformed_address_is_refused_with_a_reason(address):
    with pytest.raises(ValueError, match=r"^malformed e-mail address .+: .+"):
        normalize_email(address)
    with pytest.raises(ValueError, match=r"^malformed e-mail address"):
        email_key(address)


def test_a_missing_address_is_refused_rather_than_crashing():
    with pytest.raises(ValueError, match="malformed e-mail address"):
        normalize_email(None)  # type: ignore[arg-type]


@given(local=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,20}[A-Za-z0-9]", fullmatch=True)
       .filter(lambda s: ".." not in s),
       domain=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}[A-Za-z0-9]\.(com|org|example|co\.uk)", fullmatch=True))
def test_the_key_of_an_address_is_the_key_of_its_normal_form_in_any_case(local, domain):
    address = f"{local}@{domain}"
    key = email_key(address)
    assert key == email_key(normalize_email(address)) == email_key(address.upper()) == email_key(address.lower())
    assert key == key.casefold()


def test_a_password_of_the_minimum_length_is_accepted():
    assert password_problem("a" * MIN_PASSWORD_LENGTH) is None


def test_a_password_shorter_than_the_minimum_is_refused():
    assert password_problem("a" * (MIN_PASSWORD_LENGTH - 1)) == "password must be at least 10 characters"


def test_a_password_of_the_maximum_length_is_accepted():
    assert password_problem("a" * MAX_PASSWORD_LENGTH) is None


def test_a_password_longer_than_the_maximum_is_refused():
    assert password_problem("a" * (MAX_PASSWORD_LENGTH + 1)) == "password must be at most 256 characters"


@pytest.mark.parametrize("password", [" correct-horse", "correct-horse ", "\tcorrect-horse", " " * 12])
def test_a_password_starting_or_ending_with_white_space_is_refused(password):
    assert password_problem(password) == "password must not start or end with white space"


def test_white_space_inside_a_password_is_allowed():
    assert password_problem("correct horse battery") is None


@given(st.text(min_size=MIN_PASSWORD_LENGTH, max_size=MAX_PASSWORD_LENGTH).filter(lambda s: s == s.strip()))
def test_any_password_of_allowed_length_without_outer_white_space_is_accepted(password):
    assert password_problem(password) is None


@given(st.text(max_size=MIN_PASSWORD_LENGTH - 1))
def test_any_password_shorter_than_the_minimum_is_refused(password):
    assert password_problem(password) is not None
