"""A background thread per kind of e-mail that is written as pending rows in the transaction of a change: it sends
them right after the commit (``wake``) and tries failures again every ``interval_seconds`` until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PendingMailSender:
    def __init__(self, thread_name: str, what: str, send_pending: Callable[[], object]) -> None:
        self._thread_name, self._what, self._send_pending = thread_name, what, send_pending
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Ask the sender to look for pending e-mails now (nothing happens if it is not running)."""
        self._wake.set()

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                report = self._send_pending()
            except Exception:  # noqa: BLE001 - the thread must survive a broken database or template
                log.exception("sending %s failed", self._what)
                continue
            if report.failed or report.unconfirmed:
                log.warning("%s", report.summary())

    def start(self, interval_seconds: float) -> bool:
        """Starts the thread (False if it runs already); sends what is pending at once."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._stop.clear()
            self._wake.set()
            self._thread = threading.Thread(target=self._loop, args=(interval_seconds,), name=self._thread_name,
                                            daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout: float = 30) -> None:
        with self._lock:
            self._stop.set()
            self._wake.set()
            if self._thread is not None:
                self._thread.join(timeout)
            self._thread = None
