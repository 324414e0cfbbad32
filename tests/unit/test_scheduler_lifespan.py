"""The notification scheduler runs for as long as the backend serves, and only then."""

from __future__ import annotations

import asyncio
import threading

import pytest

from opsportal import lifespan
from opsportal.services import scheduler
from opsportal.settings import get_settings


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(scheduler, "start_scheduler", lambda: seen.append("start") or True)
    monkeypatch.setattr(scheduler, "stop_scheduler", lambda: seen.append("stop"))
    yield seen
    get_settings.cache_clear()


def serve(events: list[str]) -> None:
    async def backend() -> None:
        async with lifespan.notification_scheduler():
            events.append("serving")

    # A loop of its own in a thread of its own: in a full run, Playwright's sync API may already be
    # running a loop in this thread, where asyncio.run() refuses to start.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(backend())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if failures:
        raise failures[0]


def test_the_scheduler_starts_with_the_backend_and_stops_with_it(calls, monkeypatch):
    monkeypatch.delenv("OPSPORTAL_SCHEDULER", raising=False)
    get_settings.cache_clear()

    serve(calls)

    assert calls == ["start", "serving", "stop"]


@pytest.mark.parametrize("value", ["off", "false", "0", "no"])
def test_opsportal_scheduler_off_leaves_the_jobs_to_cron(calls, monkeypatch, value):
    monkeypatch.setenv("OPSPORTAL_SCHEDULER", value)
    get_settings.cache_clear()

    serve(calls)

    assert calls == ["serving"]


def test_the_scheduler_is_registered_on_the_app_as_a_lifespan_task_and_not_started_by_importing_it():
    from opsportal.opsportal import app

    assert lifespan.notification_scheduler in app.get_lifespan_tasks()
    assert not scheduler.is_running()
