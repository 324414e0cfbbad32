"""Blocking work (database, Stripe, mail) leaves the event loop: one worker tab's query never stalls the others.

Event handlers ``await offload.run(fn, *args)``. The pool is the process's own and bounded, so a burst of events
queues here instead of opening more database connections than the pool has; the caller's context variables go
with the call (Reflex's event context among them).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from opsportal.settings import get_settings

P = ParamSpec("P")
T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=get_settings().worker_threads, thread_name_prefix="opsportal-io")
    return _pool


async def run(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker thread; the event loop serves other tabs meanwhile."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await loop.run_in_executor(_executor(), call)
