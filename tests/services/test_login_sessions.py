"""A user's own list of signed-in sessions: what it shows, ending one or all the others, and nobody else's."""

from __future__ import annotations

import pytest

from opsportal.services import auth
from opsportal.services.errors import AuthenticationFailed, InvalidInput, NotFound
from opsportal.services.session_cache import RECENT
from tests.utils.builders import PASSWORD, make_org, make_user

EMAIL = "ada@acme.example"
OTHER = "grace@globex.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def ada(database_url):
    return make_user(EMAIL, role="member", org=make_org("Acme"))


@pytest.fixture
def grace(database_url):
    return make_user(OTHER, role="owner", org=make_org("Globex"))


def test_the_list_shows_the_users_live_sessions_this_one_first_with_device_and_address(ada):
    older = auth.sign_in(email=EMAIL, password=PASSWORD, user_agent=FIREFOX, client_address="203.0.113.9")
    mine = auth.sign_in(email=EMAIL, password=PASSWORD, client_address="198.51.100.4")
    ended = auth.sign_in(email=EMAIL, password=PASSWORD)
    auth.sign_out(ended.token)

    listed = auth.list_sessions(mine.actor)

    assert [s.id for s in listed] == [mine.actor.session_id, older.actor.session_id]
    assert [s.current for s in listed] == [True, False]
    assert (listed[1].user_agent, listed[1].client_address) == (FIREFOX, "203.0.113.9")


def test_a_user_ends_another_of_their_sessions_and_it_stops_working_at_once_on_this_worker(ada):
    mine = auth.sign_in(email=EMAIL, password=PASSWORD)
    other = auth.sign_in(email=EMAIL, password=PASSWORD)
    assert auth.recent_actor(other.token) is not None

    auth.revoke_session(mine.actor, other.actor.session_id)

    assert auth.recent_actor(other.token) is None
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(other.token)
    assert auth.authenticate(mine.token).session_id == mine.actor.session_id
    with pytest.raises(NotFound):  # already ended
        auth.revoke_session(mine.actor, other.actor.session_id)


def test_another_users_session_cannot_be_ended_and_the_refusal_reads_like_an_unknown_one(ada, grace):
    mine = auth.sign_in(email=EMAIL, password=PASSWORD)
    theirs = auth.sign_in(email=OTHER, password=PASSWORD)

    with pytest.raises(NotFound) as refused:
        auth.revoke_session(mine.actor, theirs.actor.session_id)
    with pytest.raises(NotFound) as unknown:
        auth.revoke_session(mine.actor, "no-such-session")

    assert str(refused.value) == str(unknown.value) == auth.SESSION_NOT_FOUND
    assert auth.authenticate(theirs.token).email == OTHER
    assert [s.id for s in auth.list_sessions(mine.actor)] == [mine.actor.session_id]


def test_the_session_in_use_is_not_ended_from_the_list(ada):
    mine = auth.sign_in(email=EMAIL, password=PASSWORD)
    with pytest.raises(InvalidInput):
        auth.revoke_session(mine.actor, mine.actor.session_id)
    assert auth.authenticate(mine.token).email == EMAIL


def test_signing_out_everywhere_else_keeps_only_this_session_and_leaves_other_users_alone(ada, grace):
    mine = auth.sign_in(email=EMAIL, password=PASSWORD)
    others = [auth.sign_in(email=EMAIL, password=PASSWORD) for _ in range(2)]
    theirs = auth.sign_in(email=OTHER, password=PASSWORD)

    assert auth.revoke_other_sessions(mine.actor) == 2

    for other in others:
        assert auth.recent_actor(other.token) is None
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(other.token)
    assert auth.authenticate(mine.token).email == EMAIL
    assert auth.authenticate(theirs.token).email == OTHER


def test_another_worker_finds_an_ended_session_at_its_next_check(ada, monkeypatch):
    mine = auth.sign_in(email=EMAIL, password=PASSWORD)
    other = auth.sign_in(email=EMAIL, password=PASSWORD)
    elsewhere = auth.recent_actor(other.token)
    auth.revoke_session(mine.actor, other.actor.session_id)
    # Another worker still holds the session in its cache: its next check asks the database and refuses it.
    RECENT.put(other.token, elsewhere, other.expires_at)
    monkeypatch.setattr(auth.get_settings(), "session_recheck_seconds", 0)
    assert auth.recent_actor(other.token) is None
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(other.token)
