"""`opsportal notify ...`: the notification jobs for cron.

Each job is idempotent within its period (a month, an ISO week, an invoice's reminder stage, a
low-balance crossing): run it as often as you like, e.g. hourly. A send that failed is retried by
the next run; the command then exits 1 after printing its report.
"""

from __future__ import annotations

import argparse

from opsportal.cli.common import emit, fail, iso_instant, operator

JOB_NAMES = {
    "monthly": "monthly_statement",
    "weekly": "weekly_expiry",
    "low-balance": "low_balance",
    "overdue": "overdue_reminder",
    "ticket-mail": "ticket_updates",
}
EXIT_SENDS_FAILED = 1


def cmd_notify(args: argparse.Namespace) -> None:
    from opsportal.domain.notifications import NotificationKind
    from opsportal.services.scheduler import JOBS

    report = JOBS[NotificationKind(JOB_NAMES[args.job])](operator(), at=args.at, dry_run=args.dry_run)
    payload = {"kind": report.kind, "at": report.at, "dry_run": report.dry_run, "period": report.period,
               "counts": {"sent": len(report.sent), "would_send": len(report.would_send),
                          "skipped": len(report.skipped), "failed": len(report.failed),
                          "unconfirmed": len(report.unconfirmed)},
               "outcomes": report.outcomes}
    emit(args, payload, report.summary())
    if report.failed:
        fail(f"{len(report.failed)} notice(s) not sent; the next run retries them", EXIT_SENDS_FAILED)


def add_commands(groups, common) -> None:
    notify = groups.add_parser("notify", help="e-mail notifications (run from cron; idempotent)")
    actions = notify.add_subparsers(dest="action", required=True)
    helps = {
        "monthly": "monthly credit statements for the month of --at",
        "weekly": "weekly credit expiry notices for the ISO week of --at",
        "low-balance": "alerts for organizations whose available support hours fell below their threshold",
        "overdue": "reminders of invoices 1, 7 and 14 days past due",
        "ticket-mail": "ticket update e-mails still pending or failed (the portal sends them at once when it can)",
    }
    for name, text in helps.items():
        p = actions.add_parser(name, parents=[common], help=text)
        p.add_argument("--at", type=iso_instant, help="the instant the run is for (default: now)")
        p.add_argument("--dry-run", action="store_true", help="report who would get what; send and record nothing")
        p.set_defaults(func=cmd_notify, job=name)
