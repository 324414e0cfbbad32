"""Signing in and out through the HTTP routes: the session cookie is HttpOnly, SameSite=Strict (Secure in
production), failures go back to the form with a code, foreign origins are refused, signing out ends the session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal import routes
from opsportal.api import session_routes
from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.db import unit_of_work
from opsportal.models import LoginSession
from opsportal.services import auth
from opsportal.services.errors import AuthenticationFailed
from opsportal.settings import Environment, get_settings
from tests.utils.builders import PASSWORD, make_org, make_user

EMAIL = "ada@acme.example"
STAFF_EMAIL = "sam@opsportal.example"


@pytest.fixture
def client(database_url) -> TestClient:
    make_user(EMAIL, role="member", org=make_org("Acme"))
    return TestClient(create_api(PlainTextResponse("the Reflex app")), follow_redirects=False)


def post_sign_in(client: TestClient, email=EMAIL, password=PASSWORD, next_path="", **headers):
    return client.post(routes.SIGN_IN_ACTION, data={"email": email, "password": password, "next": next_path},
                       headers=headers)


def set_cookie_header(response) -> str:
    return next(v for k, v in response.headers.items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))


def query_of(response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def test_signing_in_sets_an_httponly_samesite_strict_cookie_that_lasts_the_session_and_lands_on_the_dashboard(
        client):
    response = post_sign_in(client)
    assert response.status_code == 303
    assert response.headers["location"] == routes.DASHBOARD
    cookie = set_cookie_header(response).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert f"max-age={get_settings().session_ttl_minutes * 60}" in cookie
    assert "secure" not in cookie  # development serves plain http
    token = client.cookies.get(SESSION_COOKIE)
    assert auth.authenticate(token).email == EMAIL


def test_the_cookie_is_secure_in_production(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "env", Environment.production)
    assert "; secure" in set_cookie_header(post_sign_in(client)).lower()


def test_signing_in_goes_to_a_same_site_next_page_and_never_to_another_site(client):
    assert post_sign_in(client, next_path="/account").headers["location"] == "/account"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example"):
        assert post_sign_in(client, next_path=evil).headers["location"] == routes.DASHBOARD


def test_staff_land_on_the_staff_console(client):
    make_user(STAFF_EMAIL, role="staff_admin")
    assert post_sign_in(client, email=STAFF_EMAIL).headers["location"] == routes.STAFF


def test_bad_credentials_go_back_to_the_form_with_the_error_code_and_the_next_page_and_no_cookie(client):
    response = post_sign_in(client, password="not-the-password", next_path="/account")
    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == routes.LOGIN
    assert query_of(response) == {"error": "credentials", "next": "/account"}
    assert session_routes.error_message("credentials") == auth.BAD_CREDENTIALS
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert "not-the-password" not in response.headers["location"]


def test_empty_fields_go_back_to_the_form_asking_for_both(client):
    response = post_sign_in(client, password="")
    assert query_of(response) == {"error": "missing"}
    assert session_routes.error_message("missing") == "Enter your e-mail address and password."


def test_a_throttled_account_goes_back_with_the_wait_in_words(client):
    for _ in range(3):
        post_sign_in(client, password="wrong-password")
    response = post_sign_in(client)
    query = query_of(response)
    assert query["error"] == "wait"
    message = session_routes.error_message("wait", query["seconds"])
    assert message.startswith("Too many failed sign-ins. Wait ")
    assert session_routes.error_message("locked", "15") == (
        "Too many failed sign-ins: this account is locked. Try again in 15 minutes or reset your password.")


def test_a_sign_in_from_a_foreign_origin_is_refused_and_opens_no_session(client):
    for origin in ("https://evil.example", "null"):
        response = post_sign_in(client, Origin=origin)
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    with unit_of_work(write=False) as session:
        assert session.exec(select(LoginSession)).all() == []


def test_a_sign_in_from_the_portals_own_origin_is_sent_back_to_that_origin(client):
    response = post_sign_in(client, Origin="http://testserver")
    assert response.headers["location"] == "http://testserver/"
    public = get_settings().public_url.rstrip("/")
    assert post_sign_in(client, Origin=public).headers["location"] == public + "/"


def test_the_sign_in_records_the_client_address_and_ignores_x_forwarded_for_unless_proxies_are_trusted(
        client, monkeypatch):
    post_sign_in(client, **{"X-Forwarded-For": "203.0.113.9"})
    monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 1)
    post_sign_in(client, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    with unit_of_work(write=False) as session:
        addresses = session.exec(select(LoginSession.client_address).order_by(LoginSession.created_at)).all()
    assert addresses == ["testclient", "203.0.113.7"]


def test_signing_out_revokes_the_session_and_clears_the_cookie(client):
    post_sign_in(client)
    token = client.cookies.get(SESSION_COOKIE)
    response = client.post(routes.SIGN_OUT_ACTION)
    assert response.status_code == 303 and response.headers["location"] == routes.LOGIN
    cleared = set_cookie_header(response).lower()
    assert 'opsportal_session=""' in cleared or "opsportal_session=;" in cleared
    assert "max-age=0" in cleared and "httponly" in cleared
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(token)


def test_a_sign_out_from_a_foreign_origin_is_refused_and_the_session_stays(client):
    post_sign_in(client)
    token = client.cookies.get(SESSION_COOKIE)
    assert client.post(routes.SIGN_OUT_ACTION, headers={"Origin": "https://evil.example"}).status_code == 403
    assert auth.authenticate(token).email == EMAIL
