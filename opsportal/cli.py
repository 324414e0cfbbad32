"""`opsportal`: the operator's command line (database, organizations, users, demo data).

With --json a command prints exactly one JSON object on stdout. Errors go to stderr as
one line and the exit status is non-zero; a failed command changes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from opsportal.services.errors import ServiceError

EXIT_ERROR = 1


class CommandError(Exception):
    """A usage problem found by a command itself (exit 2, like argparse's)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _iso_instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date or time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    if args.json:
        print(json.dumps(_jsonable(payload), sort_keys=True))
    else:
        print(text)


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from opsportal.migrations import upgrade

    upgrade(revision=args.revision)
    _emit(args, {"upgraded_to": args.revision}, f"Database upgraded to {args.revision}.")


def cmd_org_create(args: argparse.Namespace) -> None:
    from opsportal.services.operator import OPERATOR
    from opsportal.services.organizations import create_organization

    org = create_organization(OPERATOR, name=args.name, parent_name=args.parent)
    parent = f" under {org.parent_name}" if org.parent_name else ""
    _emit(args, dataclasses.asdict(org), f"Created organization {org.name} (id {org.id}){parent}.")


def cmd_user_create(args: argparse.Namespace) -> None:
    from opsportal.services.operator import OPERATOR
    from opsportal.services.users import create_user

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin given but standard input held no password")
    created = create_user(OPERATOR, email=args.email, role=args.role, organization_name=args.org,
                          password=password, full_name=args.name or "")
    payload = dataclasses.asdict(created.user)
    text = f"Created {created.user.role} {created.user.email} (id {created.user.id})."
    if created.temporary_password:
        payload["temporary_password"] = created.temporary_password
        text += f"\nTemporary password (shown once): {created.temporary_password}"
    _emit(args, payload, text)


def cmd_demo_load(args: argparse.Namespace) -> None:
    from opsportal.services.demo import DEMO_PASSWORD, load_demo
    from opsportal.services.demo_billing import load_demo_billing
    from opsportal.services.demo_credits import load_demo_credits
    from opsportal.services.demo_kb import load_demo_kb
    from opsportal.services.demo_plans import load_demo_plans
    from opsportal.services.demo_tasks import load_demo_tasks
    from opsportal.services.hour_blocks import ensure_demo_catalog
    from opsportal.services.operator import OPERATOR

    steps = ("organizations and users", "credits", "tasks and time", "knowledge base", "invoices", "support plans")

    def step(n: int, load):
        # Progress goes to stderr: stdout stays the one summary (or JSON object) scripts read.
        print(f"Loading demo data, step {n} of {len(steps)}: {steps[n - 1]}", file=sys.stderr, flush=True)
        return load(OPERATOR)

    result = step(1, load_demo)
    # The catalog first: the demo's purchased hours are hour blocks bought from it.
    blocks, lots = step(2, lambda actor: (ensure_demo_catalog(actor), load_demo_credits(actor)))
    tasks_created = step(3, load_demo_tasks)
    articles = step(4, load_demo_kb)
    billing = step(5, load_demo_billing)
    plan_rows = step(6, load_demo_plans)
    _emit(args, {**dataclasses.asdict(result), "lots_created": lots, "articles_created": articles,
                 "plan_rows_created": plan_rows,
                 "tasks_created": tasks_created, "hour_blocks_created": blocks + billing.hour_blocks_created,
                 "invoices_created": billing.invoices_created},
          f"Demo data ready: {result.organizations_created} organizations, {result.users_created} users, "
          f"{lots} credit lots, {tasks_created} tasks, {articles} articles, "
          f"{blocks + billing.hour_blocks_created} hour blocks and {billing.invoices_created} invoices added "
          f"({result.organizations_total} organizations and {result.users_total} users "
          f"in the demo set). Demo password: {DEMO_PASSWORD}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="opsportal", description="OpsPortal operator commands.")
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND", parser_class=_Parser)

    db = groups.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    p = db.add_parser("upgrade", parents=[common], help="apply migrations")
    p.add_argument("--revision", default="head")
    p.set_defaults(func=cmd_db_upgrade)

    org = groups.add_parser("org", help="organizations").add_subparsers(dest="action", required=True)
    p = org.add_parser("create", parents=[common], help="create an organization")
    p.add_argument("name")
    p.add_argument("--parent", metavar="NAME", help="the parent organization's name")
    p.set_defaults(func=cmd_org_create)

    user = groups.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    p = user.add_parser("create", parents=[common], help="create a user")
    p.add_argument("email")
    p.add_argument("--org", metavar="NAME", help="organization (customer roles only)")
    p.add_argument("--role", required=True, help="owner, admin, billing, member, agent or staff_admin")
    p.add_argument("--name", help="full name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (else one is generated)")
    p.set_defaults(func=cmd_user_create)

    demo = groups.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    p = demo.add_parser("load", parents=[common], help="load the demo organizations and users (idempotent)")
    p.set_defaults(func=cmd_demo_load)

    from opsportal.cli_credits import add_credit_commands

    add_credit_commands(groups, common)

    from opsportal.cli_tasks import add_subscription_commands

    add_subscription_commands(groups, common)

    from opsportal.cli_billing import add_billing_commands

    add_billing_commands(groups, common)

    from opsportal.cli_sandbox import add_sandbox_commands

    add_sandbox_commands(groups, common)

    from opsportal.cli_notify import add_notify_commands

    add_notify_commands(groups, common)

    from opsportal.cli_plans import add_plan_commands

    add_plan_commands(groups, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], None] = args.func
    try:
        func(args)
    except CommandError as exc:
        print(f"opsportal: error: {exc}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(f"opsportal: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
