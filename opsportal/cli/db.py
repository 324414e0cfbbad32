"""`opsportal db upgrade`: apply the migrations."""

from __future__ import annotations

import argparse

from opsportal.cli.common import emit


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from opsportal.migrations import upgrade

    upgrade(revision=args.revision)
    emit(args, {"upgraded_to": args.revision}, f"Database upgraded to {args.revision}.")


def add_commands(groups, common) -> None:
    db = groups.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    p = db.add_parser("upgrade", parents=[common], help="apply migrations")
    p.add_argument("--revision", default="head")
    p.set_defaults(func=cmd_db_upgrade)
