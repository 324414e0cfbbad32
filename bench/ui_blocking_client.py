"""A blocking Reflex websocket client, one socket at a time (simple-websocket), for the multihost failover check
(scripts/multihost_check.py), which reconnects it through the balancer with the same token. It signs in as a
browser does: the login form POSTed to the sign-in route, whose HttpOnly session cookie then goes with every
socket handshake. The protocol is described in bench/ui_client.py, whose event packets it sends.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

import simple_websocket

from bench.ui_client import NAMESPACE, event_packet

ROOT_STATE = "reflex___state____state"  # the portal's state names, as the blocking client's callers use them
AUTH = f"{ROOT_STATE}.opsportal___state___auth____auth_state"
SESSION_COOKIE = "opsportal_session"  # opsportal.auth.security.SESSION_COOKIE (an HttpOnly cookie)
SIGN_IN_ROUTE = "/auth/sign-in"  # opsportal.routes.SIGN_IN_ACTION


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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(base_url: str, email: str, password: str, *, pin: str, user_agent: str) -> str:
    """As a browser does: POST the login form to the sign-in route (on the host ``pin`` names by its OPSHOST
    cookie) and keep the HttpOnly session cookie of the 303; "" when the route did not sign in."""
    form = urllib.parse.urlencode({"email": email, "password": password, "next": "/"}).encode()
    request = urllib.request.Request(base_url + SIGN_IN_ROUTE, data=form, method="POST",
                                     headers={"Cookie": f"OPSHOST={pin}", "User-Agent": user_agent})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=15)
        return ""  # a 2xx: not the route's answer
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            return ""
        cookies = answer.headers.get_all("Set-Cookie") or []
    found = [re.match(rf"{SESSION_COOKIE}=([^;]+)", c) for c in cookies]
    tokens = [m.group(1) for m in found if m]
    return tokens[0] if tokens else ""
