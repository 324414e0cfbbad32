"""Signing in with two-step verification through the HTTP routes: the password step opens no session but hands an
HttpOnly challenge to the code step; a right code opens the session; a user whom policy asks to set it up lands on
Account and is marked as due until they do."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal import clock, routes
from opsportal.api import session_routes
from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.models import Organization
from opsportal.services import audit, auth, mfa
from opsportal.services.authz import Actor
from tests.utils.builders import PASSWORD, make_org, make_user

EMAIL = "ada@acme.example"


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")), follow_redirects=False)


@pytest.fixture
def acme(database_url) -> Organization:
    org = make_org("Acme")
    make_user(EMAIL, role="owner", org=org)
    return org


def signed_in_actor(email: str = EMAIL) -> Actor:
    result = auth.sign_in(email=email, password=PASSWORD)
    assert isinstance(result, auth.SignedIn)
    return result.actor


def enrol(actor: Actor) -> str:
    """Two-step verification on for ``actor``; the set-up code is a minute old, so today's code is no replay."""
    earlier = clock.now() - timedelta(seconds=60)
    secret = mfa.begin_enrolment(actor, now=earlier).secret
    mfa.confirm_enrolment(actor, pyotp.TOTP(secret).at(earlier), now=earlier)
    return secret


def post(client: TestClient, path: str, **data):
    return client.post(path, data=data)


def cookie_headers(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def query_of(response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def test_the_right_password_of_an_enrolled_user_opens_no_session_and_asks_for_the_code(client, acme):
    enrol(signed_in_actor())

    response = post(client, routes.SIGN_IN_ACTION, email=EMAIL, password=PASSWORD, next="/billing/invoices")

    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == routes.LOGIN_CODE
    assert query_of(response) == {"next": "/billing/invoices"}
    assert client.cookies.get(SESSION_COOKIE) is None
    challenge = next(c for c in cookie_headers(response) if c.startswith(session_routes.CHALLENGE_COOKIE)).lower()
    assert "httponly" in challenge and "samesite=strict" in challenge
    assert f"path={routes.VERIFY_CODE_ACTION}" in challenge


def test_a_right_code_after_the_password_opens_the_session_and_lands_where_the_user_was_going(client, acme):
    secret = enrol(signed_in_actor())
    post(client, routes.SIGN_IN_ACTION, email=EMAIL, password=PASSWORD, next="/billing/invoices")

    response = post(client, routes.VERIFY_CODE_ACTION, code=pyotp.TOTP(secret).now(), next="/billing/invoices")

    assert response.status_code == 303
    assert response.headers["location"] == "/billing/invoices"
    assert auth.authenticate(client.cookies.get(SESSION_COOKIE)).email == EMAIL
    assert any(c.startswith(f'{session_routes.CHALLENGE_COOKIE}=""') or "max-age=0" in c.lower()
               for c in cookie_headers(response) if c.startswith(session_routes.CHALLENGE_COOKIE))


def test_a_wrong_code_goes_back_to_the_code_page_saying_so_and_opens_no_session(client, acme):
    enrol(signed_in_actor())
    post(client, routes.SIGN_IN_ACTION, email=EMAIL, password=PASSWORD)

    response = post(client, routes.VERIFY_CODE_ACTION, code="000000")

    assert urlsplit(response.headers["location"]).path == routes.LOGIN_CODE
    assert session_routes.error_message(query_of(response)["error"]) == mfa.mfa_checks.WRONG_CODE
    assert client.cookies.get(SESSION_COOKIE) is None


def test_a_code_without_the_password_step_sends_the_browser_back_to_sign_in(client, acme):
    response = post(client, routes.VERIFY_CODE_ACTION, code="123456")

    assert urlsplit(response.headers["location"]).path == routes.LOGIN
    assert query_of(response)["error"] == session_routes.ERROR_ENDED


def test_signing_in_with_the_code_is_what_the_audit_log_records_not_the_password_step(client, acme):
    owner = signed_in_actor()  # a session of its own, opened before two-step verification was on
    secret = enrol(owner)
    before = audit.list_events(owner, acme.id, page=1).total

    post(client, routes.SIGN_IN_ACTION, email=EMAIL, password=PASSWORD)
    middle = audit.list_events(owner, acme.id, page=1).total
    post(client, routes.VERIFY_CODE_ACTION, code=pyotp.TOTP(secret).now())

    assert middle == before
    assert audit.list_events(owner, acme.id, page=1).total == before + 1


def test_a_user_whose_organization_requires_two_step_verification_lands_on_account_until_they_set_it_up(
        client, acme):
    owner = signed_in_actor()
    mfa.set_org_requirement(owner, acme.id, True)
    make_user("bo@acme.example", role="member", org=acme)

    response = post(client, routes.SIGN_IN_ACTION, email="bo@acme.example", password=PASSWORD, next="/tasks")

    assert response.headers["location"] == routes.ACCOUNT
    member = auth.authenticate(client.cookies.get(SESSION_COOKIE))
    assert member.mfa_setup_due and member.role is Role.member
    enrol(member)
    assert auth.recent_actor(client.cookies.get(SESSION_COOKIE)).mfa_setup_due is False
    assert auth.authenticate(client.cookies.get(SESSION_COOKIE)).mfa_setup_due is False


def test_a_user_without_a_requirement_or_enrolment_is_never_marked_as_due(acme):
    assert signed_in_actor().mfa_setup_due is False


def test_the_requirement_does_not_reach_another_organizations_users(client, acme):
    mfa.set_org_requirement(signed_in_actor(), acme.id, True)
    make_user("eve@globex.example", role="member", org=make_org("Globex"))

    response = post(client, routes.SIGN_IN_ACTION, email="eve@globex.example", password=PASSWORD)

    assert response.headers["location"] == routes.DASHBOARD
    with unit_of_work(write=False) as session:
        assert session.get(Organization, acme.id).require_mfa
