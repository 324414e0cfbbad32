"""Web origins (scheme://host[:port]) as the configuration names them: parsing, checking, loopback twins."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_TWINS = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}


def origin_of(url: str) -> str | None:
    """The origin of an http(s) URL, without a default port (``https://a.example:443/x`` -> ``https://a.example``)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def is_wildcard(entry: str) -> bool:
    """Whether an allowed-origins entry is a pattern rather than one origin (``*``, ``https://*.example.com``)."""
    return "*" in entry


def origin_problem(entry: str) -> str | None:
    """Why an allowed-origins entry is not one exact origin, or None when it is."""
    if is_wildcard(entry):
        return f"{entry!r} is a wildcard; list each origin exactly"
    origin = origin_of(entry)
    if origin is None or origin != entry.strip().rstrip("/").lower():
        return f"{entry!r} is not an origin (scheme://host[:port], no path)"
    return None


def with_loopback_twins(origins: list[str]) -> list[str]:
    """The origins plus, for each on localhost or 127.0.0.1, the same port on the other name (order kept)."""
    result: list[str] = []
    for origin in origins:
        candidates = [origin]
        parts = urlsplit(origin)
        twin = _LOOPBACK_TWINS.get(parts.hostname or "")
        if twin is not None:
            candidates.append(origin.replace(f"//{parts.hostname}", f"//{twin}", 1))
        result.extend(c for c in candidates if c not in result)
    return result


def websocket_origin(origin: str) -> str:
    """The ws/wss origin that matches an http/https one."""
    if origin.startswith("https://"):
        return "wss://" + origin[len("https://"):]
    if origin.startswith("http://"):
        return "ws://" + origin[len("http://"):]
    return origin
