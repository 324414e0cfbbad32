"""Events and their delivery: each event is signed as Stripe signs it and POSTed to the one webhook endpoint in the
background, retried with backoff until the endpoint answers 2xx; the log keeps every attempt."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import httpx
import stripe

from opsportal.devtools.stripe_sandbox.protocol import Json, StripeError, now, random_id, sign_webhook_payload

WEBHOOK_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # 5 attempts in all


@dataclass
class WebhookEndpoint:
    url: str | None
    secret: str


@dataclass
class EventRecord:
    """An event and its deliveries: ``pending`` (being sent or retried), ``delivered``, ``failed`` (every attempt
    failed), ``held`` (created with deliver=false) or ``no_endpoint``."""

    event: Json
    status: str = "pending"
    attempts: list[Json] = field(default_factory=list)

    def to_json(self) -> Json:
        return {"id": self.event["id"], "type": self.event["type"], "created": self.event["created"],
                "delivery_status": self.status, "attempts": list(self.attempts), "event": self.event}


def new_event(event_type: str, obj: Json) -> Json:
    return {"id": f"evt_{random_id(24)}", "object": "event", "api_version": stripe.api_version, "created": now(),
            "data": {"object": copy.deepcopy(obj)}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": event_type}


class WebhookSender:
    """Keeps the event log and delivers events in the background, retrying with backoff."""

    def __init__(self, endpoint: WebhookEndpoint, retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS):
        self.endpoint = endpoint
        self.retry_delays = retry_delays
        self.events: OrderedDict[str, EventRecord] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client:
            await self._client.aclose()

    def publish(self, event_type: str, obj: Json, *, deliver: bool = True) -> str:
        """Logs a new event and sends it unless ``deliver`` is false (then it is ``held``); returns its id."""
        record = EventRecord(new_event(event_type, obj))
        self.events[record.event["id"]] = record
        if deliver:
            self._schedule(record)
        else:
            record.status = "held"
        return record.event["id"]

    def resend(self, event_id: str) -> EventRecord:
        record = self.events.get(event_id)
        if record is None:
            raise StripeError(404, f"No such event: '{event_id}'", code="resource_missing", param="id")
        self._schedule(record)
        return record

    def _schedule(self, record: EventRecord) -> None:
        endpoint = replace(self.endpoint)
        if not endpoint.url:
            record.status = "no_endpoint"
            return
        record.status = "pending"
        task = asyncio.get_running_loop().create_task(self._deliver(record, endpoint))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, record: EventRecord, endpoint: WebhookEndpoint) -> None:
        payload = json.dumps(record.event, indent=2)
        for delay in (*self.retry_delays, None):
            if await self._attempt(record, endpoint, payload):
                record.status = "delivered"
                return
            if delay is not None:
                await asyncio.sleep(delay)
        record.status = "failed"

    async def _attempt(self, record: EventRecord, endpoint: WebhookEndpoint, payload: str) -> bool:
        assert self._client is not None and endpoint.url
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+sandbox)",
                   "Stripe-Signature": sign_webhook_payload(payload, endpoint.secret, now())}
        attempt: Json = {"at": time.time(), "url": endpoint.url}
        try:
            response = await self._client.post(endpoint.url, content=payload.encode(), headers=headers)
            attempt["status_code"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            attempt["error"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            ok = False
        record.attempts.append(attempt)
        return ok
