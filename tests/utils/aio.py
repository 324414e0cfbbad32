"""Running a coroutine to its end from a test, whatever runs in the test's thread.

In a full run Playwright's sync API keeps an event loop running in pytest's thread once an end-to-end test has
started the browser, and ``asyncio.run()`` refuses to start there; a loop of its own in a thread of its own works
in every order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-loop") as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()
