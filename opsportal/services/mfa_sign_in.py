"""The second step of signing in: a challenge token from the password step plus a code opens the session.

``issue_challenge``, ``needs_second_factor`` and ``must_enrol`` live in ``services.mfa_checks`` (re-exported here)
so that ``services.auth.sign_in`` can call them without an import cycle; ``complete`` needs
``services.auth._open_session`` and so lives here. Audit-worthy: a sign-in completed with a recovery code, a
wrong code, and the lock after too many wrong codes.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import User
from opsportal.services import audit
from opsportal.services.auth import SignedIn, _open_session
from opsportal.services.errors import AuthenticationFailed
from opsportal.services.mfa_checks import (
    CHALLENGE_ENDED,
    CHALLENGE_MINUTES,
    WRONG_CODE,
    accept_code,
    count_failure,
    enrolment_of,
    issue_challenge,
    must_enrol,
    needs_second_factor,
    read_challenge,
    throttled,
)

__all__ = ["CHALLENGE_ENDED", "CHALLENGE_MINUTES", "WRONG_CODE", "complete", "issue_challenge", "must_enrol",
           "needs_second_factor"]


def complete(challenge_token: str, code: str, *, user_agent: str = "", client_address: str = "",
             now: datetime | None = None) -> SignedIn:
    """A session for the user the challenge names once ``code`` (a current TOTP code, or an unused recovery code,
    which is then used up) is right. Wrong codes are counted per account and throttled like passwords; a locked
    account refuses even right codes until the lock ends. The session and the audit log's "signed in" record
    ``client_address``."""
    now = now or clock.now()
    user_id = read_challenge(challenge_token, now)
    refusal: AuthenticationFailed | None = None
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
        row = enrolment_of(session, user_id, lock=True) if user is not None else None
        if user is None or not user.is_active or row is None or row.enabled_at is None:
            raise AuthenticationFailed(CHALLENGE_ENDED)
        refusal = throttled(row, now)
        if refusal is None:
            if accept_code(session, row, user.id, code, now) is None:
                refusal = count_failure(session, row, now)
            else:
                user.last_login_at = now
                session.add(user)
                audit.record_sign_in(session, user, now, succeeded=True, client_address=client_address)
                return _open_session(session, user, now, user_agent, client_address)
    raise refusal  # after commit: the failure count persists
