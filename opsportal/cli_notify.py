"""`opsportal notify ...`: the notification jobs for cron, and `opsportal sandbox smtp`, the local mail sink.

Each job is idempotent within its period (a month, an ISO week, an invoice's reminder stage, a
low-balance crossing): run it as often as you like, e.g. hourly. A send that failed is retried by
the next run; the command then exits 1 after printing its report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

JOB_NAMES = {
    "monthly": "monthly_statement",
    "weekly": "weekly_expiry",
    "low-balance": "low_balance",
    "overdue": "overdue_reminder",
}
EXIT_SENDS_FAILED = 1
DEFAULT_SINK_PORT = 8025


def cmd_notify(args: argparse.Namespace) -> None:
    from opsportal.cli import _emit
    from opsportal.domain.notifications import NotificationKind
    from opsportal.services.notifications import JOBS
    from opsportal.services.operator import OPERATOR

    report = JOBS[NotificationKind(JOB_NAMES[args.job])](OPERATOR, at=args.at, dry_run=args.dry_run)
    payload = {"kind": report.kind, "at": report.at, "dry_run": report.dry_run, "period": report.period,
               "counts": {"sent": len(report.sent), "would_send": len(report.would_send),
                          "skipped": len(report.skipped), "failed": len(report.failed),
                          "unconfirmed": len(report.unconfirmed)},
               "outcomes": report.outcomes}
    _emit(args, payload, report.summary())
    if report.failed:
        print(f"opsportal: error: {len(report.failed)} notice(s) not sent; the next run retries them",
              file=sys.stderr)
        raise SystemExit(EXIT_SENDS_FAILED)


def add_notify_commands(groups, common) -> None:
    from opsportal.cli import _iso_instant

    notify = groups.add_parser("notify", help="e-mail notifications (run from cron; idempotent)")
    actions = notify.add_subparsers(dest="action", required=True)
    helps = {
        "monthly": "monthly credit statements for the month of --at",
        "weekly": "weekly credit expiry notices for the ISO week of --at",
        "low-balance": "alerts for organizations whose available support hours fell below their threshold",
        "overdue": "reminders of invoices 1, 7 and 14 days past due",
    }
    for name, text in helps.items():
        p = actions.add_parser(name, parents=[common], help=text)
        p.add_argument("--at", type=_iso_instant, help="the instant the run is for (default: now)")
        p.add_argument("--dry-run", action="store_true", help="report who would get what; send and record nothing")
        p.set_defaults(func=cmd_notify, job=name)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value!r}")
    return port


def cmd_sandbox_smtp(args: argparse.Namespace) -> None:
    from opsportal.devtools.smtp_sink import run_sink
    from opsportal.settings import get_settings

    try:
        run_sink(host=args.host, port=args.port, directory=Path(args.dir or get_settings().mail_directory))
    except OSError as exc:
        print(f"opsportal: error: the SMTP sink could not start on {args.host}:{args.port}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def add_smtp_sink_command(actions) -> None:
    """Registers ``sandbox smtp`` on the ``sandbox`` group's subparsers."""
    p = actions.add_parser(
        "smtp", help="run a local SMTP server that saves every message it gets (nothing is relayed)",
        description="Accept mail on HOST:PORT and save each message as an .eml file in DIR (a development "
                    "tool: nothing is relayed). Point OPSPORTAL_SMTP_HOST/OPSPORTAL_SMTP_PORT at it (the defaults "
                    "do).")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=DEFAULT_SINK_PORT, help="port (default: %(default)s)")
    p.add_argument("--dir", metavar="DIR", help="where to save messages (default: OPSPORTAL_MAIL_DIR or data/mail)")
    p.set_defaults(func=cmd_sandbox_smtp)
