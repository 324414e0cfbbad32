"""Small pure helpers the services share: messages and pagination."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.services.errors import AuthenticationFailed, PermissionDenied, SignInThrottled, sentence
from opsportal.services.pagination import MAX_PAGE_SIZE, Page, clamp


@pytest.mark.parametrize(("raw", "expected"), [
    ("password must be at least 10 characters", "Password must be at least 10 characters."),
    ("already a sentence.", "Already a sentence."),
    ("  trailing dots...  ", "Trailing dots."),
])
def test_an_error_message_becomes_one_capitalized_sentence(raw, expected):
    assert sentence(raw) == expected


def test_a_throttled_sign_in_is_an_authentication_failure_with_a_retry_time():
    error = SignInThrottled("Wait 2 seconds.", 2)
    assert isinstance(error, AuthenticationFailed)
    assert error.retry_after_seconds == 2
    assert str(error) == "Wait 2 seconds."


def test_a_permission_error_has_a_readable_default_message():
    assert str(PermissionDenied()) == "You do not have access to this."


@pytest.mark.parametrize(("page", "size", "expected"), [
    (1, 25, (1, 25)), (0, 25, (1, 25)), (-3, 25, (1, 25)), (2, 0, (2, 1)), (2, 1000, (2, MAX_PAGE_SIZE)),
])
def test_page_numbers_start_at_one_and_sizes_stay_within_limits(page, size, expected):
    assert clamp(page, size) == expected


@given(total=st.integers(0, 10_000), size=st.integers(1, MAX_PAGE_SIZE))
def test_the_page_count_covers_every_item_with_at_least_one_page(total, size):
    pages = Page(items=[], page=1, page_size=size, total=total).pages
    assert pages >= 1
    assert (pages - 1) * size < max(total, 1) <= pages * size
