#!/usr/bin/env python
"""UI load benchmark (issue 11): the portal's signed-in websocket events against a bare Reflex app.

    .venv/bin/python bench/ui_load.py --quick                 # smoke run, about a minute after the builds
    .venv/bin/python bench/ui_load.py                         # 50 and 200 clients, 1,000 parked, 2,400 invoices
    .venv/bin/python bench/ui_load.py --database postgresql --redis --json
    .venv/bin/python bench/ui_load.py --portal-url http://127.0.0.1:3400 \
        --portal-database-url postgresql+psycopg://postgres@127.0.0.1:5432/opsportal_multihost \
        --portal-secret-key-file data/multihost/secret_key --portal-netns ops-app1,ops-app2,ops-app3
        # a portal already running (scripts/multihost.sh)

In one sitting it builds and starts, with `reflex run --env prod` on free ports, the portal (scratch
database with the demo, see bench/ui_servers.py) and the bare counter app in bench/bare_app, then runs
each scenario on the bare app and on the portal in turn: hydrate times, typical events at each client
count, clients parked idle (server CPU and memory per client), and other clients' latency during a staff
billing run. With --portal-url the portal is one already running (bench/ui_remote.py): nothing is built,
started or stopped for it, its database is the one given (sessions and billing data are written there and
kept), and only the bare app is started. Clients are websocket clients (bench/ui_client.py) signed in with
real sessions. Every figure is measured; nothing is asserted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "bare_app"))

from bench.common import load_average, point_app_at, scratch_database  # noqa: E402
from bench.ui_client import var_key  # noqa: E402
from bench.ui_remote import RemotePortal  # noqa: E402
from bench.ui_report import print_table  # noqa: E402
from bench.ui_scenarios import Target, Workload, during, hydrate_times, parked, typical_events  # noqa: E402
from bench.ui_servers import BARE_DIR, ROOT, Server, base_env, portal_env, prepare_portal_database  # noqa: E402

SCENARIOS = ("hydrate", "events", "parked", "billing")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated subset of {','.join(SCENARIOS)}")
    p.add_argument("--clients", default="50,200", help="client counts for the typical events (comma-separated)")
    p.add_argument("--seconds", type=float, default=30, help="duration of each typical-events run")
    p.add_argument("--think", type=float, default=0.5, help="think time between a client's events (s)")
    p.add_argument("--parked", type=int, default=1000, help="clients parked idle on the home page")
    p.add_argument("--idle-seconds", type=float, default=30, help="how long the CPU of the parked clients is measured")
    p.add_argument("--hydrate-seq", type=int, default=30, help="hydrates one at a time")
    p.add_argument("--hydrate-burst", type=int, default=50, help="hydrates at once")
    p.add_argument("--billing-orgs", type=int, default=2400, help="organizations with unbilled time (= invoices)")
    p.add_argument("--billing-entries", type=int, default=3, help="unbilled time entries per organization")
    p.add_argument("--billing-clients", type=int, default=50, help="clients sending events during the billing run")
    p.add_argument("--billing-trigger", choices=("ui", "cli"), default="ui",
                   help="ui: StaffBillingState.run_billing from a staff client; cli: `opsportal billing run`")
    p.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--redis", action="store_true", help="Reflex state in Redis (several backend workers)")
    p.add_argument("--redis-db", type=int, default=13, help="Redis database number for the portal (the bare app: +1)")
    p.add_argument("--portal-url", help="measure this running portal instead of starting one (e.g. the balancer "
                                        "of scripts/multihost.sh, http://127.0.0.1:3400)")
    p.add_argument("--portal-database-url", help="with --portal-url: the portal's database (billing data is seeded "
                                                 "there, and kept; sessions come from its sign-in route)")
    p.add_argument("--portal-secret-key-file", help="with --portal-url: a file holding the portal's "
                   "OPSPORTAL_SECRET_KEY, which signs the sessions (else the environment's; multihost: "
                   "data/multihost/secret_key)")
    p.add_argument("--portal-netns", default="", help="with --portal-url: network namespaces whose processes are the "
                                                      "portal's, for CPU and memory (comma-separated; none: n/a)")
    p.add_argument("--portal-logs", default="", help="with --portal-url: glob of the portal's logs (counted from now)")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of about a minute after the builds")
    p.add_argument("--json", action="store_true", help="print the figures as JSON after the table")
    p.add_argument("--keep-logs", action="store_true", help="keep the temp dir with the servers' logs")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.seconds, args.parked, args.idle_seconds = "20", 6, 50, 6
        args.hydrate_seq, args.hydrate_burst, args.billing_orgs, args.billing_clients = 5, 20, 200, 20
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.client_counts = [int(n) for n in args.clients.split(",") if n]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if bool(args.portal_url) != bool(args.portal_database_url):
        p.error("--portal-url and --portal-database-url go together")
    if args.portal_url and args.redis:
        p.error("--redis starts the portal with Redis; a running portal has its own settings")
    return args


# --- the two apps ------------------------------------------------------------------------------------------


def portal_target(server: Server, tokens: list[str]) -> Target:
    import reflex as rx

    from opsportal.auth.security import SESSION_COOKIE
    from opsportal.state.bell import BellState
    from opsportal.state.credits import CreditsState
    from opsportal.state.dashboard import DashboardState
    from opsportal.state.tasks import TasksState

    tasks, credits = TasksState.get_full_name(), CreditsState.get_full_name()
    def cookies(i: int) -> tuple[dict | None, str]:
        return sign_in(SESSION_COOKIE, tokens[i % len(tokens)])

    def no_error(s: dict) -> str | None:
        return f"error shown: {s[var_key('error')][:40]}" if s.get(var_key("error")) else None

    def tab(c, n):
        return "set_tab", {"value": "closed" if n % 2 == 0 else "open"}, "tab"

    def rows_shown(s):
        return no_error(s) or (None if s.get(var_key("rows")) else "no task rows")

    def page(c, n):
        s = c.state.get(credits, {})
        current, pages = s.get(var_key("history_page"), 1), s.get(var_key("history_pages"), 1)
        return "history_page_by", {"delta": 1 if current < pages else -1}, "history_page"

    def history_shown(s):
        if s.get(var_key("history_pages"), 1) < 2:
            return "only one ledger page"
        return no_error(s) or (None if s.get(var_key("history")) else "no ledger rows")

    def drill(c, n):  # alternately the categories of "used" and "in play": each click changes the title
        s = c.state.get(credits, {})
        options = [("show_used", r["category"]) for r in s.get(var_key("used"), [])]
        options += [("show_in_play", r["category"]) for r in s.get(var_key("in_play"), [])]
        handler, category = options[n % len(options)] if len(options) > 1 else ("show_used", "(none)")
        return handler, {"category": category}, "drill_title"

    def drill_shown(s):
        return no_error(s) or (None if s.get(var_key("drill_title")) else "no drill-down title")

    works = [Workload("task list tab switch", "/tasks", tasks, tab, rows_shown),
             Workload("ledger page (Hours & Credits)", "/credits", credits, page, history_shown),
             Workload("drill-down (Hours & Credits)", "/credits", credits, drill, drill_shown)]
    dashboard = DashboardState.get_full_name()

    def dashboard_shown(state: dict) -> str | None:
        return None if state.get(dashboard, {}).get(var_key("org_name")) else "the dashboard shows no organization"

    schema, hashes = server.compiled()
    # Every page's header mounts the bell, which reads the unread count and follows it (state/bell.py).
    mounts = (f"{BellState.get_full_name()}.start",)
    return Target("portal", server, rx.State.get_full_name(), "/", works, cookies, schema, hashes, dashboard_shown,
                  mounts)


def sign_in(cookie_name: str, token: str) -> tuple[dict | None, str]:
    """How a browser presents the session: the HttpOnly cookie the sign-in route set (ui_seed.session_token), on
    the websocket handshake (the backend reads ``router.headers.cookie``); the hydrate event carries no vars."""
    return None, f"{cookie_name}={token}"


def bare_target(server: Server) -> Target:
    import reflex as rx
    from bare_app.state import CounterState  # bench/bare_app is on sys.path

    counter = CounterState.get_full_name()
    work = Workload("increment", "/", counter, lambda c, n: ("increment", {}, "count"),
                    lambda s: None if s.get(var_key("count"), 0) > 0 else "count not incremented")
    schema, hashes = server.compiled()
    return Target("bare", server, rx.State.get_full_name(), "/", [work], lambda i: (None, None), schema, hashes)


# --- the sitting -------------------------------------------------------------------------------------------


def billing_action(args, staff: Target, period: str, env: dict):
    """The billing run as a coroutine for ``during``: the staff UI event, or the CLI in a subprocess.

    The window it reports (``_t0``) starts when the run is requested, after the staff page has hydrated.
    """
    from bench.ui_seed import invoices_for
    from opsportal.state.staff_billing import StaffBillingState

    name = StaffBillingState.get_full_name()

    async def action() -> dict:
        before = invoices_for(period)
        if args.billing_trigger == "ui":
            client, _ = await staff.open("/staff/billing", 0, timeout=600)
            try:
                t0 = time.perf_counter()
                # The page launches the run and follows its job row: the run is over when a result shows.
                await client.call(name, "run_billing", {"form": {"period": period}},
                                  lambda d: bool(d.get(var_key("run_summary")) or d.get(var_key("run_error"))))
                s = client.state.get(name, {})
                said = s.get(var_key("run_summary")) or f"error: {s.get(var_key('run_error'))}"
            finally:
                await client.close()
        else:
            t0 = time.perf_counter()
            proc = await asyncio.create_subprocess_exec("opsportal", "billing", "run", "--period", period, cwd=ROOT,
                                                        env=env, stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT)
            out, _ = await asyncio.wait_for(proc.communicate(), 900)
            said = out.decode().strip().splitlines()[-1] if out else f"exit {proc.returncode}"
        return {"_t0": t0, "_t1": time.perf_counter(), "trigger": args.billing_trigger, "period": period,
                "said": said[:200], "invoices_created": invoices_for(period) - before}

    return action


async def sitting(args, portal: Target, bare: Target, staff: Target, period: str, env: dict) -> dict:
    results: dict = {"load_average_start": load_average()}
    pair = (bare, portal)
    if "hydrate" in args.scenarios:
        for t in pair:
            results.setdefault("hydrate", {})[t.name] = await hydrate_times(t, args.hydrate_seq, args.hydrate_burst)
            print(f"  hydrate {t.name}: done ({load_average()})", flush=True)
    if "events" in args.scenarios:
        for n in args.client_counts:
            for t in pair:
                results.setdefault("events", {}).setdefault(str(n), {})[t.name] = await typical_events(
                    t, n, args.seconds, args.think)
                print(f"  events x{n} {t.name}: done ({load_average()})", flush=True)
    if "parked" in args.scenarios:
        for t in pair:
            results.setdefault("parked", {})[t.name] = await parked(t, args.parked, args.idle_seconds, settle=5)
            print(f"  parked x{args.parked} {t.name}: done ({load_average()})", flush=True)
    if "billing" in args.scenarios:
        window = await typical_events(bare, args.billing_clients, args.seconds, args.think)
        results["billing"] = {"bare": window}
        print(f"  billing baseline bare: done ({load_average()})", flush=True)
        action = billing_action(args, staff, period, env)
        results["billing"]["portal"] = await during(portal, args.billing_clients, args.think, warm=5, action=action,
                                                    timeout=900)
        print(f"  billing portal: done ({load_average()})", flush=True)
    results["load_average_end"] = load_average()
    return results


@contextlib.contextmanager
def portal_database(args) -> Iterator[str]:
    """The database the portal runs on: a scratch one (dropped afterwards), or a running portal's (kept)."""
    if not args.portal_url:
        with scratch_database(args.database, args.pg_admin) as url:
            yield url
        return
    from opsportal import db as app_db

    if args.portal_secret_key_file:  # sessions are signed with it: the portal refuses any other key's
        os.environ["OPSPORTAL_SECRET_KEY"] = Path(args.portal_secret_key_file).read_text().strip()
    point_app_at(args.portal_database_url)  # (and forgets the settings read so far)
    try:
        yield args.portal_database_url
    finally:
        app_db.dispose_engines()


def start_portal(args, url: str, tmp: Path, redis: str | None) -> tuple[Server | RemotePortal, dict]:
    """The portal's server and the environment of its CLI (the billing run with --billing-trigger cli)."""
    if args.portal_url:
        logs = [Path(p) for p in sorted(glob.glob(args.portal_logs))] if args.portal_logs else []
        namespaces = [n for n in args.portal_netns.split(",") if n]
        return RemotePortal(args.portal_url, namespaces, logs), {**base_env(), "OPSPORTAL_DATABASE_URL": url}
    srv = Server("portal", ROOT, {}, tmp / "portal.log")
    srv.env = portal_env(url, str(tmp), srv.port, redis)
    prepare_portal_database(srv.env, tmp / "servers.log")
    return srv, srv.env


async def refuses_nobody(portal: Target) -> None:
    """A running portal must accept the sessions its sign-in route opened for the bench: else every portal figure
    would be a redirect to /login."""
    from bench.ui_client import SignedOut

    try:
        client, _ = await portal.open(portal.home, 0)
    except SignedOut as exc:
        raise SystemExit(f"the portal at {portal.server.url} refuses the sessions it opened for the bench "
                         f"({exc}): is --portal-database-url its database?") from None
    await client.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="opsportal-ui-bench-"))
    redis = f"redis://127.0.0.1:6379/{args.redis_db}" if args.redis else None
    servers: list[Server | RemotePortal] = []
    try:
        with portal_database(args) as url:
            from bench import ui_seed

            portal_srv, portal_cli_env = start_portal(args, url, tmp, redis)
            period, first_day = ui_seed.previous_month()
            seeded = {}
            if "billing" in args.scenarios:
                label = time.strftime("%Y%m%d-%H%M%S") if args.portal_url else ""  # a kept database: new names
                seeded = ui_seed.seed_billable_time(args.billing_orgs, args.billing_entries, first_day, label=label)
            bare_env = base_env()
            bare_env.pop("BARE_REDIS_URL", None)
            if args.redis:
                bare_env["BARE_REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db + 1}"
            bare_srv = Server("bare", BARE_DIR, bare_env, tmp / "bare.log")
            servers = [portal_srv, bare_srv]
            for s in servers:
                s.start()
            for s in servers:
                s.wait_ready()
                built = "" if isinstance(s, RemotePortal) else " (build included)"
                print(f"{s.name}: up on port {s.port} in {s.started_in:.0f} s{built}; {s.describe()}", flush=True)
            tokens = [ui_seed.session_token(portal_srv.url, e) for e in ui_seed.CUSTOMERS]
            staff_token = ui_seed.session_token(portal_srv.url, ui_seed.STAFF_ADMIN)
            portal = portal_target(portal_srv, tokens)
            staff = portal_target(portal_srv, [staff_token])
            bare = bare_target(bare_srv)
            if args.portal_url:
                asyncio.run(refuses_nobody(portal))
            database = args.portal_database_url.rsplit("@", 1)[-1] if args.portal_url else args.database
            redis_said = "Redis as the running portal has it" if args.portal_url else "Redis" if redis else "no Redis"
            print(f"database {database}, {redis_said}; billing data {seeded or '-'}; "
                  f"{load_average()}", flush=True)
            results = asyncio.run(sitting(args, portal, bare, staff, period, portal_cli_env))
            results["setup"] = {"database": database, "redis": redis_said, "seeded": seeded,
                                "portal_url": args.portal_url or "started here",
                                "think_s": args.think, "seconds": args.seconds,
                                "portal_processes": portal_srv.describe(), "bare_processes": bare_srv.describe(),
                                "wall_s": round(time.perf_counter() - started),
                                "server_log": {s.name: s.log_issues() for s in servers}}
    finally:
        for s in servers:
            s.stop()
        if args.keep_logs:
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print_table(results)
    if args.json:
        print(json.dumps(results, indent=1, default=str))

if __name__ == "__main__":
    main()
