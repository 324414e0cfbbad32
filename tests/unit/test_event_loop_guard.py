"""Database work never runs on the event loop: outside production it is refused at once."""

import asyncio

import pytest

from opsportal.db import BlockingOnEventLoop, refuse_on_event_loop, serve_on
from opsportal.state import offload
from tests.utils.aio import run_coroutine


def test_starting_database_work_on_the_event_loop_that_serves_tabs_is_refused():
    async def on_the_loop():
        serve_on(asyncio.get_running_loop())
        refuse_on_event_loop()

    with pytest.raises(BlockingOnEventLoop):
        run_coroutine(on_the_loop())


def test_database_work_handed_to_the_offload_pool_is_allowed():
    async def handed_off():
        serve_on(asyncio.get_running_loop())
        return await offload.run(lambda: (refuse_on_event_loop(), "ran")[1])

    assert run_coroutine(handed_off()) == "ran"


def test_database_work_outside_any_event_loop_is_allowed():
    refuse_on_event_loop()


def test_an_event_loop_that_serves_no_tabs_may_run_database_work():
    async def a_test_drivers_loop():
        refuse_on_event_loop()
        return "ran"

    assert run_coroutine(a_test_drivers_loop()) == "ran"
