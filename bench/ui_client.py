"""A minimal Reflex websocket client for load tests: what `.web/utils/state.js` does, without a browser.

``RxClient``: one asyncio task per connection; the websocket is wsproto (sans-IO, already installed with Reflex through
python-engineio -> simple-websocket) on asyncio streams, so a thousand clients fit in one process.
``BlockingRxClient``: one blocking socket (simple-websocket) at a time, for the multihost failover check
(scripts/multihost_check.py), which reconnects it through the balancer with the same token.

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

import simple_websocket
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
ROOT_STATE = "reflex___state____state"  # the portal's state names, as the blocking client's callers use them
AUTH = f"{ROOT_STATE}.opsportal___state___auth____auth_state"
SESSION_COOKIE = "opsportal_session"  # opsportal.auth.security.SESSION_COOKIE (an HttpOnly cookie)


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


# --- a blocking client, one socket at a time (the multihost failover check) ------------------------------

class BlockingRxClient:
    """A minimal Reflex websocket client: one token, one socket at a time. ``base_url`` is where it connects
    (the balancer), ``pin`` the OPSHOST cookie HAProxy routes by, and ``locate(local_port)`` names the server
    that took the socket (the multihost check asks HAProxy)."""

    def __init__(self, name: str, pin: str, *, base_url: str, locate: Callable[[int], str | None]):
        self.name, self.pin, self.token = name, pin, str(uuid.uuid4())
        self.base_url, self.locate = base_url, locate
        self.ws: simple_websocket.Client | None = None
        self.server: str | None = None
        self.cookie_token = ""  # the HttpOnly session cookie the sign-in route set, as a browser would keep it
        self.path = "/"

    def connect(self, timeout: float = 10, attempts: int = 3) -> None:
        for attempt in range(attempts):
            try:
                return self._connect(timeout)
            except ConnectionError:
                self.close()
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)

    def _connect(self, timeout: float) -> None:
        url = self.base_url.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        cookies = f"OPSHOST={self.pin}" + (f"; {SESSION_COOKIE}={self.cookie_token}" if self.cookie_token else "")
        # The backend reads the session from this handshake's Cookie header (router.headers.cookie).
        self.ws = simple_websocket.Client.connect(url, headers=[("Cookie", cookies)])
        # The Engine.IO open packet ("0{...}") can be swallowed by simple_websocket when it arrives
        # in the same read as the 101 response; the namespace CONNECT works without it.
        self.ws.receive(1)
        self.ws.send(f"40{NAMESPACE},")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.ws.receive(0.5)
            if msg and msg.startswith(f"40{NAMESPACE},"):
                self.server = self.locate(self.ws.sock.getsockname()[1])
                if self.cookie_token:
                    # As the browser does on every (re)connect: hydrate (the session cookie went with
                    # the handshake).
                    self.hydrate(timeout)
                return
            if msg == "2":
                self.ws.send("3")
            if not self.ws.connected:
                break
        raise ConnectionError("no Socket.IO connect acknowledgement")

    def hydrate(self, timeout: float = 10, until=None) -> list[dict]:
        """The browser's (re)connect event: hydrate_and_load (no client-storage vars: the session is an HttpOnly
        cookie sent with the socket handshake)."""
        return self.call(f"{ROOT_STATE}.hydrate_and_load", {"vars": {}}, self.path, timeout=timeout, until=until)

    def alive(self) -> bool:
        return bool(self.ws and self.ws.connected)

    def close(self) -> None:
        if self.ws:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001
                pass

    def call(self, handler: str, payload: dict, path: str, timeout: float = 15, until=None) -> list[dict]:
        """Send one event and collect its updates. Reflex marks no update as the last one, so stop
        once ``until(updates)`` holds (then drain briefly), or after a quiet 0.6 s following the
        first update. Raises on a dead socket or when nothing arrives in ``timeout`` seconds."""
        assert self.ws is not None
        self.path = path
        self.ws.send(event_packet(handler, payload, {"pathname": path, "asPath": path, "query": {}}))
        updates: list[dict] = []
        deadline, quiet_until = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if quiet_until is not None and time.monotonic() >= quiet_until:
                return updates
            msg = self.ws.receive(0.2)
            if msg is None:
                if not self.ws.connected:
                    raise ConnectionError("socket closed")
                continue
            if msg == "2":
                self.ws.send("3")
                continue
            if msg.startswith(f"42{NAMESPACE},"):
                name, *args = json.loads(msg[len(NAMESPACE) + 3:])
                if name == "event" and args:
                    updates.append(args[0])
                    if until is None or until(updates):
                        quiet_until = time.monotonic() + (0.6 if until is None else 0.2)
        if updates and until is None:
            return updates
        raise TimeoutError(f"{handler}: no {'expected ' if until else ''}update in {timeout}s")


# Helpers over the list of updates BlockingRxClient.call returns.

def delta_value(updates: list[dict], state: str, prefix: str):
    for update in reversed(updates):
        for key, value in (update.get("delta", {}).get(state) or {}).items():
            if key == prefix or key.startswith(prefix + "_rx_state_"):
                return value
    return None


def redirect_paths(updates: list[dict]) -> list[str]:
    return [e["payload"]["path"] for u in updates for e in (u.get("events") or []) if e.get("name") == "_redirect"]


def redirects(updates: list[dict]) -> bool:
    return any("redirect" in json.dumps(u.get("events", [])) or "_call_script" in json.dumps(u.get("events", []))
               for u in updates)


def hydrated(updates: list[dict]) -> bool:
    """The page's on_load chain has run: Reflex sets the root state's is_hydrated last."""
    return delta_value(updates, ROOT_STATE, "is_hydrated") is True


def has(state: str, *keys: str):
    """A predicate for BlockingRxClient.call: some update's delta carries one of these vars of ``state``."""
    return lambda updates: any(delta_value(updates, state, k) not in (None, "") for k in keys)
