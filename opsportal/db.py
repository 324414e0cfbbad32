"""Engines and the unit of work: every use case runs in exactly one transaction.

SQLite serializes writers: a writing unit of work starts with ``BEGIN IMMEDIATE`` so two
writers never interleave (the second waits on the busy timeout instead of failing half
way). PostgreSQL writers take row locks inside their transaction instead.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from opsportal.settings import get_settings

log = logging.getLogger(__name__)
_engines: dict[str, Engine] = {}
_engines_lock = Lock()
_WRITE = "opsportal_write"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - driver callback
        # Let SQLAlchemy emit BEGIN itself so a writer can ask for BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - driver callback
        immediate = conn.get_execution_options().get(_WRITE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                db_path = url.split("///", 1)[-1]
                if db_path and db_path != ":memory:":
                    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
                _configure_sqlite(engine)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


class BlockingOnEventLoop(RuntimeError):
    """Database work was started on a thread that runs an asyncio event loop."""


# The event loops that serve browser tabs (the backend registers its own when it starts).
_serving_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def serve_on(loop: asyncio.AbstractEventLoop) -> None:
    """Marks ``loop`` as one that serves browser tabs: database work on it is refused."""
    _serving_loops.add(loop)


def refuse_on_event_loop() -> None:
    """Database work blocks: on the event loop it would stall every browser tab this worker serves.

    Outside production this raises, so a test that reaches it fails; in production it logs and lets the call run.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # a worker thread, the CLI, a test without a loop
    if loop not in _serving_loops:
        return  # e.g. a browser-driving test's own loop
    message = "database work on the event loop; run it in a worker thread (opsportal.state.offload)"
    if get_settings().is_production:
        log.error(message, stack_info=True)
        return
    raise BlockingOnEventLoop(message)


@contextmanager
def unit_of_work(*, write: bool = True, url: str | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back otherwise."""
    refuse_on_event_loop()
    session = Session(
        get_engine(url),
        expire_on_commit=False,
        execution_options={_WRITE: True} if write else None,
    )
    try:
        yield session
        if write:
            session.commit()
        else:
            # Detach first: a rollback would expire what was read, and readers return it.
            session.expunge_all()
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
