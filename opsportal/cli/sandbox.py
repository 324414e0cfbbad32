"""`opsportal sandbox ...`: local stand-ins for outside services, for development, the demo and tests.

- `sandbox stripe` serves the Stripe sandbox (opsportal/devtools/stripe_sandbox) in the foreground until
  Ctrl+C or SIGTERM. The same command runs as ``python -m opsportal.cli.sandbox sandbox stripe ...``
  (what the test helper uses).
- `sandbox smtp` runs a local SMTP server that saves every message it gets (nothing is relayed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from opsportal.cli.common import Parser, fail, port
from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET

EXIT_START_FAILED = 1
DEFAULT_SINK_PORT = 8025


def _webhook_secret(value: str) -> str:
    if not value.startswith("whsec_") or len(value) <= len("whsec_"):
        raise argparse.ArgumentTypeError(f"not a webhook signing secret (whsec_...): {value!r}")
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value


def cmd_sandbox_stripe(args: argparse.Namespace) -> None:
    from opsportal.devtools.stripe_sandbox import RunOptions, SandboxStartError, run_sandbox

    options = RunOptions(host=args.host, port=args.port, webhook_url=args.webhook_url,
                         webhook_secret=args.webhook_secret, public_url=args.public_url)
    try:
        run_sandbox(options)
    except SandboxStartError as exc:
        fail(str(exc), EXIT_START_FAILED)


def cmd_sandbox_smtp(args: argparse.Namespace) -> None:
    from opsportal.devtools.smtp_sink import Forward, run_sink
    from opsportal.settings import get_settings

    settings = get_settings()
    forward = None
    if args.inbound_url:
        domain = settings.support_address.rpartition("@")[2].strip(" <>")
        forward = Forward(url=args.inbound_url, token=settings.inbound_token, support_domain=domain)
    try:
        run_sink(host=args.host, port=args.port, directory=Path(args.dir or settings.mail_directory), forward=forward)
    except OSError as exc:
        fail(f"the SMTP sink could not start on {args.host}:{args.port}: {exc}", EXIT_START_FAILED)


def add_commands(groups, common) -> None:
    """Register ``sandbox stripe`` and ``sandbox smtp`` (``common`` is accepted like the other groups; --json
    means nothing here)."""
    sandbox = groups.add_parser("sandbox", help="local stand-ins for outside services (development and tests)")
    actions = sandbox.add_subparsers(dest="action", required=True)
    p = actions.add_parser(
        "stripe", help="serve the local Stripe sandbox (Checkout Sessions, test-card page, signed webhooks)",
        description="Serve a local Stripe API for stripe.StripeClient(base_addresses={'api': URL}): Checkout "
                    "Sessions, a hosted test-card page and signed webhooks, what OpsPortal uses of Stripe.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--port", type=port, default=STRIPE_SANDBOX_PORT, help="the sandbox's port (default: %(default)s)")
    p.add_argument("--webhook-url", type=_http_url, metavar="URL",
                   help="where to POST events (can also be set later: POST /_sandbox/webhooks)")
    p.add_argument("--webhook-secret", type=_webhook_secret, default=STRIPE_SANDBOX_WEBHOOK_SECRET, metavar="whsec_...",
                   help="signing secret for the Stripe-Signature header (default: %(default)s)")
    p.add_argument("--public-url", type=_http_url, metavar="URL",
                   help="the sandbox's URL as browsers reach it, for checkout links (default: http://HOST:PORT)")
    p.set_defaults(func=cmd_sandbox_stripe)

    p = actions.add_parser(
        "smtp", help="run a local SMTP server that saves every message it gets (nothing is relayed)",
        description="Accept mail on HOST:PORT and save each message as an .eml file in DIR (a development "
                    "tool: nothing is relayed). Point OPSPORTAL_SMTP_HOST/OPSPORTAL_SMTP_PORT at it (the defaults "
                    "do).")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--port", type=port, default=DEFAULT_SINK_PORT, help="port (default: %(default)s)")
    p.add_argument("--dir", metavar="DIR", help="where to save messages (default: OPSPORTAL_MAIL_DIR or data/mail)")
    p.add_argument("--inbound-url", type=_http_url, metavar="URL",
                   help="hand mail to the support address (OPSPORTAL_SUPPORT_ADDRESS's domain) to the portal's "
                        "POST /api/mail/inbound at URL, e.g. http://127.0.0.1:3000/api/mail/inbound")
    p.set_defaults(func=cmd_sandbox_smtp)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m opsportal.cli.sandbox sandbox stripe ...``: the same command without the rest of the CLI."""
    parser = Parser(prog="opsportal", description="OpsPortal development sandboxes.")
    common = Parser(add_help=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND", parser_class=Parser)
    add_commands(groups, common)
    args = parser.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
