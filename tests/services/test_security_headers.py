"""Security headers on every response (pages, assets, API routes, the websocket handshake) and CORS that never
answers an origin it does not know."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocket

from opsportal.api.routes import create_api, header_policy
from opsportal.api.security_headers import HeaderPolicy, SecurityHeaders, inline_script_hashes
from opsportal.settings import get_settings

PAGE_SCRIPT = "document.documentElement.classList.add('light')"
PAGE = f"<!DOCTYPE html><html><head><script>{PAGE_SCRIPT}</script><script src='/assets/app.js'></script></head></html>"
BASIC = {"x-content-type-options": "nosniff", "referrer-policy": "strict-origin-when-cross-origin",
         "x-frame-options": "DENY", "server": "opsportal"}


def sha256_source(script: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split("; ")}


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A built frontend as Reflex lays it out: pages with inline scripts, assets beside them."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("console.log('app')")
    (tmp_path / "index.html").write_text(PAGE)
    return tmp_path


async def refuse(websocket: WebSocket) -> None:
    await websocket.close()


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def served(pages: Path, policy: HeaderPolicy) -> TestClient:
    app = Starlette(routes=[
        Route("/api/thing", lambda _request: JSONResponse({"ok": True})),
        Route("/page", lambda _request: HTMLResponse(PAGE, headers={"server": "uvicorn"})),
        WebSocketRoute("/_event", echo),
        WebSocketRoute("/refused", refuse),
        Mount("/", app=StaticFiles(directory=pages, html=True)),
    ])
    return TestClient(SecurityHeaders(app, policy, pages))


@pytest.mark.parametrize("path", ["/", "/page", "/assets/app.js", "/api/thing", "/missing.js"])
def test_every_http_response_carries_the_security_headers(pages, path):
    response = served(pages, HeaderPolicy(origins=("http://localhost:3000",))).get(path)
    for name, value in BASIC.items():
        assert response.headers[name] == value, name
    assert response.headers.get_list("server") == ["opsportal"]
    assert response.headers["permissions-policy"].startswith("camera=()")
    assert "content-security-policy" in response.headers
    assert "strict-transport-security" not in response.headers


def test_the_websocket_handshake_answer_carries_the_security_headers(pages):
    with served(pages, HeaderPolicy()).websocket_connect("/_event") as websocket:
        assert websocket.receive_text() == "hello"
        headers = {name.decode(): value.decode() for name, value in websocket.extra_headers}
    for name, value in BASIC.items():
        assert headers[name] == value
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_a_websocket_refused_before_the_handshake_is_answered_403_with_the_security_headers(pages):
    with pytest.raises(WebSocketDenialResponse) as refused:
        with served(pages, HeaderPolicy()).websocket_connect("/refused"):
            pass
    assert refused.value.status_code == 403
    for name, value in BASIC.items():
        assert refused.value.headers[name] == value


def test_the_policy_allows_the_built_pages_inline_scripts_by_hash_and_nothing_else_inline(pages):
    csp = directives(served(pages, HeaderPolicy()).get("/").headers["content-security-policy"])
    assert csp["script-src"] == ["'self'", sha256_source(PAGE_SCRIPT)]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]


def test_answers_other_than_pages_carry_the_policy_without_the_script_hashes(pages):
    csp = directives(served(pages, HeaderPolicy()).get("/assets/app.js").headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]


def test_a_not_modified_answer_carries_the_page_policy_the_browser_keeps_for_the_cached_page(pages):
    client = served(pages, HeaderPolicy())
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert sha256_source(PAGE_SCRIPT) in again.headers["content-security-policy"]


def test_a_new_build_is_read_again_when_a_page_is_served(pages):
    client = served(pages, HeaderPolicy())
    client.get("/")
    (pages / "index.html").write_text(PAGE.replace(PAGE_SCRIPT, "window.rebuilt = 1"))
    (pages / "new.html").write_text("<html></html>")
    csp = directives(client.get("/").headers["content-security-policy"])
    assert csp["script-src"] == ["'self'", sha256_source("window.rebuilt = 1")]


def test_connections_and_forms_go_only_to_the_portal_own_origins_over_http_and_websocket(pages):
    policy = HeaderPolicy(origins=("https://portal.example.com", "https://portal.example.com/", "http://127.0.0.1:8000"))
    csp = directives(served(pages, policy).get("/").headers["content-security-policy"])
    assert csp["connect-src"] == ["'self'", "https://portal.example.com", "http://127.0.0.1:8000",
                                  "wss://portal.example.com", "ws://127.0.0.1:8000"]
    assert csp["form-action"] == ["'self'", "https://portal.example.com", "http://127.0.0.1:8000"]


def test_hsts_is_sent_in_production_only(pages):
    response = served(pages, HeaderPolicy(production=True)).get("/api/thing")
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_inline_scripts_with_a_source_are_not_hashed():
    assert inline_script_hashes(PAGE) == [sha256_source(PAGE_SCRIPT)]
    assert inline_script_hashes('<script type="module" async="">import "/a.js";</script>') == [
        sha256_source('import "/a.js";')]


def test_the_portal_api_and_what_it_mounts_answer_with_the_headers(sqlite_database_url):
    client = TestClient(create_api(PlainTextResponse("the Reflex app")))
    for path in ("/api/health", "/some/reflex/page"):
        response = client.get(path)
        assert response.status_code == 200
        for name, value in BASIC.items():
            assert response.headers[name] == value
        assert "connect-src 'self'" in response.headers["content-security-policy"]


def test_the_header_policy_follows_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPSPORTAL_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("OPSPORTAL_PUBLIC_URL", "http://localhost:3100")
    get_settings.cache_clear()
    try:
        policy = header_policy("http://localhost:3100")
    finally:
        get_settings.cache_clear()
    assert not policy.production
    assert policy.origins == ("http://localhost:3100", "http://127.0.0.1:3100", "http://localhost:3100")


@pytest.fixture
def reflex_cors(monkeypatch: pytest.MonkeyPatch):
    """Reflex's CORS middleware exactly as the app adds it, with the configuration rxconfig.py builds."""
    from reflex.app import App
    from reflex_base.config import get_config, reload_config

    monkeypatch.setenv("OPSPORTAL_ALLOWED_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000")
    get_settings.cache_clear()
    reload_config()
    api = Starlette(routes=[Route("/api/thing", lambda _request: JSONResponse({"ok": True}),
                                  methods=["GET", "POST"])])
    App._add_cors(api)
    yield TestClient(api), get_config()
    monkeypatch.delenv("OPSPORTAL_ALLOWED_ORIGINS")
    get_settings.cache_clear()
    reload_config()


def test_cors_does_not_answer_an_unknown_origin(reflex_cors):
    client, _config = reflex_cors
    simple = client.get("/api/thing", headers={"Origin": "https://evil.example", "Cookie": "session=1"})
    assert "access-control-allow-origin" not in simple.headers
    preflight = client.options("/api/thing", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_answers_an_allowed_origin(reflex_cors):
    client, _config = reflex_cors
    response = client.get("/api/thing", headers={"Origin": "http://127.0.0.1:3000", "Cookie": "session=1"})
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"


def test_the_reflex_configuration_and_its_socket_server_list_exact_origins_only(reflex_cors):
    _client, config = reflex_cors
    assert list(config.cors_allowed_origins) == ["http://localhost:3000", "http://127.0.0.1:3000"]
    assert "*" not in config.cors_allowed_origins
