"""`opsportal org create`: organizations."""

from __future__ import annotations

import argparse
import dataclasses

from opsportal.cli.common import emit, operator


def cmd_org_create(args: argparse.Namespace) -> None:
    from opsportal.services.organizations import create_organization

    org = create_organization(operator(), name=args.name, parent_name=args.parent)
    parent = f" under {org.parent_name}" if org.parent_name else ""
    emit(args, dataclasses.asdict(org), f"Created organization {org.name} (id {org.id}){parent}.")


def add_commands(groups, common) -> None:
    org = groups.add_parser("org", help="organizations").add_subparsers(dest="action", required=True)
    p = org.add_parser("create", parents=[common], help="create an organization")
    p.add_argument("name")
    p.add_argument("--parent", metavar="NAME", help="the parent organization's name")
    p.set_defaults(func=cmd_org_create)
