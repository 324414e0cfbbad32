"""The measurements of bench/ui_load.py, each run against one app (a Target) at a time.

Every event is timed from sending it to the arrival of the update carrying the delta it must produce,
and checked (rows present, no error text, no redirect); failures are counted, never timed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import pct
from bench.ui_client import ClientError, RxClient, SignedOut, var_key
from bench.ui_remote import RemotePortal
from bench.ui_servers import Server, cpu_percent

Expect = Callable[[dict], bool]


@dataclass
class Workload:
    """One kind of typical event: the page a client sits on and what it sends there, alternating."""

    label: str
    path: str
    state: str
    # (client, n-th event of this client) -> (handler, payload, var the delta must carry)
    step: Callable[[RxClient, int], tuple[str, dict, str]]
    # the state after the update -> None if it shows what the event should, else the problem
    check: Callable[[dict], str | None]


@dataclass
class Target:
    name: str
    server: Server | RemotePortal
    root: str
    home: str
    workloads: list[Workload]
    cookies: Callable[[int], tuple[dict | None, str | None]]  # client index -> (hydrate vars, Cookie header)
    schema: str | None = None
    hashes: list[str] | None = None
    # the state after hydrating ``home`` -> None if the page shows what a signed-in user should see
    home_check: Callable[[dict], str | None] = lambda state: None
    # events a browser sends after hydrating, from components' on_mount (the portal's header bell): sent, not awaited
    mounts: tuple[str, ...] = ()

    async def open(self, path: str, index: int, *, timeout: float = 60.0) -> tuple[RxClient, float]:
        client = RxClient(self.server.host, self.server.port, root=self.root, schema=self.schema, hashes=self.hashes,
                          timeout=timeout)
        cookie_vars, cookie_header = self.cookies(index)
        try:
            seconds = await client.connect(path, cookie_vars=cookie_vars, cookie_header=cookie_header)
            for name in self.mounts:
                client.emit(name, {})
            problem = self.home_check(client.state) if path == self.home else None
            if problem:
                raise ClientError(f"hydrated {path} but {problem}")
        except BaseException:
            await client.close()
            raise
        return client, seconds


@dataclass
class Recorder:
    """(label, start, end) of every verified event, and the failures by kind."""

    records: list[tuple[str, float, float]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def ms(self, label: str | None = None, *, start: float = 0.0, end: float = float("inf"),
           overlapping: bool = False) -> list[float]:
        """Latencies in ms of events with ``label`` (all if None) that ran inside [start, end] (or overlap it)."""
        out = []
        for lab, s, e in self.records:
            if label is not None and lab != label:
                continue
            inside = (s < end and e > start) if overlapping else (s >= start and e <= end)
            if inside:
                out.append((e - s) * 1000)
        return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
            "max": max(values)}


async def connect_many(target: Target, paths: list[str], *, concurrency: int = 50, timeout: float = 60.0,
                       index0: int = 0) -> tuple[list[RxClient | None], Counter, list[float]]:
    """Open and hydrate one client per path, ``concurrency`` at a time; None for those that failed."""
    sem = asyncio.Semaphore(concurrency)
    errors: Counter = Counter()
    seconds: list[float] = []

    async def one(i: int, path: str) -> RxClient | None:
        async with sem:
            try:
                client, took = await target.open(path, index0 + i, timeout=timeout)
            except SignedOut:
                errors["signed out (redirected) on hydrate"] += 1
                return None
            except (ClientError, OSError) as exc:
                errors[f"hydrate failed: {str(exc)[:60]}"] += 1
                return None
            seconds.append(took)
            return client

    clients = await asyncio.gather(*(one(i, p) for i, p in enumerate(paths)))
    return list(clients), errors, seconds


async def close_all(clients: list[RxClient | None]) -> None:
    await asyncio.gather(*(c.close() for c in clients if c is not None))


def _carries(key: str) -> Expect:
    return lambda delta: key in delta


async def _client_loop(client: RxClient, work: Workload, rec: Recorder, think: float, stop: asyncio.Event) -> None:
    await asyncio.sleep(random.uniform(0, think))  # spread the clients over one think time
    n = 0
    while not stop.is_set() and not client.closed:
        handler, payload, var = work.step(client, n)
        n += 1
        start = time.perf_counter()
        try:
            await client.call(work.state, handler, payload, _carries(var_key(var)))
        except SignedOut:
            rec.errors[f"{work.label}: signed out (redirected)"] += 1
            return
        except ClientError as exc:
            rec.errors[f"{work.label}: {str(exc)[:60]}"] += 1
            if client.closed:
                return
            continue
        end = time.perf_counter()
        problem = work.check(client.state.get(work.state, {}))
        if problem:
            rec.errors[f"{work.label}: {problem}"] += 1
        else:
            rec.records.append((work.label, start, end))
        try:
            await asyncio.wait_for(stop.wait(), think)
        except TimeoutError:
            pass


class EventLoad:
    """N clients spread round-robin over the target's workloads, each sending an event every think seconds."""

    def __init__(self, target: Target, n: int, think: float, *, timeout: float = 30.0):
        self.target, self.n, self.think, self.timeout = target, n, think, timeout
        self.rec = Recorder()
        self.stop = asyncio.Event()
        self.clients: list[RxClient | None] = []
        self.tasks: list[asyncio.Task] = []
        self.hydrate_errors: Counter = Counter()

    async def start(self) -> None:
        works = [self.target.workloads[i % len(self.target.workloads)] for i in range(self.n)]
        self.clients, self.hydrate_errors, _ = await connect_many(self.target, [w.path for w in works],
                                                                  timeout=self.timeout)
        self.started = time.perf_counter()
        self.tasks = [asyncio.create_task(_client_loop(c, w, self.rec, self.think, self.stop))
                      for c, w in zip(self.clients, works, strict=True) if c is not None]

    async def finish(self) -> float:
        self.stop.set()
        self.elapsed = time.perf_counter() - self.started
        if self.tasks:  # a client still waiting for an answer gets a few seconds, then counts as unanswered
            _done, pending = await asyncio.wait(self.tasks, timeout=10)
            for task in pending:
                task.cancel()
            if pending:
                self.rec.errors["no answer 10 s after the end of the run"] += len(pending)
            await asyncio.gather(*self.tasks, return_exceptions=True)
        await close_all(self.clients)
        return self.elapsed

    @property
    def connected(self) -> int:
        return sum(c is not None for c in self.clients)


async def typical_events(target: Target, n: int, seconds: float, think: float) -> dict:
    """Scenario 1: latency of each workload's events and the event rate, with n clients for ``seconds``."""
    load = EventLoad(target, n, think)
    await load.start()
    cpu0, own0 = target.server.cpu_seconds(), time.process_time()
    await asyncio.sleep(seconds)
    elapsed = await load.finish()
    cpu = cpu_percent(cpu0, target.server.cpu_seconds(), elapsed)
    own = 100 * (time.process_time() - own0) / elapsed
    per_event = None if cpu is None else cpu * 10 * elapsed / max(len(load.rec.records), 1)
    out = {"clients": n, "connected": load.connected, "seconds": round(elapsed, 1),
           "events_per_s": round(len(load.rec.records) / elapsed, 1),
           "server_cpu_pct": _round(cpu), "load_client_cpu_pct": round(own, 1),
           "server_cpu_ms_per_event": _round(per_event, 2),
           "errors": dict(load.rec.errors + load.hydrate_errors)}
    out["by_event"] = {w.label: summary(load.rec.ms(w.label)) for w in target.workloads}
    out["all"] = summary(load.rec.ms())
    return out


async def parked(target: Target, n: int, seconds: float, settle: float) -> dict:
    """Scenarios 2 and 5: n clients hydrated on the home page, idle: the server's CPU and memory per client."""
    server = target.server
    rss_before = server.rss()
    start = time.perf_counter()
    clients, errors, _ = await connect_many(target, [target.home] * n, timeout=120.0)
    connect_s = time.perf_counter() - start
    ok = [c for c in clients if c is not None]
    await asyncio.sleep(settle)
    rss_after = server.rss()
    updates0 = sum(c.updates for c in ok)
    changed0 = sum((c.changed for c in ok), Counter())
    errors0 = sum(len(c.errors_shown) for c in ok)
    cpu0, wall0, own0 = server.cpu_seconds(), time.perf_counter(), time.process_time()
    await asyncio.sleep(seconds)
    wall = time.perf_counter() - wall0
    cpu = cpu_percent(cpu0, server.cpu_seconds(), wall)
    own = 100 * (time.process_time() - own0) / wall
    pushed = sum(c.updates for c in ok) - updates0
    changed = sum((c.changed for c in ok), Counter()) - changed0
    shown = Counter(e for c in ok for e in c.errors_shown)
    idle_errors = sum(len(c.errors_shown) for c in ok) - errors0
    dropped = sum(c.closed for c in ok)
    await close_all(clients)

    def mb(rss: int | None) -> float | None:
        return None if rss is None else round(rss / 2**20, 1)

    return {"clients": n, "connected": len(ok), "connect_all_s": round(connect_s, 1), "errors": dict(errors),
            "idle_seconds": round(wall, 1), "server_cpu_pct": _round(cpu), "load_client_cpu_pct": round(own, 1),
            "updates_pushed_per_s": round(pushed / wall, 1), "dropped_while_idle": dropped,
            "pushed_vars": dict(changed.most_common(6)),
            "errors_shown": {"while_idle": idle_errors, **dict(shown.most_common(3))},
            "rss_before_mb": mb(rss_before), "rss_after_mb": mb(rss_after),
            "rss_per_client_kb": None if None in (rss_before, rss_after) else round(
                (rss_after - rss_before) / max(len(ok), 1) / 1024, 1),
            "processes": server.describe()}


async def hydrate_times(target: Target, sequential: int, burst: int) -> dict:
    """Scenario 4: connect + hydrate + on_load of the home page, one at a time, then ``burst`` at once."""
    one_by_one, errors = [], Counter()
    for i in range(sequential):
        try:
            client, took = await target.open(target.home, i)
        except ClientError as exc:
            errors[f"sequential: {str(exc)[:60]}"] += 1
            continue
        one_by_one.append(took * 1000)
        await client.close()
    start = time.perf_counter()
    clients, burst_errors, seconds = await connect_many(target, [target.home] * burst, concurrency=burst)
    wall = time.perf_counter() - start
    await close_all(clients)
    return {"sequential": summary(one_by_one), "burst": summary([s * 1000 for s in seconds]),
            "burst_clients": burst, "burst_all_done_s": round(wall, 2), "errors": dict(errors + burst_errors)}


async def during(target: Target, n: int, think: float, warm: float, action, *, tail: float = 2.0,
                 timeout: float = 180.0) -> dict:
    """Scenario 3: n clients' events before and while ``action()`` (a coroutine) runs.

    ``action`` returns a dict describing what it did; the window is from its start to its end, or
    from its ``_t0`` to its ``_t1`` (e.g. without the preparations before the run itself).
    """
    load = EventLoad(target, n, think, timeout=timeout)
    await load.start()
    await asyncio.sleep(warm)
    t0 = time.perf_counter()
    result = await action()
    t1 = time.perf_counter()
    t0, t1 = result.pop("_t0", t0), result.pop("_t1", t1)
    await asyncio.sleep(tail)
    await load.finish()
    inside = load.rec.ms(start=t0, end=t1, overlapping=True)
    before = load.rec.ms(start=load.started, end=t0)
    return {"clients": n, "connected": load.connected, "action": result, "action_seconds": round(t1 - t0, 2),
            "during": summary(inside), "before": summary(before), "errors": dict(load.rec.errors + load.hydrate_errors)}
