"""The in-process scheduler: while the portal runs, a background thread runs the periodic jobs.

It wakes up every hour (and shortly after start). Each tick first grants managed-service plans' period
hours that are due (``prepaid.grant_due_periods``, once per period), so that the notices see them, then
runs each notification job that is due at that moment
(``domain.notifications.scheduled_run_due``: statements from 07:00 UTC on the 1st, expiry notices
from 07:00 UTC on Mondays, alerts and reminders at every tick). Each job is idempotent within its
period, so waking often, restarting, or running it in several processes or next to cron sends
nothing twice; a failed send is retried at the next tick. Each tick also reconciles Stripe
checkouts still pending (``payment_reconciliation.reconcile``), the safety net for a lost webhook, and
deletes outbox messages past their retention (``outbox.prune_outbox``), read in-portal notifications past theirs
(``portal_notifications.prune_read``, a bounded batch), and approves time nobody disputed by its sign-off deadline
(``signoff_store.run_auto_approval``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from opsportal import clock
from opsportal.domain.notifications import NotificationKind, scheduled_run_due
from opsportal.services.credit_notices import run_monthly, run_weekly
from opsportal.services.forum_mail import send_pending as send_community_mail
from opsportal.services.low_balance import run_low_balance
from opsportal.services.notice_delivery import JobReport
from opsportal.services.operator import OPERATOR
from opsportal.services.overdue_reminders import run_overdue_reminders
from opsportal.services.ticket_mail import send_pending as send_ticket_mail

log = logging.getLogger(__name__)

# The notification jobs by kind (here, and `opsportal notify ...` from cron).
JOBS: dict[NotificationKind, Callable[..., JobReport]] = {
    NotificationKind.monthly_statement: run_monthly,
    NotificationKind.weekly_expiry: run_weekly,
    NotificationKind.low_balance: run_low_balance,
    NotificationKind.overdue_reminder: run_overdue_reminders,
    NotificationKind.ticket_updates: send_ticket_mail,  # retries what the sender thread could not send
    NotificationKind.community_answers: send_community_mail,  # likewise for the community's thread e-mails
}

INTERVAL_SECONDS = 3600
FIRST_RUN_DELAY_SECONDS = 60

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def run_due_jobs(at: datetime | None = None) -> list[JobReport]:
    """One tick: every job due at ``at`` (default now); a job that raises is logged and the others still run."""
    at = at or clock.now()
    grant_subscription_periods(at)
    reports = []
    for kind in NotificationKind:
        if not scheduled_run_due(kind, at):
            continue
        try:
            report = JOBS[kind](OPERATOR, at=at)
        except Exception:  # noqa: BLE001 - a broken job must not stop the others or the thread
            log.exception("notification job %s failed", kind.value)
            continue
        reports.append(report)
        if report.failed or report.unconfirmed:
            log.warning("%s", report.summary())
        elif report.sent:
            log.info("%s", report.summary())
    reconcile_payments(at)
    prune_outbox(at)
    prune_portal_notifications(at)
    approve_signed_off_time(at)
    return reports


def grant_subscription_periods(at: datetime) -> int:
    """Grant the period hours now due to every managed-service plan; logged, never raised. Returns how many."""
    from opsportal.services import prepaid

    try:
        granted = prepaid.grant_due_periods(OPERATOR, at=at)
    except Exception:  # noqa: BLE001 - the scheduler thread must survive anything
        log.exception("granting managed-service period hours failed")
        return 0
    if granted:
        log.info("granted %d managed-service period(s) of hours", granted)
    return granted


def reconcile_payments(at: datetime) -> None:
    """Ask Stripe about checkouts still pending; logged, never raised (Stripe may be down for a while)."""
    from opsportal.services import payment_reconciliation  # the payment stack loads only when a tick runs

    try:
        result = payment_reconciliation.reconcile(OPERATOR, at=at)
    except Exception:  # noqa: BLE001 - the scheduler thread must survive anything
        log.exception("payment reconciliation failed")
        return
    if result.failed:
        log.warning("%s", result.summary)
    elif result.applied or result.expired:
        log.info("%s", result.summary)


def approve_signed_off_time(at: datetime) -> int:
    """Time nobody disputed by its sign-off deadline becomes approved (the billing run does it too, lazily)."""
    from opsportal.services import signoff_store

    try:
        approved = signoff_store.run_auto_approval(OPERATOR, at=at)
    except Exception:  # noqa: BLE001 - the scheduler thread must survive anything
        log.exception("approving time past its sign-off deadline failed")
        return 0
    if approved:
        log.info("approved %d time entries past their sign-off deadline", approved)
    return approved


def prune_outbox(at: datetime) -> int:
    """Delete outbox messages past their retention; logged, never raised. Returns how many went."""
    from opsportal.services import outbox

    try:
        report = outbox.prune_outbox(OPERATOR, at=at)
    except Exception:  # noqa: BLE001 - the scheduler thread must survive anything
        log.exception("outbox retention failed")
        return 0
    if report.sent or report.failed:
        log.info("%s", report.summary())
    return report.sent + report.failed


def prune_portal_notifications(at: datetime) -> int:
    """Delete read in-portal notifications past their retention; logged, never raised. Returns how many went."""
    from opsportal.services import portal_notifications

    try:
        gone = portal_notifications.prune_read(now=at)
    except Exception:  # noqa: BLE001 - the scheduler thread must survive anything
        log.exception("in-portal notification retention failed")
        return 0
    if gone:
        log.info("deleted %d read in-portal notification(s) past their retention", gone)
    return gone


def _loop(interval: float, first_delay: float, tick: Callable[[], object]) -> None:
    if _stop.wait(first_delay):
        return
    while True:
        tick()
        if _stop.wait(interval):
            return


def start_scheduler(*, interval_seconds: float = INTERVAL_SECONDS,
                    first_run_delay_seconds: float = FIRST_RUN_DELAY_SECONDS,
                    tick: Callable[[], object] = run_due_jobs) -> bool:
    """Starts the background thread; False if it is already running."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        _stop.clear()
        _thread = threading.Thread(target=_loop, args=(interval_seconds, first_run_delay_seconds, tick),
                                   name="opsportal-notifications", daemon=True)
        _thread.start()
        return True


def stop_scheduler(timeout: float = 30) -> None:
    """Stops the thread, waiting for a running tick to finish (up to ``timeout`` seconds)."""
    global _thread
    with _lock:
        _stop.set()
        if _thread is not None:
            _thread.join(timeout)
        _thread = None


def is_running() -> bool:
    return _thread is not None and _thread.is_alive()
