"""``/api/unsubscribe``: the List-Unsubscribe URL of every notice (RFC 8058 one-click POST; GET opens the page),
without a session, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal import clock
from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth, subscriptions
from opsportal.settings import get_settings
from tests.utils.builders import PASSWORD

PUBLIC_URL = "https://portal.test"
MONTHLY, WEEKLY = "monthly_statement", "weekly_expiry"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def client(database_url, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("OPSPORTAL_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    yield TestClient(create_api(PlainTextResponse("the Reflex app")), follow_redirects=False)
    get_settings.cache_clear()


def subscribed(world, name: str, kind: str) -> bool:
    return {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor(name))}[kind]


def one_click_path(world, name: str, kind: str, **kwargs) -> str:
    """The path and query of the List-Unsubscribe URL a notice to ``name`` carries."""
    token = subscriptions.unsubscribe_token(world.users[name].id, kind, **kwargs)
    url = urlsplit(subscriptions.one_click_unsubscribe_url(token))
    return f"{url.path}?{url.query}"


def test_a_one_click_post_unsubscribes_the_user_without_a_session_and_answers_200(world, client):
    for name in ("holdings_owner", "holdings_admin"):
        subscriptions.subscribe(world.actor(name), WEEKLY)

    response = client.post(one_click_path(world, "holdings_owner", WEEKLY), data=ONE_CLICK)

    assert response.status_code == 200
    assert response.text == "olivia@northwind.example will no longer receive the weekly credit expiry notice."
    assert response.headers["cache-control"] == "no-store"
    assert not subscribed(world, "holdings_owner", WEEKLY)
    assert subscribed(world, "holdings_admin", WEEKLY)


def test_posting_the_same_link_again_still_answers_200_and_changes_nothing_more(world, client):
    subscriptions.subscribe(world.actor("holdings_admin"), MONTHLY)
    path = one_click_path(world, "holdings_admin", MONTHLY)

    first = client.post(path, data=ONE_CLICK)
    second = client.post(path, data=ONE_CLICK)

    assert (first.status_code, second.status_code) == (200, 200)
    assert not subscribed(world, "holdings_admin", MONTHLY)


def test_one_click_unsubscribes_the_last_subscriber_too_and_says_nobody_receives_it(world, client):
    subscriptions.subscribe(world.actor("fabrikam_owner"), MONTHLY)

    response = client.post(one_click_path(world, "fabrikam_owner", MONTHLY), data=ONE_CLICK)

    assert response.status_code == 200
    assert "No one in Fabrikam Clinics receives it any more." in response.text
    assert not subscribed(world, "fabrikam_owner", MONTHLY)


def test_a_forged_expired_missing_or_session_token_answers_400_and_unsubscribes_no_one(world, client):
    subscriptions.subscribe(world.actor("holdings_owner"), MONTHLY)
    good = one_click_path(world, "holdings_owner", MONTHLY)
    expired = one_click_path(world, "holdings_owner", MONTHLY, now=clock.now() - timedelta(days=61))
    session_token = auth.sign_in(email="olivia@northwind.example", password=PASSWORD).token

    forged = client.post(good[:-4] + "AAAA", data=ONE_CLICK)
    late = client.post(expired, data=ONE_CLICK)
    missing = client.post("/api/unsubscribe", data=ONE_CLICK)
    session = client.post(f"/api/unsubscribe?token={session_token}", data=ONE_CLICK)

    assert [r.status_code for r in (forged, late, missing, session)] == [400, 400, 400, 400]
    assert forged.text == subscriptions.UNSUBSCRIBE_INVALID
    assert late.text == subscriptions.UNSUBSCRIBE_EXPIRED
    assert subscribed(world, "holdings_owner", MONTHLY)


def test_a_session_cookie_does_not_stand_in_for_the_link(world, client):
    subscriptions.subscribe(world.actor("holdings_owner"), MONTHLY)
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email="olivia@northwind.example", password=PASSWORD).token)

    response = client.post("/api/unsubscribe?token=", data=ONE_CLICK)

    assert response.status_code == 400
    assert subscribed(world, "holdings_owner", MONTHLY)


def test_opening_the_link_in_a_browser_redirects_to_the_unsubscribe_page_and_changes_nothing_itself(world, client):
    subscriptions.subscribe(world.actor("holdings_owner"), MONTHLY)
    path = one_click_path(world, "holdings_owner", MONTHLY)
    token = path.split("token=", 1)[1]

    response = client.get(path)

    assert response.status_code == 303
    assert response.headers["location"] == f"{PUBLIC_URL}/unsubscribe?token={token}"
    assert subscribed(world, "holdings_owner", MONTHLY)


def test_opening_the_url_without_a_token_says_the_link_is_not_valid(world, client):
    response = client.get("/api/unsubscribe")

    assert response.status_code == 400
    assert response.text == subscriptions.UNSUBSCRIBE_INVALID
