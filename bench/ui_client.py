"""A minimal Reflex websocket client for load tests: what `.web/utils/state.js` does, without a browser.

``RxClient``: one asyncio task per connection; the websocket is wsproto (sans-IO, already installed with Reflex through
python-engineio -> simple-websocket) on asyncio streams, so a thousand clients fit in one process.
``BlockingRxClient`` (bench/ui_blocking_client.py): one blocking socket at a time, for the multihost failover check.

The protocol, from Reflex 0.10.1 (`reflex/app.py` EventNamespace, `.web/utils/state.js`):

* the socket connects to ``ws://host:port/_event/?EIO=4&transport=websocket&token=<tab uuid>``;
  engine.io answers ``0{...}`` (open), pings with ``2`` (we answer ``3``);
* the socket.io CONNECT packet of namespace ``/_event`` carries the hydrate event:
  ``40/_event,{"event": {"name": "<root>.hydrate_and_load", "payload": {"vars": {<cookie vars>},
  "hashes": [...]}, "router_data": {"pathname": ..., "asPath": ...}}, "state_schema": ...}``;
* events go out as ``42/_event,["event",{"name", "payload", "router_data"}]`` and updates come back as
  ``42/_event,["event",{"delta": {state: {var_rx_state_: value}}, "events": [...]}]``. ``final`` is gone
  (deprecated since 0.9), so an event is done when the delta it must produce arrives;
* the page is hydrated (on_load finished) when the root state's ``is_hydrated_rx_state_`` turns true;
  an ``_redirect`` event means the on_load sent us elsewhere (signed out). Other events whose name does
  not start with ``_`` are sent back to the server, as the frontend's queueEvents does.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

NAMESPACE = "/_event"
HYDRATED = "is_hydrated_rx_state_"


class ClientError(Exception):
    """The connection failed, timed out, or the server sent us away."""


class SignedOut(ClientError):
    """The server answered with a redirect (the login page for a signed-out client)."""


def var_key(name: str) -> str:
    """The key a state var has in a delta."""
    return f"{name}_rx_state_"


def event_packet(name: str, payload: dict, router_data: dict) -> str:
    """One event as the frontend sends it: ``42/_event,["event",{...}]``."""
    event = {"name": name, "payload": payload, "router_data": router_data}
    return "42" + NAMESPACE + "," + json.dumps(["event", event], separators=(",", ":"))


class RxClient:
    """One browser tab: a websocket, its hydrated state, and one outstanding event at a time."""

    def __init__(self, host: str, port: int, *, root: str, schema: str | None = None,
                 hashes: list[str] | None = None, timeout: float = 30.0):
        self.host, self.port, self.root, self.schema, self.hashes = host, port, root, schema, hashes
        self.timeout = timeout
        self.token = str(uuid.uuid4())
        self.path = "/"
        self.state: dict[str, dict[str, Any]] = {}
        self.updates = 0
        self.changed: Counter = Counter()  # "state.var" -> updates that carried it
        self.errors_shown: list[str] = []  # non-empty values of any state's ``error`` var, as they arrived
        self.redirect: str | None = None
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._waiter: tuple[Callable[[dict], bool], asyncio.Future] | None = None
        self._handshake: asyncio.Future | None = None
        self.closed = False

    # --- websocket ---------------------------------------------------------------------------------------

    async def _open(self, cookie: str | None) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, limit=2**24)
        headers = [(b"origin", f"http://{self.host}:{self.port}".encode())]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        self._handshake = asyncio.get_running_loop().create_future()
        self._send_raw(Request(host=f"{self.host}:{self.port}", target=target, extra_headers=headers))
        self._task = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._handshake, self.timeout)

    def _send_raw(self, event) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(self._ws.send(event))

    def _send_text(self, text: str) -> None:
        self._send_raw(TextMessage(data=text))

    async def _read_loop(self) -> None:
        parts: list[str] = []
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, AcceptConnection):
                        self._handshake.set_result(True)
                    elif isinstance(event, RejectConnection):
                        self._fail(ClientError(f"websocket refused: HTTP {event.status_code}"))
                        return
                    elif isinstance(event, TextMessage):
                        parts.append(event.data)
                        if event.message_finished:
                            self._on_packet("".join(parts))
                            parts = []
                    elif isinstance(event, Ping):
                        self._send_raw(event.response())
                    elif isinstance(event, CloseConnection):
                        self._fail(ClientError("server closed the websocket"))
                        return
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            self._fail(ClientError(f"connection lost: {exc}"))
            return
        self._fail(ClientError("connection closed"))

    def _fail(self, exc: Exception) -> None:
        self.closed = True
        if self._handshake is not None and not self._handshake.done():
            self._handshake.set_exception(exc)
        if self._waiter is not None and not self._waiter[1].done():
            self._waiter[1].set_exception(exc)

    # --- engine.io / socket.io ---------------------------------------------------------------------------

    def _on_packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "2":  # engine.io ping
            self._send_text("3")
        elif kind == "4":
            self._on_socketio(text[1:])
        elif kind == "1":
            self._fail(ClientError("engine.io close"))

    def _on_socketio(self, text: str) -> None:
        if not text.startswith("2"):  # CONNECT acks (0), errors (4): nothing to do but note errors
            if text.startswith("4"):
                self._fail(ClientError(f"socket.io connect refused: {text[:200]}"))
            return
        body = text[1:].removeprefix(NAMESPACE + ",")
        name, *args = json.loads(body)
        if name == "event" and args:
            self._on_update(args[0])
        elif name == "state_mismatch":
            self._fail(ClientError(f"state schema mismatch: {args}"))

    def _on_update(self, update: dict) -> None:
        self.updates += 1
        for state, changes in (update.get("delta") or {}).items():
            self.state.setdefault(state, {}).update(changes)
            short = state.rsplit(".", 1)[-1]
            self.changed.update(f"{short}.{var.removesuffix('_rx_state_')}" for var in changes)
            if changes.get("error_rx_state_"):
                self.errors_shown.append(str(changes["error_rx_state_"])[:120])
        for event in update.get("events") or []:
            name = event.get("name", "")
            if name == "_redirect":
                self.redirect = (event.get("payload") or {}).get("path", "?")
                if self._waiter is not None and not self._waiter[1].done():
                    self._waiter[1].set_exception(SignedOut(f"redirected to {self.redirect}"))
            elif not name.startswith("_"):
                self.emit(name, event.get("payload") or {})
        if self._waiter is not None and not self._waiter[1].done() and self._waiter[0](update):
            self._waiter[1].set_result(update)

    def _router_data(self) -> dict:
        return {"pathname": self.path.split("?")[0], "asPath": self.path}

    def emit(self, name: str, payload: dict | None = None) -> None:
        self._send_text(event_packet(name, payload or {}, self._router_data()))

    # --- what a test does --------------------------------------------------------------------------------

    async def _until(self, predicate: Callable[[dict], bool], send: Callable[[], None]) -> dict:
        if self.closed:
            raise ClientError("connection closed")
        future = asyncio.get_running_loop().create_future()
        self._waiter = (predicate, future)
        try:
            send()
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise ClientError(f"no answer within {self.timeout:.0f} s") from None
        finally:
            self._waiter = None

    async def connect(self, path: str, *, cookie_vars: dict[str, str] | None = None,
                      cookie_header: str | None = None) -> float:
        """Open the socket on ``path`` and hydrate it (on_load included); returns the seconds it took."""
        self.path = path
        start = time.perf_counter()
        await self._open(cookie_header)
        payload: dict[str, Any] = {}
        if cookie_vars:
            payload["vars"] = cookie_vars
        if self.hashes:
            payload["hashes"] = self.hashes
        boot = {"name": f"{self.root}.hydrate_and_load", "payload": payload, "router_data": self._router_data()}
        auth = {"event": boot}
        if self.schema:
            auth["state_schema"] = self.schema
        packet = "40" + NAMESPACE + "," + json.dumps(auth, separators=(",", ":"))

        def hydrated(update: dict) -> bool:
            return bool((update.get("delta") or {}).get(self.root, {}).get(HYDRATED))

        await self._until(hydrated, lambda: self._send_text(packet))
        return time.perf_counter() - start

    async def call(self, state: str, handler: str, payload: dict | None, expect: Callable[[dict], bool]) -> dict:
        """Send one event and wait for the update ``expect`` accepts (its delta for ``state``)."""
        name = f"{state}.{handler}"

        def done(update: dict) -> bool:
            delta = (update.get("delta") or {}).get(state)
            return delta is not None and expect(delta)

        return await self._until(done, lambda: self.emit(name, payload))

    async def close(self) -> None:
        self.closed = True
        if self._writer is not None:
            try:
                self._send_raw(CloseConnection(code=1000))
            except Exception:  # noqa: BLE001 - closing a half-open socket
                pass
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except BaseException:  # noqa: BLE001
                pass
