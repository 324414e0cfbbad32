"""`opsportal licences ...`: organizations' software licences.

    opsportal licences list --org "Northwind Holdings" [--product "K2 Five"]
    opsportal licences grant --org ORG --product "K2 Five" --version 5.4 --region EMEA [--quantity N] [--bought DATE]
    opsportal licences revoke --org ORG --product "K2 Five" --region EMEA [--id N]

A licence change is in the organization's audit log as done by no person (the operator's command line); a refused
command writes nothing.
"""

from __future__ import annotations

import argparse

from opsportal.cli.common import CommandError, emit, iso_date, operator, organization_id, whole
from opsportal.cli.products import name_key, product_named, version_named


def _licence_payload(lic) -> dict:
    return {"id": lic.id, "version": lic.version.label, "region": lic.region, "quantity": lic.quantity,
            "purchased_on": lic.purchased_on, "note": lic.note}


def _licence_line(lic) -> str:
    return f"  #{lic.id:<6} {lic.quantity:>5} × {lic.version.label:<30} {lic.region:<6} bought {lic.purchased_on}"


def cmd_licences_list(args: argparse.Namespace) -> None:
    from opsportal.services import software_licences

    org = organization_id(args.org)
    found = [lic for lic in software_licences.org_licences(operator(), org)
             if args.product is None or name_key(lic.version.product) == name_key(args.product)]
    emit(args, {"licences": [_licence_payload(lic) for lic in found]},
         "\n".join(_licence_line(lic) for lic in found) or "No licences.")


def cmd_licences_grant(args: argparse.Namespace) -> None:
    from opsportal import clock
    from opsportal.services import software_licences

    if args.quantity < 1:
        raise CommandError(f"--quantity is a whole number of at least 1, not {args.quantity}")
    org = organization_id(args.org)
    version = version_named(args.product, args.version)
    lic = software_licences.add_licence(operator(), org, version.id, region=args.region, quantity=args.quantity,
                                        purchased_on=args.bought or clock.coverage_now().date(), note=args.note)
    emit(args, _licence_payload(lic), f"Recorded {lic.quantity} licence(s) of {lic.version.label} in {lic.region}.")


def cmd_licences_revoke(args: argparse.Namespace) -> None:
    from opsportal.services import software_licences
    from opsportal.services.errors import InvalidInput, NotFound

    org = organization_id(args.org)
    product = product_named(args.product)
    region = args.region.strip().upper()
    found = [lic for lic in software_licences.org_licences(operator(), org)
             if lic.version.product_id == product.id and lic.region == region
             and (args.id is None or lic.id == args.id)]
    if not found:
        raise NotFound(f"No licence of {product.name} in {region} for {args.org}.")
    if len(found) > 1:
        raise InvalidInput(f"{len(found)} licences of {product.name} in {region} match ("
                           + ", ".join(f"#{lic.id}" for lic in found) + "): choose one with --id.")
    lic = software_licences.remove_licence(operator(), found[0].id)
    emit(args, {"revoked": _licence_payload(lic)},
         f"Removed {lic.quantity} licence(s) of {lic.version.label} in {lic.region}.")


def add_commands(groups, common) -> None:
    licences = groups.add_parser("licences", help="organizations' software licences").add_subparsers(
        dest="action", required=True)
    p = licences.add_parser("list", parents=[common], help="an organization's licences")
    p.add_argument("--org", required=True, help="the organization's name")
    p.add_argument("--product", default=None)
    p.set_defaults(func=cmd_licences_list)
    p = licences.add_parser("grant", parents=[common], help="record licences an organization bought")
    p.add_argument("--org", required=True, help="the organization's name")
    p.add_argument("--product", required=True)
    p.add_argument("--version", required=True, help="the version it runs")
    p.add_argument("--region", required=True, help="the region of purchase (e.g. EMEA)")
    p.add_argument("--quantity", type=whole, default=1)
    p.add_argument("--bought", type=iso_date, default=None, metavar="DATE", help="purchase day (default: today)")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_licences_grant)
    p = licences.add_parser("revoke", parents=[common], help="remove an organization's licence")
    p.add_argument("--org", required=True, help="the organization's name")
    p.add_argument("--product", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--id", type=whole, default=None, help="which licence, when several match")
    p.set_defaults(func=cmd_licences_revoke)
