"""The outbox's retention job and its recipients' index: sent messages go after OPSPORTAL_OUTBOX_RETENTION_DAYS,
failed ones after OPSPORTAL_OUTBOX_FAILED_RETENTION_DAYS, with their recipient rows; a whole address is looked up
in the index (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from alembic import command
from opsportal.db import get_engine, unit_of_work
from opsportal.migrations import alembic_config, upgrade
from opsportal.models import OutboxMessage, OutboxRecipient
from opsportal.services import outbox, scheduler
from opsportal.services.errors import PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def retention(monkeypatch: pytest.MonkeyPatch):
    """Sent messages kept 30 days, failed ones 90."""
    monkeypatch.setenv("OPSPORTAL_OUTBOX_RETENTION_DAYS", "30")
    monkeypatch.setenv("OPSPORTAL_OUTBOX_FAILED_RETENTION_DAYS", "90")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _add(subject: str, *, days_old: float, status: str = "sent", to: str = "ann@contoso.example") -> int:
    with unit_of_work() as session:
        message = OutboxMessage(created_at=NOW - timedelta(days=days_old), kind="other", recipients=to,
                                subject=subject, status=status, error="refused" if status == "failed" else "")
        outbox.add_message(session, message)
        return message.id


def _subjects() -> list[str]:
    with unit_of_work(write=False) as session:
        return sorted(session.exec(select(OutboxMessage.subject)).all())


def _recipient_rows() -> list[tuple[int, str]]:
    with unit_of_work(write=False) as session:
        return sorted(session.exec(select(OutboxRecipient.message_id, OutboxRecipient.address)).all())


def test_sent_messages_older_than_the_retention_are_deleted_and_recent_ones_kept(world, retention):
    _add("old sent", days_old=31)
    recent = _add("recent sent", days_old=29)

    report = outbox.prune_outbox(OPERATOR, at=NOW)

    assert (report.sent, report.failed) == (1, 0)
    assert _subjects() == ["recent sent"]
    assert _recipient_rows() == [(recent, "ann@contoso.example")]


def test_failed_messages_are_kept_for_their_own_longer_retention(world, retention):
    _add("failed 60 days ago", days_old=60, status="failed")
    _add("failed 91 days ago", days_old=91, status="failed")
    _add("sent 60 days ago", days_old=60)

    report = outbox.prune_outbox(OPERATOR, at=NOW)

    assert (report.sent, report.failed) == (1, 1)
    assert _subjects() == ["failed 60 days ago"]


def test_pruning_again_deletes_nothing_more(world, retention):
    _add("old", days_old=40)
    _add("new", days_old=1)
    outbox.prune_outbox(OPERATOR, at=NOW)

    again = outbox.prune_outbox(OPERATOR, at=NOW)

    assert (again.sent, again.failed) == (0, 0)
    assert _subjects() == ["new"]


def test_a_retention_of_zero_days_keeps_messages_for_ever(world, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_OUTBOX_RETENTION_DAYS", "0")
    monkeypatch.setenv("OPSPORTAL_OUTBOX_FAILED_RETENTION_DAYS", "0")
    get_settings.cache_clear()
    _add("ancient sent", days_old=5000)
    _add("ancient failed", days_old=5000, status="failed")

    report = outbox.prune_outbox(OPERATOR, at=NOW)
    get_settings.cache_clear()

    assert (report.sent, report.failed) == (0, 0)
    assert _subjects() == ["ancient failed", "ancient sent"]


def test_a_run_deletes_at_most_a_batch_oldest_first_and_the_next_run_goes_on(world, retention, monkeypatch):
    monkeypatch.setattr(outbox, "PRUNE_BATCH", 2)
    for days in (50, 40, 35, 1):
        _add(f"{days} days", days_old=days)

    first = outbox.prune_outbox(OPERATOR, at=NOW)
    kept_after_first = _subjects()
    second = outbox.prune_outbox(OPERATOR, at=NOW)

    assert (first.sent, second.sent) == (2, 1)
    assert kept_after_first == ["1 days", "35 days"]
    assert _subjects() == ["1 days"]


def test_the_scheduler_tick_prunes_the_outbox(world, retention):
    _add("old", days_old=31)
    _add("new", days_old=1)

    assert scheduler.prune_outbox(NOW) == 1
    assert scheduler.prune_outbox(NOW) == 0
    assert _subjects() == ["new"]


def test_customers_may_not_prune_the_outbox(world, retention):
    _add("old", days_old=31)

    for name in ("holdings_owner", "fabrikam_owner"):
        with pytest.raises(PermissionDenied):
            outbox.prune_outbox(world.actor(name), at=NOW)
    assert _subjects() == ["old"]


def test_each_recipient_is_indexed_lower_cased_once(world):
    message_id = _add("two", days_old=0, to="Ann@Contoso.example, bob@fabrikam.example; ann@contoso.example")

    assert _recipient_rows() == [(message_id, "ann@contoso.example"), (message_id, "bob@fabrikam.example")]


def test_a_whole_address_finds_exactly_that_recipients_messages(world):
    _add("to ann", days_old=2, to="ann@contoso.example")
    _add("to joann", days_old=1, to="joann@contoso.example")
    staff = world.actor("agent")

    exact = outbox.list_outbox(staff, recipient="ANN@contoso.example")
    part = outbox.list_outbox(staff, recipient="ann@contoso")
    typing = outbox.list_outbox(staff, recipient="ann@contoso.exam")

    assert [r.subject for r in exact.items] == ["to ann"]
    assert [r.subject for r in part.items] == ["to joann", "to ann"]
    assert [r.subject for r in typing.items] == ["to joann", "to ann"]  # no such address: part of one


def test_upgrading_copies_the_existing_messages_recipients_into_the_index(empty_database_url):
    url = empty_database_url  # a database of its own: this test migrates it step by step
    command.upgrade(alembic_config(url), "0014")
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO outbox_message (id, created_at, kind, recipients, status) "
                          "VALUES (7, :at, 'other', 'Ann@Contoso.example,bob@fabrikam.example', 'sent')"), {"at": NOW})

    upgrade(url)

    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT message_id, address FROM outbox_recipient ORDER BY address")).all()
    assert [tuple(r) for r in rows] == [(7, "ann@contoso.example"), (7, "bob@fabrikam.example")]


def test_opsportal_outbox_prune_runs_the_retention_job_and_says_what_it_deleted(world, retention, capsys):
    from opsportal.cli import main

    _add("old", days_old=31)
    _add("old failure", days_old=91, status="failed")

    code = main(["outbox", "prune", "--at", NOW.isoformat(), "--json"])

    assert code in (0, None)
    assert json.loads(capsys.readouterr().out) == {"sent_deleted": 1, "failed_deleted": 1,
                                                   "at": "2026-12-03T12:00:00+00:00"}
    assert _subjects() == []
