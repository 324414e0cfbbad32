"""``GET /api/files/{id}/{name}`` behind the session cookie (SQLite and PostgreSQL): images inline, everything else
a download, never sniffed; no cookie, another organization's file and a missing one are refused the same way."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.files import content_disposition, file_url, thumbnail_url
from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import attachments, auth
from tests.utils.builders import PASSWORD
from tests.utils.files import PDF, incoming, png_bytes
from tests.utils.tasks import DESCRIPTION


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def signed_in(client: TestClient, email: str) -> TestClient:
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=email, password=PASSWORD).token)
    return client


@pytest.fixture
def files(world):
    row = attachments.create_ticket(world.actor("retail_member"), subject="Till crashes", category="End-user support",
                                    priority="normal", description=DESCRIPTION, files=[
                                        incoming("till crash.png", png_bytes()), incoming("Überweisung.pdf", PDF)])
    return {f.name: f for f in attachments.ticket_files(world.actor("retail_member"), row.id)}


def test_an_image_is_served_inline_to_the_ticket_s_organization_and_never_sniffed(world, files, client):
    image = files["till crash.png"]
    response = signed_in(client, world.users["retail_owner"].email).get(file_url(image.id, image.name))
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == (
        "inline; filename=\"till crash.png\"; filename*=UTF-8''till%20crash.png")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "img-src 'self'" in response.headers["content-security-policy"]


def test_other_files_are_downloads_with_their_exact_name(world, files, client):
    pdf = files["Überweisung.pdf"]
    response = signed_in(client, world.users["agent"].email).get(file_url(pdf.id, pdf.name))
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_berweisung.pdf\"; filename*=UTF-8''%C3%9Cberweisung.pdf")


@pytest.mark.parametrize("intruder", ["fabrikam_owner", "logistics_owner", "holdings_owner"])
def test_another_organization_s_file_answers_exactly_like_a_missing_one(world, files, client, intruder):
    image = files["till crash.png"]
    signed_in(client, world.users[intruder].email)
    foreign = client.get(file_url(image.id, image.name))
    missing = client.get(file_url(image.id + 1000, image.name))
    assert (foreign.status_code, foreign.text) == (missing.status_code, missing.text) == (
        404, attachments.ATTACHMENT_NOT_FOUND)


def test_without_a_session_no_file_is_served(files, client):
    image = files["till crash.png"]
    assert client.get(file_url(image.id, image.name)).status_code == 401


def test_a_name_with_quotes_and_separators_cannot_break_the_header():
    assert content_disposition("attachment", 'a";b\\c.txt') == (
        "attachment; filename=\"a__b_c.txt\"; filename*=UTF-8''a%22%3Bb%5Cc.txt")


def test_an_images_preview_is_a_bounded_thumbnail_asked_like_the_file(world, client):
    big = png_bytes(1600, 900)
    row = attachments.create_ticket(world.actor("retail_member"), subject="Till screen", category="End-user support",
                                    priority="normal", description=DESCRIPTION, files=[incoming("screen.png", big)])
    (image,) = attachments.ticket_files(world.actor("retail_member"), row.id)
    signed_in(client, world.users["agent"].email)

    response = client.get(thumbnail_url(image.id, image.name))

    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (480, 270)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline")
    assert client.get(file_url(image.id, image.name)).content == big  # the full image is still one click away


@pytest.mark.parametrize("intruder", ["fabrikam_owner", "logistics_owner"])
def test_another_organizations_preview_answers_like_a_missing_file(world, files, client, intruder):
    image = files["till crash.png"]
    signed_in(client, world.users[intruder].email)
    foreign = client.get(thumbnail_url(image.id, image.name))
    assert (foreign.status_code, foreign.text) == (404, attachments.ATTACHMENT_NOT_FOUND)


def test_a_file_that_is_no_image_has_no_preview_and_without_a_session_none_is_served(world, files, client):
    pdf, image = files["Überweisung.pdf"], files["till crash.png"]
    assert client.get(thumbnail_url(image.id, image.name)).status_code == 401
    signed_in(client, world.users["retail_owner"].email)
    assert client.get(thumbnail_url(pdf.id, pdf.name)).status_code == 415
