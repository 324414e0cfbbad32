"""Failover smoke test for `scripts/multihost.sh check` (bounded: about a minute, 300 s at most).

Through the balancer it:
  1. sends 30 HTTP requests (/api/health) and counts which app host answered each
     (HAProxy's OPSHOST cookie names it);
  2. signs in websocket clients speaking Reflex's protocol (Engine.IO 4 / Socket.IO 5 on
     /_event), two pinned to each app host with the OPSHOST cookie a browser would carry,
     and leaves a marker in each client's state (the task search box);
  3. lets an agent client log time entries on a task one by one (each with a unique note),
     while `opsportal credits consume` runs in the root namespace, and kills the agent's app
     host abruptly (SIGKILL of every process in its namespace) just after the fourth entry's
     event is sent, so that event is in flight;
  4. reconnects every client whose socket died with the same client token (and cookie),
     checks HAProxy sent it to a live host and that its sign-in and marker survived (Reflex
     state lives in Redis keyed by the token);
  5. counts rows: every acknowledged time entry exactly once, the one in flight at the kill
     at most once (the client looks at the task before repeating it, as a person would),
     each time entry's ledger draws equal to its prepaid minutes, and every CLI ledger
     consumption exactly once;
  6. starts the killed host again.
Prints PASS/FAIL per item and exits non-zero on any FAIL.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import simple_websocket
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as `python scripts/multihost_check.py`

from bench.ui_blocking_client import (  # noqa: E402
    AUTH,
    ROOT_STATE,
    BlockingRxClient,
    delta_value,
    has,
    hydrated,
    redirect_paths,
    redirects,
    session_cookie,
)

LB = os.environ.get("MULTIHOST_LB_URL", "http://127.0.0.1:3400")
DB_URL = os.environ["MULTIHOST_DB_URL"]
HOSTS = int(os.environ.get("MULTIHOST_HOSTS", "3"))
SOCK = os.environ["MULTIHOST_HAPROXY_SOCK"]
SCRIPT = os.environ.get("MULTIHOST_SCRIPT", "scripts/multihost.sh")
VICTIM = int(os.environ.get("MULTIHOST_CHECK_VICTIM", "2"))
BLOCK_IDS = (1, 2, 3, 4)  # the demo's hour blocks
PURCHASES = len(BLOCK_IDS)
KILL_DELAY = float(os.environ.get("MULTIHOST_CHECK_KILL_DELAY", "0.02"))  # seconds after the 4th entry is sent
PASSWORD = "demo-password-2026"
TASKS = f"{ROOT_STATE}.opsportal___state___tasks____tasks_state"
STAFF_TASK = f"{ROOT_STATE}.opsportal___state___staff_task____staff_task_state"
BUY = f"{ROOT_STATE}.opsportal___state___buy_hours____buy_hours_state"
STRIPE_SANDBOX = os.environ.get("MULTIHOST_STRIPE_URL", "http://127.0.0.1:12411")

results: list[tuple[bool, str]] = []


def report(ok: bool, what: str) -> bool:
    results.append((ok, what))
    print(f"{'PASS' if ok else 'FAIL'}  {what}", flush=True)
    return ok


def haproxy(command: str) -> str:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(SOCK)
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_states() -> dict[str, str]:
    states = {}
    for line in haproxy("show stat").splitlines():
        f = line.split(",")
        if len(f) > 17 and f[0] == "app_hosts" and f[1].startswith("app"):
            states[f[1]] = f[17]
    return states


def server_of_port(local_port: int) -> str | None:
    for line in haproxy("show sess").splitlines():
        if f"src=127.0.0.1:{local_port} " in line:
            m = re.search(r" srv=(\S+)", line)
            return m.group(1) if m else None
    return None


def client_for(name: str, pin: str) -> BlockingRxClient:
    """A websocket client through the balancer, pinned to app host ``pin`` by the OPSHOST cookie."""
    return BlockingRxClient(name, pin, base_url=LB, locate=server_of_port)


def probe(client: BlockingRxClient, timeout: float) -> list[dict]:
    """Does the socket answer, and is the client still signed in? The browser's hydrate of /account (a page
    whose on_load sends a signed-out client to /login and leaves the task list's filters alone). Not an
    event such as require_login: one that changes nothing (a signed-in user stays shown as is) sends no
    update at all, so silence would not tell a live socket from a dead one."""
    client.path = "/account"
    return client.hydrate(timeout, until=hydrated)


def sign_in(client: BlockingRxClient, email: str) -> bool:
    """The sign-in route's session cookie, then the next page: a new socket whose handshake carries it."""
    client.cookie_token = session_cookie(LB, email, PASSWORD, pin=client.pin, user_agent="multihost_check")
    if not client.cookie_token:
        return False
    client.close()
    client.connect()
    return delta_value(probe(client, timeout=15), AUTH, "signed_in") is True


def http_spread() -> None:
    seen: dict[str, int] = {}
    bad = 0
    for _ in range(30):
        try:
            with urllib.request.urlopen(LB + "/api/health", timeout=5) as resp:
                cookie = resp.headers.get("Set-Cookie", "")
                host = re.search(r"OPSHOST=(\w+)", cookie)
                seen[host.group(1) if host else "?"] = seen.get(host.group(1) if host else "?", 0) + 1
                bad += resp.status != 200
        except Exception:  # noqa: BLE001
            bad += 1
    report(bad == 0 and len(seen) == HOSTS,
           f"HTTP: 30 x GET /api/health through the balancer, {30 - bad} answered 200, "
           f"spread {dict(sorted(seen.items()))}")


def main() -> int:  # noqa: C901, PLR0915 - one linear scenario
    engine = create_engine(DB_URL)
    states = server_states()
    if not report(len(states) == HOSTS and all(s == "UP" for s in states.values()),
                  f"before: HAProxy sees every app host UP {states}"):
        return 1
    http_spread()

    run = datetime.now(UTC).strftime("mh-%Y%m%dT%H%M%S")
    with engine.begin() as db:
        ticket_id = db.execute(text(
            "select t.id from ticket t join organization o on o.id = t.organization_id "
            "where o.name = 'Northwind Retail' and t.status <> 'closed' order by t.id limit 1")).scalar_one()
        ledger_before = db.execute(text("select count(*) from ledger_entry")).scalar_one()

    # Customers: two per host, pinned by the cookie a browser would carry.
    customers = ["olivia.hart@northwind.example", "bianca.novak@northwind.example", "mark.osei@northwind.example",
                 "rita.alvarez@retail.northwind.example", "lena.fischer@logistics.northwind.example",
                 "fiona.walsh@fabrikam.example"]
    clients = [client_for(email, f"app{i % HOSTS + 1}") for i, email in enumerate(customers)]
    ok = True
    for i, c in enumerate(clients):
        c.connect()
        ok &= sign_in(c, c.name)
        c.marker = f"{run}-{i}"
        c.call(f"{TASKS}.set_search", {"value": c.marker}, "/tasks", until=has(TASKS, "search"))
    report(ok and all(c.server == c.pin for c in clients),
           f"{len(clients)} customers signed in over websockets through the balancer, on "
           f"{sorted(c.server or '?' for c in clients)}")

    # A checkout an interrupted earlier run paid without a webhook is still open in the portal, and buying its
    # block again reuses it (the sandbox then refuses to pay it twice): settle those first, as cron would
    # (`payments reconcile` leaves checkouts younger than a minute to their webhooks).
    subprocess.run(["opsportal", "payments", "reconcile", "--json"], capture_output=True, timeout=120,
                   env=dict(os.environ, OPSPORTAL_DATABASE_URL=DB_URL, OPSPORTAL_STRIPE_API_BASE=STRIPE_SANDBOX))

    # A billing contact opens Stripe Checkout for a few hour blocks through the balancer.
    payer = client_for("bianca.novak@northwind.example", "app1")
    payer.connect()
    sign_in(payer, payer.name)
    sessions: list[str] = []
    for block_id in BLOCK_IDS:  # one per block: an open checkout for the same block is reused
        payer.call(f"{BUY}.load", {}, "/billing/hours", until=has(BUY, "blocks", "refused", "error"))
        updates = payer.call(f"{BUY}.buy", {"block_id": str(block_id)}, "/billing/hours",
                             until=lambda u: bool(redirect_paths(u)))
        sessions.append(redirect_paths(updates)[0].rstrip("/").rsplit("/", 1)[-1])
    report(len(set(sessions)) == PURCHASES and all(x.startswith("cs_") for x in sessions),
           f"{len(sessions)} Stripe Checkout sessions opened through the balancer")

    agent = client_for("alex.kim@opsportal.example", f"app{VICTIM}")
    agent.connect()
    task_path = f"/staff/tasks/{ticket_id}"
    report(sign_in(agent, agent.name) and agent.server == f"app{VICTIM}",
           f"agent signed in on {agent.server} (the host that will be killed)")
    agent.call(f"{STAFF_TASK}.load", {}, task_path, until=has(STAFF_TASK, "entries", "denied"))

    # Enough prepaid hours for the CLI draws below, however often the check has run before.
    expires = f"{datetime.now(UTC).year + 1}-12-31"
    subprocess.run(["opsportal", "credits", "grant", "Northwind Retail", "--product", "support_hours", "--quantity",
                    "60", "--type", "complimentary", "--expires", expires, "--json"],
                   env=dict(os.environ, OPSPORTAL_DATABASE_URL=DB_URL), capture_output=True, check=True, timeout=60)

    # CLI ledger writes in the root namespace, across the kill.
    cli_count, cli_done = 8, []

    def cli_consumer():
        env = dict(os.environ, OPSPORTAL_DATABASE_URL=DB_URL)
        for k in range(cli_count):
            r = subprocess.run(["opsportal", "credits", "consume", "Northwind Retail", "--product", "support_hours",
                                "--quantity", "1", "--category", f"{run}-cli-{k}", "--json"],
                               env=env, capture_output=True, text=True, timeout=60)
            cli_done.append(r.returncode == 0)
            if r.returncode:
                print(f"      credits consume failed: {r.stderr.strip()[:200]}")
            time.sleep(0.5)

    cli_thread = threading.Thread(target=cli_consumer, daemon=True)
    cli_thread.start()

    # The customer pays each session in the sandbox while the host dies: Stripe's webhooks come
    # back through the balancer to whichever host is up.
    paid: list[str] = []
    paid_at: list[float] = []

    def pay_all():
        for i, sid in enumerate(sessions):
            # Every other payment's webhook is never sent (a webhook lost with a dying host):
            # the reconcile job must apply those, once.
            body = {"card": "4242424242424242", "deliver": i % 2 == 0}
            req = urllib.request.Request(f"{STRIPE_SANDBOX}/_sandbox/sessions/{sid}/pay",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=20) as resp:
                    if json.loads(resp.read()).get("outcome") == "succeeded":
                        paid.append(sid)
                        paid_at.append(time.monotonic())
            except Exception as exc:  # noqa: BLE001
                print(f"      payment of {sid[:16]}… failed: {exc}")
            time.sleep(0.3)

    pay_thread = threading.Thread(target=pay_all, daemon=True)

    # The agent logs time entries one by one; the victim host is killed after the third.
    entries, acknowledged, uncertain = 8, [], []
    killed_at = None
    for k in range(entries):
        note = f"{run}-te-{k}"
        if k == 3:
            # Kill the agent's host a few milliseconds after this entry's event is sent, so the
            # event is in flight: it may or may not have been committed when the socket dies.
            def kill():
                time.sleep(KILL_DELAY)
                subprocess.run([SCRIPT, "kill-host", str(VICTIM)], check=True, timeout=30)

            killer = threading.Thread(target=kill, daemon=True)
            killer.start()
            pay_thread.start()  # the payments start with the kill, while HAProxy still has the host UP
            killed_at = time.monotonic()
        for _attempt in range(3):
            try:
                if not agent.alive():
                    raise ConnectionError("socket closed")
                updates = agent.call(f"{STAFF_TASK}.log_time",
                                     {"form": {"minutes": "0:05", "work_date": "", "note": note}}, task_path,
                                     until=has(STAFF_TASK, "notice", "log_error"))
                notice = delta_value(updates, STAFF_TASK, "notice") or ""
                error = delta_value(updates, STAFF_TASK, "log_error") or ""
                if notice.startswith("Logged"):
                    acknowledged.append(note)
                else:
                    report(False, f"time entry {note} refused: {error or notice!r}")
                break
            except (ConnectionError, TimeoutError, simple_websocket.ConnectionClosed):
                # The socket died with the event in flight: reconnect (the balancer sends us to a
                # live host), reload the task and repeat the entry only if it is not there.
                agent.close()
                for _ in range(30):
                    try:
                        agent.connect()
                        break
                    except Exception:  # noqa: BLE001
                        time.sleep(0.5)
                updates = agent.call(f"{STAFF_TASK}.load", {}, task_path, until=has(STAFF_TASK, "entries"))
                shown = delta_value(updates, STAFF_TASK, "entries") or []
                if any(e.get("note") == note for e in shown):
                    uncertain.append(note)
                    break
        time.sleep(0.3)
    killer.join(timeout=30)
    reconnect_host = agent.server
    report(reconnect_host not in (None, f"app{VICTIM}"),
           f"agent reconnected with the same token through the balancer to {reconnect_host}")
    cli_thread.join(timeout=120)
    pay_thread.join(timeout=120)

    # Customers whose socket died: reconnect with the same token and the same (now stale) cookie.
    time.sleep(1)
    moved = [c for c in clients if c.pin == f"app{VICTIM}"]
    for c in clients:
        try:
            probe(c, timeout=5)
            if c in moved:
                report(False, f"{c.name}: socket on the killed host still answers")
        except (ConnectionError, TimeoutError, simple_websocket.ConnectionClosed):
            c.close()
            c.connect()
    for c in clients:
        login = probe(c, timeout=15)
        still_in = not redirects(login)
        where = c.server
        if c in moved:
            report(still_in and where not in (None, f"app{VICTIM}"),
                   f"{c.name}: socket died with app{VICTIM}, reconnected to {where}, still signed in"
                   f" (no redirect to /login)")
        else:
            report(still_in and where == c.pin, f"{c.name}: stayed on {where}, still signed in")
    # The marker left in state before the kill, read straight from Redis by a fresh hydrate.
    for c in moved:
        c.path = "/account"  # a page whose on_load leaves the task list's filters alone
        updates = c.hydrate(until=lambda u: delta_value(u, TASKS, "search") is not None)
        shown = delta_value(updates, TASKS, "search")
        report(shown == c.marker, f"{c.name}: state kept across the failover (task search {shown!r} == {c.marker!r})")

    # Rows: nothing lost, nothing doubled.
    with engine.begin() as db:
        rows = db.execute(text("select note, count(*), max(prepaid_minutes), max(id) from time_entry "
                               "where note like :p group by note"), {"p": f"{run}-te-%"}).all()
        by_note = {r[0]: r for r in rows}
        draws = dict(db.execute(text(
            "select time_entry_id, sum(quantity) from ledger_entry where kind = 'consume' and time_entry_id in "
            "(select id from time_entry where note like :p) group by time_entry_id"), {"p": f"{run}-te-%"}).all())
        cli_rows = db.execute(text("select category, count(*) from ledger_entry where kind = 'consume' "
                                   "and category like :p group by category"), {"p": f"{run}-cli-%"}).all()
        ledger_after = db.execute(text("select count(*) from ledger_entry")).scalar_one()
    doubled = [n for n, r in by_note.items() if r[1] != 1]
    lost = [n for n in acknowledged if n not in by_note]
    report(not lost and not doubled and len(by_note) == entries,
           f"time entries: {len(acknowledged)} acknowledged + {len(uncertain)} found after reconnect "
           f"= {len(by_note)} rows for {entries} entries; lost {lost}, doubled {doubled}")
    mismatched = [n for n, r in by_note.items() if (draws.get(r[3]) or 0) != r[2]]
    report(not mismatched,
           f"ledger: each time entry's prepaid draws equal its prepaid minutes (mismatched {mismatched})")
    cli_ok = sum(cli_done)
    report(cli_ok == cli_count and len(cli_rows) == cli_ok and all(r[1] == 1 for r in cli_rows),
           f"CLI: {cli_ok}/{cli_count} `credits consume` across the kill, {len(cli_rows)} ledger rows, none doubled "
           f"(ledger rows {ledger_before} -> {ledger_after})")

    # Payments: webhooks first, then the reconcile job cron runs (it asks Stripe about pending ones).
    def payment_rows():
        with engine.begin() as db:
            return db.execute(text("select stripe_session_id, status, lot_id from payment "
                                   "where stripe_session_id = any(:s)"), {"s": sessions}).all()

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and sum(r[1] == "succeeded" for r in payment_rows()) < (len(paid) + 1) // 2:
        time.sleep(1)
    by_webhook = sum(r[1] == "succeeded" for r in payment_rows())
    # `payments reconcile` leaves checkouts younger than a minute to their webhooks: run it as cron
    # would, every 10 s, for up to 100 s.
    deadline = time.monotonic() + 100
    while True:
        reconcile = subprocess.run(["opsportal", "payments", "reconcile", "--json"], capture_output=True, text=True,
                                   env=dict(os.environ, OPSPORTAL_DATABASE_URL=DB_URL,
                                            OPSPORTAL_STRIPE_API_BASE=STRIPE_SANDBOX), timeout=120)
        rows = payment_rows()
        if sum(r[1] == "succeeded" for r in rows) >= len(paid) or time.monotonic() > deadline:
            break
        time.sleep(10)
    with engine.begin() as db:
        lots = [r[2] for r in rows if r[2] is not None]
        grants = db.execute(text("select lot_id, count(*) from ledger_entry where kind = 'grant' and lot_id = any(:l) "
                                 "group by lot_id"), {"l": lots}).all() if lots else []
    per_session = {sid: [r for r in rows if r[0] == sid] for sid in sessions}
    one_each = all(len(v) == 1 and v[0][1] == "succeeded" and v[0][2] for v in per_session.values())
    report(len(paid) == PURCHASES and one_each and len(set(lots)) == PURCHASES and len(grants) == PURCHASES
           and all(g[1] == 1 for g in grants),
           f"payments: {len(paid)}/{PURCHASES} paid ({sum(t > (killed_at or 0) + KILL_DELAY for t in paid_at)} after "
           f"the kill), {by_webhook} applied by webhook through the "
           f"balancer ({(PURCHASES + 1) // 2} sent, the others withheld), "
           f"{sum(r[1] == 'succeeded' for r in rows)} after `payments reconcile` "
           f"(exit {reconcile.returncode}); one payment row, one credit lot and one grant each, none doubled")

    states = server_states()
    report(states.get(f"app{VICTIM}") != "UP" and sum(s == "UP" for s in states.values()) == HOSTS - 1,
           f"after: HAProxy marked app{VICTIM} down and kept the others {states}"
           + (f", {time.monotonic() - killed_at:.0f}s after the kill" if killed_at else ""))
    for c in [*clients, agent, payer]:
        c.close()

    subprocess.run([SCRIPT, "start-host", str(VICTIM)], check=False, timeout=180)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server_states().get(f"app{VICTIM}") != "UP":
        time.sleep(1)
    report(server_states().get(f"app{VICTIM}") == "UP", f"app{VICTIM} started again and is back in the balancer")

    failed = [w for ok, w in results if not ok]
    print(f"\nmultihost check: {'PASS' if not failed else 'FAIL'} "
          f"({len(results) - len(failed)}/{len(results)} passed)")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        code = main()
    except Exception as exc:  # noqa: BLE001 - report, then leave at once
        import traceback

        traceback.print_exc()
        print(f"\nmultihost check: FAIL (stopped by {type(exc).__name__}: {exc})")
        code = 1
    sys.stdout.flush()
    os._exit(code)  # simple_websocket's reader threads must not keep a dead socket's process alive
