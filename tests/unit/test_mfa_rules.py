"""Two-step verification rules: the policy, what users may type, recovery codes, and no replay of a time step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from opsportal.auth.links import ExpiredLink, InvalidLink
from opsportal.auth.mfa_challenge import issue_challenge_token, read_challenge_token
from opsportal.auth.mfa_secrets import UnreadableSecret, decrypt_secret, encrypt_secret, recovery_code_hash
from opsportal.auth.security import InvalidToken, issue_token, read_token
from opsportal.domain import mfa

NOW = datetime(2026, 12, 3, 12, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code(at: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.mark.parametrize(("is_staff", "org_requires", "production", "required"), [
    (True, False, True, True),
    (True, False, False, False),
    (False, False, True, False),
    (False, True, False, True),
    (False, True, True, True),
    (True, True, False, True),
])
def test_staff_need_two_step_verification_in_production_and_owners_can_require_it_for_their_organization(
        is_staff, org_requires, production, required):
    assert mfa.mfa_required(is_staff=is_staff, org_requires_mfa=org_requires, is_production=production) is required


@pytest.mark.parametrize(("typed", "normalised"), [
    ("123 456", "123456"), (" 123-456 ", "123456"), ("ABCDE-FGHJK", "abcdefghjk"), ("abcde fghjk", "abcdefghjk"),
    ("", ""), ("12.34.56", "123456"), ("１２３ ４５６", "123456"),
])
def test_codes_are_read_without_spaces_dashes_or_case(typed, normalised):
    assert mfa.normalise_code(typed) == normalised


def test_only_six_digits_have_the_shape_of_an_app_code():
    assert mfa.is_totp_code("123456")
    for wrong in ("12345", "1234567", "12345a", "", "１２３４５６"):
        assert not mfa.is_totp_code(wrong)


def test_ten_distinct_recovery_codes_in_two_groups_of_five_unambiguous_characters_are_made():
    codes = mfa.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for c in codes:
        first, second = c.split("-")
        assert len(first) == len(second) == 5
        assert set(first + second) <= set(mfa.RECOVERY_ALPHABET)
        assert not set(first + second) & set("il0o1")
        assert mfa.is_recovery_code(mfa.normalise_code(c.upper()))
    assert not mfa.is_recovery_code("123456")


def test_the_current_code_and_its_neighbours_match_but_older_ones_do_not():
    step = mfa.time_step(NOW)
    assert mfa.matching_step(SECRET, code(NOW), NOW, None) == step
    assert mfa.matching_step(SECRET, code(NOW - timedelta(seconds=30)), NOW, None) == step - 1
    assert mfa.matching_step(SECRET, code(NOW + timedelta(seconds=30)), NOW, None) == step + 1
    assert mfa.matching_step(SECRET, code(NOW - timedelta(seconds=90)), NOW, None) is None
    assert mfa.matching_step(SECRET, "not a code", NOW, None) is None


def test_a_time_step_already_used_or_an_earlier_one_is_refused_so_a_code_cannot_be_replayed():
    step = mfa.time_step(NOW)
    assert mfa.matching_step(SECRET, code(NOW), NOW, last_used_step=step) is None
    assert mfa.matching_step(SECRET, code(NOW - timedelta(seconds=30)), NOW, last_used_step=step) is None
    assert mfa.matching_step(SECRET, code(NOW + timedelta(seconds=30)), NOW, last_used_step=step) == step + 1


def test_the_secret_reads_in_groups_of_four_and_the_uri_names_the_issuer_and_account():
    assert mfa.grouped_secret("ABCDEFGHIJ") == "ABCD EFGH IJ"
    uri = mfa.otpauth_uri(SECRET, "ada@acme.example")
    assert uri.startswith("otpauth://totp/OpsPortal:ada%40acme.example?")
    assert f"secret={SECRET}" in uri and "issuer=OpsPortal" in uri
    assert len(mfa.new_secret()) == 32


def test_a_stored_secret_decrypts_only_with_the_key_it_was_encrypted_with():
    stored = encrypt_secret(SECRET, "key-one" * 6)
    assert SECRET not in stored
    assert decrypt_secret(stored, "key-one" * 6) == SECRET
    with pytest.raises(UnreadableSecret):
        decrypt_secret(stored, "key-two" * 6)


def test_a_recovery_code_hash_depends_on_the_user_and_the_key():
    a = recovery_code_hash(1, "abcdefghjk", "k" * 40)
    assert a == recovery_code_hash(1, "abcdefghjk", "k" * 40)
    assert a != recovery_code_hash(2, "abcdefghjk", "k" * 40)
    assert a != recovery_code_hash(1, "abcdefghjk", "j" * 40)


def test_a_challenge_token_is_neither_a_session_token_nor_accepted_after_its_expiry():
    key = "s" * 40
    token = issue_challenge_token(user_id=7, issued_at=NOW, expires_at=NOW + timedelta(minutes=5), secret=key,
                                  audience="opsportal")
    assert read_challenge_token(token, secret=key, audience="opsportal", now=NOW) == 7
    with pytest.raises(ExpiredLink):
        read_challenge_token(token, secret=key, audience="opsportal", now=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        read_token(token, secret=key, audience="opsportal")
    session_token = issue_token(user_id=7, session_id="s1", issued_at=NOW, expires_at=NOW + timedelta(hours=1),
                                secret=key, audience="opsportal")
    with pytest.raises(InvalidLink):
        read_challenge_token(session_token, secret=key, audience="opsportal", now=NOW)
    with pytest.raises(InvalidLink):
        read_challenge_token(token, secret="t" * 40, audience="opsportal", now=NOW)


def test_the_throttle_message_says_how_long_to_wait():
    assert mfa.CodeThrottle(4, False).message == "Too many wrong verification codes. Wait 4 seconds and try again."
    assert "Try again in 15 minutes." in mfa.CodeThrottle(900, True).message
