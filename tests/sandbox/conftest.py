"""The local Stripe sandbox, driven through the real stripe SDK against the subprocess: one sandbox serves every
test of this package; events go to a small HTTP receiver in this process and are checked with
``stripe.Webhook.construct_event``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.utils.sandbox_client import WebhookReceiver
from tests.utils.stripe_sandbox import WEBHOOK_SECRET, SandboxHandle, start_stripe_sandbox


@pytest.fixture(scope="package")
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="package")
def sandbox(receiver: WebhookReceiver) -> Iterator[SandboxHandle]:
    with start_stripe_sandbox(webhook_url=receiver.url) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _fresh_endpoint(sandbox: SandboxHandle, receiver: WebhookReceiver) -> None:
    """Each test starts with events going to the receiver, no fault armed and no deliveries seen."""
    sandbox.set_webhook(receiver.url, WEBHOOK_SECRET)
    sandbox.fail_next(0)
    receiver.reset()


@pytest.fixture(scope="package")
def client(sandbox: SandboxHandle) -> stripe.StripeClient:
    """A client that does not retry, so each test sees exactly what the sandbox answered."""
    return sandbox.client(max_network_retries=0)
