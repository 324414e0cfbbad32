"""Events ask who is calling from memory for a bounded time: a session ended elsewhere is refused within
``session_recheck_seconds``, one ended here at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from opsportal.clock import now as utc_now
from opsportal.db import unit_of_work
from opsportal.models import LoginSession
from opsportal.services import auth, session_cache
from opsportal.services.auth import authenticate, change_password, recent_actor, sign_in, sign_out
from opsportal.services.errors import AuthenticationFailed
from tests.utils.builders import PASSWORD, make_org, make_user

EMAIL = "ada@acme.example"


@pytest.fixture
def clock(monkeypatch):
    """The cache's monotonic clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(session_cache, "_clock", lambda: now[0])
    session_cache.RECENT.clear()
    yield now
    session_cache.RECENT.clear()


@pytest.fixture
def ada(database_url):
    return make_user(EMAIL, role="owner", org=make_org("Acme"), full_name="Ada Lovelace")


def _revoke_elsewhere(session_id: str) -> None:
    """What another worker's sign-out does: the row is revoked, this worker's memory is not told."""
    with unit_of_work() as session:
        row = session.exec(select(LoginSession).where(LoginSession.id == session_id)).one()
        row.revoked_at = utc_now()
        session.add(row)


def test_a_fresh_sign_in_is_answered_from_memory_without_asking_the_database(ada, clock):
    token = sign_in(email=EMAIL, password=PASSWORD).token
    assert recent_actor(token).email == EMAIL


def test_a_session_ended_on_another_worker_is_refused_once_the_recheck_interval_has_passed(ada, clock):
    signed_in = sign_in(email=EMAIL, password=PASSWORD)
    _revoke_elsewhere(signed_in.actor.session_id)

    clock[0] += auth.get_settings().session_recheck_seconds - 1
    assert recent_actor(signed_in.token) is not None  # still within the interval

    clock[0] += 1
    assert recent_actor(signed_in.token) is None
    with pytest.raises(AuthenticationFailed):
        authenticate(signed_in.token)


def test_signing_out_ends_the_session_on_this_worker_at_once(ada, clock):
    signed_in = sign_in(email=EMAIL, password=PASSWORD)
    sign_out(signed_in.token)
    assert recent_actor(signed_in.token) is None


def test_changing_the_password_ends_the_users_other_sessions_on_this_worker_at_once(ada, clock):
    other = sign_in(email=EMAIL, password=PASSWORD)
    mine = sign_in(email=EMAIL, password=PASSWORD)
    change_password(mine.actor, current=PASSWORD, new="a-brand-new-password")
    assert recent_actor(other.token) is None
    assert recent_actor(mine.token).email == EMAIL  # the caller's own session stays, known at once
    with pytest.raises(AuthenticationFailed):
        authenticate(other.token)


def test_an_interval_of_zero_asks_the_database_on_every_event(ada, clock, monkeypatch):
    monkeypatch.setattr(auth.get_settings(), "session_recheck_seconds", 0)
    token = sign_in(email=EMAIL, password=PASSWORD).token
    assert recent_actor(token) is None
