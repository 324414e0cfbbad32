"""Password hashes and session tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from opsportal.auth.security import (
    InvalidToken,
    TokenClaims,
    hash_password,
    issue_token,
    needs_rehash,
    new_session_id,
    read_token,
    verify_password,
)

SECRET = "unit-test-secret-0123456789abcdef-0123456789"
AUDIENCE = "opsportal"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password(PASSWORD)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(*, minutes: int = 30, **overrides) -> dict:
    now = datetime.now(UTC)
    base = {"sub": "42", "jti": "session-1", "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=minutes)).timestamp()), "aud": AUDIENCE}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hand_made_token(header: dict, payload: dict, signature: bytes | None = None, secret: str = SECRET) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if signature is None:
        signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def token(**kwargs) -> str:
    now = datetime.now(UTC)
    args = {"user_id": 42, "session_id": "session-1", "issued_at": now, "expires_at": now + timedelta(minutes=30),
            "secret": SECRET, "audience": AUDIENCE}
    args.update(kwargs)
    return issue_token(**args)


def test_a_password_verifies_against_its_own_hash(stored_hash):
    assert stored_hash.startswith("$argon2id$")
    assert verify_password(PASSWORD, stored_hash) is True


def test_a_wrong_password_does_not_verify(stored_hash):
    assert verify_password("correct-horse-batterY", stored_hash) is False


def test_the_hash_does_not_contain_the_password(stored_hash):
    assert PASSWORD not in stored_hash


def test_hashing_the_same_password_twice_gives_different_salted_hashes(stored_hash):
    assert hash_password(PASSWORD) != stored_hash


def test_an_account_without_a_password_never_verifies():
    assert verify_password(PASSWORD, None) is False
    assert verify_password("", None) is False


def test_a_corrupt_stored_hash_does_not_verify_nor_raise():
    assert verify_password(PASSWORD, "not-an-argon2-hash") is False


def test_a_fresh_hash_needs_no_rehash(stored_hash):
    assert needs_rehash(stored_hash) is False


def test_session_ids_are_long_and_unique():
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) >= 40 for i in ids)


def test_a_token_reads_back_as_the_claims_it_was_issued_with():
    expires = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)
    issued = token(user_id=7, session_id="abc", expires_at=expires)
    assert read_token(issued, secret=SECRET, audience=AUDIENCE) == TokenClaims(
        user_id=7, session_id="abc", expires_at=int(expires.timestamp()))


def test_a_token_is_signed_with_hs256():
    assert jwt.get_unverified_header(token())["alg"] == "HS256"


def test_an_expired_token_is_refused():
    now = datetime.now(UTC)
    expired = token(issued_at=now - timedelta(hours=9), expires_at=now - timedelta(seconds=5))
    with pytest.raises(InvalidToken):
        read_token(expired, secret=SECRET, audience=AUDIENCE)


def test_a_token_is_valid_until_its_expiry_instant_on_the_clock_the_caller_reads():
    expires = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    issued = token(issued_at=expires - timedelta(hours=8), expires_at=expires)
    assert read_token(issued, secret=SECRET, audience=AUDIENCE, now=expires - timedelta(seconds=1)).session_id
    with pytest.raises(InvalidToken):
        read_token(issued, secret=SECRET, audience=AUDIENCE, now=expires)


def test_a_token_without_an_expiry_is_refused():
    unexpiring = jwt.encode({"sub": "7", "jti": "abc", "aud": AUDIENCE}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        read_token(unexpiring, secret=SECRET, audience=AUDIENCE)


def test_a_token_for_another_audience_is_refused():
    with pytest.raises(InvalidToken):
        read_token(token(audience="another-app"), secret=SECRET, audience=AUDIENCE)


def test_a_token_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidToken):
        read_token(token(secret="another-secret-0123456789abcdef-xyz"), secret=SECRET, audience=AUDIENCE)


def test_an_unsigned_alg_none_token_is_refused():
    unsigned = hand_made_token({"alg": "none", "typ": "JWT"}, claims(), signature=b"")
    with pytest.raises(InvalidToken):
        read_token(unsigned, secret=SECRET, audience=AUDIENCE)


@pytest.mark.parametrize("alg", ["None", "NONE"])
def test_an_alg_none_token_in_any_spelling_is_refused(alg):
    unsigned = hand_made_token({"alg": alg, "typ": "JWT"}, claims(), signature=b"")
    with pytest.raises(InvalidToken):
        read_token(unsigned, secret=SECRET, audience=AUDIENCE)


def test_a_token_whose_header_claims_rs256_is_refused_even_with_a_valid_hmac():
    mismatched = hand_made_token({"alg": "RS256", "typ": "JWT"}, claims())
    with pytest.raises(InvalidToken):
        read_token(mismatched, secret=SECRET, audience=AUDIENCE)


def test_a_genuine_rs256_token_is_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    rs_token = jwt.encode(claims(), pem.decode(), algorithm="RS256")
    with pytest.raises(InvalidToken):
        read_token(rs_token, secret=SECRET, audience=AUDIENCE)


def test_a_token_with_an_hs512_header_is_refused():
    with pytest.raises(InvalidToken):
        read_token(jwt.encode(claims(), SECRET, algorithm="HS512"), secret=SECRET, audience=AUDIENCE)


def test_a_token_whose_payload_was_altered_is_refused():
    header, _payload, signature = token(user_id=42).split(".")
    forged_payload = b64(json.dumps(claims(sub="1")).encode())
    with pytest.raises(InvalidToken):
        read_token(f"{header}.{forged_payload}.{signature}", secret=SECRET, audience=AUDIENCE)


@pytest.mark.parametrize("missing", ["sub", "jti", "exp", "aud"])
def test_a_token_missing_a_required_claim_is_refused(missing):
    incomplete = jwt.encode(claims(**{missing: None}), SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        read_token(incomplete, secret=SECRET, audience=AUDIENCE)


def test_a_token_whose_subject_is_not_a_user_id_is_refused():
    with pytest.raises(InvalidToken):
        read_token(jwt.encode(claims(sub="admin"), SECRET, algorithm="HS256"), secret=SECRET, audience=AUDIENCE)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9"])
def test_a_malformed_token_is_refused(garbage):
    with pytest.raises(InvalidToken):
        read_token(garbage, secret=SECRET, audience=AUDIENCE)
