"""Anything addressed by its id (a task, a ticket, an invoice, a credit lot, an invitation) of another organization
is answered exactly like an id that does not exist: same exception type, same message, same HTTP answer, so ids
tell nobody what other organizations have (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.services import (
    account_links,
    auth,
    checkout_sessions,
    credit_views,
    credits,
    incidents,
    invoice_staff,
    invoice_terms,
    invoice_views,
    mailer,
    rollup,
    tasks,
)
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.builders import PASSWORD
from tests.utils.ledger import grant
from tests.utils.plans import DESCRIPTION, SATURDAY_NOON, TERMS, set_up_gold
from tests.utils.tasks import new_task, set_rate

MISSING = 987_654_321
CALLER = "holdings_owner"


@pytest.fixture
def fabrikams(world, monkeypatch):
    """Fabrikam's ids of each kind: a task with an incident request (and its invoice), a plain invoice, a lot and a
    pending invitation."""
    monkeypatch.setattr(mailer, "send_mail", lambda mail: "<id@test>")
    set_up_gold(world.fabrikam)
    set_rate(world.fabrikam)
    incident = incidents.request_incident(world.actor("fabrikam_owner"), world.fabrikam.id, "emergency", None, 2,
                                          "Clinic offline", DESCRIPTION, accepted_terms=TERMS,
                                          at=SATURDAY_NOON)
    invoice_terms.set_invoice_terms(OPERATOR, world.fabrikam.id, tax_rate="0", payment_terms_days=30)
    invoice = invoice_staff.create_pre_service_invoice(OPERATOR, world.fabrikam.id,
                                                       [ItemInput("On-site visit", 1, 7_900)],
                                                       today=datetime.now(UTC).date())
    return {
        "task": incident.ticket_id,
        "plain task": new_task(world.fabrikam, subject="Printer offline"),
        "invoice": invoice.id,
        "lot": grant(world.fabrikam, 100).id,
        "invitation": account_links.invite_user(world.actor("fabrikam_owner"), email="x@fabrikam.example",
                                                role="member").id,
    }


READS_BY_ID = {
    "get_task": ("task", lambda actor, i: tasks.get_task(actor, i)),
    "add_comment": ("task", lambda actor, i: tasks.add_comment(actor, i, "Hello")),
    "change_topics": ("task", lambda actor, i: tasks.change_topics(actor, i)),
    "rollup_get_task": ("task", lambda actor, i: rollup.get_task(actor, i)),
    "incident_of_ticket": ("task", lambda actor, i: incidents.incident_of_ticket(actor, i)),
    "incident_of_plain_ticket": ("plain task", lambda actor, i: incidents.incident_of_ticket(actor, i)),
    "ticket_snapshot": ("task", lambda actor, i: credit_views.ticket_snapshot(actor, i)),
    "invoice_detail": ("invoice", lambda actor, i: invoice_views.invoice_detail(actor, i)),
    "open_invoice_payment": ("invoice", lambda actor, i: checkout_sessions.open_invoice_payment(actor, i)),
    "allocate_lot": ("lot", lambda actor, i: credits.allocate(actor, lot_id=i, to_org_id=None)),
    "revoke_invitation": ("invitation", lambda actor, i: account_links.revoke_invitation(actor, i)),
}


def answer(call, actor, row_id) -> tuple:
    try:
        result = call(actor, row_id)
    except Exception as error:  # noqa: BLE001 - the refusal is the answer compared
        return type(error), str(error)
    return "answered", result


@pytest.mark.parametrize("name", list(READS_BY_ID))
def test_another_organizations_id_is_answered_exactly_like_a_missing_one(world, fabrikams, name):
    kind, call = READS_BY_ID[name]
    actor = world.actor(CALLER)
    foreign, missing = answer(call, actor, fabrikams[kind]), answer(call, actor, MISSING)
    assert foreign == missing
    assert foreign[0] != "answered" and "not found or you do not have access to it" in foreign[1]


def test_the_owner_still_reads_their_own_ids(world, fabrikams):
    owner = world.actor("fabrikam_owner")
    assert tasks.get_task(owner, fabrikams["task"]).row.id == fabrikams["task"]
    assert incidents.incident_of_ticket(owner, fabrikams["task"]) is not None
    assert incidents.incident_of_ticket(owner, fabrikams["plain task"]) is None
    assert credit_views.ticket_snapshot(owner, fabrikams["task"]).id == fabrikams["task"]
    assert invoice_views.invoice_detail(owner, fabrikams["invoice"]).row.id == fabrikams["invoice"]


def test_the_invoice_pdf_of_another_organization_answers_like_a_missing_invoice(world, fabrikams):
    client = TestClient(create_api(PlainTextResponse("the Reflex app")))
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=world.users[CALLER].email, password=PASSWORD).token)
    foreign = client.get(f"/api/invoices/{fabrikams['invoice']}.pdf")
    missing = client.get(f"/api/invoices/{MISSING}.pdf")
    assert (foreign.status_code, foreign.text) == (missing.status_code, missing.text) == (
        404, "That invoice was not found or you do not have access to it.")
