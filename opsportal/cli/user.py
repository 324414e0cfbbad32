"""`opsportal user create`: users (customer or staff), with a chosen or a generated password;
`opsportal user reset-mfa`: turns off the two-step verification of a user who lost their phone and recovery codes."""

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


def cmd_user_reset_mfa(args: argparse.Namespace) -> None:
    from opsportal.services.mfa import reset_for_user

    email = reset_for_user(operator(), args.email)
    emit(args, {"email": email, "two_step_verification": "off", "sessions": "ended"},
         f"Two-step verification of {email} is off and every session of theirs has ended; they sign in with their "
         "password (and set it up again where it is required).")


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
    p = user.add_parser("reset-mfa", parents=[common],
                        help="turn off a user's two-step verification (lost phone and recovery codes)")
    p.add_argument("email")
    p.set_defaults(func=cmd_user_reset_mfa)
