"""`opsportal sandbox stripe`: the local Stripe sandbox for development, the demo and tests.

It serves the sandbox (opsportal/devtools/stripe_sandbox) in the foreground until Ctrl+C or
SIGTERM. The same command runs as ``python -m opsportal.cli_sandbox sandbox stripe ...``
(what the test helper uses).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET

EXIT_START_FAILED = 1


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value!r}")
    return port


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
        print(f"opsportal: error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_START_FAILED) from None


def add_sandbox_commands(groups, common) -> None:
    """Register ``sandbox stripe`` (``common`` is accepted like the other groups; --json means nothing here)."""
    sandbox = groups.add_parser("sandbox", help="local stand-ins for outside services (development and tests)")
    actions = sandbox.add_subparsers(dest="action", required=True)
    p = actions.add_parser(
        "stripe", help="serve the local Stripe sandbox (Checkout Sessions, test-card page, signed webhooks)",
        description="Serve a local Stripe API for stripe.StripeClient(base_addresses={'api': URL}): Checkout "
                    "Sessions, a hosted test-card page and signed webhooks, what OpsPortal uses of Stripe.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=STRIPE_SANDBOX_PORT, help="the sandbox's port (default: %(default)s)")
    p.add_argument("--webhook-url", type=_http_url, metavar="URL",
                   help="where to POST events (can also be set later: POST /_sandbox/webhooks)")
    p.add_argument("--webhook-secret", type=_webhook_secret, default=STRIPE_SANDBOX_WEBHOOK_SECRET, metavar="whsec_...",
                   help="signing secret for the Stripe-Signature header (default: %(default)s)")
    p.add_argument("--public-url", type=_http_url, metavar="URL",
                   help="the sandbox's URL as browsers reach it, for checkout links (default: http://HOST:PORT)")
    p.set_defaults(func=cmd_sandbox_stripe)

    from opsportal.cli_notify import add_smtp_sink_command

    add_smtp_sink_command(actions)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m opsportal.cli_sandbox sandbox stripe ...``: the same command without the rest of the CLI."""
    from opsportal.cli import _Parser

    parser = _Parser(prog="opsportal", description="OpsPortal development sandboxes.")
    common = _Parser(add_help=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND", parser_class=_Parser)
    add_sandbox_commands(groups, common)
    args = parser.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
