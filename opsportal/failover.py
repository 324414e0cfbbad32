"""Clients of a dead app host keep their Reflex state when they reconnect to another host.

With Redis, Reflex records which backend process owns each client token (a "socket record",
kept for ``redis_token_expiration``, one hour by default). A process that dies abruptly (a
killed or crashed host) never deletes its records, so when its clients reconnect through the
load balancer to another host, Reflex takes each one for a duplicate browser tab: it hands
the client a new token, and the client starts over with an empty state (filters, drafts,
the page it was on), for up to an hour.

This module makes each backend process announce itself while it lives: it subscribes to a
Redis channel named after its instance id, and Redis drops the subscription the moment the
process's connection closes (``PUBSUB NUMSUB`` then answers 0). Before Reflex links a token
to a new socket, a record owned by another process that no longer announces itself is
deleted, so the reconnect keeps its token and with it the state in Redis. A record owned by
a live process is left alone: a real duplicate tab still gets its own token.

``install()`` patches ``RedisTokenManager.link_token_to_sid`` (Reflex 0.10); it is a no-op
without Redis. Verified by ``scripts/multihost.sh check``.
"""

from __future__ import annotations

import asyncio
import logging
import pickle

logger = logging.getLogger(__name__)

PRESENCE_PREFIX = "opsportal_backend_alive_"


def presence_channel(instance_id: str) -> str:
    return f"{PRESENCE_PREFIX}{instance_id}"


async def _ensure_presence(manager) -> None:
    """Subscribe this process's presence channel once (per instance id) and wait until it is live."""
    instance_id = manager.instance_id
    if getattr(manager, "_opsportal_presence_id", None) == instance_id:
        await manager._opsportal_presence_ready.wait()
        return
    ready = asyncio.Event()
    manager._opsportal_presence_id = instance_id
    manager._opsportal_presence_ready = ready

    async def hold() -> None:
        while True:
            try:
                async with manager.redis.pubsub() as pubsub:
                    await pubsub.subscribe(presence_channel(instance_id))
                    ready.set()
                    async for _message in pubsub.listen():
                        pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis went away: subscribe again
                logger.warning("presence subscription lost (%s); retrying", exc)
                await asyncio.sleep(1)

    manager._opsportal_presence_task = asyncio.get_running_loop().create_task(hold())
    try:
        await asyncio.wait_for(ready.wait(), timeout=5)
    except TimeoutError:
        logger.warning("presence channel not subscribed within 5 s")


async def _drop_record_of_dead_owner(manager, token: str) -> None:
    key = manager._get_redis_key(token)
    raw = await manager.redis.get(key)
    if raw is None:
        return
    record = pickle.loads(raw)  # written by Reflex itself (SocketRecord)
    owner = getattr(record, "instance_id", None)
    if not owner or owner == manager.instance_id:
        return
    subscribers = dict(await manager.redis.pubsub_numsub(presence_channel(owner)))
    alive = any(count for count in subscribers.values())
    if alive:
        return
    # The owner is gone: forget its record so this reconnect keeps its token (and state).
    await manager.redis.delete(key)
    manager.token_to_socket.pop(token, None)
    logger.info("token %s… reconnected after its backend process died; kept its state", token[:8])


def install() -> None:
    from reflex.utils import token_manager

    cls = token_manager.RedisTokenManager
    if getattr(cls, "_opsportal_failover", False):
        return
    original = cls.link_token_to_sid

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        try:
            await _ensure_presence(self)
            await _drop_record_of_dead_owner(self, token)
        except Exception as exc:  # noqa: BLE001 - never block a connection on this
            logger.warning("failover check skipped for a reconnect: %s", exc)
        return await original(self, token, sid)

    cls.link_token_to_sid = link_token_to_sid
    cls._opsportal_failover = True
