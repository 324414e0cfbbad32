"""What runs for as long as the portal's backend serves: the event-loop guard and the notification scheduler.

Registered on the Reflex app (``app.register_lifespan_task``), so it starts only when a server starts the
backend (``reflex run``, the test harness), never in the CLI, migrations or unit tests, and stops with it.
``OPSPORTAL_SCHEDULER=off`` leaves the jobs to cron.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from opsportal.db import serve_on
from opsportal.services import scheduler
from opsportal.settings import get_settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def guard_event_loop():
    """From here on, database work on this backend's event loop is refused (``db.refuse_on_event_loop``)."""
    serve_on(asyncio.get_running_loop())
    yield


@contextlib.asynccontextmanager
async def change_feed():
    """The process's change-feed watcher runs from the start, so shared reads (``state.shared``) can trust it."""
    from opsportal.state.feed import HUB  # the backend's own: never loaded by the CLI

    await HUB.start()
    try:
        yield
    finally:
        await HUB.stop()


@contextlib.asynccontextmanager
async def notification_scheduler():
    started = False
    if get_settings().scheduler:
        started = scheduler.start_scheduler()
        if started:
            log.info("notification scheduler started")
    try:
        yield
    finally:
        if started:
            # Waits for a running tick to finish: off the event loop.
            await asyncio.to_thread(scheduler.stop_scheduler)


@contextlib.asynccontextmanager
async def ticket_mail_sender():
    """Ticket e-mails go out from a thread of their own as soon as their update commits (services.ticket_mail)."""
    from opsportal.services import ticket_mail

    started = get_settings().ticket_mail_send_at_once and ticket_mail.start_sender()
    try:
        yield
    finally:
        if started:
            await asyncio.to_thread(ticket_mail.stop_sender)


@contextlib.asynccontextmanager
async def community_mail_sender():
    """K2 Community e-mails (new answers to followed threads) go out as their answer commits (services.forum_mail);
    the ticket e-mail setting turns both senders off (the scheduler's tick still sends)."""
    from opsportal.services import forum_mail

    started = get_settings().ticket_mail_send_at_once and forum_mail.start_sender()
    try:
        yield
    finally:
        if started:
            await asyncio.to_thread(forum_mail.stop_sender)
