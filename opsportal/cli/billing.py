"""`opsportal billing ...` and `opsportal payments ...`: the monthly billing run, Stripe reconciliation and the
hour-block catalog, for operators and cron."""

from __future__ import annotations

import argparse

from opsportal.cli.common import emit
from opsportal.services.errors import Unavailable


def _period(value: str) -> str:
    from opsportal.domain.invoices import parse_period

    try:
        return parse_period(value).key
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a billing period (YYYY-MM, e.g. 2026-10): {value!r}") from None


def cmd_billing_run(args: argparse.Namespace) -> None:
    from opsportal.services import billing_run
    from opsportal.services.operator import OPERATOR

    # The same job the staff Billing page claims: the page and the command line never bill a month at once.
    result = billing_run.run_billing_as_job(OPERATOR, args.period)
    payload = {"period": result.period, "summary": result.summary,
               "invoices": [{"id": i.invoice_id, "number": i.number, "organization": i.organization,
                             "total_minor": i.total_minor, "currency": i.currency, "entries": i.entries}
                            for i in result.invoices]}
    emit(args, payload, result.summary)


def cmd_billing_run_job(args: argparse.Namespace) -> None:
    import os

    from opsportal.services import billing_run
    from opsportal.services.operator import OPERATOR

    os.nice(10)  # a background job: the portal's own events come first
    result = billing_run.run_claimed_billing_job(OPERATOR, args.job_id)
    emit(args, {"period": result.period, "summary": result.summary, "invoices": len(result.invoices)},
         result.summary)


def cmd_billing_catalog(args: argparse.Namespace) -> None:
    from opsportal.services import hour_blocks
    from opsportal.services.operator import OPERATOR

    blocks = hour_blocks.all_blocks(OPERATOR)
    payload = {"blocks": [{"id": b.id, "name": b.name, "product": b.product, "hours": b.hours, "credits": b.credits,
                           "price_minor": b.price_minor,
                           "currency": b.currency, "per_hour_minor": b.per_hour_minor,
                           "discount_percent": b.discount_percent, "validity_days": b.validity_days,
                           "on_sale": b.active} for b in blocks]}
    if not blocks:
        text = "The hour-block catalog is empty."
    else:
        text = "\n".join(
            f"{b.id:>3}  {b.name:<24} {b.amount_text:>11}  {b.price:>14}  "
            f"{b.per_hour:>12}/{'credit' if b.is_credits else 'h':<6}  "
            f"{(str(b.discount_percent) + '% off') if b.discount_percent else '':>8}  {b.validity_days:>4} days  "
            f"{'on sale' if b.active else 'not on sale'}" for b in blocks)
    emit(args, payload, text)


def cmd_payments_reconcile(args: argparse.Namespace) -> None:
    from opsportal.services import payment_reconciliation
    from opsportal.services.operator import OPERATOR

    result = payment_reconciliation.reconcile(OPERATOR)
    emit(args, {"checked": result.checked, "applied": result.applied, "expired": result.expired,
                "abandoned": result.abandoned, "failed": result.failed, "summary": result.summary},
         result.summary)
    if result.failed:
        # What could be checked is applied; the rest is asked again on the next run.
        raise Unavailable(f"{len(result.failed)} checkout session(s) could not be checked; run the command again "
                          "later.")


def add_commands(groups, common) -> None:
    billing = groups.add_parser("billing", help="invoices and the hour-block catalog").add_subparsers(
        dest="action", required=True)
    p = billing.add_parser("run", parents=[common],
                           help="bill every organization's unbilled pay-as-you-go time of a finished month "
                                "(safe to run again)")
    p.add_argument("--period", required=True, type=_period, metavar="YYYY-MM", help="the month to bill")
    p.set_defaults(func=cmd_billing_run)

    p = billing.add_parser("run-job", parents=[common],
                           help="run a billing job the staff Billing page claimed (the page starts this itself)")
    p.add_argument("job_id", type=int)
    p.set_defaults(func=cmd_billing_run_job)
    p = billing.add_parser("catalog", parents=[common], help="list the hour blocks, on sale or not")
    p.set_defaults(func=cmd_billing_catalog)

    pay = groups.add_parser("payments", help="Stripe payments").add_subparsers(dest="action", required=True)
    p = pay.add_parser("reconcile", parents=[common],
                       help="ask Stripe about every pending checkout so no confirmed payment is missed")
    p.set_defaults(func=cmd_payments_reconcile)
