"""`opsportal plans coverage "<organization>" [--at ISO]`: is support available for an organization right now?"""

from __future__ import annotations

import argparse
from datetime import datetime

from opsportal.cli.common import emit, operator, organization_id


def _instant(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time (e.g. 2026-11-22T03:00Z): {value!r}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone (e.g. 2026-11-22T03:00Z or +01:00): {value!r}")
    return at


def cmd_plans_coverage(args: argparse.Namespace) -> None:
    from opsportal.services import plans

    view = plans.coverage_now(operator(), organization_id(args.organization), args.at)
    payload = {"organization": view.organization, "at": view.instant.isoformat(), "headline": view.headline,
               "covered": view.covered, "gold_active": view.gold_active,
               "emergency_rate": view.emergency_rate or None, "extended_versions": view.extended_versions,
               "regions": [{"code": r.code, "name": r.name, "home": r.home, "local_time": r.local_time,
                            "business_hours": r.hours, "business_time": r.business_time, "covered": r.covered,
                            "basis": r.basis or None, "opens_next": r.opens_next or None} for r in view.regions]}
    lines = [f"{view.organization} at {view.instant:%Y-%m-%d %H:%M} UTC: {view.headline}"]
    for r in view.regions:
        code = f"{r.code} (home)" if r.home else r.code
        lines.append(f"  {code:<12} {r.local_time:<14} {r.hours:<22} {r.text}"
                     + (f"; {r.opens_next}" if r.opens_next else ""))
    emit(args, payload, "\n".join(lines))


def add_commands(groups, common) -> None:
    plans = groups.add_parser("plans", help="support plans and coverage").add_subparsers(dest="action",
                                                                                         required=True)
    p = plans.add_parser("coverage", parents=[common],
                         help="whether support is available for an organization now (or --at), and under which "
                              "entitlement")
    p.add_argument("organization", help="the organization's name")
    p.add_argument("--at", type=_instant, default=None, metavar="ISO",
                   help="the instant to ask about, with a time zone (default: now)")
    p.set_defaults(func=cmd_plans_coverage)
