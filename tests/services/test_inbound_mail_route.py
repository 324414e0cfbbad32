"""How received mail reaches the support mailbox: ``POST /api/mail/inbound`` (the MTA's hand-over, bearer token
required), ``opsportal mail receive`` (an MTA's pipe), and the development SMTP sink, which hands mail for the
support domain to the portal and keeps the rest (SQLite and PostgreSQL)."""

from __future__ import annotations

import smtplib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.routes import create_api
from opsportal.cli import main as cli_main
from opsportal.db import unit_of_work
from opsportal.devtools.smtp_sink import Forward, SmtpSink
from opsportal.domain import reply_address
from opsportal.models import InboundMail, TicketComment
from opsportal.services import ticket_mail
from opsportal.settings import get_settings
from tests.utils.mail import compose_mail, free_port
from tests.utils.tasks import new_task


@pytest.fixture
def client(database_url) -> TestClient:
    get_settings.cache_clear()
    yield TestClient(create_api(PlainTextResponse("the Reflex app")))
    get_settings.cache_clear()


def _reply_to(ticket_id: int) -> str:
    return reply_address.reply_address(ticket_id, ticket_mail.support_address(), get_settings().secret_key)


def _comment_bodies(ticket_id: int) -> list[str]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(TicketComment.body).where(TicketComment.ticket_id == ticket_id)).all())


def _post(client: TestClient, raw: bytes, to: str, token: str | None):
    headers = {"X-Envelope-From": "olivia@northwind.example", "X-Envelope-To": to}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/api/mail/inbound", content=raw, headers=headers)


def test_the_inbound_route_adds_a_reply_as_a_comment_when_called_with_the_token(world, client):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    raw = compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket), body="Sent from the route.")

    response = _post(client, raw, _reply_to(ticket), get_settings().inbound_token)

    assert response.status_code == 200 and response.json()["outcome"] == "comment_added"
    assert _comment_bodies(ticket) == ["Sent from the route."]


def test_the_inbound_route_refuses_a_caller_without_the_token_and_adds_nothing(world, client):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    raw = compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket))

    for token in (None, "wrong-token"):
        assert _post(client, raw, _reply_to(ticket), token).status_code == 401

    assert _comment_bodies(ticket) == []
    with unit_of_work(write=False) as session:
        assert session.exec(select(InboundMail)).all() == []


def test_a_refused_message_is_still_a_200_so_the_mail_server_neither_retries_nor_bounces(world, client):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    raw = compose_mail(sender="stranger@spam.example", to=_reply_to(ticket))

    response = _post(client, raw, _reply_to(ticket), get_settings().inbound_token)

    assert response.status_code == 200 and response.json()["outcome"] == "refused"


def test_the_cli_hands_a_piped_message_to_the_support_mailbox(world, tmp_path, capsys):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    message = tmp_path / "reply.eml"
    message.write_bytes(compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket), body="From a pipe."))

    code = cli_main(["mail", "receive", str(message), "--from", "olivia@northwind.example",
                     "--to", _reply_to(ticket)])

    assert code in (0, None) and "comment_added" in capsys.readouterr().out
    assert _comment_bodies(ticket) == ["From a pipe."]


class _Receiver(BaseHTTPRequestHandler):
    status = 200
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802 (http.server's hook name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received, _Receiver.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_sink_hands_support_mail_to_the_portal_and_saves_the_other_recipients_copy(tmp_path, receiver):
    forward = Forward(url=f"http://127.0.0.1:{receiver.server_port}/api/mail/inbound", token="t0ken",
                      support_domain="support.example")
    with SmtpSink(tmp_path, port=free_port(), forward=forward) as sink, \
            smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        raw = compose_mail(sender="ann@northwind.example", to="support+t1-abc@support.example")
        smtp.sendmail("ann@northwind.example", ["support+t1-abc@Support.Example", "boss@northwind.example"], raw)
        files = sink.files()

    [(headers, body)] = _Receiver.received
    assert headers["Authorization"] == "Bearer t0ken" and headers["X-Envelope-From"] == "ann@northwind.example"
    assert headers["X-Envelope-To"] == "support+t1-abc@Support.Example" and b"Thanks, that worked." in body
    assert len(files) == 1 and b"X-OpsPortal-Envelope-To: boss@northwind.example" in files[0].read_bytes()


def test_the_sink_asks_the_client_to_retry_when_the_portal_does_not_take_the_message(tmp_path, receiver):
    _Receiver.status = 503
    forward = Forward(url=f"http://127.0.0.1:{receiver.server_port}/api/mail/inbound", token="t0ken",
                      support_domain="support.example")
    with SmtpSink(tmp_path, port=free_port(), forward=forward) as sink, \
            smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("ann@northwind.example", ["support@support.example"],
                          compose_mail(sender="ann@northwind.example", to="support@support.example"))
        assert refused.value.smtp_code == 451 and sink.files() == []
