"""Changing one's password ends every other session."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import LoginSession, Organization, User
from opsportal.services.auth import SESSION_ENDED, authenticate, change_password, sign_in
from opsportal.services.errors import AuthenticationFailed, InvalidInput
from tests.utils.builders import PASSWORD, load_user, make_org, make_user
from tests.utils.db import dump_tables

EMAIL = "ada@acme.example"
NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def acme(database_url) -> Organization:
    return make_org("Acme")


@pytest.fixture
def ada(acme) -> User:
    return make_user(EMAIL, role="member", org=acme)


def revoked_reasons(user: User) -> list[str | None]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(LoginSession.revoked_reason).where(LoginSession.user_id == user.id)
                                 .order_by(LoginSession.created_at)).all())


def test_changing_the_password_keeps_the_callers_session_and_revokes_every_other_one(ada):
    here = sign_in(email=EMAIL, password=PASSWORD)
    elsewhere = sign_in(email=EMAIL, password=PASSWORD)
    third = sign_in(email=EMAIL, password=PASSWORD)

    ended = change_password(authenticate(here.token), current=PASSWORD, new=NEW_PASSWORD)

    assert ended == 2
    for old in (elsewhere, third):
        with pytest.raises(AuthenticationFailed, match=SESSION_ENDED):
            authenticate(old.token)
    assert authenticate(here.token).session_id == here.actor.session_id
    assert Counter(revoked_reasons(ada)) == {"password_changed": 2, None: 1}


def test_after_a_change_only_the_new_password_signs_in(ada):
    change_password(sign_in(email=EMAIL, password=PASSWORD).actor, current=PASSWORD, new=NEW_PASSWORD)
    assert sign_in(email=EMAIL, password=NEW_PASSWORD).actor.user_id == ada.id
    with pytest.raises(AuthenticationFailed):
        sign_in(email=EMAIL, password=PASSWORD)
    assert load_user(ada.id).password_changed_at is not None


def test_a_wrong_current_password_is_refused_and_nothing_changes(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    before = dump_tables()
    with pytest.raises(InvalidInput, match="^The current password is not correct.$"):
        change_password(signed.actor, current="not-the-password", new=NEW_PASSWORD)
    assert dump_tables() == before
    assert authenticate(signed.token).user_id == ada.id


def test_a_new_password_that_breaks_the_rules_is_refused_and_nothing_changes(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    before = dump_tables()
    with pytest.raises(InvalidInput, match="^Password must be at least 10 characters.$"):
        change_password(signed.actor, current=PASSWORD, new="short")
    assert dump_tables() == before


def test_the_new_password_must_differ_from_the_current_one(ada):
    signed = sign_in(email=EMAIL, password=PASSWORD)
    before = dump_tables()
    with pytest.raises(InvalidInput, match="^The new password must differ from the current one.$"):
        change_password(signed.actor, current=PASSWORD, new=PASSWORD)
    assert dump_tables() == before


def test_changing_the_password_leaves_other_users_sessions_alone(acme, ada):
    make_user("grace@acme.example", role="member", org=acme)
    other = sign_in(email="grace@acme.example", password=PASSWORD)
    change_password(sign_in(email=EMAIL, password=PASSWORD).actor, current=PASSWORD, new=NEW_PASSWORD)
    assert authenticate(other.token).email == "grace@acme.example"
