"""The sandbox's HTTP application: the ``/v1`` endpoints the app calls (faults, API key, idempotency, then Checkout
Sessions and PaymentIntents), the hosted card page ``/pay/<id>``, and control endpoints for tests under
``/_sandbox/``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET
from opsportal.devtools.stripe_sandbox.cards import TEST_CARDS, CardForm, card_digits, card_number_problem
from opsportal.devtools.stripe_sandbox.checkout import Checkout, CheckoutSession, SessionNotOpen, new_checkout_session
from opsportal.devtools.stripe_sandbox.page import PageItem, PageView, render_page
from opsportal.devtools.stripe_sandbox.protocol import (
    FaultInjector,
    IdempotencyStore,
    Json,
    StoredResponse,
    StripeError,
    api_key_of,
    format_amount,
    invalid,
    parse_stripe_params,
    random_id,
    request_fingerprint,
    stripe_json,
    whole_number,
    worth_storing,
)
from opsportal.devtools.stripe_sandbox.webhooks import WEBHOOK_RETRY_DELAYS, WebhookEndpoint, WebhookSender


@dataclass(frozen=True)
class SandboxConfig:
    """The sandbox's own public URL (for checkout links) and the webhook endpoint to start with."""

    public_url: str = f"http://127.0.0.1:{STRIPE_SANDBOX_PORT}"
    webhook_url: str | None = None
    webhook_secret: str = STRIPE_SANDBOX_WEBHOOK_SECRET
    merchant_name: str = "OpsPortal"
    retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS
    expiry_sweep_seconds: float = 1.0


ApiHandler = Callable[[Json, dict[str, str]], Awaitable[Json]]


class StripeSandbox:
    """The sandbox's state and its HTTP endpoints."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.idempotency = IdempotencyStore()
        self.faults = FaultInjector()
        self.webhooks = WebhookSender(WebhookEndpoint(config.webhook_url, config.webhook_secret),
                                      config.retry_delays)
        self.checkout = Checkout(self.webhooks.publish)
        self._sweeper: asyncio.Task | None = None
        self._api_routes: list[tuple[str, re.Pattern[str], ApiHandler]] = [
            ("POST", re.compile(r"/v1/checkout/sessions"), self.create_session),
            ("GET", re.compile(r"/v1/checkout/sessions"), self.list_sessions),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)"), self.retrieve_session),
            ("POST", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)/expire"), self.expire_session),
            ("GET", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)"), self.retrieve_intent),
        ]

    @asynccontextmanager
    async def lifespan(self, app: Starlette):
        await self.webhooks.start()
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_expired())
        try:
            yield
        finally:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            await self.webhooks.stop()

    async def _sweep_expired(self) -> None:
        while True:
            await asyncio.sleep(self.config.expiry_sweep_seconds)
            self.checkout.expire_due()

    def routes(self) -> list[Route]:
        return [
            Route("/v1/{path:path}", self.api, methods=["GET", "POST", "DELETE", "PUT", "PATCH"]),
            Route("/pay/{session_id}", self.payment_page, methods=["GET"]),
            Route("/pay/{session_id}", self.submit_payment_page, methods=["POST"]),
            Route("/_sandbox/health", self.health, methods=["GET"]),
            Route("/_sandbox/webhooks", self.configure_webhook, methods=["POST"]),
            Route("/_sandbox/sessions/{session_id}/pay", self.control_pay, methods=["POST"]),
            Route("/_sandbox/faults", self.arm_faults, methods=["POST"]),
            Route("/_sandbox/events", self.list_events, methods=["GET"]),
            Route("/_sandbox/events/{event_id}/resend", self.resend_event, methods=["POST"]),
        ]

    # ---- /v1: faults, authentication, idempotency, then the endpoint

    async def api(self, request: Request) -> Response:
        try:
            fault = self.faults.take()
            if fault is not None:
                raise fault
            api_key = api_key_of(request)
            body = await request.body()
            key = request.headers.get("idempotency-key")
            if request.method == "POST" and key:
                return await self._idempotent(request, (api_key, key), body)
            return await self._dispatch(request, body)
        except StripeError as exc:
            return exc.response()

    async def _idempotent(self, request: Request, scope: tuple[str, str], body: bytes) -> Response:
        fingerprint, path, key = request_fingerprint(body), request.url.path, scope[1]
        async with self.idempotency.lock(scope):
            stored = self.idempotency.get(scope)
            if stored is not None:
                if (stored.path, stored.fingerprint) != (path, fingerprint):
                    raise StripeError(400, f"Keys for idempotent requests can only be used with the same parameters "
                                           f"and endpoint they were first used with. Try using a key other than "
                                           f"'{key}' if you meant to execute a different request.",
                                      type="idempotency_error")
                return Response(stored.body, status_code=stored.status, media_type="application/json",
                                headers={"Idempotent-Replayed": "true", "Original-Request": stored.request_id,
                                         "Request-Id": f"req_{random_id(14)}"})
            try:
                response = await self._dispatch(request, body)
            except StripeError as exc:
                response = exc.response()
            if worth_storing(response.status_code):
                self.idempotency.put(scope, StoredResponse(
                    path=path, fingerprint=fingerprint, status=response.status_code, body=bytes(response.body),
                    request_id=response.headers.get("request-id", ""), stored_at=time.monotonic()))
            return response

    async def _dispatch(self, request: Request, body: bytes) -> Response:
        path = request.url.path
        for method, pattern, handler in self._api_routes:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                self.checkout.expire_due()
                raw = request.url.query if method == "GET" else body.decode("utf-8", "replace")
                params = parse_stripe_params(parse_qsl(raw, keep_blank_values=True))
                return stripe_json(await handler(params, match.groupdict()))
        raise StripeError(404, f"Unrecognized request URL ({request.method}: {path}). The Stripe sandbox "
                               "implements only what OpsPortal uses: Checkout Sessions and reading PaymentIntents.")

    async def create_session(self, params: Json, path: dict[str, str]) -> Json:
        session = new_checkout_session(params, self.config.public_url)
        self.checkout.add(session)
        return session.snapshot()

    async def retrieve_session(self, params: Json, path: dict[str, str]) -> Json:
        data = self.checkout.require(path["id"]).snapshot()
        if "payment_intent" in (params.get("expand") or []) and data["payment_intent"]:
            data["payment_intent"] = self.checkout.require_intent(data["payment_intent"])
        return data

    async def list_sessions(self, params: Json, path: dict[str, str]) -> Json:
        limit = min(max(whole_number(params.get("limit", 10), "limit"), 1), 100)
        sessions = [s.snapshot() for s in reversed(self.checkout.sessions.values())
                    if params.get("payment_intent") in (None, s.data["payment_intent"])]
        return {"object": "list", "data": sessions[:limit], "has_more": len(sessions) > limit,
                "url": "/v1/checkout/sessions"}

    async def expire_session(self, params: Json, path: dict[str, str]) -> Json:
        session = self.checkout.require(path["id"])
        async with session.lock:
            if session.status != "open":
                raise invalid(f"Only Checkout Sessions with a status of open can be expired; this one is "
                              f"{session.status}.", code="checkout_session_not_open")
            self.checkout.expire(session)
        return session.snapshot()

    async def retrieve_intent(self, params: Json, path: dict[str, str]) -> Json:
        return self.checkout.require_intent(path["id"])

    # ---- the hosted payment page

    async def payment_page(self, request: Request) -> Response:
        self.checkout.expire_due()
        session = self.checkout.sessions.get(request.path_params["session_id"])
        return self._render(session, CardForm(email=(session.data["customer_email"] or "") if session else ""))

    async def submit_payment_page(self, request: Request) -> Response:
        session = self.checkout.sessions.get(request.path_params["session_id"])
        if session is None:
            return self._render(None, CardForm())
        form = CardForm.from_pairs(parse_qsl((await request.body()).decode("utf-8", "replace"),
                                             keep_blank_values=True))
        if session.data["customer_email"]:
            form = replace(form, email=session.data["customer_email"])
        problems = form.problems(needs_email=not session.data["customer_email"])
        if problems:
            return self._render(session, form, problems=problems, status=422)
        try:
            outcome = await self.checkout.pay(session, TEST_CARDS[card_digits(form.card_number)], email=form.email,
                                              name=form.name, deliver=True)
        except SessionNotOpen:
            return self._render(session, form)
        if outcome.outcome == "declined":
            return self._render(session, replace(form, cvc=""), alert=outcome.message, status=402)
        return RedirectResponse(session.success_redirect() or f"/pay/{session.id}", status_code=303)

    def _render(self, session: CheckoutSession | None, form: CardForm, *, problems: dict[str, str] | None = None,
                alert: str | None = None, status: int = 200) -> HTMLResponse:
        problems = dict(problems or {})
        if problems and not alert:
            alert = "Check the highlighted fields: " + " ".join(problems.values())
        view = PageView(merchant=self.config.merchant_name, session=session.data if session else None,
                        values=dataclasses.asdict(form), problems=problems, alert=alert)
        if session is not None:
            currency = session.data["currency"]
            view = replace(view, total=format_amount(session.data["amount_total"], currency),
                           success_url=session.success_redirect(),
                           items=[PageItem(item.name, item.description, item.quantity,
                                           format_amount(item.unit_amount, currency),
                                           format_amount(item.amount, currency)) for item in session.line_items])
        return HTMLResponse(render_page(view), status_code=404 if session is None else status)

    # ---- control endpoints for tests and development

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "webhook_url": self.webhooks.endpoint.url})

    async def configure_webhook(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            url, secret = body.get("url") or None, body.get("secret") or self.webhooks.endpoint.secret
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise invalid("url must be an http(s) URL, or null to stop sending events.", param="url")
            if not isinstance(secret, str) or not secret.startswith("whsec_"):
                raise invalid("secret must be a webhook signing secret (whsec_...).", param="secret")
        except StripeError as exc:
            return exc.response()
        self.webhooks.endpoint = WebhookEndpoint(url, secret)
        return JSONResponse({"url": url, "secret": secret})

    async def control_pay(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            session = self.checkout.require(request.path_params["session_id"])
            problem = card_number_problem(str(body.get("card", "")))
            if problem:
                raise invalid(problem, param="card")
            outcome = await self.checkout.pay(session, TEST_CARDS[card_digits(body["card"])],
                                              email=body.get("email"), name=body.get("name"),
                                              deliver=bool(body.get("deliver", True)))
        except SessionNotOpen as exc:
            return StripeError(400, str(exc), code="checkout_session_not_open").response()
        except StripeError as exc:
            return exc.response()
        return JSONResponse(outcome.to_json())

    async def arm_faults(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            count = whole_number(body.get("count", 1), "count")
            status = whole_number(body.get("status", 500), "status")
            if count < 0 or not 400 <= status <= 599:
                raise invalid("count must be 0 or more and status an HTTP error status (400-599).")
        except StripeError as exc:
            return exc.response()
        self.faults.arm(count, status)
        return JSONResponse({"count": count, "status": status})

    async def list_events(self, request: Request) -> Response:
        return JSONResponse({"object": "list",
                             "data": [record.to_json() for record in reversed(self.webhooks.events.values())]})

    async def resend_event(self, request: Request) -> Response:
        try:
            record = self.webhooks.resend(request.path_params["event_id"])
        except StripeError as exc:
            return exc.response()
        return JSONResponse(record.to_json())


async def _json_object(request: Request) -> Json:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.")
    return body


def create_app(config: SandboxConfig) -> Starlette:
    """A new sandbox application (fresh state) for the given configuration."""
    sandbox = StripeSandbox(config)
    app = Starlette(routes=sandbox.routes(), lifespan=sandbox.lifespan)
    app.state.sandbox = sandbox
    return app
