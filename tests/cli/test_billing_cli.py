"""`opsportal billing ...` and `opsportal payments reconcile`: what they print, write, and refuse (SQLite)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.invoices import BillingPeriod
from opsportal.models import Job, Payment
from opsportal.services import hour_blocks, jobs
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import Unavailable
from opsportal.services.operator import OPERATOR
from tests.utils.builders import actor_for, make_org, make_user
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW
from tests.utils.tasks import log, new_task, set_rate


def jobs_of(key: str) -> list[dict]:
    with unit_of_work(write=False) as session:
        return [{"status": j.status, "summary": j.summary}
                for j in session.exec(select(Job).where(Job.key == key).order_by(Job.id)).all()]


def ok(cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert (result.code, result.err) == (0, ""), result.err
    payload = json.loads(result.out)
    assert isinstance(payload, dict)
    return payload


def refused(cli, *args: str, code: int) -> str:
    """A command that must fail: the exit status, nothing on stdout, one line on stderr, nothing written."""
    before = dump_tables()
    result = cli(*args, "--json")
    assert result.code == code, result
    assert result.out == ""
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    assert dump_tables() == before
    return result.err.rstrip("\n")


@pytest.fixture
def contoso(cli, sqlite_database_url):
    """Contoso at USD 120.00 an hour with 90 minutes of pay-as-you-go time in February 2025."""
    org = make_org("Contoso")
    set_rate(org)
    ticket = new_task(org)
    log(ticket, 60, work_date=date(2025, 2, 20))
    log(ticket, 30, work_date=date(2025, 2, 27))
    return org


def test_the_run_bills_a_finished_month_once_and_a_second_run_bills_nothing(cli, contoso):
    first = ok(cli, "billing", "run", "--period", "2025-02")

    assert first["period"] == "2025-02"
    assert [(i["organization"], i["total_minor"], i["currency"], i["entries"]) for i in first["invoices"]] == [
        ("Contoso", 18_000, "USD", 2)]
    assert first["summary"].startswith("Billed 2025-02: 1 invoice(s), INV-")
    before = dump_tables(ignore={"job"})

    second = ok(cli, "billing", "run", "--period", "2025-02")

    assert second["invoices"] == []
    assert second["summary"] == "Nothing to bill for 2025-02: its signed-off pay-as-you-go time is already billed."
    assert dump_tables(ignore={"job"}) == before
    assert [(j["status"], j["summary"]) for j in jobs_of("billing:2025-02")] == [
        ("succeeded", first["summary"]), ("succeeded", second["summary"])]


def test_the_run_is_refused_while_the_page_or_another_host_is_billing_the_same_month(cli, contoso):
    sam = make_user("sam@opsportal.example", role="staff_admin", full_name="Sam Taylor")
    job = jobs.start(actor_for(sam), "billing", "billing:2025-02", 3)
    jobs.progress(job.id, 1)

    message = refused(cli, "billing", "run", "--period", "2025-02", code=1)

    assert message.startswith("opsportal: error: A billing run for February 2025 is already running, started by "
                              "Sam Taylor at ")
    assert message.endswith("; it is 33% done.")
    jobs.finish(job.id, "Billed 2025-02: nothing.")
    assert ok(cli, "billing", "run", "--period", "2025-02")["invoices"][0]["organization"] == "Contoso"


def test_without_json_the_run_prints_its_summary_in_a_sentence(cli, contoso):
    result = cli("billing", "run", "--period", "2025-02")

    assert result.code == 0
    number = f"INV-{clock.now().year}-00001"
    assert result.out == f"Billed 2025-02: 1 invoice(s), {number} Contoso USD 180.00.\n"


@pytest.mark.parametrize("period", ["2025-13", "2025-2", "February", "2025-02-01", ""])
def test_a_malformed_period_is_refused_with_one_line_naming_the_format(cli, contoso, period):
    message = refused(cli, "billing", "run", "--period", period, code=2)

    assert message.endswith(f"argument --period: not a billing period (YYYY-MM, e.g. 2026-10): {period!r}")


def test_a_month_that_has_not_ended_is_refused_and_bills_nothing(cli, contoso):
    today = clock.now().date()
    current = BillingPeriod(today.year, today.month)

    message = refused(cli, "billing", "run", "--period", current.key, code=1)

    following = current.last_day + timedelta(days=1)
    assert message == (f"opsportal: error: {current.label} has not ended yet; "
                       f"bill it from {following:%Y-%m-%d}.")


def test_reconcile_with_nothing_pending_checks_nothing_and_succeeds(cli, sqlite_database_url):
    payload = ok(cli, "payments", "reconcile")

    assert {k: payload[k] for k in ("checked", "applied", "expired", "abandoned", "failed")} == {
        "checked": 0, "applied": 0, "expired": 0, "abandoned": 0, "failed": []}
    assert payload["summary"] == ("Checked 0 pending checkout session(s): 0 paid, 0 expired; "
                                  "0 never-started payment(s) closed.")


def test_reconcile_exits_non_zero_when_stripe_could_not_be_asked_about_a_session(cli, contoso, monkeypatch):
    long_ago = clock.now() - timedelta(hours=1)
    with unit_of_work() as session:
        session.add(Payment(organization_id=contoso.id, purpose="invoice", status="open", amount_minor=18_000,
                            currency="USD", description="Invoice INV-2025-00001", idempotency_key="test-key-1",
                            stripe_session_id="cs_test_1", created_at=long_ago, updated_at=long_ago))

    def unavailable(session_id: str):
        raise Unavailable(gateway.UNAVAILABLE)

    monkeypatch.setattr(gateway, "retrieve_checkout_session", unavailable)

    result = cli("payments", "reconcile", "--json")

    assert result.code == 1
    payload = json.loads(result.out)
    assert (payload["checked"], payload["applied"], len(payload["failed"])) == (1, 0, 1)
    assert payload["failed"][0].startswith("payment 1: The payment service is not answering right now.")
    assert result.err == ("opsportal: error: 1 checkout session(s) could not be checked; "
                          "run the command again later.\n")


def test_the_catalog_lists_every_block_on_sale_or_not(cli, sqlite_database_url):
    empty = cli("billing", "catalog")
    assert (empty.code, empty.out) == (0, "The hour-block catalog is empty.\n")
    hour_blocks.ensure_demo_catalog(OPERATOR, currencies=("USD",))
    starter = hour_blocks.all_blocks(OPERATOR)[0]
    hour_blocks.save_block(OPERATOR, block_id=starter.id, name=starter.name, hours=starter.hours,
                           price_minor=starter.price_minor, currency="USD", validity_days=starter.validity_days,
                           active=False, at=NOW)

    blocks = ok(cli, "billing", "catalog")["blocks"]

    assert [(b["name"], b["credits"], b["discount_percent"]) for b in blocks if b["product"] == "service_credits"] == [
        ("Credit pack 25", 25, 0), ("Credit pack 50", 50, 5), ("Credit pack 100", 100, 10)]
    assert [(b["name"], b["hours"], b["price_minor"], b["currency"], b["discount_percent"], b["on_sale"])
            for b in blocks if b["product"] == "support_hours"] == [
        ("Starter block", 5, 52_500, "USD", 0, False), ("Standard block", 10, 100_000, "USD", 0, True),
        ("Growth block", 20, 190_000, "USD", 5, True), ("Enterprise block", 40, 360_000, "USD", 10, True)]
    text = cli("billing", "catalog").out.splitlines()
    assert len(text) == 7 and "100 credits" in text[6] and "/credit" in text[6]
    assert "Starter block" in text[0] and text[0].endswith("not on sale")
    assert "USD 1,900.00" in text[2] and "5% off" in text[2] and text[2].endswith("  on sale")
