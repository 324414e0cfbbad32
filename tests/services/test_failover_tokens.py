"""opsportal.failover: a client of a dead backend process keeps its token (and state) on reconnect.

Two Reflex RedisTokenManagers stand for the backends of two app hosts, over a redis-server of
the test's own (scripts/multihost.sh check covers the same through HAProxy with killed hosts).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from tests.utils.aio import run_coroutine

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


async def _scenario(redis_url: str) -> dict[str, str | None]:
    from redis.asyncio import Redis
    from reflex.utils.token_manager import RedisTokenManager

    from opsportal import failover

    failover.install()
    host_a, host_b = RedisTokenManager(Redis.from_url(redis_url)), RedisTokenManager(Redis.from_url(redis_url))
    token = str(uuid.uuid4())
    outcome: dict[str, str | None] = {}
    try:
        outcome["first link on A"] = await host_a.link_token_to_sid(token, "sid-a")
        # A second tab with the same token while A lives: Reflex's duplicate-tab rule still applies.
        outcome["duplicate on B while A lives"] = await host_b.link_token_to_sid(token, "sid-b1")
        # Host A dies: its presence subscription goes with its Redis connection.
        host_a._opsportal_presence_task.cancel()
        await asyncio.sleep(0.2)
        await host_a.redis.aclose()
        await asyncio.sleep(0.2)
        outcome["reconnect on B after A died"] = await host_b.link_token_to_sid(token, "sid-b2")
        outcome["owner now"] = await host_b._get_token_owner(token, refresh=True)
        outcome["B"] = host_b.instance_id
    finally:
        for task in (getattr(host_b, "_opsportal_presence_task", None), host_b._socket_record_task):
            if task is not None:
                task.cancel()
        await host_b.redis.aclose()
    return outcome


def test_a_dead_hosts_client_keeps_its_token_and_a_live_duplicate_does_not(redis_url):
    outcome = run_coroutine(_scenario(redis_url))
    assert outcome["first link on A"] is None
    assert outcome["duplicate on B while A lives"] not in (None, "")  # a new token for a real duplicate
    assert outcome["reconnect on B after A died"] is None  # same token: the state in Redis is kept
    assert outcome["owner now"] == outcome["B"]
