"""What two-step verification keeps in the database, protected with the app's secret key.

- TOTP secrets are encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a key derived from the secret key, so a
  copy of the database alone does not yield working codes.
- Recovery codes are stored as HMAC-SHA256 of the user id and the normalised code, keyed by the secret key:
  fast to check (they are random, and wrong guesses are throttled) and useless without the key.

Changing ``OPSPORTAL_SECRET_KEY`` therefore invalidates every enrolment: users then need their recovery codes
or staff to turn two-step verification off for them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

_ENCRYPTION_CONTEXT = b"opsportal:mfa-secret:v1:"
_RECOVERY_CONTEXT = b"opsportal:mfa-recovery:v1:"


class UnreadableSecret(Exception):
    """The stored secret was encrypted with another key (or is damaged)."""


def _fernet(app_secret: str) -> Fernet:
    key = hashlib.sha256(_ENCRYPTION_CONTEXT + app_secret.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str, app_secret: str) -> str:
    return _fernet(app_secret).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(stored: str, app_secret: str) -> str:
    try:
        return _fernet(app_secret).decrypt(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise UnreadableSecret(str(exc) or "the stored secret cannot be decrypted") from None


def recovery_code_hash(user_id: int, normalised_code: str, app_secret: str) -> str:
    key = hashlib.sha256(_RECOVERY_CONTEXT + app_secret.encode("utf-8")).digest()
    return hmac.new(key, f"{user_id}:{normalised_code}".encode(), hashlib.sha256).hexdigest()
