"""``GET /api/software/releases/{id}/{name}`` behind the session cookie (SQLite and PostgreSQL): the file with its
checksum for a covered organization, what to renew for one without cover, and a missing release for another
organization's."""

from __future__ import annotations

import hashlib

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.routes import create_api
from opsportal.api.software_files import release_url
from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import auth
from tests.services.test_software import HOTFIX, shop  # noqa: F401 - the fixture
from tests.utils.builders import PASSWORD


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def signed_in(client: TestClient, email: str) -> TestClient:
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=email, password=PASSWORD).token)
    return client


@pytest.fixture(autouse=True)
def _at_the_shop_s_day(monkeypatch):
    from opsportal import clock
    from tests.services.test_software import AT

    monkeypatch.setattr(clock, "coverage_now", lambda: AT)


def test_a_covered_member_gets_the_file_as_a_download_with_its_checksum(shop, client):  # noqa: F811
    answer = signed_in(client, "mark@northwind.example").get(release_url(shop.hotfix.id, shop.hotfix.file_name))
    assert answer.status_code == 200
    assert answer.content == HOTFIX
    assert answer.headers["x-checksum-sha256"] == hashlib.sha256(HOTFIX).hexdigest()
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_an_organization_without_gold_is_told_what_to_renew(shop, client):  # noqa: F811
    answer = signed_in(client, "sanjay@retail.northwind.example").get(release_url(shop.hotfix.id, "x.zip"))
    assert answer.status_code == 403
    assert "renew Gold Support" in answer.text


def test_another_organization_s_release_answers_like_a_missing_one(shop, client):  # noqa: F811
    fabrikam = signed_in(client, "fiona@fabrikam.example")
    assert fabrikam.get(release_url(shop.hotfix.id, "x.zip")).status_code == 404
    assert fabrikam.get(release_url(999_999, "x.zip")).status_code == 404


def test_without_a_session_no_release_is_served(shop, client):  # noqa: F811
    assert client.get(release_url(shop.hotfix.id, "x.zip")).status_code == 401
