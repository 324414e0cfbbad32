"""`opsportal outbox prune`: the outbox's retention job, for cron (the backend's scheduler runs it every hour)."""

from __future__ import annotations

import argparse
from datetime import UTC

from opsportal.cli.common import emit, iso_instant, operator


def cmd_prune(args: argparse.Namespace) -> None:
    from opsportal import clock
    from opsportal.services import outbox

    at = (args.at or clock.now()).astimezone(UTC)
    report = outbox.prune_outbox(operator(), at=at)
    emit(args, {"sent_deleted": report.sent, "failed_deleted": report.failed, "at": at}, report.summary())


def add_commands(groups, common) -> None:
    actions = groups.add_parser("outbox", help="the outbox of sent e-mail (staff Mail)").add_subparsers(
        dest="action", required=True)
    p = actions.add_parser("prune", parents=[common],
                           help="delete messages past OPSPORTAL_OUTBOX_RETENTION_DAYS / _FAILED_RETENTION_DAYS "
                                "(idempotent; at most 5,000 of each status a run)")
    p.add_argument("--at", type=iso_instant, metavar="ISO", help="as of this instant (default: now)")
    p.set_defaults(func=cmd_prune)
