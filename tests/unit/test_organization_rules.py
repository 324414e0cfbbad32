"""Organization names and the shape of the organization tree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.organizations import MAX_NAME_LENGTH, clean_organization_name


def test_runs_of_white_space_in_a_name_collapse_to_one_space():
    assert clean_organization_name("  Northwind \t  Retail\n GmbH ") == "Northwind Retail GmbH"


def test_a_name_keeps_its_case():
    assert clean_organization_name("ACME corp") == "ACME corp"


@pytest.mark.parametrize("name", ["", "   ", "\t\n", None])
def test_an_empty_name_is_refused(name):
    with pytest.raises(ValueError, match="^organization name must not be empty$"):
        clean_organization_name(name)


def test_a_name_of_the_maximum_length_is_accepted():
    assert clean_organization_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH


def test_a_name_longer_than_the_maximum_is_refused():
    with pytest.raises(ValueError, match="^organization name must be at most 120 characters$"):
        clean_organization_name("x" * (MAX_NAME_LENGTH + 1))


def test_the_length_limit_applies_after_white_space_is_collapsed():
    assert clean_organization_name("   " + "x" * MAX_NAME_LENGTH + "   ") == "x" * MAX_NAME_LENGTH


@given(st.text(max_size=150))
def test_cleaning_a_clean_name_changes_nothing(name):
    try:
        cleaned = clean_organization_name(name)
    except ValueError:
        return
    assert clean_organization_name(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned
