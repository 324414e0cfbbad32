"""Whether a received message's From domain was authenticated by the portal's own receiving mail server.

The server records its checks in ``Authentication-Results`` headers (RFC 8601): ``mx.example.com; dmarc=pass
header.from=northwind.example; dkim=pass header.d=northwind.example; spf=pass smtp.mailfrom=…``. Only headers
whose authserv-id is the configured one count — anyone can write such a header into a message, and the receiving
server removes the ones bearing its own id before adding its own (RFC 8601 section 5). The From domain is
authenticated when that server says DMARC passed for it, or DKIM or SPF passed for a domain aligned with it
(relaxed alignment: the same domain, or one a subdomain of the other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class MethodResult:
    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


def _without_comments(text: str) -> str:
    previous = None
    while previous != text:  # nested comments: innermost first
        previous, text = text, _COMMENT.sub(" ", text)
    return text


def parse(header: str) -> tuple[str, list[MethodResult]]:
    """The authserv-id (lower case) and the method results of one ``Authentication-Results`` value."""
    parts = _without_comments(header or "").split(";")
    head = parts[0].split()
    authserv_id = head[0].strip().lower() if head else ""
    found: list[MethodResult] = []
    for part in parts[1:]:
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue  # "none", or something this reader does not know
        method, _, result = tokens[0].partition("=")
        method = method.split("/")[0]  # a method version ("dkim/1")
        properties = {}
        for token in tokens[1:]:
            name, eq, value = token.partition("=")
            if eq and "." in name:
                properties[name.lower()] = value.strip('"').lower()
        found.append(MethodResult(method.lower(), result.lower(), properties))
    return authserv_id, found


def _domain(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().strip(".").lower()


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment, as DMARC reads it without a public-suffix list: equal, or one a subdomain of the other
    (never a bare top-level domain)."""
    a, b = _domain(domain), _domain(from_domain)
    if not a or not b or "." not in a or "." not in b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def from_domain_authenticated(headers: Iterable[str], *, authserv_id: str, from_address: str) -> bool:
    """Whether the server ``authserv_id`` authenticated the domain of ``from_address`` (see the module)."""
    wanted = authserv_id.strip().lower()
    from_domain = _domain(from_address)
    if not wanted or not from_domain:
        return False
    for header in headers:
        server, results = parse(header)
        if server != wanted:
            continue
        for r in results:
            if r.result != "pass":
                continue
            if r.method == "dmarc" and _domain(r.properties.get("header.from", "")) == from_domain:
                return True
            if r.method == "dkim" and aligned(r.properties.get("header.d") or r.properties.get("header.i", ""),
                                              from_domain):
                return True
            if r.method == "spf" and aligned(r.properties.get("smtp.mailfrom", ""), from_domain):
                return True
    return False
