"""The table bench/ui_load.py prints: each figure for the portal, for bare Reflex, and their ratio."""

from __future__ import annotations


def _num(v, missing: str = "-") -> str:
    if v is None:
        return missing
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"


def _ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.1f}x"


def _triple(s: dict, keys=("p50", "p95", "p99")) -> tuple[str, list]:
    values = [s.get(k) for k in keys]
    return " / ".join(_num(v) for v in values), values


def _row(rows, label, portal: dict | float | None, bare: dict | float | None, keys=("p50", "p95", "p99"),
         missing: str = "-"):
    if isinstance(portal, dict) or isinstance(bare, dict):
        ptxt, pv = _triple(portal or {}, keys)
        btxt, bv = _triple(bare or {}, keys)
        rtxt = " / ".join(_ratio(a, b) for a, b in zip(pv, bv, strict=True))
    else:
        ptxt, btxt, rtxt = _num(portal, missing), _num(bare, missing), _ratio(portal, bare)
    rows.append((label, ptxt, btxt, rtxt))


def _errors(name: str, errors: dict, out: list[str]) -> None:
    for what, n in sorted((errors or {}).items()):
        out.append(f"  {name}: {n} x {what}")


def table_rows(r: dict) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
    if "hydrate" in r:
        h = r["hydrate"]
        _row(rows, "hydrate /, one at a time: p50 / p95 ms", h["portal"]["sequential"], h["bare"]["sequential"],
             ("p50", "p95"))
        n = h["portal"]["burst_clients"]
        _row(rows, f"hydrate /, {n} at once: p50 / p95 ms", h["portal"]["burst"], h["bare"]["burst"], ("p50", "p95"))
        for name in ("portal", "bare"):
            _errors(f"hydrate {name}", h[name]["errors"], notes)
    for n, run in (r.get("events") or {}).items():
        bare = run["bare"]["by_event"]["increment"]
        for label, s in run["portal"]["by_event"].items():
            _row(rows, f"{label}, {n} clients: p50 / p95 / p99 ms (bare: increment)", s, bare)
        _row(rows, f"events/s achieved, {n} clients", run["portal"]["events_per_s"], run["bare"]["events_per_s"])
        _row(rows, f"server CPU while serving them, {n} clients: % of one core", run["portal"].get("server_cpu_pct"),
             run["bare"].get("server_cpu_pct"), missing="n/a")
        _row(rows, f"server CPU per event, {n} clients: ms", run["portal"].get("server_cpu_ms_per_event"),
             run["bare"].get("server_cpu_ms_per_event"), missing="n/a")
        for name in ("portal", "bare"):
            _errors(f"events x{n} {name}", run[name]["errors"], notes)
            notes.append(f"  events x{n} {name}: load client CPU {run[name].get('load_client_cpu_pct')}% of one core")
            if run[name]["connected"] < run[name]["clients"]:
                notes.append(f"  events x{n} {name}: only {run[name]['connected']} of {run[name]['clients']} connected")
    if "parked" in r:
        p, b = r["parked"]["portal"], r["parked"]["bare"]
        _row(rows, f"server CPU, {p['clients']} parked idle on /: % of one core", p["server_cpu_pct"],
             b["server_cpu_pct"], missing="n/a")
        _row(rows, f"memory per parked client (RSS growth / {p['clients']}): KB", p["rss_per_client_kb"],
             b["rss_per_client_kb"], missing="n/a")
        _row(rows, "updates pushed to the parked clients per s", p["updates_pushed_per_s"], b["updates_pushed_per_s"])
        _row(rows, f"time to connect the {p['clients']} parked clients: s", p["connect_all_s"], b["connect_all_s"])
        for name, x in (("portal", p), ("bare", b)):
            _errors(f"parked {name}", x["errors"], notes)
            notes.append(f"  parked {name}: {x['connected']} connected, {x['dropped_while_idle']} dropped while idle, "
                         f"RSS {x['rss_before_mb']} -> {x['rss_after_mb']} MB, load client CPU "
                         f"{x['load_client_cpu_pct']}%, {x['processes']}")
            if x.get("pushed_vars"):
                notes.append(f"  parked {name}: vars pushed while idle (updates): {x['pushed_vars']}")
            if x.get("errors_shown", {}).get("while_idle") or len(x.get("errors_shown", {})) > 1:
                notes.append(f"  parked {name}: error texts the pages showed: {x['errors_shown']}")
    if "billing" in r:
        bp, bb = r["billing"]["portal"], r["billing"]["bare"]["all"]
        _row(rows, f"others' latency during the billing run ({bp['clients']} clients): p95 / max ms "
                   f"(bare: nothing happening)", bp["during"], bb, ("p95", "max"))
        _row(rows, "the same portal clients before the run: p95 / max ms", bp["before"], bb, ("p95", "max"))
        a = bp["action"]
        notes.append(f"  billing run ({a['trigger']}, period {a['period']}): {a['invoices_created']} invoices in "
                     f"{bp['action_seconds']} s; it said: {a['said']}; {bp['during']['n']} other events overlapped it")
        _errors("billing portal", bp["errors"], notes)
        _errors("billing bare", r["billing"]["bare"]["errors"], notes)
    return rows, notes


def print_table(r: dict) -> None:
    rows, notes = table_rows(r)
    header = ("figure", "portal", "bare Reflex", "portal / bare")
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(4)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print()
    print(f"{r.get('load_average_start')} at start; {r.get('load_average_end')} at end")
    setup = dict(r.get("setup", {}))
    logs = setup.pop("server_log", {})
    print(f"setup: {setup}")
    for name, issues in logs.items():
        print(f"{name} server log: " + ", ".join(f"{n} x {what}" for what, n in issues.items()))
    if notes:
        print("notes:")
        print("\n".join(notes))
