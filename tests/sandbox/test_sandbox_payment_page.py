"""The Stripe sandbox's hosted payment page: what it shows, what it checks, and where it sends the customer."""

from __future__ import annotations

import re

import httpx

from tests.utils.sandbox_client import CANCEL_URL, SUCCESS_URL, new_session
from tests.utils.stripe_sandbox import DECLINED, SUCCEEDS


def _page_form(**overrides) -> dict:
    form = {"email": "billing@example.com", "card_number": SUCCEEDS, "expiry": "12 / 34", "cvc": "123",
            "name": "Ada Lovelace"}
    form.update(overrides)
    return form


def test_the_payment_page_shows_the_items_the_total_and_labelled_card_fields(client):
    session = new_session(client)

    page = httpx.get(session.url)

    assert page.status_code == 200
    html = page.text
    assert "Prepaid support hours" in html and "Setup fee" in html
    assert "Pay €30.00</button>" in html
    for field in ("email", "card_number", "expiry", "cvc", "name"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert "Test mode — use 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined)" in html
    assert f'href="{CANCEL_URL}"' in html


def test_a_bad_expiry_is_reported_on_the_page_and_nothing_is_attempted(client, sandbox):
    session = new_session(client)
    events_before = len(sandbox.events())

    page = httpx.post(session.url, data=_page_form(expiry="13 / 30"))

    assert page.status_code == 422
    assert 'role="alert"' in page.text and "expiration date is invalid" in page.text
    assert 'aria-describedby="expiry-error"' in page.text
    assert len(sandbox.events()) == events_before
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_a_short_card_number_is_reported_on_the_page(client):
    session = new_session(client)

    page = httpx.post(session.url, data=_page_form(card_number="4242 4242"))

    assert page.status_code == 422
    assert "Your card number is incomplete." in page.text


def test_paying_on_the_page_redirects_to_the_success_url_with_the_session_id(client):
    session = new_session(client)

    response = httpx.post(session.url, data=_page_form())

    assert response.status_code == 303
    assert response.headers["location"] == SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id)
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_a_decline_on_the_page_is_announced_in_an_alert(client):
    session = new_session(client)

    page = httpx.post(session.url, data=_page_form(card_number=DECLINED))

    assert page.status_code == 402
    assert re.search(r'role="alert"[^>]*>Your card was declined\.<', page.text)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_the_page_of_a_paid_session_says_so_and_links_to_the_success_url(client, sandbox):
    session = new_session(client)
    sandbox.pay(session.id, SUCCEEDS)

    page = httpx.get(f"{sandbox.api_base}/pay/{session.id}")

    assert "Payment complete" in page.text
    assert SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id) in page.text
    assert "<form" not in page.text


def test_the_page_of_an_expired_session_says_so(client, sandbox):
    session = new_session(client)
    client.v1.checkout.sessions.expire(session.id)

    page = httpx.get(f"{sandbox.api_base}/pay/{session.id}")

    assert "This checkout session has expired" in page.text
    assert "<form" not in page.text


def test_the_page_of_an_unknown_session_is_a_404(sandbox):
    assert httpx.get(f"{sandbox.api_base}/pay/cs_test_missing").status_code == 404


def test_text_on_the_page_is_escaped(client):
    session = new_session(client, line_items=[{
        "price_data": {"currency": "eur", "unit_amount": 1000, "product_data": {"name": "<script>x</script>"}},
        "quantity": 1}])

    assert "<script>x</script>" not in httpx.get(session.url).text
