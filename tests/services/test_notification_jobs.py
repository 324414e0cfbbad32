"""The notification jobs from cron (``opsportal notify``) and the backend's scheduler, and what they sent as
staff read it in the outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from time import monotonic, sleep

import pytest

from opsportal.cli import main
from opsportal.services import credit_notices, outbox, scheduler
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.mail import MONTHLY, WEEKLY, demo_credits, subscribe


def test_staff_read_what_the_portal_sent_newest_first_in_the_outbox_and_customers_cannot(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    subscribe(world, "holdings_owner", kind=MONTHLY)
    credit_notices.run_weekly(OPERATOR, at=NOW)
    credit_notices.run_monthly(OPERATOR, at=NOW)
    staff = world.actor("agent")

    page = outbox.list_outbox(staff, page=1, page_size=1)
    detail = outbox.read_outbox_message(staff, page.items[0].id)

    assert (page.total, page.pages) == (2, 2)
    newest = page.items[0]
    assert newest.subject == "Credit statement for March 2025: Northwind Holdings"
    assert (newest.recipients, newest.kind, newest.organization, newest.status, newest.error) == (
        "olivia@northwind.example", MONTHLY, "Northwind Holdings", "sent", "")
    assert "Total available: 52 h 25 min" in detail.text and "52 h 25 min" in detail.html
    assert detail.message_id == str(inbox.all()[-1]["Message-ID"])
    with pytest.raises(NotFound):
        outbox.read_outbox_message(staff, "../../etc/passwd")
    with pytest.raises(PermissionDenied):
        outbox.list_outbox(world.actor("holdings_owner"))
    with pytest.raises(PermissionDenied):
        outbox.read_outbox_message(world.actor("holdings_owner"), newest.id)


def run_cli(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exc:
        return exc.code


def test_the_notify_command_prints_its_report_and_exits_1_while_sends_fail(world, inbox, capsys):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    at = NOW.isoformat()

    dry = run_cli("notify", "weekly", "--at", at, "--dry-run")
    dry_out = capsys.readouterr().out
    inbox.down()
    down = run_cli("notify", "weekly", "--at", at, "--json")
    down_io = capsys.readouterr()
    inbox.up()
    sent = run_cli("notify", "weekly", "--at", at, "--json")
    sent_out = json.loads(capsys.readouterr().out)

    assert (dry, dry_out) == (0, "Weekly credit expiry notice for 2025-W11 (dry run): 1 would be sent, 0 skipped.\n")
    assert down == 1
    assert json.loads(down_io.out)["counts"]["failed"] == 1
    assert down_io.err == "opsportal: error: 1 notice(s) not sent; the next run retries them\n"
    assert (sent, sent_out["counts"]["sent"], sent_out["period"]) == (0, 1, "2025-W11")
    assert len(inbox.new()) == 1


def test_the_scheduler_runs_the_jobs_due_at_a_tick_and_stops_when_asked(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    subscribe(world, "holdings_owner", kind=MONTHLY)

    early_monday = scheduler.run_due_jobs(NOW.replace(hour=6))
    later = scheduler.run_due_jobs(NOW)
    ticks = []
    assert scheduler.start_scheduler(interval_seconds=0.01, first_run_delay_seconds=0, tick=lambda: ticks.append(1))
    assert scheduler.start_scheduler(tick=lambda: None) is False
    deadline = monotonic() + 10
    while len(ticks) < 2 and monotonic() < deadline:
        sleep(0.01)
    scheduler.stop_scheduler()

    assert [r.kind for r in early_monday] == [MONTHLY, "low_balance", "overdue_reminder", "ticket_updates",
                                              "community_answers"]
    assert [r.kind for r in later] == [MONTHLY, WEEKLY, "low_balance", "overdue_reminder", "ticket_updates",
                                       "community_answers"]
    assert [len(r.sent) for r in later] == [0, 1, 0, 0, 0, 0]
    assert scheduler.is_running() is False
    assert sorted(m["X-OpsPortal-Notification"] for m in inbox.new()) == [MONTHLY, WEEKLY]
