"""A worker trusts a session it checked for a bounded time, and forgets it at once when it ends here."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from opsportal.domain.roles import Role
from opsportal.services.authz import Actor
from opsportal.services.session_cache import SessionCache

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=8)


def actor(user_id=1, session_id="s1") -> Actor:
    return Actor(user_id=user_id, role=Role.owner, organization_id=7, session_id=session_id, email="a@x.example",
                 full_name="Ann")


def test_a_session_checked_within_the_interval_is_answered_from_memory():
    cache = SessionCache()
    cache.put("tok", actor(), LATER, monotonic=100.0)
    assert cache.get("tok", max_age_seconds=30, now=NOW, monotonic=129.9) == actor()


def test_a_session_checked_longer_ago_than_the_interval_must_be_checked_again():
    cache = SessionCache()
    cache.put("tok", actor(), LATER, monotonic=100.0)
    assert cache.get("tok", max_age_seconds=30, now=NOW, monotonic=130.0) is None
    assert cache.get("tok", max_age_seconds=30, now=NOW, monotonic=101.0) is None  # the stale entry is gone


def test_a_session_past_its_expiry_is_never_answered_from_memory():
    cache = SessionCache()
    cache.put("tok", actor(), NOW, monotonic=100.0)
    assert cache.get("tok", max_age_seconds=30, now=NOW, monotonic=100.0) is None


def test_an_interval_of_zero_checks_every_time():
    cache = SessionCache()
    cache.put("tok", actor(), LATER, monotonic=100.0)
    assert cache.get("tok", max_age_seconds=0, now=NOW, monotonic=100.0) is None


def test_signing_out_forgets_only_that_session():
    cache = SessionCache()
    cache.put("a", actor(session_id="s1"), LATER, monotonic=100.0)
    cache.put("b", actor(session_id="s2"), LATER, monotonic=100.0)
    cache.forget_session("s1")
    assert cache.get("a", max_age_seconds=30, now=NOW, monotonic=100.0) is None
    assert cache.get("b", max_age_seconds=30, now=NOW, monotonic=100.0) is not None


def test_a_password_change_forgets_every_session_of_the_user():
    cache = SessionCache()
    cache.put("a", actor(user_id=1, session_id="s1"), LATER, monotonic=100.0)
    cache.put("b", actor(user_id=1, session_id="s2"), LATER, monotonic=100.0)
    cache.put("c", actor(user_id=2, session_id="s3"), LATER, monotonic=100.0)
    cache.forget_user(1)
    assert len(cache) == 1


def test_the_least_recently_used_session_is_dropped_when_the_cache_is_full():
    cache = SessionCache(max_entries=2)
    cache.put("a", actor(session_id="s1"), LATER, monotonic=100.0)
    cache.put("b", actor(session_id="s2"), LATER, monotonic=100.0)
    cache.get("a", max_age_seconds=30, now=NOW, monotonic=100.0)
    cache.put("c", actor(session_id="s3"), LATER, monotonic=100.0)
    assert cache.get("b", max_age_seconds=30, now=NOW, monotonic=100.0) is None
    assert cache.get("a", max_age_seconds=30, now=NOW, monotonic=100.0) is not None


def test_rewriting_a_users_actor_changes_every_session_of_that_user_only_and_keeps_when_it_was_checked():
    cache = SessionCache()
    cache.put("mine-1", actor(1, "s1"), LATER, monotonic=100.0)
    cache.put("mine-2", actor(1, "s2"), LATER, monotonic=100.0)
    cache.put("theirs", actor(2, "s3"), LATER, monotonic=100.0)
    cache.update_user(1, lambda a: replace(a, time_zone="America/New_York"))
    assert {cache.get(t, max_age_seconds=30, now=NOW, monotonic=129.0).time_zone for t in ("mine-1", "mine-2")} == {
        "America/New_York"}
    assert cache.get("theirs", max_age_seconds=30, now=NOW, monotonic=129.0).time_zone == "UTC"
    assert cache.get("mine-1", max_age_seconds=30, now=NOW, monotonic=130.0) is None  # still due for its check
