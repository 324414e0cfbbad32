"""`opsportal sla report [--month YYYY-MM]`: the month's service-level breaches, as the staff page shows them."""

from __future__ import annotations

import argparse
import re

from opsportal.cli.common import emit, operator


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM, e.g. 2026-12): {value!r}")
    return value.strip()


def cmd_sla_report(args: argparse.Namespace) -> None:
    from opsportal.services import sla_report

    report = sla_report.breach_report(operator(), args.month)
    payload = {
        "month": report.month, "first_response": report.first_response, "resolution": report.resolution,
        "by_organization": [{"name": c.name, "first_response": c.first_response, "resolution": c.resolution}
                            for c in report.by_organization],
        "by_agent": [{"name": c.name, "first_response": c.first_response, "resolution": c.resolution}
                     for c in report.by_agent],
        "breaches": [{"task": b.ticket_id, "title": b.title, "organization": b.organization, "agent": b.agent,
                      "target": b.target, "due_at": b.due_at.isoformat(), "late_by": b.late_by}
                     for b in report.breaches],
        "listed_all": report.listed_all,
    }
    lines = [f"Service-level breaches, {report.month_label}: {report.first_response} first response, "
             f"{report.resolution} resolution"]
    for title, counts in (("By organization", report.by_organization), ("By agent", report.by_agent)):
        if counts:
            lines.append(f"{title} (first response / resolution):")
            lines += [f"  {c.name:<32} {c.first_response:>4} {c.resolution:>4}" for c in counts]
    if report.breaches:
        lines.append("Breached tasks:")
        lines += [f"  #{b.ticket_id:<7} {b.target:<15} due {b.due_at:%Y-%m-%d %H:%M} UTC, late by {b.late_by:<12} "
                  f"{b.organization} / {b.agent}: {b.title}" for b in report.breaches]
        if not report.listed_all:
            lines.append(f"  (the first {sla_report.LIST_LIMIT} are listed)")
    emit(args, payload, "\n".join(lines))


def add_commands(groups, common) -> None:
    sla = groups.add_parser("sla", help="service levels").add_subparsers(dest="action", required=True)
    p = sla.add_parser("report", parents=[common],
                       help="first-response and resolution breaches of a month, by organization and agent")
    p.add_argument("--month", type=_month, default=None, metavar="YYYY-MM",
                   help="the month whose targets fell due (UTC; default: this month)")
    p.set_defaults(func=cmd_sla_report)
