"""A closed browser tab's state is released after a short grace period; open or busy tabs keep theirs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory

from opsportal.state.reaper import CLOSED_TAB_GRACE_SECONDS, release_closed_tabs
from tests.utils.aio import run_coroutine

NOW = 1_000_000.0
HOUR = 3600


@dataclass(frozen=True)
class Token:
    ident: str

    @property
    def lock_key(self) -> str:
        return self.ident

    @property
    def cache_key(self) -> str:
        return f"{self.ident}_root"


@dataclass
class Manager(StateManagerMemory):
    token_expiration: int = HOUR
    _token_expires_at: dict = field(default_factory=dict)
    _states_locks: dict = field(default_factory=dict)
    purged: list = field(default_factory=list)

    def used(self, ident: str, seconds_ago: float) -> None:
        token = Token(ident)
        self._token_expires_at[token.cache_key] = (NOW - seconds_ago + self.token_expiration, token)

    def _purge_token(self, token) -> None:
        self._token_expires_at.pop(token.cache_key)
        self.purged.append(token.ident)


@dataclass
class DiskManager(StateManagerDisk):
    """Reflex's embedded default: states in memory, written to disk."""

    _token_last_touched: dict = field(default_factory=dict)
    _states_locks: dict = field(default_factory=dict)
    _write_queue: dict = field(default_factory=dict)
    purged: list = field(default_factory=list)

    def __post_init__(self) -> None:  # no states directory
        pass

    def used(self, ident: str, seconds_ago: float) -> Token:
        token = Token(ident)
        self._token_last_touched[token.cache_key] = (NOW - seconds_ago, token)
        return token

    def _purge_token(self, token) -> None:
        self._token_last_touched.pop(token.cache_key)
        self.purged.append(token.ident)


def test_a_disconnected_tab_idle_past_the_grace_period_is_released():
    manager = Manager()
    manager.used("closed", CLOSED_TAB_GRACE_SECONDS + 1)
    assert release_closed_tabs(manager, set(), now=NOW) == 1
    assert manager.purged == ["closed"]


def test_a_tab_that_just_disconnected_keeps_its_state_for_a_reload():
    manager = Manager()
    manager.used("reloading", 10)
    assert release_closed_tabs(manager, set(), now=NOW) == 0


def test_a_connected_tab_keeps_its_state_however_long_it_is_idle():
    manager = Manager()
    manager.used("parked", 50 * 60)
    assert release_closed_tabs(manager, {"parked": "sid-1"}, now=NOW) == 0


def test_a_tab_whose_state_is_in_use_is_not_released():
    manager = Manager()
    manager.used("busy", CLOSED_TAB_GRACE_SECONDS + 1)
    lock = asyncio.Lock()

    async def hold():
        async with lock:
            manager._states_locks["busy"] = lock
            return release_closed_tabs(manager, set(), now=NOW)

    assert run_coroutine(hold()) == 0


def test_with_the_disk_manager_a_closed_tabs_state_leaves_memory_after_the_grace_period():
    manager = DiskManager()
    manager.used("closed", CLOSED_TAB_GRACE_SECONDS + 1)
    manager.used("open", CLOSED_TAB_GRACE_SECONDS + 1)
    assert release_closed_tabs(manager, {"open": "sid"}, now=NOW) == 1
    assert manager.purged == ["closed"]


def test_with_the_disk_manager_a_state_still_waiting_to_be_written_stays():
    manager = DiskManager()
    token = manager.used("unwritten", CLOSED_TAB_GRACE_SECONDS + 1)
    manager._write_queue[token] = object()
    assert release_closed_tabs(manager, set(), now=NOW) == 0
