"""`opsportal subscriptions ...`: the managed-service period job, for cron."""

from __future__ import annotations

import argparse
from datetime import UTC

from opsportal.cli.common import emit, iso_instant, operator


def cmd_grant(args: argparse.Namespace) -> None:
    from opsportal import clock
    from opsportal.services import prepaid

    at = (args.at or clock.now()).astimezone(UTC)
    granted = prepaid.grant_due_periods(operator(), at=at)
    emit(args, {"granted": granted, "at": at},
         f"Granted {granted} subscription period{'' if granted == 1 else 's'} due at {at:%Y-%m-%d %H:%M} UTC.")


def add_commands(groups, common) -> None:
    subs = groups.add_parser("subscriptions", help="managed-service subscriptions").add_subparsers(
        dest="action", required=True)
    p = subs.add_parser("grant", parents=[common],
                        help="grant each active subscription's current period its hours (idempotent)")
    p.add_argument("--at", type=iso_instant, metavar="ISO", help="as of this instant (default: now)")
    p.set_defaults(func=cmd_grant)
