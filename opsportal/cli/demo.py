"""`opsportal demo load`: the demo organizations, users, credits, tasks, articles, invoices and plans."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from opsportal.cli.common import emit, operator


def cmd_demo_load(args: argparse.Namespace) -> None:
    from opsportal.services.demo import DEMO_PASSWORD, load_demo
    from opsportal.services.demo_billing import load_demo_billing
    from opsportal.services.demo_credits import load_demo_credits
    from opsportal.services.demo_kb import load_demo_kb
    from opsportal.services.demo_plans import load_demo_plans
    from opsportal.services.demo_products import load_demo_products
    from opsportal.services.demo_tasks import load_demo_tasks
    from opsportal.services.hour_blocks import ensure_demo_catalog
    from opsportal.services.sla_demo import load_demo_sla

    steps = ("organizations and users", "credits", "tasks and time", "knowledge base", "invoices", "support plans")

    def step(n: int, load):
        # Progress goes to stderr: stdout stays the one summary (or JSON object) scripts read.
        print(f"Loading demo data, step {n} of {len(steps)}: {steps[n - 1]}", file=sys.stderr, flush=True)
        return load(operator())

    result = step(1, load_demo)
    # The catalog first: the demo's purchased hours are hour blocks bought from it.
    blocks, lots = step(2, lambda actor: (ensure_demo_catalog(actor), load_demo_credits(actor)))
    tasks_created = step(3, load_demo_tasks)
    articles = step(4, load_demo_kb)
    billing = step(5, load_demo_billing)
    plan_rows = step(6, load_demo_plans)
    load_demo_sla(operator())  # tickets whose service levels run now (services.sla_demo), after the plans
    from opsportal.services.demo_forum import load_demo_forum

    load_demo_forum(operator())  # the K2 Community's categories and threads
    load_demo_products(operator())  # software, releases and licences (services.demo_products), after the regions
    emit(args, {**dataclasses.asdict(result), "lots_created": lots, "articles_created": articles,
                "plan_rows_created": plan_rows,
                "tasks_created": tasks_created, "hour_blocks_created": blocks + billing.hour_blocks_created,
                "invoices_created": billing.invoices_created},
         f"Demo data ready: {result.organizations_created} organizations, {result.users_created} users, "
         f"{lots} credit lots, {tasks_created} tasks, {articles} articles, "
         f"{blocks + billing.hour_blocks_created} hour blocks and {billing.invoices_created} invoices added "
         f"({result.organizations_total} organizations and {result.users_total} users "
         f"in the demo set). Demo password: {DEMO_PASSWORD}")


def add_commands(groups, common) -> None:
    demo = groups.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    p = demo.add_parser("load", parents=[common], help="load the demo organizations and users (idempotent)")
    p.set_defaults(func=cmd_demo_load)
