"""`opsportal user create`: users (customer or staff), with a chosen or a generated password."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from opsportal.cli.common import CommandError, emit, operator


def cmd_user_create(args: argparse.Namespace) -> None:
    from opsportal.services.users import create_user

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin given but standard input held no password")
    created = create_user(operator(), email=args.email, role=args.role, organization_name=args.org,
                          password=password, full_name=args.name or "")
    payload = dataclasses.asdict(created.user)
    text = f"Created {created.user.role} {created.user.email} (id {created.user.id})."
    if created.temporary_password:
        payload["temporary_password"] = created.temporary_password
        text += f"\nTemporary password (shown once): {created.temporary_password}"
    emit(args, payload, text)


def add_commands(groups, common) -> None:
    user = groups.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    p = user.add_parser("create", parents=[common], help="create a user")
    p.add_argument("email")
    p.add_argument("--org", metavar="NAME", help="organization (customer roles only)")
    p.add_argument("--role", required=True, help="owner, admin, billing, member, agent or staff_admin")
    p.add_argument("--name", help="full name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (else one is generated)")
    p.set_defaults(func=cmd_user_create)
