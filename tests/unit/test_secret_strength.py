"""Configured secrets: the obvious weak values are refused, random ones of every usual shape pass."""

from __future__ import annotations

import secrets

import pytest

from opsportal.domain.secret_strength import estimated_bits, secret_weakness


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48), lambda: secrets.token_urlsafe(24),
                                  lambda: secrets.token_hex(32), lambda: secrets.token_urlsafe(32) + "-" + "Z9"],
                         ids=["urlsafe-64", "urlsafe-32", "hex-64", "mixed"])
def test_random_secrets_of_the_usual_shapes_pass(make):
    for _ in range(200):
        value = make()
        assert secret_weakness(value) is None, value


def test_a_secret_shorter_than_the_minimum_is_refused_with_its_length():
    assert secret_weakness(secrets.token_urlsafe(16)[:20], min_length=32).startswith("is 20 characters long")


def test_one_repeated_character_is_refused():
    assert secret_weakness("x" * 48) == "repeats a pattern of 1 character"


def test_a_repeated_pattern_is_refused_even_with_many_different_characters():
    assert secret_weakness("Kq7#Lm2$Zr9!Wt4&" * 3) == "repeats a pattern of 16 characters"


def test_a_short_alphabet_is_refused():
    assert "uses only 4 different characters" in secret_weakness("abbaabab" "babbaaba" "aabbbaab" "cdcddcdc" "dcdc")


def test_a_run_of_neighbouring_characters_is_refused():
    assert "run of neighbouring characters" in secret_weakness("abcdefghijklmnopqrstuvwxyz0123456789")


def test_a_low_entropy_value_is_refused_with_its_estimate():
    value = "".join("aa" + c for c in "Q7m#kT2@pW9zR8")  # two thirds one letter, a little noise
    assert secret_weakness(value).startswith("looks predictable (about")


def test_the_estimate_grows_with_length_and_variety():
    assert estimated_bits("") == 0
    assert estimated_bits("x" * 40) == 0
    assert estimated_bits("ab" * 20) == pytest.approx(40)
    assert estimated_bits(secrets.token_urlsafe(48)) > 300
