"""`opsportal`: the operator's command line (database, organizations, users, demo data, the credit ledger,
billing, notifications, support plans, the development sandboxes).

One module per command group (``cli/<group>.py``, each with ``add_commands``); what they share is in
``cli/common.py``. With --json a command prints exactly one JSON object on stdout. Errors go to stderr as
one line and the exit status is non-zero; a failed command changes nothing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from opsportal.cli.common import EXIT_ERROR, EXIT_USAGE, CommandError, Parser
from opsportal.services.errors import ServiceError

# In the order `opsportal --help` lists them; each module is imported only when the parser is built.
GROUPS = ("db", "org", "user", "demo", "credits", "subscriptions", "billing", "sandbox", "notify", "outbox", "plans",
          "sla", "mail", "products", "licences")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="opsportal", description="OpsPortal operator commands.")
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND", parser_class=Parser)
    for name in GROUPS:
        importlib.import_module(f"opsportal.cli.{name}").add_commands(groups, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], None] = args.func
    try:
        func(args)
    except CommandError as exc:
        print(f"opsportal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ServiceError as exc:
        print(f"opsportal: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return 0


__all__ = ["CommandError", "build_parser", "main"]
