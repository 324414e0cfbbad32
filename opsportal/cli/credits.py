"""`opsportal credits ...`: the ledger for operators and scripts."""

from __future__ import annotations

import argparse
import dataclasses

from opsportal.cli.common import emit, iso_date, iso_instant, operator, organization_id, whole
from opsportal.domain import formats
from opsportal.domain.ledger.lots import last_usable_day


def _lot_json(lot) -> dict:
    return {
        "id": lot.id, "product": lot.product, "holder": lot.holder, "type": lot.kind, "scope": lot.scope,
        "allocated_to": lot.allocated_to, "granted": lot.granted_at.isoformat(),
        "expires": last_usable_day(lot.expires_at).isoformat() if lot.expires_at else None,
        "quantity": lot.quantity, "remaining": lot.remaining, "held": lot.held, "available": lot.remaining - lot.held,
    }


def cmd_grant(args: argparse.Namespace) -> None:
    from opsportal.services import credits

    lot = credits.grant(operator(), org_id=organization_id(args.org), product=args.product, quantity=args.quantity,
                        kind=args.type, expires=args.expires, shared=args.shared, at=args.at)
    emit(args, _lot_json(lot), f"Granted lot {lot.id}: {lot.quantity} {lot.product} to {lot.holder} "
                               f"({lot.kind}, allocated to {lot.allocated_to}).")


def cmd_allocate(args: argparse.Namespace) -> None:
    from opsportal.services import credits
    from opsportal.services.errors import InvalidInput

    target = None if args.all else organization_id(args.to)
    if args.quantity is None:
        lot = credits.allocate(operator(), lot_id=args.lot_id, to_org_id=target)
        emit(args, _lot_json(lot), f"Lot {lot.id} is now allocated to {lot.allocated_to}.")
        return
    if args.quantity <= 0:
        raise InvalidInput("Quantity must be a positive whole number.")
    done = credits.allocate_part(operator(), lot_id=args.lot_id, to_org_id=target, quantity=args.quantity)
    lot, amount = done.lot, formats.quantity(done.quantity, done.lot.unit)
    text = (f"{amount} of lot {done.source_id} is now lot {lot.id}, allocated to {lot.allocated_to}; lot "
            f"{done.source_id} keeps the rest." if done.split else
            f"All of lot {lot.id} ({amount}) is now allocated to {lot.allocated_to}.")
    emit(args, {**_lot_json(lot), "source_lot_id": done.source_id, "allocated": done.quantity}, text)


def cmd_consume(args: argparse.Namespace) -> None:
    from opsportal.services import credits

    draws = credits.consume(operator(), org_id=organization_id(args.org), product=args.product,
                            quantity=args.quantity, category=args.category, ticket_id=args.ticket, at=args.at)
    payload = {"draws": [dataclasses.asdict(d) for d in draws]}
    emit(args, payload, "\n".join(f"lot {d.lot_id} ({d.holder}): {d.quantity} — {d.reason}" for d in draws))


def cmd_balance(args: argparse.Namespace) -> None:
    from opsportal.services import credit_views

    bal = credit_views.balance(operator(), organization_id(args.org), product=args.product, at=args.at)
    payload = {"organization": bal.organization, "product": bal.product, "unit": bal.unit,
               "available": bal.available, "in_play": bal.in_play, "lots": [_lot_json(lot) for lot in bal.lots],
               "expiry_schedule": bal.expiry_schedule}
    schedule = ", ".join(f"{k}: {v}" for k, v in bal.expiry_schedule.items())
    emit(args, payload, f"{bal.organization} {bal.product}: available {formats.quantity(bal.available, bal.unit)}, "
                        f"in play {formats.quantity(bal.in_play, bal.unit)}; expiry schedule (days) {schedule}")


def cmd_expire(args: argparse.Namespace) -> None:
    from opsportal.services import credits

    expired = credits.expire_due(operator(), at=args.at)
    emit(args, {"expired": expired}, f"Expired {expired} (in product units).")


def add_commands(groups, common) -> None:
    credits = groups.add_parser("credits", help="the credit ledger").add_subparsers(dest="action", required=True)

    p = credits.add_parser("grant", parents=[common], help="grant a lot to an organization")
    p.add_argument("org", metavar="ORG")
    p.add_argument("--product", required=True)
    p.add_argument("--quantity", required=True, type=whole, help="minutes for support_hours, else credits")
    p.add_argument("--type", required=True, choices=["purchased", "complimentary"])
    p.add_argument("--expires", type=iso_date, metavar="YYYY-MM-DD", help="last day the lot may be used (UTC)")
    p.add_argument("--shared", action="store_true", help="usable by the holder and all its sub-organizations")
    p.add_argument("--at", type=iso_instant, help="grant time (default: now)")
    p.set_defaults(func=cmd_grant)

    p = credits.add_parser("allocate", parents=[common], help="allocate a lot to one organization or to all")
    p.add_argument("lot_id", type=whole, metavar="LOT_ID")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="ORG")
    target.add_argument("--all", action="store_true", help="all organizations of the holder's tree")
    p.add_argument("--quantity", type=whole, metavar="N",
                   help="allocate only N of the lot's free quantity (minutes for support_hours, else credits): "
                        "they become a new lot, the lot keeps the rest (default: the whole lot)")
    p.set_defaults(func=cmd_allocate)

    p = credits.add_parser("consume", parents=[common], help="use credits in the consumption order")
    p.add_argument("org", metavar="ORG")
    p.add_argument("--product", required=True)
    p.add_argument("--quantity", required=True, type=whole)
    p.add_argument("--category", required=True)
    p.add_argument("--ticket", type=whole)
    p.add_argument("--at", type=iso_instant)
    p.set_defaults(func=cmd_consume)

    p = credits.add_parser("balance", parents=[common], help="an organization's balance and expiry schedule")
    p.add_argument("org", metavar="ORG")
    p.add_argument("--product", default="support_hours")
    p.add_argument("--at", type=iso_instant)
    p.set_defaults(func=cmd_balance)

    p = credits.add_parser("expire", parents=[common], help="expire what is past its expiry (idempotent)")
    p.add_argument("--at", type=iso_instant)
    p.set_defaults(func=cmd_expire)
