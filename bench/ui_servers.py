"""The two apps bench/ui_load.py compares, each run with `reflex run --env prod` on free ports.

* the portal from the repository root, on a scratch database (SQLite in a temp dir, or a scratch
  PostgreSQL database) migrated and loaded with the demo by `opsportal db upgrade` + `opsportal demo load`;
* the bare counter in bench/bare_app (its own rxconfig.py and reflex.lock/, built offline like the portal).

Each server runs in its own process group; its process tree (psutil) gives its CPU time and memory.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BARE_DIR = ROOT / "bench" / "bare_app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    tools = [str(ROOT / "node_modules" / ".bin"), str(ROOT / ".venv" / "bin")]
    env["PATH"] = os.pathsep.join(tools + [env.get("PATH", "")])
    env.update(REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false",
               NPM_CONFIG_REGISTRY=env.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org"),
               PYTHONDONTWRITEBYTECODE="1")
    return env


def portal_env(database_url: str, data_dir: str, port: int, redis_url: str | None) -> dict[str, str]:
    """The portal's settings for a bench run: scratch database and data dir, no scheduler, mail to nowhere."""
    env = base_env()
    env.update(OPSPORTAL_DATABASE_URL=database_url, OPSPORTAL_DATA_DIR=data_dir, OPSPORTAL_SCHEDULER="off",
               OPSPORTAL_PORT=str(port), OPSPORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
               OPSPORTAL_SMTP_HOST="127.0.0.1", OPSPORTAL_SMTP_PORT=str(free_port()),
               OPSPORTAL_MAIL_DIR=os.path.join(data_dir, "mail"))
    env.pop("OPSPORTAL_REDIS_URL", None)
    if redis_url:
        env["OPSPORTAL_REDIS_URL"] = redis_url
    return env


def prepare_portal_database(env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        for args in (["opsportal", "db", "upgrade"], ["opsportal", "demo", "load"]):
            subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300)


@dataclass
class Server:
    """One `reflex run --env prod` serving frontend, backend and API routes on one port."""

    name: str
    cwd: Path
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    proc: subprocess.Popen | None = None
    started_in: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._start = time.perf_counter()
        out = self.log.open("a")
        self.proc = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--frontend-port", str(self.port), "--backend-port", str(self.port),
             "--loglevel", "warning"],
            cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=2) as r:
                    if r.status == 200:
                        self.started_in = time.perf_counter() - self._start
                        return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, 15)  # our own child's process group, created by start_new_session
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass

    # --- what the tree costs -------------------------------------------------------------------------------

    def tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user + system) of every process of the tree, by pid."""
        return self.cpu_seconds_of(self.tree())

    def rss(self) -> int:
        return self.rss_of(self.tree())

    @staticmethod
    def cpu_seconds_of(procs: list[psutil.Process]) -> dict[int, float]:
        times = {}
        for p in procs:
            try:
                t = p.cpu_times()
                times[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        return times

    @staticmethod
    def rss_of(procs: list[psutil.Process]) -> int:
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def describe(self) -> str:
        names = []
        for p in self.tree():
            try:
                names.append(p.name())
            except psutil.Error:
                pass
        return f"{len(names)} processes ({', '.join(sorted(set(names)))})"

    def log_issues(self) -> dict[str, int]:
        return self.issues_in(self.log.read_text(errors="replace") if self.log.exists() else "")

    @staticmethod
    def issues_in(text: str) -> dict[str, int]:
        """How often a server log mentions a traceback, an expired or long-held state lock, or a warning."""
        return {"tracebacks": text.count("Traceback (most recent call last)"),
                "LockExpiredError mentions": text.count("LockExpiredError"),
                "lock held too long": text.count("held too long"),
                "warnings (other than page redefinitions)": sum(
                    1 for line in text.splitlines() if line.startswith("Warning:") and "redefined" not in line)}

    def compiled(self) -> tuple[str | None, list[str] | None]:
        """The build's state schema and initialStateHashes, as the browser sends them on its first hydrate.

        Read from `.web/utils/context.jsx` of this build; if that is missing, from the production
        bundle (see ``compiled_from``); (None, None) if neither.
        """
        ctx = self.cwd / ".web" / "utils" / "context.jsx"
        if ctx.exists():
            return compiled_from([ctx.read_text()])
        assets = self.cwd / ".web" / "build" / "client" / "assets"
        return compiled_from([p.read_text(errors="replace") for p in sorted(assets.glob("*.js"))]
                             if assets.exists() else [])


def compiled_from(sources: list[str]) -> tuple[str | None, list[str] | None]:
    """(stateSchema, initialStateHashes) from `.web/utils/context.jsx` or from the minified production bundle.

    context.jsx has ``initialStateHashes = ["…", …]`` and ``stateSchema = "…"``; the bundle has
    minified names around them and template literals: ``initialStateHashes=`h1.h2.…`.split(…)``.
    """
    for text in sources:
        hashes = re.search(r"initialStateHashes\s*=\s*([\[`\"'][^\]`]*)", text) or re.search(
            r"\[((?:\"[0-9a-f]{16}\",?\s*){3,})\]", text)
        if hashes:
            schema = re.search(r"stateSchema\s*[=:]\s*[\"'`]([0-9a-f]{32})[\"'`]", text)
            return (schema.group(1) if schema else None), re.findall(r"[0-9a-f]{16}", hashes.group(1))
    return None, None


def cpu_percent(before: dict[int, float] | None, after: dict[int, float] | None, seconds: float) -> float | None:
    """Percent of one core used by the tree between two cpu_seconds() readings (new processes count fully);
    None when the server's processes cannot be measured (a remote portal, see bench/ui_remote.py)."""
    if before is None or after is None:
        return None
    used = sum(t - before.get(pid, 0.0) for pid, t in after.items())
    return 100 * used / seconds
