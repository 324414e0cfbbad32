"""A portal that is already running (e.g. scripts/multihost.sh's three app hosts behind HAProxy), for
bench/ui_load.py --portal-url: the same interface as ui_servers.Server, but nothing is started or stopped.

* the clients connect to the URL's host and port (through the balancer: HAProxy spreads the websockets
  round-robin over the app hosts);
* the build's state schema and initialStateHashes are read from the bundle the portal serves
  (index.html and the scripts it loads), else from this tree's `.web`;
* CPU and memory: the sum over every process of the given network namespaces (`ip netns pids NAME`, as
  root; the app hosts of scripts/multihost.sh are ops-app1..3). The set is read again at each reading, so
  a process started meanwhile (a worker, the staff page's billing run) counts in full. Without
  namespaces, or when they cannot be read, CPU and memory are None ("n/a" in the table): the portal's
  processes are not ours to find by name;
* its logs (optional paths): only what they gained during the sitting is counted.
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import psutil

from bench.ui_servers import ROOT, Server, compiled_from


class RemotePortal:
    """The portal at ``url``; ``namespaces`` hold its processes (empty: CPU and memory not measured)."""

    def __init__(self, url: str, namespaces: list[str], logs: list[Path]):
        parts = urlsplit(url)
        self.name, self.url, self.cwd = "portal", url.rstrip("/"), ROOT
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.namespaces, self.logs = namespaces, logs
        self.log_start = {p: (p.stat().st_size if p.exists() else 0) for p in logs}
        self.started_in = 0.0
        self.unmeasured = "" if namespaces else "no --portal-netns given"

    def start(self) -> None:
        self._start = time.perf_counter()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/ping", timeout=3) as r:
                    if r.status == 200:
                        self.started_in = time.perf_counter() - self._start
                        self.tree()  # says now, not under load, whether the namespaces can be read
                        return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"the portal at {self.url} did not answer /ping within {timeout:.0f} s")

    def stop(self) -> None:
        pass

    # --- what its processes cost -------------------------------------------------------------------------------

    def pids(self, namespace: str) -> list[int]:
        out = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise OSError(out.stderr.strip() or f"ip netns pids {namespace}: exit {out.returncode}")
        return [int(p) for p in out.stdout.split()]

    def tree(self) -> list[psutil.Process] | None:
        if self.unmeasured:
            return None
        try:
            pids = [pid for ns in self.namespaces for pid in self.pids(ns)]
        except (OSError, subprocess.SubprocessError) as exc:
            self.unmeasured = f"cannot list the namespaces' processes ({str(exc)[:80]})"
            return None
        if not pids:
            self.unmeasured = f"no processes in {', '.join(self.namespaces)}"
            return None
        procs = []
        for pid in pids:
            try:
                procs.append(psutil.Process(pid))
            except psutil.Error:
                pass
        return procs

    def cpu_seconds(self) -> dict[int, float] | None:
        procs = self.tree()
        return None if procs is None else Server.cpu_seconds_of(procs)

    def rss(self) -> int | None:
        procs = self.tree()
        return None if procs is None else Server.rss_of(procs)

    def describe(self) -> str:
        where = f"{self.url} (already running)"
        if self.unmeasured:
            return f"{where}; CPU and memory n/a: {self.unmeasured}"
        counts = []
        for ns in self.namespaces:
            try:
                counts.append(f"{ns} {len(self.pids(ns))}")
            except OSError:
                counts.append(f"{ns} ?")
        return f"{where}; processes of {', '.join(counts)}"

    def log_issues(self) -> dict[str, int]:
        text = ""
        for p, start in self.log_start.items():
            if p.exists():
                with p.open("rb") as f:
                    f.seek(start)
                    text += f.read().decode(errors="replace")
        return Server.issues_in(text)

    def compiled(self) -> tuple[str | None, list[str] | None]:
        """From the bundle the portal serves: index.html and the scripts it names; else this tree's build."""
        try:
            html = self.fetch("/")
            scripts = sorted(set(re.findall(r"(?:src|href)=\"([^\"]+\.js)\"", html)))
            found = compiled_from([self.fetch(s) for s in scripts[:200]])
            if found[1]:
                return found
        except OSError:
            pass
        return Server("portal", ROOT, {}, Path("/dev/null")).compiled()

    def fetch(self, path: str) -> str:
        with urllib.request.urlopen(urljoin(self.url + "/", path.lstrip("/")), timeout=10) as r:
            return r.read().decode(errors="replace")
